using System.Buffers.Binary;
using System.Text;

namespace MLNet.Sequence.Audio;

/// <summary>What a WAV file's headers say it holds (<see cref="WavFile.ReadInfo"/>).</summary>
/// <param name="SampleRate">Samples per second per channel.</param>
/// <param name="Channels">Channels.</param>
/// <param name="Length">Samples per channel (a partial last frame is not counted).</param>
/// <param name="SourceFormat">How the samples are stored.</param>
public sealed record WavInfo(int SampleRate, int Channels, long Length, WavSampleFormat SourceFormat)
{
    /// <summary>Seconds of audio.</summary>
    public double Duration => (double)Length / SampleRate;
}

/// <summary>
/// Reads and writes WAV (RIFF WAVE) files: integer PCM of 8, 16, 24 and 32 bits, IEEE float of 32 and 64 bits,
/// plain or WAVE_FORMAT_EXTENSIBLE, with the chunks in any order.
/// </summary>
/// <remarks>
/// Writers that stream to a pipe cannot go back to fill in the sizes and leave placeholders (espeak-ng's
/// <c>--stdout</c> writes 0x7ffff000, others 0xffffffff); such a data chunk is read to the end of the file.
/// Any other size that runs past the end means the file was cut short, and it is refused: every allocation
/// is bounded by the bytes the file really holds, never by what a header claims.
/// </remarks>
public static class WavFile
{
    private const ushort FormatPcm = 0x0001;
    private const ushort FormatFloat = 0x0003;
    private const ushort FormatExtensible = 0xFFFE;
    private const int MaxChannels = 256;

    // The 14 bytes that follow the format tag in every KSDATAFORMAT_SUBTYPE GUID of WAVE_FORMAT_EXTENSIBLE.
    private static ReadOnlySpan<byte> SubFormatSuffix => [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>Reads a WAV file.</summary>
    /// <exception cref="InvalidDataException">The file is not a WAV file, is cut short, or stores a format this reader does not.</exception>
    public static WavAudio Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"the WAV file '{path}' does not exist", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads WAV bytes (a file's contents held in memory, for example).</summary>
    /// <param name="bytes">The whole file.</param>
    /// <param name="name">What to call the input in error messages.</param>
    public static WavAudio Read(ReadOnlyMemory<byte> bytes, string name = "WAV bytes")
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return Read(stream, name);
    }

    /// <summary>Reads a WAV file from a stream, from its current position to its end.</summary>
    /// <param name="stream">The input; one that cannot seek is first read into memory.</param>
    /// <param name="name">What to call the input in error messages (a file name, a column and row).</param>
    public static WavAudio Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        var (format, dataStart, dataBytes) = Locate(stream, name);
        return ReadSamples(stream, dataStart, dataBytes, format, name);
    }

