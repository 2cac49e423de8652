using System.Numerics.Tensors;

namespace MLNet.Sequence.Embeddings.Debias;

/// <summary>Result of a WEAT test (Caliskan et al. 2017).</summary>
/// <param name="EffectSize">Cohen's d of the association difference between the two target sets.</param>
/// <param name="PValue">One-sided permutation p-value: the share of equal-size re-partitions of X ∪ Y whose statistic is above the observed one.</param>
/// <param name="Statistic">s(X, Y, A, B) = Σ_x s(x, A, B) - Σ_y s(y, A, B).</param>
/// <param name="Permutations">Re-partitions drawn for the p-value.</param>
public sealed record WeatResult(double EffectSize, double PValue, double Statistic, int Permutations);

/// <summary>Before/after numbers of a debiasing run.</summary>
/// <param name="DirectBiasBefore">DirectBias_1 over the neutral words, before.</param>
/// <param name="DirectBiasAfter">The same after debiasing (about 0 after neutralize).</param>
/// <param name="ClusterPurityBefore">Gonen and Goldberg's check: k-means (k = 2) purity of the most biased words in each direction, before.</param>
/// <param name="ClusterPurityAfter">The same words clustered after debiasing; near 1 means the bias is still recoverable.</param>
/// <param name="BiasedWordsPerSide">How many words of each side were clustered.</param>
public sealed record BiasReport(double DirectBiasBefore, double DirectBiasAfter, double ClusterPurityBefore, double ClusterPurityAfter, int BiasedWordsPerSide)
{
    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant(
        $"DirectBias: {DirectBiasBefore:F4} -> {DirectBiasAfter:F4}; cluster purity of the {BiasedWordsPerSide}+{BiasedWordsPerSide} most biased words: {ClusterPurityBefore:F3} -> {ClusterPurityAfter:F3}");
}

