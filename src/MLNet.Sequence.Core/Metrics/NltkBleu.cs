namespace MLNet.Sequence.Metrics;

/// <summary>NLTK's <c>SmoothingFunction</c> methods (Chen and Cherry 2014, numbered as NLTK numbers them).</summary>
public enum NltkSmoothing
{
    /// <summary>No smoothing: an order without matches contributes log of the smallest normal double (about -708),
    /// so the score is tiny but not 0 — NLTK warns and returns such numbers.</summary>
    Method0 = 0,

    /// <summary>Add epsilon (0.1) to the matches of an order without any.</summary>
    Method1 = 1,

    /// <summary>Add 1 to matches and totals of every order above 1 (Lin and Och 2004).</summary>
    Method2 = 2,

    /// <summary>NIST geometric smoothing: the k-th order without matches gets 1 / (2^k total).</summary>
    Method3 = 3,

    /// <summary>Like method 3, scaled by the hypothesis length: 1 / (2^k K / ln(length)) over the total.</summary>
    Method4 = 4,

    /// <summary>Each precision averaged with its neighbours (orders n - 1 and n + 1).</summary>
    Method5 = 5,

    /// <summary>Interpolation with a prior from the two lower orders (Gao and He 2013); needs a trigram match.</summary>
    Method6 = 6,

    /// <summary>Method 4, then method 5.</summary>
    Method7 = 7,
}

/// <summary>Settings of NLTK-compatible BLEU. The defaults are NLTK's.</summary>
public sealed class NltkBleuOptions
{
    /// <summary>The weight of each n-gram order; their number is the highest order (default four of 0.25).</summary>
    public double[] Weights = [0.25, 0.25, 0.25, 0.25];

    /// <summary>The smoothing function (method 0, none, by default).</summary>
    public NltkSmoothing Smoothing = NltkSmoothing.Method0;

    /// <summary>With the default weights and a hypothesis length under 4, weigh the orders 1..length uniformly.</summary>
    public bool AutoReweigh;

    /// <summary>Method 1's epsilon (0.1).</summary>
    public double Epsilon = 0.1;

    /// <summary>Method 6's alpha (5).</summary>
    public double Alpha = 5;

    /// <summary>Method 4's k (5).</summary>
    public double K = 5;

    internal void Check()
    {
        if (Weights is null || Weights.Length == 0)
            throw new ArgumentException("NltkBleuOptions.Weights must hold at least one weight.", nameof(Weights));
        foreach (double w in Weights)
            if (!double.IsFinite(w))
                throw new ArgumentOutOfRangeException(nameof(Weights), w, "NltkBleuOptions.Weights must be finite numbers.");
        if (!Enum.IsDefined(Smoothing))
            throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, "NltkBleuOptions.Smoothing is not a known method.");
        if (!double.IsFinite(Epsilon) || !double.IsFinite(Alpha) || !double.IsFinite(K))
            throw new ArgumentOutOfRangeException(nameof(Epsilon), "NltkBleuOptions.Epsilon, Alpha and K must be finite numbers.");
    }
}

/// <summary>
/// BLEU as NLTK 3.8's <c>nltk.translate.bleu_score</c> computes it, on token lists, for users who compare with
/// NLTK. It differs from sacreBLEU (<see cref="Bleu"/>) in ways that surprise people, reproduced here on purpose:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>No unigram match (an empty hypothesis among them) gives exactly 0.</item>
/// <item>Without smoothing, an order with no match (no 4-gram match, or a hypothesis shorter than 4 tokens) is
/// replaced by the smallest normal double: the score comes out near 1e-78 times the rest, not 0 and not the
/// score of the lower orders. Use a smoothing method, or weights for fewer orders, or <c>AutoReweigh</c>.</item>
/// <item>A segment's denominator is at least 1 even when the hypothesis has no n-grams of that order, so short
/// hypotheses add 1 to the corpus totals of the high orders.</item>
/// <item>Corpus BLEU with methods 4-7 takes the hypothesis length of the corpus but the n-grams of the last
/// segment only, as NLTK does.</item>
/// </list>
/// </remarks>
public static class NltkBleu
{
    /// <summary>NLTK's <c>sentence_bleu(references, hypothesis, ...)</c>, 0 to 1.</summary>
    /// <param name="references">The reference token lists.</param>
    /// <param name="hypothesis">The hypothesis tokens.</param>
    /// <param name="options">Weights and smoothing; NLTK's defaults when null.</param>
    public static double SentenceBleu(IReadOnlyList<IReadOnlyList<string>> references, IReadOnlyList<string> hypothesis, NltkBleuOptions? options = null) =>
        CorpusBleu([references], [hypothesis], options);

