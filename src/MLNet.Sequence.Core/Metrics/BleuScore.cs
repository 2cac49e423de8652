using System.Globalization;

namespace MLNet.Sequence.Metrics;

/// <summary>
/// BLEU's sufficient statistics: lengths, and per order the clipped matches and the hypothesis n-grams. They add up
/// over segments, so a corpus score is the score of the summed statistics (and a sample of segments can be rescored
/// without re-tokenising).
/// </summary>
public sealed class BleuStatistics
{
    private readonly long[] _matches;
    private readonly long[] _totals;

    /// <summary>Statistics of nothing yet, for n-gram orders 1 to <paramref name="maxNgramOrder"/>.</summary>
    /// <param name="maxNgramOrder">The highest n-gram order.</param>
    public BleuStatistics(int maxNgramOrder = 4)
    {
        if (maxNgramOrder < 1)
            throw new ArgumentOutOfRangeException(nameof(maxNgramOrder), maxNgramOrder, "The highest n-gram order must be at least 1.");
        _matches = new long[maxNgramOrder];
        _totals = new long[maxNgramOrder];
    }

    /// <summary>The highest n-gram order.</summary>
    public int MaxNgramOrder => _matches.Length;

    /// <summary>Tokens in the hypotheses.</summary>
    public long HypothesisLength { get; set; }

    /// <summary>Tokens in the references closest in length to each hypothesis.</summary>
    public long ReferenceLength { get; set; }

    /// <summary>Hypothesis n-grams of order n + 1 found in a reference, each clipped to the most any reference has.</summary>
    public Span<long> Matches => _matches;

    /// <summary>Hypothesis n-grams of order n + 1.</summary>
    public Span<long> Totals => _totals;

    /// <summary>Adds another segment's (or corpus's) statistics to these.</summary>
    /// <param name="other">Statistics of the same highest order.</param>
    public void Add(BleuStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.MaxNgramOrder != MaxNgramOrder)
            throw new ArgumentException($"Statistics of orders up to {other.MaxNgramOrder} cannot be added to statistics of orders up to {MaxNgramOrder}.", nameof(other));
        HypothesisLength += other.HypothesisLength;
        ReferenceLength += other.ReferenceLength;
        for (int n = 0; n < _matches.Length; n++)
        {
            _matches[n] += other._matches[n];
            _totals[n] += other._totals[n];
        }
    }
}

/// <summary>A BLEU score (0 to 100) with the parts it is made of, as sacreBLEU reports them.</summary>
public sealed class BleuScore
{
    internal BleuScore(double score, double[] counts, double[] totals, double[] precisions, double brevityPenalty,
        long hypothesisLength, long referenceLength, string signature)
    {
        Score = score;
        Counts = counts;
        Totals = totals;
        Precisions = precisions;
        BrevityPenalty = brevityPenalty;
        HypothesisLength = hypothesisLength;
        ReferenceLength = referenceLength;
        LengthRatio = referenceLength > 0 ? (double)hypothesisLength / referenceLength : 0;
        Signature = signature;
    }

    /// <summary>BLEU, 0 to 100.</summary>
    public double Score { get; }

    /// <summary>The n-gram precisions of orders 1, 2, ... in percent, after smoothing.</summary>
    public IReadOnlyList<double> Precisions { get; }

    /// <summary>Matched n-grams per order (with add-k smoothing's k included, as sacreBLEU reports them).</summary>
    public IReadOnlyList<double> Counts { get; }

    /// <summary>Hypothesis n-grams per order (with add-k smoothing's k included).</summary>
    public IReadOnlyList<double> Totals { get; }

    /// <summary>exp(1 - r/c) when the hypotheses are shorter than the references, 1 otherwise, 0 for no hypothesis tokens.</summary>
    public double BrevityPenalty { get; }

    /// <summary>Hypothesis length over reference length (0 when there are no reference tokens).</summary>
    public double LengthRatio { get; }

    /// <summary>Tokens in the hypotheses.</summary>
    public long HypothesisLength { get; }

    /// <summary>Tokens in the closest references.</summary>
    public long ReferenceLength { get; }

    /// <summary>sacreBLEU's reproducibility signature, such as "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0".</summary>
    public string Signature { get; }

    /// <summary>sacreBLEU's one-line report: "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)".</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        string precisions = string.Join('/', Precisions.Select(p => p.ToString("F1", c)));
        return string.Create(c, $"BLEU = {Score:F2} {precisions} (BP = {BrevityPenalty:F3} ratio = {LengthRatio:F3} hyp_len = {HypothesisLength} ref_len = {ReferenceLength})");
    }
}
