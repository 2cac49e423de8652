namespace MLNet.Sequence.Audio;

/// <summary>How the samples of a WAV file are stored.</summary>
public enum WavSampleFormat
{
    /// <summary>8-bit unsigned integer PCM (silence is 128).</summary>
    Pcm8,
    /// <summary>16-bit signed integer PCM.</summary>
    Pcm16,
    /// <summary>24-bit signed integer PCM, packed in three bytes.</summary>
    Pcm24,
    /// <summary>32-bit signed integer PCM.</summary>
    Pcm32,
    /// <summary>32-bit IEEE floating point.</summary>
    Float32,
    /// <summary>64-bit IEEE floating point.</summary>
    Float64,
}

internal static class WavSampleFormatExtensions
{
    public static int BytesPerSample(this WavSampleFormat format) => format switch
    {
        WavSampleFormat.Pcm8 => 1,
        WavSampleFormat.Pcm16 => 2,
        WavSampleFormat.Pcm24 => 3,
        WavSampleFormat.Pcm32 or WavSampleFormat.Float32 => 4,
        WavSampleFormat.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown WAV sample format"),
    };

    public static bool IsFloat(this WavSampleFormat format) => format is WavSampleFormat.Float32 or WavSampleFormat.Float64;
}
