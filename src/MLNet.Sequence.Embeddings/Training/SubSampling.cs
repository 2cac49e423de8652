namespace MLNet.Sequence.Embeddings.Training;

/// <summary>Frequent-word sub-sampling (Mikolov et al. 2013, with word2vec.c's formula).</summary>
internal static class SubSampling
{
    /// <summary>
    /// The probability of keeping each occurrence of a word under threshold t: (sqrt(c / (t·N)) + 1) · t·N / c,
    /// capped at 1; all 1 when t is 0.
    /// </summary>
    public static float[] KeepProbabilities(IReadOnlyList<long> counts, long totalWords, double sample)
    {
        var keep = new float[counts.Count];
        double threshold = sample * totalWords;
        for (int i = 0; i < keep.Length; i++)
        {
            double c = counts[i];
            keep[i] = sample <= 0 || c <= 0 ? 1f : (float)Math.Min(1.0, (Math.Sqrt(c / threshold) + 1) * threshold / c);
        }
        return keep;
    }
}
