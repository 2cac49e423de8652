namespace MLNet.Sequence.Embeddings.Training;

/// <summary>
/// Draws negative samples from the unigram distribution raised to a power (0.75 in word2vec) in O(1)
/// per draw with Vose's alias method: exact probabilities and two arrays of vocabulary size, where
/// word2vec.c's table needs 10^8 entries to approximate the same distribution.
/// </summary>
internal sealed class NegativeSampler
{
    private readonly float[] _threshold;
    private readonly int[] _alias;

    public NegativeSampler(IReadOnlyList<long> counts, double exponent)
    {
        int n = counts.Count;
        if (n == 0)
            throw new ArgumentException("The vocabulary is empty.", nameof(counts));
        var p = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++)
            total += p[i] = Math.Pow(counts[i], exponent);
        if (!(total > 0))
            throw new ArgumentException("All counts are zero.", nameof(counts));

        Probabilities = new double[n];
        _threshold = new float[n];
        _alias = new int[n];
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (int i = n - 1; i >= 0; i--)
        {
            Probabilities[i] = p[i] / total;
            scaled[i] = Probabilities[i] * n;
            (scaled[i] < 1 ? small : large).Push(i);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Peek();
            _threshold[s] = (float)scaled[s];
            _alias[s] = l;
            scaled[l] -= 1 - scaled[s];
            if (scaled[l] < 1)
                small.Push(large.Pop());
        }
        // Whatever is left has probability 1 up to rounding.
        foreach (int i in small.Concat(large))
        {
            _threshold[i] = 1f;
            _alias[i] = i;
        }
    }

    /// <summary>The probability of drawing each word.</summary>
    public double[] Probabilities { get; }

    /// <summary>Draws one word id from 64 random bits.</summary>
    public int Sample(ulong random)
    {
        // High 32 bits pick the column, the next 24 bits decide between it and its alias.
        int column = (int)(((random >> 32) * (ulong)_threshold.Length) >> 32);
        float u = ((uint)random >> 8) * (1f / (1 << 24));
        return u < _threshold[column] ? column : _alias[column];
    }
}
