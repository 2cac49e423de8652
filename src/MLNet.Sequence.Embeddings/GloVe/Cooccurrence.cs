using System.Runtime.InteropServices;

namespace MLNet.Sequence.Embeddings.GloVe;

/// <summary>One co-occurrence count X_ij: word i (row, as in GloVe's W), context word j (W~), weighted count.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Cooccurrence
{
    public int Word;
    public int Context;
    public double Count;

    public Cooccurrence(int word, int context, double count)
    {
        Word = word;
        Context = context;
        Count = count;
    }

    /// <summary>Sort key: by word, then context.</summary>
    public readonly long Key => ((long)Word << 32) | (uint)Context;

    public override readonly string ToString() => $"({Word}, {Context}): {Count}";
}

/// <summary>A training pair with what the GloVe loss needs precomputed: log X_ij and f(X_ij).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GloVePair
{
    public int Word;
    public int Context;
    public float LogCount;
    public float Weight;
}

/// <summary>Reads and writes runs of fixed-size structs to files in large blocks.</summary>
internal static class RecordFile
{
    public static void Write<T>(Stream stream, ReadOnlySpan<T> records) where T : unmanaged =>
        stream.Write(MemoryMarshal.AsBytes(records));

    /// <summary>Reads up to <paramref name="buffer"/>.Length records; returns how many were read (0 at the end).</summary>
    public static int Read<T>(Stream stream, Span<T> buffer, string path) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(buffer);
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        int size = Marshal.SizeOf<T>();
        if (read % size != 0)
            throw new InvalidDataException($"Temporary file '{path}' ends inside a record; it was changed or truncated during training.");
        return read / size;
    }

    /// <summary>All records of a file in order, read in blocks.</summary>
    public static IEnumerable<T> ReadAll<T>(string path, int blockRecords = 1 << 16) where T : unmanaged
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var buffer = new T[blockRecords];
        int n;
        while ((n = Read<T>(stream, buffer, path)) > 0)
        {
            for (int i = 0; i < n; i++)
                yield return buffer[i];
        }
    }
}
