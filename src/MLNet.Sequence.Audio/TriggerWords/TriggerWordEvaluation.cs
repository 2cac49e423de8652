using System.Globalization;

namespace MLNet.Sequence.Audio;

/// <summary>One operating point of a detector: its threshold, the share of keywords it misses and its false alarms per hour.</summary>
public sealed record DetectionPoint(float Threshold, double MissRate, double FalseAlarmsPerHour);

/// <summary>A clip that says the keyword: the detector's per-step probabilities and when each keyword ends (seconds).</summary>
public sealed record KeywordClipScores(float[] Probabilities, IReadOnlyList<double> KeywordEnds);

/// <summary>
/// A trigger-word detector in the wake-word benchmark's terms: over thresholds 0.01 to 0.99, the miss rate on clips
/// that say the keyword (a keyword is found when a detection fires from 0.1 s before its end to
/// <c>hitWindowSeconds</c> after) and the false alarms per hour on long keyword-free audio, with the threshold and
/// refractory rule of <see cref="TriggerWordEvents"/>. <see cref="ForFalseAlarmRate"/> picks the threshold for a
/// target rate in one call; the curve is the DET curve.
/// </summary>
public sealed class TriggerWordEvaluation
{
    private TriggerWordEvaluation(int keywords, double hours, IReadOnlyList<DetectionPoint> curve)
    {
        Keywords = keywords;
        KeywordFreeHours = hours;
        Curve = curve;
    }

    // 0.01 to 0.99 by hundredths, then finer towards 1: a detector quiet enough for one false alarm in hours
    // usually operates above 0.99, where its sigmoid saturates.
    private static readonly float[] Thresholds =
        [.. Enumerable.Range(1, 99).Select(i => i / 100f), .. Enumerable.Range(991, 9).Select(i => i / 1000f), 0.9995f, 0.9999f];

    /// <summary>Keywords in the clips that say it.</summary>
    public int Keywords { get; }

    /// <summary>Hours of keyword-free audio the false alarms are counted on.</summary>
    public double KeywordFreeHours { get; }

    /// <summary>Every operating point, thresholds rising (so misses rise and false alarms fall).</summary>
    public IReadOnlyList<DetectionPoint> Curve { get; }

    /// <summary>Scores a detector.</summary>
    /// <param name="keywordClips">Clips that say the keyword, with its end times.</param>
    /// <param name="keywordFree">The detector's probabilities over keyword-free audio, one stream per recording.</param>
    /// <param name="stepSeconds">Seconds per output step.</param>
    /// <param name="refractorySeconds">Seconds after a detection during which no other fires.</param>
    /// <param name="hitWindowSeconds">How long after a keyword's end a detection still finds it.</param>
    /// <exception cref="ArgumentException">No keywords, no keyword-free audio, or a probability outside [0, 1].</exception>
    public static TriggerWordEvaluation Compute(IReadOnlyList<KeywordClipScores> keywordClips, IReadOnlyList<float[]> keywordFree,
        double stepSeconds, double refractorySeconds, double hitWindowSeconds = 1.0)
    {
        ArgumentNullException.ThrowIfNull(keywordClips);
        ArgumentNullException.ThrowIfNull(keywordFree);
        TriggerWordEvents.Check(stepSeconds, 0.5f, refractorySeconds);
        if (!(hitWindowSeconds > 0) || double.IsInfinity(hitWindowSeconds))
            throw new ArgumentOutOfRangeException(nameof(hitWindowSeconds), hitWindowSeconds, "the hit window must be positive");
        int keywords = keywordClips.Sum(c => c.KeywordEnds.Count);
        if (keywords == 0)
            throw new ArgumentException("No clip says the keyword: the miss rate needs keywords.", nameof(keywordClips));
        double hours = keywordFree.Sum(p => p.Length) * stepSeconds / 3600;
        if (hours == 0)
            throw new ArgumentException("There is no keyword-free audio: false alarms per hour need some.", nameof(keywordFree));
        for (int c = 0; c < keywordClips.Count; c++)
            CheckProbabilities(keywordClips[c].Probabilities, $"keyword clip {c}", nameof(keywordClips));
        for (int r = 0; r < keywordFree.Count; r++)
            CheckProbabilities(keywordFree[r], $"keyword-free recording {r}", nameof(keywordFree));

        var curve = new DetectionPoint[Thresholds.Length];
        Parallel.For(0, curve.Length, i =>
        {
            float threshold = Thresholds[i];
            int found = 0;
            foreach (var clip in keywordClips)
            {
                var times = TriggerWordEvents.Find(clip.Probabilities, stepSeconds, threshold, refractorySeconds).Select(d => d.Time).ToList();
                found += clip.KeywordEnds.Count(end => times.Any(t => t >= end - 0.1 && t <= end + hitWindowSeconds));
            }
            long alarms = keywordFree.Sum(p => (long)TriggerWordEvents.Find(p, stepSeconds, threshold, refractorySeconds).Count);
            curve[i] = new DetectionPoint(threshold, 1 - (double)found / keywords, alarms / hours);
        });
        return new TriggerWordEvaluation(keywords, hours, curve);
    }

