namespace MLNet.Sequence.Audio;

/// <summary>The spectral colour of a background noise.</summary>
public enum NoiseColor
{
    /// <summary>Flat power spectrum.</summary>
    White = 0,

    /// <summary>Power falling as 1 / f (3 dB per octave): rain, fans, many natural sounds.</summary>
    Pink = 1,

    /// <summary>Power falling as 1 / f^2 (6 dB per octave): rumble, traffic far away.</summary>
    Brown = 2,
}

/// <summary>Seeded noise of a colour at unit RMS, for trigger-word backgrounds.</summary>
public static class ColoredNoise
{
    /// <summary><paramref name="length"/> samples of <paramref name="color"/> noise, scaled to an RMS of 1.</summary>
    public static float[] Generate(NoiseColor color, int length, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!Enum.IsDefined(color))
            throw new ArgumentOutOfRangeException(nameof(color), color, "unknown noise colour");
        var noise = AudioAugmentation.WhiteNoise(length, random);
        switch (color)
        {
            case NoiseColor.Pink:
                // Paul Kellet's economy filter: three one-pole sections whose sum follows 1 / f within 0.5 dB over
                // the audible band.
                double b0 = 0, b1 = 0, b2 = 0;
                for (int i = 0; i < length; i++)
                {
                    double white = noise[i];
                    b0 = 0.99765 * b0 + white * 0.0990460;
                    b1 = 0.96300 * b1 + white * 0.2965164;
                    b2 = 0.57000 * b2 + white * 1.0526913;
                    noise[i] = (float)(b0 + b1 + b2 + white * 0.1848);
                }
                break;
            case NoiseColor.Brown:
                // Integrated white noise with a slight leak, so that it does not wander off.
                double level = 0;
                for (int i = 0; i < length; i++)
                {
                    level = 0.998 * level + noise[i];
                    noise[i] = (float)level;
                }
                break;
        }
        if (color != NoiseColor.White && length > 0)
        {
            // Remove the offset that the low-frequency colours drift into, then scale to unit RMS.
            float mean = noise.Average();
            for (int i = 0; i < length; i++)
                noise[i] -= mean;
        }
        double rms = Math.Sqrt(AudioAugmentation.Power(noise));
        if (rms > 0)
            for (int i = 0; i < length; i++)
                noise[i] = (float)(noise[i] / rms);
        return noise;
    }
}