    /// <summary>NLTK's <c>corpus_bleu(list_of_references, hypotheses, ...)</c>, 0 to 1.</summary>
    /// <param name="listOfReferences">For each segment, its reference token lists.</param>
    /// <param name="hypotheses">For each segment, the hypothesis tokens.</param>
    /// <param name="options">Weights and smoothing; NLTK's defaults when null.</param>
    public static double CorpusBleu(IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> listOfReferences,
        IReadOnlyList<IReadOnlyList<string>> hypotheses, NltkBleuOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(listOfReferences);
        ArgumentNullException.ThrowIfNull(hypotheses);
        options ??= new NltkBleuOptions();
        options.Check();
        if (listOfReferences.Count != hypotheses.Count)
            throw new ArgumentException($"There are {hypotheses.Count} hypotheses but {listOfReferences.Count} lists of references.", nameof(listOfReferences));
        if (hypotheses.Count == 0)
            throw new ArgumentException("There are no hypotheses to score.", nameof(hypotheses));

        int maxOrder = options.Weights.Length;
        var numerators = new long[maxOrder];
        var denominators = new long[maxOrder];
        long hypLength = 0, refLength = 0;
        int[] lastHyp = [];
        int[][] lastRefs = [];
        for (int s = 0; s < hypotheses.Count; s++)
        {
            var refs = listOfReferences[s];
            if (refs is null || refs.Count == 0)
                throw new ArgumentException($"Segment {s} has no reference.", nameof(listOfReferences));
            var ids = new TokenIds();
            lastHyp = ids.Of(hypotheses[s] ?? throw new ArgumentException($"Hypothesis {s} is null.", nameof(hypotheses)));
            lastRefs = refs.Select((r, k) => ids.Of(r ?? throw new ArgumentException($"Reference {k} of segment {s} is null.", nameof(listOfReferences)))).ToArray();
            for (int n = 1; n <= maxOrder; n++)
            {
                var (num, den) = ModifiedPrecision(lastRefs, lastHyp, n);
                numerators[n - 1] += num;
                denominators[n - 1] += den;
            }
            hypLength += lastHyp.Length;
            refLength += Bleu.ClosestLength(lastHyp.Length, lastRefs.Select(r => r.Length));
        }

        double bp = hypLength > refLength ? 1 : hypLength == 0 ? 0 : Math.Exp(1 - (double)refLength / hypLength);
        if (numerators[0] == 0)
            return 0;

        var p = new double[maxOrder];
        for (int n = 0; n < maxOrder; n++)
            p[n] = (double)numerators[n] / denominators[n];
        Smooth(p, numerators, denominators, lastRefs, lastHyp, hypLength, options);

        double[] weights = options.Weights;
        if (options.AutoReweigh && hypLength < 4 && weights.SequenceEqual([0.25, 0.25, 0.25, 0.25]))
            weights = Enumerable.Repeat(1.0 / hypLength, (int)hypLength).ToArray();

        double sum = 0;
        for (int n = 0; n < Math.Min(weights.Length, p.Length); n++)
            if (p[n] > 0)
                sum += weights[n] * Math.Log(p[n]);
        return bp * Math.Exp(sum);
    }