    /// <summary>
    /// Scores a detector on labelled clips, as <see cref="TriggerWordLabels"/> labels them: a clip with labelled steps
    /// says the keyword, each run of them starting just after a keyword's end (taken as the middle of the step before
    /// the run); a clip whose labels are all 0 is keyword-free audio. A keyword that ends in a clip's last step has no
    /// labels, so it cannot be seen here.
    /// </summary>
    /// <param name="probabilities">The detector's probabilities, one array per clip.</param>
    /// <param name="labels">Each clip's labels, one per step (a step counts as labelled at 0.5 or more).</param>
    /// <param name="stepSeconds">Seconds per output step.</param>
    /// <param name="refractorySeconds">Seconds after a detection during which no other fires.</param>
    /// <exception cref="ArgumentException">A clip's labels and probabilities differ in length, or there are no keyword clips or no keyword-free ones.</exception>
    public static TriggerWordEvaluation FromLabels(IReadOnlyList<float[]> probabilities, IReadOnlyList<float[]> labels, double stepSeconds, double refractorySeconds)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count)
            throw new ArgumentException($"{probabilities.Count} clips of probabilities but {labels.Count} of labels", nameof(labels));
        var keywordClips = new List<KeywordClipScores>();
        var keywordFree = new List<float[]>();
        for (int c = 0; c < labels.Count; c++)
        {
            ArgumentNullException.ThrowIfNull(labels[c], nameof(labels));
            ArgumentNullException.ThrowIfNull(probabilities[c], nameof(probabilities));
            if (labels[c].Length != probabilities[c].Length)
                throw new ArgumentException($"Clip {c} has {labels[c].Length} labels for {probabilities[c].Length} steps.", nameof(labels));
            var ends = new List<double>();
            for (int t = 0; t < labels[c].Length; t++)
                if (labels[c][t] >= 0.5f && (t == 0 || labels[c][t - 1] < 0.5f))
                    ends.Add((t - 0.5) * stepSeconds);
            if (ends.Count > 0)
                keywordClips.Add(new KeywordClipScores(probabilities[c], ends));
            else
                keywordFree.Add(probabilities[c]);
        }
        if (keywordFree.Count == 0)
            throw new ArgumentException("Every clip says the keyword: false alarms per hour need clips whose labels are all 0.", nameof(labels));
        return Compute(keywordClips, keywordFree, stepSeconds, refractorySeconds);
    }

    /// <summary>The operating point at the grid threshold nearest <paramref name="threshold"/> (0.01 to 0.99 by hundredths, then 0.991 to 0.999, 0.9995 and 0.9999).</summary>
    public DetectionPoint At(float threshold)
    {
        if (!(threshold > 0 && threshold < 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold is a probability strictly between 0 and 1");
        return Curve.MinBy(p => Math.Abs(p.Threshold - threshold))!;
    }

    /// <summary>
    /// The most sensitive operating point (lowest threshold) with at most <paramref name="falseAlarmsPerHour"/>; the
    /// highest threshold when none is that quiet.
    /// </summary>
    public DetectionPoint ForFalseAlarmRate(double falseAlarmsPerHour)
    {
        if (!(falseAlarmsPerHour >= 0) || double.IsInfinity(falseAlarmsPerHour))
            throw new ArgumentOutOfRangeException(nameof(falseAlarmsPerHour), falseAlarmsPerHour, "the rate must be 0 or more per hour");
        return Curve.FirstOrDefault(p => p.FalseAlarmsPerHour <= falseAlarmsPerHour) ?? Curve[^1];
    }

    /// <summary>Keywords, hours, and the miss rate at 1 false alarm per 10 hours and per hour (or that no threshold is that quiet).</summary>
    public override string ToString()
    {
        string Point(double rate)
        {
            var p = ForFalseAlarmRate(rate);
            return p.FalseAlarmsPerHour <= rate
                ? string.Create(CultureInfo.InvariantCulture, $"miss rate {100 * p.MissRate:F1}% at {rate:0.##} false alarms per hour (threshold {p.Threshold:0.00##}, {p.FalseAlarmsPerHour:F2} measured)")
                : string.Create(CultureInfo.InvariantCulture, $"no threshold reaches {rate:0.##} false alarms per hour (at {p.Threshold:0.00##}: {p.FalseAlarmsPerHour:F2} per hour, miss rate {100 * p.MissRate:F1}%)");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{Keywords} keywords, {KeywordFreeHours:F2} h keyword-free; {Point(0.1)}; {Point(1)}");
    }

    private static void CheckProbabilities(float[] probabilities, string what, string parameter)
    {
        ArgumentNullException.ThrowIfNull(probabilities, parameter);
        for (int t = 0; t < probabilities.Length; t++)
            if (!(probabilities[t] >= 0 && probabilities[t] <= 1))
                throw new ArgumentException($"Step {t} of {what} is {probabilities[t]}, not a probability.", parameter);
    }
}
