using System.Buffers.Binary;
using System.Text;
using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class WavFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnet-seq-wav-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(WavSampleFormat.Pcm8, 128.0)]
    [InlineData(WavSampleFormat.Pcm16, 32768.0)]
    [InlineData(WavSampleFormat.Pcm24, 8388608.0)]
    [InlineData(WavSampleFormat.Pcm32, 2147483648.0)]
    [InlineData(WavSampleFormat.Float32, 0.0)]
    [InlineData(WavSampleFormat.Float64, 0.0)]
    public void EveryFormatReadsBackWhatWasWritten(WavSampleFormat format, double scale)
    {
        // Values on the format's own grid (k / scale) must come back exactly; float formats keep anything.
        float[] left = [0f, -1f, 0.5f, -0.25f, 0.0078125f, 1f - 1f / 128];
        float[] right = [0.125f, 0.375f, -0.5f, 0.75f, -0.0078125f, -0.125f];
        string path = Path.Combine(_dir, $"{format}.wav");
        WavFile.Write(path, new WavAudio([left, right], 22050), format);

        var audio = WavFile.Read(path);

        Assert.Equal(22050, audio.SampleRate);
        Assert.Equal(format, audio.SourceFormat);
        Assert.Equal(2, audio.Channels.Length);
        Assert.Equal(left, audio.Channels[0]);
        Assert.Equal(right, audio.Channels[1]);
        Assert.Equal(6 / 22050.0, audio.Duration, 12);
        Assert.Equal(new WavInfo(22050, 2, 6, format), WavFile.ReadInfo(path));
        if (scale > 0)
            Assert.Equal(44 + 6 * 2 * format.BytesPerSample(), new FileInfo(path).Length);
    }

    [Fact]
    public void IntegerFormatsClipAndRoundLikeAQuantiser()
    {
        string path = Path.Combine(_dir, "clip.wav");
        WavFile.Write(path, [1.5f, -2f, 1f, 0.1f], 8000, WavSampleFormat.Pcm16);

        var samples = WavFile.Read(path).Mono();

        Assert.Equal([32767 / 32768f, -1f, 32767 / 32768f, 3277 / 32768f], samples); // 0.1 * 32768 = 3276.8 -> 3277
    }

    [Fact]
    public void StereoIsMixedToMonoByTheMeanOfItsChannels()
    {
        var audio = new WavAudio([[0.5f, -1f, 0.25f], [0.25f, 1f, -0.75f]], 16000);

        Assert.Equal([0.375f, 0f, -0.25f], audio.Mono());
    }

    [Fact]
    public void EspeakNgPlaceholderSizesAreReadToTheEndOfTheFile()
    {
        // espeak-ng --stdout writes RIFF 0x7ffff024 and data 0x7ffff000 because it cannot seek back.
        short[] pcm = [0, 1000, -1000, 32767, -32768];
        var data = Pcm16(pcm);
        var bytes = Riff(0x7FFFF024, Ck("fmt ", Fmt(1, 1, 22050, 16)), Ck("data", data, 0x7FFFF000));

        var audio = WavFile.Read(bytes, "espeak.wav");

        Assert.Equal(22050, audio.SampleRate);
        Assert.Equal(pcm.Select(s => s / 32768f), audio.Mono());
    }

    [Fact]
    public void APlaceholderThatLeavesAPartialFrameDropsIt()
    {
        var data = Pcm16([100, 200, 300]).Concat(new byte[] { 7 }).ToArray(); // half a sample at the end
        var bytes = Riff(0xFFFFFFFF, Ck("fmt ", Fmt(1, 1, 8000, 16)), Ck("data", data, 0xFFFFFFFF));

        Assert.Equal([100 / 32768f, 200 / 32768f, 300 / 32768f], WavFile.Read(bytes).Mono());
    }

    [Fact]
    public void SoxFloatFilesWithAnEighteenByteFmtAndAFactChunkAreRead()
    {
        var fmt = Fmt(3, 1, 8000, 32).Concat(new byte[] { 0, 0 }).ToArray(); // cbSize 0
        float[] samples = [0.1f, -0.2f, 0.3f];
        var data = samples.SelectMany(BitConverter.GetBytes).ToArray();
        var bytes = Riff(null, Ck("fmt ", fmt), Ck("fact", BitConverter.GetBytes(3)), Ck("data", data));

        var audio = WavFile.Read(bytes);

        Assert.Equal(WavSampleFormat.Float32, audio.SourceFormat);
        Assert.Equal(samples, audio.Mono());
    }

    [Fact]
    public void WaveFormatExtensibleTwentyFourBitStereoIsRead()
    {
        var fmt = new byte[40];
        Fmt(0xFFFE, 2, 48000, 24).CopyTo(fmt, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22); // cbSize
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), 24); // valid bits
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), 3); // front left | front right
        byte[] pcmGuid = [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
        pcmGuid.CopyTo(fmt, 24);
        // Two frames: (-8388608, 8388607), (1, -1) as packed little-endian 24-bit samples.
        byte[] data = [0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0xFF];

        var audio = WavFile.Read(Riff(null, Ck("fmt ", fmt), Ck("data", data)));

        Assert.Equal(WavSampleFormat.Pcm24, audio.SourceFormat);
        Assert.Equal([-1f, 1 / 8388608f], audio.Channels[0]);
        Assert.Equal([8388607 / 8388608f, -1 / 8388608f], audio.Channels[1]);
    }

    [Fact]
    public void ChunksComeInAnyOrderAndOddChunksArePadded()
    {
        // data before fmt, and an odd-length LIST chunk (padded with one byte) between them.
        var bytes = Riff(null, Ck("data", Pcm16([5, -5])), Ck("LIST", Encoding.ASCII.GetBytes("INFOabc")), Ck("fmt ", Fmt(1, 1, 16000, 16)));

        var audio = WavFile.Read(bytes);

        Assert.Equal(16000, audio.SampleRate);
        Assert.Equal([5 / 32768f, -5 / 32768f], audio.Mono());
    }

    [Fact]
    public void EightBitPcmIsUnsignedAroundOneHundredTwentyEight()
    {
        var audio = WavFile.Read(Riff(null, Ck("fmt ", Fmt(1, 1, 8000, 8)), Ck("data", new byte[] { 0, 128, 255, 64 })));

        Assert.Equal([-1f, 0f, 127 / 128f, -0.5f], audio.Mono());
    }

    [Fact]
    public void AStreamThatCannotSeekIsReadToo()
    {
        var bytes = Riff(null, Ck("fmt ", Fmt(1, 1, 8000, 16)), Ck("data", Pcm16([1, 2, 3])));

        var audio = WavFile.Read(new ForwardOnlyStream(bytes), "stdin");

        Assert.Equal([1 / 32768f, 2 / 32768f, 3 / 32768f], audio.Mono());
    }

    [Fact]
    public void AFileThatIsCutShortIsRefusedWithItsNameAndNoHugeAllocation()
    {
        // The header claims 2 GB of samples (not a streaming placeholder); only 6 bytes follow.
        var bytes = Riff(null, Ck("fmt ", Fmt(1, 1, 8000, 16)), Ck("data", Pcm16([1, 2, 3]), 0x7FFF0000));
        string path = Path.Combine(_dir, "cut.wav");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => WavFile.Read(path));

        Assert.Equal($"'{path}' is cut short: its data chunk declares 2,147,418,112 bytes but only 6 follow", e.Message);
        Assert.Equal(e.Message, Assert.Throws<InvalidDataException>(() => WavFile.ReadInfo(path)).Message);
    }

    [Fact]
    public void TheHeadersAloneGiveAPlaceholderFilesTrueLength()
    {
        // espeak-ng's placeholder and a partial last frame: the length is what Read would return.
        var bytes = Riff(0x7FFFF024, Ck("fmt ", Fmt(1, 1, 22050, 16)), Ck("data", Pcm16([1, 2, 3, 4, 5]).Concat(new byte[] { 9 }).ToArray(), 0x7FFFF000));
        string path = Path.Combine(_dir, "espeak.wav");
        File.WriteAllBytes(path, bytes);

        var info = WavFile.ReadInfo(path);

        Assert.Equal(new WavInfo(22050, 1, 5, WavSampleFormat.Pcm16), info);
        Assert.Equal(WavFile.Read(path).Length, info.Length);
        Assert.Equal(5 / 22050.0, info.Duration, 12);
        Assert.Throws<FileNotFoundException>(() => WavFile.ReadInfo(Path.Combine(_dir, "missing.wav")));
    }

    [Theory]
    [InlineData(new byte[0], "'x.wav' is not a WAV file: it is 0 bytes long, shorter than a RIFF header")]
    [InlineData(new byte[] { 0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "'x.wav' is not a WAV file: it does not begin with 'RIFF' ... 'WAVE'")]
    public void WhatIsNotAWavFileIsRefused(byte[] bytes, string message)
    {
        Assert.Equal(message, Assert.Throws<InvalidDataException>(() => WavFile.Read(bytes, "x.wav")).Message);
    }

    [Fact]
    public void BadHeadersAreRefusedWithWhatIsWrong()
    {
        string Message(byte[] bytes) => Assert.Throws<InvalidDataException>(() => WavFile.Read(bytes, "x.wav")).Message;

        Assert.Equal("'x.wav' stores mu-law of 8 bits; this reader reads integer PCM of 8, 16, 24 or 32 bits and IEEE float of 32 or 64",
            Message(Riff(null, Ck("fmt ", Fmt(7, 1, 8000, 8)), Ck("data", new byte[4]))));
        Assert.Equal("'x.wav' declares 0 channels; a WAV file read here has 1 to 256",
            Message(Riff(null, Ck("fmt ", Fmt(1, 0, 8000, 16)), Ck("data", new byte[4]))));
        Assert.Equal("'x.wav' declares a sample rate of 0 Hz; it must be between 1 Hz and 1 MHz",
            Message(Riff(null, Ck("fmt ", Fmt(1, 1, 0, 16)), Ck("data", new byte[4]))));
        var misaligned = Fmt(1, 2, 8000, 16);
        BinaryPrimitives.WriteUInt16LittleEndian(misaligned.AsSpan(12), 2);
        Assert.Equal("'x.wav' declares frames of 2 bytes, which does not match 2 channels of 16 bits",
            Message(Riff(null, Ck("fmt ", misaligned), Ck("data", new byte[4]))));
        Assert.Equal("'x.wav' has no 'data' chunk", Message(Riff(null, Ck("fmt ", Fmt(1, 1, 8000, 16)))));
        Assert.Equal("'x.wav' has no 'fmt ' chunk, so its samples cannot be read", Message(Riff(null, Ck("data", new byte[4]))));
        Assert.Equal("'x.wav' has a 'fmt ' chunk of 8 bytes; it needs at least 16", Message(Riff(null, Ck("fmt ", new byte[8]), Ck("data", new byte[4]))));
        Assert.Equal("'x.wav' is cut short: its 'fmt ' chunk declares 16 bytes but only 10 follow", Message(Riff(null, Ck("fmt ", Fmt(1, 1, 8000, 16)))[..30]));
    }

    [Fact]
    public void NonFiniteSamplesAreRefusedOnReadAndOnWrite()
    {
        var data = new[] { 0.5f, float.NaN }.SelectMany(BitConverter.GetBytes).ToArray();
        var e = Assert.Throws<InvalidDataException>(() => WavFile.Read(Riff(null, Ck("fmt ", Fmt(3, 1, 8000, 32)), Ck("data", data)), "nan.wav"));
        Assert.Equal("'nan.wav' holds a sample that is NaN (channel 0, at 0.000125 s)", e.Message);

        var w = Assert.Throws<ArgumentException>(() => WavFile.Write(new MemoryStream(), [[0f, float.PositiveInfinity]], 8000));
        Assert.StartsWith("sample 1 of channel 0 is +infinity; a WAV file holds finite samples", w.Message);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        string path = Path.Combine(_dir, "none.wav");

        Assert.Equal($"the WAV file '{path}' does not exist", Assert.Throws<FileNotFoundException>(() => WavFile.Read(path)).Message);
    }

    private static byte[] Fmt(ushort tag, ushort channels, int rate, ushort bits)
    {
        var fmt = new byte[16];
        int blockAlign = channels * bits / 8;
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), channels);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(4), rate);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(8), rate * blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), bits);
        return fmt;
    }

    private static byte[] Pcm16(short[] samples) => samples.SelectMany(BitConverter.GetBytes).ToArray();

    private readonly record struct Chunk(string Id, byte[] Body, uint Size);

    private static Chunk Ck(string id, byte[] body, uint? size = null) => new(id, body, size ?? (uint)body.Length);

    private static byte[] Riff(uint? riffSize, params Chunk[] chunks)
    {
        var body = new MemoryStream();
        body.Write("WAVE"u8);
        foreach (var (id, bytes, size) in chunks)
        {
            body.Write(Encoding.ASCII.GetBytes(id));
            body.Write(BitConverter.GetBytes(size));
            body.Write(bytes);
            if (bytes.Length % 2 == 1 && size == bytes.Length)
                body.WriteByte(0); // chunks are padded to an even length
        }
        var file = new MemoryStream();
        file.Write("RIFF"u8);
        file.Write(BitConverter.GetBytes(riffSize ?? (uint)body.Length));
        body.WriteTo(file);
        return file.ToArray();
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