    // NLTK's modified_precision: clipped matches over max(1, hypothesis n-grams).
    private static (long Numerator, long Denominator) ModifiedPrecision(int[][] references, int[] hypothesis, int n)
    {
        var counts = NgramCounts.Of(hypothesis, n);
        var maxCounts = NgramCounts.MaximumOver(references.Select(r => NgramCounts.Of(r, n)));
        return (NgramCounts.Matches(counts, maxCounts), Math.Max(1, NgramCounts.Total(counts)));
    }

    // SmoothingFunction().methodN(p_n, references=..., hypothesis=..., hyp_len=...), in place.
    private static void Smooth(double[] p, long[] numerators, long[] denominators, int[][] lastRefs, int[] lastHyp,
        long hypLength, NltkBleuOptions options)
    {
        switch (options.Smoothing)
        {
            case NltkSmoothing.Method0:
                for (int i = 0; i < p.Length; i++)
                    if (numerators[i] == 0)
                        p[i] = SmallestNormal;
                break;
            case NltkSmoothing.Method1:
                for (int i = 0; i < p.Length; i++)
                    if (numerators[i] == 0)
                        p[i] = (numerators[i] + options.Epsilon) / denominators[i];
                break;
            case NltkSmoothing.Method2:
                for (int i = 1; i < p.Length; i++)
                    p[i] = (double)(numerators[i] + 1) / (denominators[i] + 1);
                break;
            case NltkSmoothing.Method3:
            {
                int k = 1;
                for (int i = 0; i < p.Length; i++)
                    if (numerators[i] == 0)
                        p[i] = 1.0 / (Math.Pow(2, k++) * denominators[i]);
                break;
            }
            case NltkSmoothing.Method4:
                Method4(p, numerators, denominators, hypLength, options.K);
                break;
            case NltkSmoothing.Method5:
                Method5(p, lastRefs, lastHyp);
                break;
            case NltkSmoothing.Method6:
                Method6(p, numerators, lastHyp, options.Alpha);
                break;
            case NltkSmoothing.Method7:
                Method4(p, numerators, denominators, hypLength, options.K);
                Method5(p, lastRefs, lastHyp);
                break;
        }
    }

    // sys.float_info.min, which NLTK's method 0 puts in place of a zero precision.
    private const double SmallestNormal = 2.2250738585072014E-308;

    private static void Method4(double[] p, long[] numerators, long[] denominators, long hypLength, double k)
    {
        int inc = 1;
        for (int i = 0; i < p.Length; i++)
        {
            if (numerators[i] == 0 && hypLength > 1)
            {
                double numerator = 1 / (Math.Pow(2, inc) * k / Math.Log(hypLength));
                p[i] = numerator / denominators[i];
                inc++;
            }
        }
    }

    private static void Method5(double[] p, int[][] lastRefs, int[] lastHyp)
    {
        var (num5, den5) = ModifiedPrecision(lastRefs, lastHyp, 5);
        var next = new double[p.Length + 1];
        p.CopyTo(next, 0);
        next[p.Length] = (double)num5 / den5;
        double previous = p[0] + 1;
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = (previous + p[i] + next[i + 1]) / 3;
            previous = p[i];
        }
    }

    private static void Method6(double[] p, long[] numerators, int[] lastHyp, double alpha)
    {
        if (p.Length < 3 || numerators[2] == 0)
            throw new ArgumentException("NLTK's smoothing method 6 needs a trigram match (NLTK stops with an AssertionError here); choose another method.", "options");
        for (int i = 2; i < p.Length; i++)
        {
            double prior = p[i - 2] == 0 ? 0 : p[i - 1] * p[i - 1] / p[i - 2];
            long hypothesisNgrams = Math.Max(0, lastHyp.Length - i);
            p[i] = (numerators[i] + alpha * prior) / (hypothesisNgrams + alpha);
        }
    }
}