    /// <summary>
    /// What a WAV file holds, from its headers alone: the sample rate, channels, samples per channel and stored format,
    /// with the same checks as <see cref="Read(string)"/> makes of them; no sample is read.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a WAV file, is cut short, or stores a format this reader does not.</exception>
    public static WavInfo ReadInfo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"the WAV file '{path}' does not exist", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var (format, _, dataBytes) = Locate(stream, path);
        return new WavInfo(format.SampleRate, format.Channels, dataBytes / format.BlockAlign, format.Sample);
    }

    // The format and where the samples are, from the chunks of a seekable stream.
    private static (Format Format, long DataStart, long DataBytes) Locate(Stream stream, string name)
    {
        long start = stream.Position;
        long end = stream.Length;
        Span<byte> header = stackalloc byte[12];
        int got = ReadUpTo(stream, header);
        if (got < 12)
            throw Bad(name, $"is not a WAV file: it is {got} bytes long, shorter than a RIFF header");
        string riff = Encoding.ASCII.GetString(header[..4]);
        if (riff is "RF64" or "BW64")
            throw Bad(name, $"is an {riff} file (WAV over 4 GiB), which this reader does not read");
        if (riff != "RIFF" || Encoding.ASCII.GetString(header[8..12]) != "WAVE")
            throw Bad(name, "is not a WAV file: it does not begin with 'RIFF' ... 'WAVE'");
        uint riffSize = BinaryPrimitives.ReadUInt32LittleEndian(header[4..8]);

        Format? format = null;
        long dataStart = -1, dataBytes = 0;
        long position = start + 12;
        Span<byte> chunkHeader = stackalloc byte[8];
        while ((format == null || dataStart < 0) && position + 8 <= end)
        {
            stream.Position = position;
            ReadExactly(stream, chunkHeader, name);
            string id = ChunkId(chunkHeader[..4]);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            long body = position + 8;
            long available = end - body;
            if (id == "data")
            {
                dataStart = body;
                dataBytes = size;
                if (size > available)
                {
                    if (!IsPlaceholder(size) && !(size == 0 && IsPlaceholder(riffSize)))
                        throw Bad(name, $"is cut short: its data chunk declares {size:N0} bytes but only {available:N0} follow");
                    dataBytes = available;
                }
                else if (size == 0 && available > 0 && (riffSize == 0 || IsPlaceholder(riffSize)))
                {
                    dataBytes = available; // a streaming writer that wrote zeros for both sizes
                }
            }
            else
            {
                if (size > available)
                    throw Bad(name, $"is cut short: its '{id}' chunk declares {size:N0} bytes but only {available:N0} follow");
                if (id == "fmt ")
                    format = ReadFormat(stream, (int)Math.Min(size, 64), name);
            }
            long bodyBytes = id == "data" ? dataBytes : size;
            position = body + bodyBytes + (bodyBytes & 1); // chunks are padded to an even length
        }
        if (format == null)
            throw Bad(name, dataStart < 0 ? "is cut short or not a WAV file: it has neither a 'fmt ' nor a 'data' chunk" : "has no 'fmt ' chunk, so its samples cannot be read");
        if (dataStart < 0)
            throw Bad(name, "has no 'data' chunk");
        return (format.Value, dataStart, dataBytes);
    }

    /// <summary>Writes one channel of samples in [-1, 1] to a WAV file (integer formats clip outside that range).</summary>
    public static void Write(string path, ReadOnlySpan<float> samples, int sampleRate, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(stream, [samples.ToArray()], sampleRate, format);
    }

    /// <summary>Writes audio to a WAV file.</summary>
    public static void Write(string path, WavAudio audio, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(audio);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(stream, audio.Channels, audio.SampleRate, format);
    }

    /// <summary>Writes channels of samples in [-1, 1] as a WAV file to a stream.</summary>
    /// <exception cref="ArgumentException">A sample is NaN or infinite, or the channels differ in length.</exception>
    public static void Write(Stream stream, float[][] channels, int sampleRate, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var audio = new WavAudio(channels, sampleRate, format); // checks the channels and the rate
        for (int c = 0; c < channels.Length; c++)
        {
            int bad = IndexOfNonFinite(channels[c]);
            if (bad >= 0)
                throw new ArgumentException($"sample {bad:N0} of channel {c} is {NonFinite(channels[c][bad])}; a WAV file holds finite samples", nameof(channels));
        }
        int bytesPerSample = format.BytesPerSample();
        int blockAlign = bytesPerSample * channels.Length;
        long dataBytes = (long)blockAlign * audio.Length;
        bool isFloat = format.IsFloat();
        int fmtSize = isFloat ? 18 : 16;
        long riffSize = 4 + 8 + fmtSize + (isFloat ? 12 : 0) + 8 + dataBytes + (dataBytes & 1);
        if (riffSize > uint.MaxValue)
            throw new ArgumentException($"{dataBytes:N0} bytes of samples do not fit in a WAV file (at most 4 GiB)", nameof(channels));

        var writer = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true);
        writer.Write("RIFF"u8);
        writer.Write((uint)riffSize);
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(fmtSize);
        writer.Write(isFloat ? FormatFloat : FormatPcm);
        writer.Write((ushort)channels.Length);
        writer.Write(sampleRate);
        writer.Write(sampleRate * blockAlign);
        writer.Write((ushort)blockAlign);
        writer.Write((ushort)(bytesPerSample * 8));
        if (isFloat)
        {
            writer.Write((ushort)0); // no extension
            writer.Write("fact"u8);
            writer.Write(4);
            writer.Write((uint)audio.Length);
        }
        writer.Write("data"u8);
        writer.Write((uint)dataBytes);
        var frame = new byte[blockAlign];
        for (int i = 0; i < audio.Length; i++)
        {
            for (int c = 0; c < channels.Length; c++)
                Encode(channels[c][i], format, frame.AsSpan(c * bytesPerSample, bytesPerSample));
            writer.Write(frame);
        }
        if ((dataBytes & 1) == 1)
            writer.Write((byte)0);
        writer.Flush();
    }

    private readonly record struct Format(WavSampleFormat Sample, int Channels, int SampleRate, int BlockAlign);

    private static Format ReadFormat(Stream stream, int size, string name)
    {
        if (size < 16)
            throw Bad(name, $"has a 'fmt ' chunk of {size} bytes; it needs at least 16");
        Span<byte> fmt = stackalloc byte[size];
        ReadExactly(stream, fmt, name);
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == FormatExtensible)
        {
            if (size < 40)
                throw Bad(name, $"says WAVE_FORMAT_EXTENSIBLE but its 'fmt ' chunk has {size} bytes, not 40");
            if (!fmt.Slice(26, 14).SequenceEqual(SubFormatSuffix))
                throw Bad(name, "has a WAVE_FORMAT_EXTENSIBLE sub-format that is not a standard KSDATAFORMAT GUID");
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }
        WavSampleFormat sample = (tag, bits) switch
        {
            (FormatPcm, 8) => WavSampleFormat.Pcm8,
            (FormatPcm, 16) => WavSampleFormat.Pcm16,
            (FormatPcm, 24) => WavSampleFormat.Pcm24,
            (FormatPcm, 32) => WavSampleFormat.Pcm32,
            (FormatFloat, 32) => WavSampleFormat.Float32,
            (FormatFloat, 64) => WavSampleFormat.Float64,
            _ => throw Bad(name, $"stores {Describe(tag)} of {bits} bits; this reader reads integer PCM of 8, 16, 24 or 32 bits and IEEE float of 32 or 64"),
        };
        if (channels == 0 || channels > MaxChannels)
            throw Bad(name, $"declares {channels} channels; a WAV file read here has 1 to {MaxChannels}");
        if (rate == 0 || rate > 1_000_000)
            throw Bad(name, $"declares a sample rate of {rate:N0} Hz; it must be between 1 Hz and 1 MHz");
        if (blockAlign != channels * sample.BytesPerSample())
            throw Bad(name, $"declares frames of {blockAlign} bytes, which does not match {channels} channels of {bits} bits");
        return new Format(sample, channels, (int)rate, blockAlign);
    }

    private static WavAudio ReadSamples(Stream stream, long dataStart, long dataBytes, Format format, string name)
    {
        long frames = dataBytes / format.BlockAlign; // a partial last frame (a clamped placeholder size) is dropped
        if (frames > Array.MaxLength)
            throw Bad(name, $"holds {frames:N0} samples per channel, more than one array can hold");
        var channels = new float[format.Channels][];
        for (int c = 0; c < channels.Length; c++)
            channels[c] = new float[frames];
        int bytesPerSample = format.Sample.BytesPerSample();
        int framesPerBlock = Math.Max(1, (1 << 16) / format.BlockAlign);
        var block = new byte[framesPerBlock * format.BlockAlign];
        stream.Position = dataStart;
        for (long first = 0; first < frames; first += framesPerBlock)
        {
            int count = (int)Math.Min(framesPerBlock, frames - first);
            var bytes = block.AsSpan(0, count * format.BlockAlign);
            ReadExactly(stream, bytes, name);
            for (int i = 0; i < count; i++)
            {
                for (int c = 0; c < channels.Length; c++)
                {
                    float value = Decode(bytes.Slice(i * format.BlockAlign + c * bytesPerSample, bytesPerSample), format.Sample);
                    if (!float.IsFinite(value))
                        throw Bad(name, $"holds a sample that is {NonFinite(value)} (channel {c}, at {(first + i) / (double)format.SampleRate:0.######} s)");
                    channels[c][first + i] = value;
                }
            }
        }
        return new WavAudio(channels, format.SampleRate, format.Sample);
    }

    private static float Decode(ReadOnlySpan<byte> b, WavSampleFormat format) => format switch
    {
        WavSampleFormat.Pcm8 => (b[0] - 128) / 128f,
        WavSampleFormat.Pcm16 => BinaryPrimitives.ReadInt16LittleEndian(b) / 32768f,
        WavSampleFormat.Pcm24 => ((b[0] | (b[1] << 8) | (b[2] << 16)) << 8 >> 8) / 8388608f,
        WavSampleFormat.Pcm32 => (float)(BinaryPrimitives.ReadInt32LittleEndian(b) / 2147483648.0),
        WavSampleFormat.Float32 => BinaryPrimitives.ReadSingleLittleEndian(b),
        _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
    };

    private static void Encode(float x, WavSampleFormat format, Span<byte> b)
    {
        switch (format)
        {
            case WavSampleFormat.Pcm8:
                b[0] = (byte)(Quantize(x, 128) + 128);
                break;
            case WavSampleFormat.Pcm16:
                BinaryPrimitives.WriteInt16LittleEndian(b, (short)Quantize(x, 32768));
                break;
            case WavSampleFormat.Pcm24:
                int v = (int)Quantize(x, 8388608);
                b[0] = (byte)v;
                b[1] = (byte)(v >> 8);
                b[2] = (byte)(v >> 16);
                break;
            case WavSampleFormat.Pcm32:
                BinaryPrimitives.WriteInt32LittleEndian(b, (int)Quantize(x, 2147483648.0));
                break;
            case WavSampleFormat.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(b, x);
                break;
            default:
                BinaryPrimitives.WriteDoubleLittleEndian(b, x);
                break;
        }
    }

    // Round to the nearest step of 1/scale and clip to the integer range, so k/scale reads back as itself.
    private static long Quantize(float x, double scale) => (long)Math.Clamp(Math.Round(x * scale), -scale, scale - 1);

    private static bool IsPlaceholder(uint size) => size is 0xFFFFFFFF or 0x7FFFFFFF or 0x7FFFF000 or 0x7FFFF024 or 0x7FFFF008;

    private static int IndexOfNonFinite(float[] samples)
    {
        for (int i = 0; i < samples.Length; i++)
            if (!float.IsFinite(samples[i]))
                return i;
        return -1;
    }

    private static string NonFinite(float x) => float.IsNaN(x) ? "NaN" : x > 0 ? "+infinity" : "-infinity";

    private static string Describe(ushort tag) => tag switch
    {
        0x0002 => "Microsoft ADPCM",
        0x0006 => "A-law",
        0x0007 => "mu-law",
        0x0011 => "IMA ADPCM",
        0x0055 => "MP3",
        FormatPcm => "integer PCM",
        FormatFloat => "IEEE float",
        _ => $"format 0x{tag:X4}",
    };

    private static string ChunkId(ReadOnlySpan<byte> id)
    {
        foreach (byte b in id)
            if (b < 0x20 || b > 0x7E)
                return "0x" + Convert.ToHexString(id);
        return Encoding.ASCII.GetString(id);
    }

    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string name)
    {
        if (ReadUpTo(stream, buffer) < buffer.Length)
            throw Bad(name, "is cut short");
    }

    private static InvalidDataException Bad(string name, string what) => new($"'{name}' {what}");
}
