using System.Numerics.Tensors;

namespace MLNet.Sequence.Audio;

/// <summary>
/// Waveform augmentation for training speech models: noise mixed at a signal-to-noise ratio, gain, and time
/// shift. Each returns a new array; seeded through the <see cref="Random"/> given, so a run can be repeated.
/// </summary>
public static class AudioAugmentation
{
    /// <summary>
    /// Mixes <paramref name="noise"/> (looped or cut to length, from a random offset) into <paramref name="signal"/>
    /// so that the signal's power over the noise's is <paramref name="snrDb"/> decibels.
    /// </summary>
    /// <exception cref="ArgumentException">The noise is empty or silent, the signal silent, or the ratio not finite.</exception>
    public static float[] AddNoise(ReadOnlySpan<float> signal, ReadOnlySpan<float> noise, double snrDb, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!double.IsFinite(snrDb))
            throw new ArgumentOutOfRangeException(nameof(snrDb), snrDb, "the signal-to-noise ratio must be finite");
        if (noise.Length == 0)
            throw new ArgumentException("the noise is empty", nameof(noise));
        double signalPower = Power(signal);
        if (signalPower == 0)
            throw new ArgumentException("the signal is silent: no noise level gives a ratio to it", nameof(signal));
        var segment = new float[signal.Length];
        int offset = random.Next(noise.Length);
        for (int i = 0; i < segment.Length; i++)
            segment[i] = noise[(offset + i) % noise.Length];
        double noisePower = Power(segment);
        if (noisePower == 0)
            throw new ArgumentException("the noise is silent", nameof(noise));
        float scale = (float)Math.Sqrt(signalPower / (noisePower * Math.Pow(10, snrDb / 10)));
        var mixed = new float[signal.Length];
        TensorPrimitives.MultiplyAdd(segment, scale, signal, mixed);
        return mixed;
    }

    /// <summary>Gaussian white noise of unit variance, for <see cref="AddNoise"/>.</summary>
    public static float[] WhiteNoise(int length, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var noise = new float[length];
        for (int i = 0; i < length; i++)
        {
            // Box-Muller.
            double u = 1 - random.NextDouble(), v = random.NextDouble();
            noise[i] = (float)(Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }
        return noise;
    }

    /// <summary>The signal scaled by <paramref name="db"/> decibels (amplitude times 10^(db / 20)).</summary>
    public static float[] Gain(ReadOnlySpan<float> signal, double db)
    {
        if (!double.IsFinite(db))
            throw new ArgumentOutOfRangeException(nameof(db), db, "the gain must be finite");
        var scaled = new float[signal.Length];
        TensorPrimitives.Multiply(signal, (float)Math.Pow(10, db / 20), scaled);
        return scaled;
    }

    /// <summary>
    /// The signal moved by <paramref name="samples"/> (later when positive, earlier when negative), the same
    /// length: what moves out is dropped and silence comes in.
    /// </summary>
    public static float[] TimeShift(ReadOnlySpan<float> signal, int samples)
    {
        var shifted = new float[signal.Length];
        int n = signal.Length - Math.Abs(samples);
        if (n <= 0)
            return shifted;
        if (samples >= 0)
            signal[..n].CopyTo(shifted.AsSpan(samples));
        else
            signal[^n..].CopyTo(shifted);
        return shifted;
    }

    /// <summary>Mean power, the mean of the squared samples.</summary>
    public static double Power(ReadOnlySpan<float> signal) =>
        signal.Length == 0 ? 0 : (double)TensorPrimitives.Dot(signal, signal) / signal.Length;
}
