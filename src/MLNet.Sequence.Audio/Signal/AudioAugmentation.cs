using System.Numerics.Tensors;

namespace MLNet.Sequence.Audio;

/// <summary>
/// Waveform augmentation for training speech models: noise mixed at a signal-to-noise ratio, gain, time
/// shift, speed perturbation, time stretch and pitch shift. Each returns a new array; seeded through the <see cref="Random"/> given, so a run can be repeated.
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

    /// <summary>
    /// Speed perturbation (Kaldi's): the signal played <paramref name="factor"/> times as fast, by band-limited
    /// resampling, so that tempo and pitch both move (1.1 is 10% faster and higher, and 1 / 1.1 as long).
    /// The factor is rounded to hundredths, which keeps the resampling filter small.
    /// </summary>
    public static float[] ChangeSpeed(ReadOnlySpan<float> signal, double factor)
    {
        if (!(factor >= 0.5 && factor <= 2))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "the speed factor must be between 0.5 and 2");
        int from = (int)Math.Round(factor * 100);
        return from == 100 ? signal.ToArray() : Resamplers.Get(from, 100).Resample(signal);
    }

    /// <summary>
    /// The signal made 1 / <paramref name="rate"/> times as long at the same pitch, by waveform-similarity overlap-add
    /// (WSOLA): 30 ms Hann frames at half overlap, each taken within 10 ms of its nominal place where it best
    /// continues the frame before. The first 15 ms fade in.
    /// </summary>
    public static float[] TimeStretch(ReadOnlySpan<float> signal, double rate, int sampleRate)
    {
        if (!(rate >= 0.25 && rate <= 4))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "the stretch rate must be between 0.25 and 4");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        int frame = Math.Max(8, (int)(0.03 * sampleRate) & ~1), hop = frame / 2, tolerance = Math.Max(1, (int)(0.01 * sampleRate));
        int outLength = (int)Math.Round(signal.Length / rate);
        // Zeros around the signal so that every candidate frame lies inside the array.
        var padded = new float[tolerance + signal.Length + frame + 2 * tolerance + hop];
        signal.CopyTo(padded.AsSpan(tolerance));
        var window = new float[frame];
        for (int i = 0; i < frame; i++)
            window[i] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / frame)); // periodic: halves overlap to 1
        var output = new float[outLength + frame];
        var weight = new float[outLength + frame];
        var piece = new float[frame];
        int previous = tolerance, end = tolerance + signal.Length;
        for (int k = 0; k * hop < outLength; k++)
        {
            int start = tolerance;
            if (k > 0)
            {
                int nominal = tolerance + (int)Math.Round(k * hop * rate);
                int natural = previous + hop;
                if (nominal + frame + tolerance > padded.Length)
                    break;
                // The part of the frame that lands inside the output reads the signal, not the zeros after it, or the
                // last shifts would fade the end out.
                int highest = Math.Max(-tolerance, Math.Min(tolerance, end - nominal - Math.Min(frame, outLength - k * hop)));
                var continuation = padded.AsSpan(natural, hop);
                float best = float.NegativeInfinity;
                for (int delta = -tolerance; delta <= highest; delta++)
                {
                    float score = TensorPrimitives.Dot(padded.AsSpan(nominal + delta, hop), continuation);
                    if (score > best)
                        (best, start) = (score, nominal + delta);
                }
            }
            TensorPrimitives.Multiply(padded.AsSpan(start, frame), window, piece);
            TensorPrimitives.Add(output.AsSpan(k * hop, frame), piece, output.AsSpan(k * hop, frame));
            TensorPrimitives.Add(weight.AsSpan(k * hop, frame), window, weight.AsSpan(k * hop, frame));
            previous = start;
        }
        // Divide by the windows' sum: 1 wherever two frames overlap, and what lifts the first half-frame, which only
        // the rising half of the first window covers, back to its level.
        for (int i = 0; i < outLength; i++)
            if (weight[i] > 1e-3f)
                output[i] /= weight[i];
        return output[..outLength];
    }

    /// <summary>
    /// The signal <paramref name="semitones"/> higher (lower when negative) at the same length: a speed change by
    /// 2^(semitones / 12), then a <see cref="TimeStretch"/> back to the original duration.
    /// </summary>
    public static float[] ShiftPitch(ReadOnlySpan<float> signal, double semitones, int sampleRate)
    {
        if (!(Math.Abs(semitones) <= 12))
            throw new ArgumentOutOfRangeException(nameof(semitones), semitones, "the pitch shift must be within 12 semitones");
        double factor = Math.Round(Math.Pow(2, semitones / 12) * 100) / 100;
        if (factor == 1)
            return signal.ToArray();
        var faster = ChangeSpeed(signal, factor);
        var stretched = TimeStretch(faster, (double)faster.Length / signal.Length, sampleRate);
        var result = new float[signal.Length];
        stretched.AsSpan(0, Math.Min(stretched.Length, result.Length)).CopyTo(result);
        return result;
    }

    /// <summary>
    /// The signal without its leading and trailing quiet: 10 ms frames whose every sample stays below
    /// <paramref name="relativeThreshold"/> of the peak are dropped from both ends, keeping 20 ms either side.
    /// An all-zero signal comes back empty.
    /// </summary>
    public static float[] TrimSilence(ReadOnlySpan<float> signal, int sampleRate, double relativeThreshold = 0.02)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 100);
        if (!(relativeThreshold >= 0 && relativeThreshold < 1))
            throw new ArgumentOutOfRangeException(nameof(relativeThreshold), relativeThreshold, "the threshold is a fraction of the peak, in [0, 1)");
        float peak = signal.Length == 0 ? 0 : TensorPrimitives.MaxMagnitude(signal);
        if (peak == 0)
            return [];
        int frame = sampleRate / 100, frames = (signal.Length + frame - 1) / frame;
        float threshold = (float)(relativeThreshold * Math.Abs(peak));
        bool Loud(ReadOnlySpan<float> s, int f)
        {
            var part = s.Slice(f * frame, Math.Min(frame, s.Length - f * frame));
            return TensorPrimitives.MaxMagnitude(part) is var m && Math.Abs(m) > threshold;
        }
        int first = 0, last = frames - 1;
        while (first < frames && !Loud(signal, first))
            first++;
        while (last > first && !Loud(signal, last))
            last--;
        int start = Math.Max(0, (first - 2) * frame), end = Math.Min(signal.Length, (last + 3) * frame);
        return signal[start..end].ToArray();
    }

    /// <summary>Mean power, the mean of the squared samples.</summary>
    public static double Power(ReadOnlySpan<float> signal) =>
        signal.Length == 0 ? 0 : (double)TensorPrimitives.Dot(signal, signal) / signal.Length;
}
