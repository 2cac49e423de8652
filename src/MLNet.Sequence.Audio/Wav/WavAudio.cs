namespace MLNet.Sequence.Audio;

/// <summary>
/// The samples of a WAV file, one array per channel, scaled to [-1, 1) the way torchaudio's
/// <c>load(normalize=True)</c> scales them (a 16-bit sample k becomes k / 32768).
/// </summary>
public sealed class WavAudio
{
    /// <summary>Creates audio from its channels; every channel must have the same length.</summary>
    public WavAudio(float[][] channels, int sampleRate, WavSampleFormat sourceFormat = WavSampleFormat.Float32)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length == 0)
            throw new ArgumentException("audio needs at least one channel", nameof(channels));
        if (sampleRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "the sample rate must be positive");
        foreach (var channel in channels)
        {
            ArgumentNullException.ThrowIfNull(channel, nameof(channels));
            if (channel.Length != channels[0].Length)
                throw new ArgumentException($"channels differ in length ({channel.Length} and {channels[0].Length} samples)", nameof(channels));
        }
        Channels = channels;
        SampleRate = sampleRate;
        SourceFormat = sourceFormat;
    }

    /// <summary>The samples, one array per channel.</summary>
    public float[][] Channels { get; }

    /// <summary>Samples per second.</summary>
    public int SampleRate { get; }

    /// <summary>How the samples were stored in the file they came from.</summary>
    public WavSampleFormat SourceFormat { get; }

    /// <summary>Samples per channel.</summary>
    public int Length => Channels[0].Length;

    /// <summary>Length in seconds.</summary>
    public double Duration => (double)Length / SampleRate;

    /// <summary>
    /// One channel: the first when there is only one, otherwise the mean of all channels
    /// (what <c>waveform.mean(0)</c> gives a torchaudio user).
    /// </summary>
    public float[] Mono()
    {
        if (Channels.Length == 1)
            return Channels[0];
        var mono = new float[Length];
        foreach (var channel in Channels)
            System.Numerics.Tensors.TensorPrimitives.Add(mono, channel, mono);
        System.Numerics.Tensors.TensorPrimitives.Multiply(mono, 1f / Channels.Length, mono);
        return mono;
    }
}