/// <summary>Bias metrics for word vectors.</summary>
public static class BiasMetrics
{
    /// <summary>
    /// DirectBias_c (Bolukbasi et al.): the mean over the neutral words found in the table of
    /// |cos(w, g)|^c, g the bias direction.
    /// </summary>
    public static double DirectBias(WordVectors vectors, ReadOnlySpan<float> direction, IEnumerable<string> neutralWords, double c = 1)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(neutralWords);
        if (direction.Length != vectors.Dimension)
            throw new ArgumentException($"The direction has {direction.Length} values; the table's vectors have {vectors.Dimension}.", nameof(direction));
        double sum = 0;
        int n = 0;
        foreach (var w in neutralWords)
        {
            if (!vectors.TryGetVector(w, out var v))
                continue;
            sum += Math.Pow(Math.Abs(TensorPrimitives.CosineSimilarity(v, direction)), c);
            n++;
        }
        if (n == 0)
            throw new ArgumentException("None of the neutral words is in the table.", nameof(neutralWords));
        return sum / n;
    }

    /// <summary>
    /// WEAT: do targets X associate more with attributes A than targets Y do? Words missing from the
    /// table are dropped; the p-value comes from <paramref name="permutations"/> seeded re-partitions.
    /// </summary>
    public static WeatResult Weat(WordVectors vectors, IEnumerable<string> x, IEnumerable<string> y, IEnumerable<string> a, IEnumerable<string> b,
        int permutations = 10_000, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        float[][] Present(IEnumerable<string> words, string name)
        {
            var found = words.Where(w => vectors.Vocabulary.Contains(w)).Select(w => vectors.GetVector(w).ToArray()).ToArray();
            if (found.Length == 0)
                throw new ArgumentException($"None of the words of {name} is in the table.", name);
            return found;
        }
        var vx = Present(x, nameof(x));
        var vy = Present(y, nameof(y));
        var va = Present(a, nameof(a));
        var vb = Present(b, nameof(b));
        double S(float[] w) => va.Average(t => (double)TensorPrimitives.CosineSimilarity(w, t)) - vb.Average(t => (double)TensorPrimitives.CosineSimilarity(w, t));
        var sx = vx.Select(S).ToArray();
        var sy = vy.Select(S).ToArray();
        var all = sx.Concat(sy).ToArray();
        double mean = all.Average();
        double std = Math.Sqrt(all.Sum(v => (v - mean) * (v - mean)) / (all.Length - 1));
        double effect = std > 0 ? (sx.Average() - sy.Average()) / std : 0;
        double statistic = sx.Sum() - sy.Sum();

        var rng = new Random(seed);
        var indices = Enumerable.Range(0, all.Length).ToArray();
        int above = 0;
        double total = all.Sum();
        for (int p = 0; p < permutations; p++)
        {
            rng.Shuffle(indices);
            double sumX = 0;
            for (int i = 0; i < sx.Length; i++)
                sumX += all[indices[i]];
            if (sumX - (total - sumX) > statistic)
                above++;
        }
        return new WeatResult(effect, permutations > 0 ? (double)above / permutations : double.NaN, statistic, permutations);
    }

    /// <summary>
    /// Purity of a 2-means clustering (seeded, several restarts) of the two word groups' unit vectors:
    /// 1 when the clusters are exactly the groups, 0.5 when they are unrelated to them.
    /// </summary>
    public static double ClusterPurity(WordVectors vectors, IReadOnlyList<string> groupA, IReadOnlyList<string> groupB, int seed = 1)
    {
        var points = groupA.Select(w => (Vector: BiasMath.Unit(vectors.GetVector(w)), Label: 0))
            .Concat(groupB.Select(w => (Vector: BiasMath.Unit(vectors.GetVector(w)), Label: 1))).ToArray();
        if (points.Length < 2)
            throw new ArgumentException("Give at least two words to cluster.", nameof(groupA));
        var rng = new Random(seed);
        int dim = vectors.Dimension;
        double bestInertia = double.PositiveInfinity, bestPurity = 0;
        for (int restart = 0; restart < 10; restart++)
        {
            var centres = new[] { (float[])points[rng.Next(points.Length)].Vector.Clone(), (float[])points[rng.Next(points.Length)].Vector.Clone() };
            var assign = new int[points.Length];
            for (int it = 0; it < 100; it++)
            {
                bool changed = false;
                for (int i = 0; i < points.Length; i++)
                {
                    int c = TensorPrimitives.Distance(points[i].Vector, centres[0]) <= TensorPrimitives.Distance(points[i].Vector, centres[1]) ? 0 : 1;
                    changed |= c != assign[i];
                    assign[i] = c;
                }
                for (int c = 0; c < 2; c++)
                {
                    var members = points.Where((_, i) => assign[i] == c).ToArray();
                    if (members.Length == 0)
                        continue;
                    var centre = new float[dim];
                    foreach (var m in members)
                        TensorPrimitives.Add(centre, m.Vector, centre);
                    TensorPrimitives.Divide(centre, members.Length, centre);
                    centres[c] = centre;
                }
                if (!changed && it > 0)
                    break;
            }
            double inertia = points.Select((p, i) => Math.Pow(TensorPrimitives.Distance(p.Vector, centres[assign[i]]), 2)).Sum();
            int agree = points.Where((p, i) => p.Label == assign[i]).Count();
            double purity = Math.Max(agree, points.Length - agree) / (double)points.Length;
            if (inertia < bestInertia)
            {
                bestInertia = inertia;
                bestPurity = purity;
            }
        }
        return bestPurity;
    }

    /// <summary>
    /// Before/after report: DirectBias over <paramref name="neutralWords"/> (default: every word outside
    /// <paramref name="specificWords"/>), and the cluster purity of the <paramref name="biasedWordsPerSide"/>
    /// words with the largest positive and negative projections on the original direction.
    /// </summary>
    public static BiasReport Compare(WordVectors original, WordVectors debiased, BiasSubspace subspace, IReadOnlyCollection<string> specificWords,
        IEnumerable<string>? neutralWords = null, int biasedWordsPerSide = 500, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(debiased);
        var specific = new HashSet<string>(specificWords, StringComparer.Ordinal);
        var neutral = (neutralWords ?? original.Vocabulary.Words.Where(w => !specific.Contains(w))).ToArray();
        var g = subspace.Direction;
        var byProjection = original.Vocabulary.Words.Where(w => !specific.Contains(w))
            .Select(w => (Word: w, Projection: TensorPrimitives.CosineSimilarity(original.GetVector(w), g)))
            .OrderBy(p => p.Projection).ToArray();
        int n = Math.Min(biasedWordsPerSide, byProjection.Length / 2);
        var low = byProjection.Take(n).Select(p => p.Word).ToArray();
        var high = byProjection.Reverse().Take(n).Select(p => p.Word).ToArray();
        return new BiasReport(
            DirectBias(original, g, neutral),
            DirectBias(debiased, g, neutral),
            n > 0 ? ClusterPurity(original, high, low, seed) : double.NaN,
            n > 0 ? ClusterPurity(debiased, high, low, seed) : double.NaN,
            n);
    }
}
