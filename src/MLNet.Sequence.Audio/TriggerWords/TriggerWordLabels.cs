namespace MLNet.Sequence.Audio;

/// <summary>
/// The curriculum's trigger-word targets: one value per output step of the model, 1 for the
/// <c>labelSteps</c> steps right after each keyword ends and 0 elsewhere.
/// </summary>
public static class TriggerWordLabels
{
    /// <summary>
    /// The labels of a clip of <paramref name="clipSeconds"/> whose keywords end at <paramref name="keywordEnds"/>
    /// (seconds): the step of an end is floor(end · outputSteps / clipSeconds), and steps end + 1 to end + labelSteps
    /// are 1, cut off at the clip's last step.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A length or count is not positive, or an end lies outside the clip.</exception>
    public static float[] Create(IEnumerable<double> keywordEnds, double clipSeconds, int outputSteps, int labelSteps = 50)
    {
        ArgumentNullException.ThrowIfNull(keywordEnds);
        if (!(clipSeconds > 0) || double.IsInfinity(clipSeconds))
            throw new ArgumentOutOfRangeException(nameof(clipSeconds), clipSeconds, "the clip's length must be positive");
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(labelSteps, 1);
        var labels = new float[outputSteps];
        foreach (double end in keywordEnds)
        {
            if (!(end >= 0 && end <= clipSeconds))
                throw new ArgumentOutOfRangeException(nameof(keywordEnds), end, $"a keyword's end must lie in the clip (0 to {clipSeconds} s)");
            int step = (int)Math.Floor(end * outputSteps / clipSeconds);
            for (int t = step + 1; t <= step + labelSteps && t < outputSteps; t++)
                labels[t] = 1;
        }
        return labels;
    }
}
