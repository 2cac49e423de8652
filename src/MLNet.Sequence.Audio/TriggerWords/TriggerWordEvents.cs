namespace MLNet.Sequence.Audio;

/// <summary>A detected keyword: when it fired (seconds from the start) and the highest probability of its run.</summary>
public sealed record TriggerWordDetection(double Time, float Peak);

/// <summary>Turns per-step keyword probabilities into detections with a threshold and a refractory period.</summary>
public static class TriggerWordEvents
{
    /// <summary>
    /// A detection fires at the first step whose probability reaches <paramref name="threshold"/> once
    /// <paramref name="refractorySeconds"/> have passed since the last one fired; its peak is the highest probability
    /// from there until the probability falls below the threshold or the period ends. Step t lies at
    /// (t + 1) · <paramref name="stepSeconds"/>: the end of the audio it has heard.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is outside (0, 1), or a time is not positive.</exception>
    public static List<TriggerWordDetection> Find(ReadOnlySpan<float> probabilities, double stepSeconds, float threshold, double refractorySeconds)
    {
        Check(stepSeconds, threshold, refractorySeconds);
        var detections = new List<TriggerWordDetection>();
        int refractory = Math.Max(1, (int)Math.Round(refractorySeconds / stepSeconds));
        for (int t = 0; t < probabilities.Length; t++)
        {
            if (!(probabilities[t] >= threshold))
                continue;
            float peak = probabilities[t];
            for (int u = t + 1; u < Math.Min(probabilities.Length, t + refractory) && probabilities[u] >= threshold; u++)
                peak = Math.Max(peak, probabilities[u]);
            detections.Add(new TriggerWordDetection((t + 1) * stepSeconds, peak));
            t += refractory - 1;
        }
        return detections;
    }

    /// <summary>Checks detection settings, naming the one that is out of range.</summary>
    public static void Check(double stepSeconds, float threshold, double refractorySeconds)
    {
        if (!(threshold > 0 && threshold < 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold is a probability strictly between 0 and 1");
        if (!(stepSeconds > 0) || double.IsInfinity(stepSeconds))
            throw new ArgumentOutOfRangeException(nameof(stepSeconds), stepSeconds, "seconds per step must be positive");
        if (!(refractorySeconds >= 0) || double.IsInfinity(refractorySeconds))
            throw new ArgumentOutOfRangeException(nameof(refractorySeconds), refractorySeconds, "the refractory period must be 0 or more seconds");
    }
}
