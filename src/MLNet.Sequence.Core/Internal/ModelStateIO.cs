using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Internal;

/// <summary>
/// Writes and reads the learned state of MLNet.Sequence components inside an ML.NET model zip: vectors,
/// strings and binary blobs (TorchSharp state dicts later). Every read validates what it gets and throws
/// ML.NET's "corrupt model" <see cref="FormatException"/> naming the item, so a truncated or tampered
/// zip never turns into garbage numbers or a crash deep inside a component.
/// </summary>
internal static class ModelStateIO
{
    // Raw arrays are stored little-endian, as ML.NET stores its own.
    static ModelStateIO()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("MLNet.Sequence model files are little-endian; this platform is not.");
    }

    // A span counts its bytes in an int, so arrays of more than 2^29 floats are moved in slices.
    private const int SliceValues = 1 << 24;

    /// <summary>Writes a length-prefixed float array.</summary>
    public static void WriteFloats(this BinaryWriter writer, ReadOnlySpan<float> values)
    {
        writer.Write(values.Length);
        for (int i = 0; i < values.Length; i += SliceValues)
            writer.Write(MemoryMarshal.AsBytes(values.Slice(i, Math.Min(SliceValues, values.Length - i))));
    }

    /// <summary>Reads an array written by <see cref="WriteFloats"/>; checks its length and that every value is finite.</summary>
    public static float[] ReadFloats(this BinaryReader reader, string what, int expectedLength = -1, bool requireFinite = true)
    {
        int length = ReadCount(reader, what, sizeof(float));
        Contracts.CheckDecode(expectedLength < 0 || length == expectedLength,
            $"{what}: expected {expectedLength} values, found {length}.");
        var values = GC.AllocateUninitializedArray<float>(length);
        reader.ReadFloatsInto(values, what);
        if (requireFinite)
        {
            int bad = IndexOfNonFinite(values);
            Contracts.CheckDecode(bad < 0, $"{what}: value {bad} is not a finite number.");
        }
        return values;
    }

    /// <summary>Fills <paramref name="destination"/> with raw floats from the stream (no length prefix).</summary>
    public static void ReadFloatsInto(this BinaryReader reader, Span<float> destination, string what)
    {
        for (int i = 0; i < destination.Length; i += SliceValues)
            ReadExactly(reader, MemoryMarshal.AsBytes(destination.Slice(i, Math.Min(SliceValues, destination.Length - i))), what);
    }

    /// <summary>Writes a length-prefixed array of 64-bit integers.</summary>
    public static void WriteLongs(this BinaryWriter writer, ReadOnlySpan<long> values)
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads an array written by <see cref="WriteLongs"/>.</summary>
    public static long[] ReadLongs(this BinaryReader reader, string what, int expectedLength = -1)
    {
        int length = ReadCount(reader, what, sizeof(long));
        Contracts.CheckDecode(expectedLength < 0 || length == expectedLength,
            $"{what}: expected {expectedLength} values, found {length}.");
        var values = new long[length];
        ReadExactly(reader, MemoryMarshal.AsBytes(values.AsSpan()), what);
        return values;
    }

    /// <summary>Writes a length-prefixed array of doubles.</summary>
    public static void WriteDoubles(this BinaryWriter writer, ReadOnlySpan<double> values)
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads an array written by <see cref="WriteDoubles"/>; every value must be finite.</summary>
    public static double[] ReadDoubles(this BinaryReader reader, string what, int expectedLength = -1)
    {
        int length = ReadCount(reader, what, sizeof(double));
        Contracts.CheckDecode(expectedLength < 0 || length == expectedLength,
            $"{what}: expected {expectedLength} values, found {length}.");
        var values = new double[length];
        ReadExactly(reader, MemoryMarshal.AsBytes(values.AsSpan()), what);
        Contracts.CheckDecode(values.All(double.IsFinite), $"{what}: a value is not a finite number.");
        return values;
    }

    /// <summary>Writes a count followed by each string as UTF-8 with a length prefix.</summary>
    public static void WriteStrings(this BinaryWriter writer, IReadOnlyList<string> values)
    {
        writer.Write(values.Count);
        foreach (var value in values)
            writer.Write(value);
    }

    /// <summary>Reads strings written by <see cref="WriteStrings"/>.</summary>
    public static string[] ReadStrings(this BinaryReader reader, string what)
    {
        int count = ReadCount(reader, what, 1);
        var values = new string[count];
        for (int i = 0; i < count; i++)
        {
            try
            {
                values[i] = reader.ReadString();
            }
            catch (Exception e) when (e is EndOfStreamException or DecoderFallbackException or IOException)
            {
                throw Contracts.ExceptDecode(e, $"{what}: string {i} of {count} is truncated or not valid UTF-8.");
            }
        }
        return values;
    }

    /// <summary>Stores a binary blob as its own entry of the model zip.</summary>
    public static void SaveBlob(this ModelSaveContext ctx, string name, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        ctx.SaveBinaryStream(name, writer =>
        {
            writer.Write(copy.Length);
            writer.Write(copy);
        });
    }

    /// <summary>Reads a blob stored by <see cref="SaveBlob"/>; throws if it is missing or truncated.</summary>
    public static byte[] LoadBlob(this ModelLoadContext ctx, string name)
    {
        byte[]? result = null;
        bool found = ctx.TryLoadBinaryStream(name, reader =>
        {
            int length = ReadCount(reader, name, 1);
            result = new byte[length];
            ReadExactly(reader, result, name);
        });
        Contracts.CheckDecode(found && result != null, $"The model has no '{name}' entry.");
        return result!;
    }

    /// <summary>Reads a 32-bit count and checks that it is non-negative and fits in what is left of the stream.</summary>
    public static int ReadCount(this BinaryReader reader, string what, int bytesPerItem)
    {
        int count;
        try
        {
            count = reader.ReadInt32();
        }
        catch (EndOfStreamException e)
        {
            throw Contracts.ExceptDecode(e, $"{what}: the model data ends early.");
        }
        Contracts.CheckDecode(count >= 0, $"{what}: negative length {count}.");
        reader.CheckRemaining(count, bytesPerItem, what);
        return count;
    }

    /// <summary>
    /// Checks that the stream still holds <paramref name="items"/> items of <paramref name="bytesPerItem"/> bytes,
    /// so that nothing is allocated for what a corrupt count announces.
    /// </summary>
    public static void CheckRemaining(this BinaryReader reader, long items, int bytesPerItem, string what)
    {
        var stream = reader.BaseStream;
        if (!stream.CanSeek || bytesPerItem == 0)
            return;
        long left = stream.Length - stream.Position;
        Contracts.CheckDecode(items <= left / bytesPerItem,
            $"{what}: {items} items announced but only {left} bytes left; the model is truncated.");
    }

    private static void ReadExactly(BinaryReader reader, Span<byte> destination, string what)
    {
        int read = 0;
        while (read < destination.Length)
        {
            int n = reader.Read(destination[read..]);
            Contracts.CheckDecode(n > 0, $"{what}: the model data ends early ({read} of {destination.Length} bytes).");
            read += n;
        }
    }

    /// <summary>Index of the first NaN or infinity, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        // The vectorised test is fast; the scan that finds the value runs only when it fails.
        if (TensorPrimitives.IsFiniteAll(values))
            return -1;
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                return i;
        }
        return -1;
    }
}
