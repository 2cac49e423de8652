using System.Globalization;

namespace MLNet.Sequence.Metrics;

/// <summary>
/// BLEU (Papineni et al. 2002) computed as sacreBLEU 2 computes it: clipped n-gram precisions of orders 1-4, their
/// geometric mean, and a brevity penalty against the reference closest in length to each hypothesis (the shorter
/// one on a tie), over any number of references per segment. Scores, smoothing, effective order and the signature
/// string are sacreBLEU's, so a score from here can be quoted next to one from sacreBLEU.
/// </summary>
/// <remarks>
/// Edge cases, as in sacreBLEU: a corpus with no matching unigram scores 0 whatever the smoothing (early stop);
/// an empty hypothesis has no n-grams and counts only towards the reference length; without
/// <see cref="BleuOptions.EffectiveOrder"/>, a hypothesis shorter than the highest order has no n-grams of that
/// order and scores 0 however the others match (sentence BLEU should use <see cref="BleuOptions.Sentence"/>);
/// empty or null references are dropped, and a segment left with none is an error.
/// </remarks>
public static class Bleu
{
    /// <summary>The sacreBLEU release whose rules these follow; its signature strings end with it.</summary>
    public const string SacreBleuVersion = "2.6.0";

    /// <summary>Corpus BLEU of hypotheses against one reference each.</summary>
    /// <param name="hypotheses">One detokenised output per segment.</param>
    /// <param name="references">The reference of each segment.</param>
    /// <param name="options">Tokeniser, smoothing and the rest; sacreBLEU's defaults when null.</param>
    public static BleuScore CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, BleuOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(references);
        return CorpusScore(hypotheses, references.Select(r => (IReadOnlyList<string?>)new[] { r }).ToList(), options);
    }

    /// <summary>Corpus BLEU of hypotheses against several references each (empty references are dropped).</summary>
    /// <param name="hypotheses">One detokenised output per segment.</param>
    /// <param name="references">For each segment, its references.</param>
    /// <param name="options">Tokeniser, smoothing and the rest; sacreBLEU's defaults when null.</param>
    public static BleuScore CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> references, BleuOptions? options = null)
    {
        CheckCorpus(hypotheses, references);
        options ??= new BleuOptions();
        options.Check();

        var total = new BleuStatistics(options.MaxNgramOrder);
        var referenceCounts = new ReferenceCounts();
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var refs = NonEmpty(references[i], i);
            referenceCounts.Add(refs.Count);
            total.Add(SegmentStatistics(hypotheses[i] ?? throw new ArgumentException($"Hypothesis {i} is null.", nameof(hypotheses)), refs, options));
        }
        return Score(total, options, referenceCounts.Signature);
    }

    /// <summary>Sentence BLEU of one hypothesis; with null options, sacreBLEU's <c>sentence_bleu</c> settings
    /// (<see cref="BleuOptions.Sentence"/>: "exp" smoothing and effective order).</summary>
    /// <param name="hypothesis">A detokenised output.</param>
    /// <param name="references">Its references (empty ones are dropped).</param>
    /// <param name="options">Tokeniser, smoothing and the rest.</param>
    public static BleuScore SentenceScore(string hypothesis, IReadOnlyList<string?> references, BleuOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        options ??= BleuOptions.Sentence;
        options.Check();
        var refs = NonEmpty(references, 0);
        return Score(SegmentStatistics(hypothesis, refs, options), options, refs.Count.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The statistics of one segment, to add up with others (see <see cref="BleuStatistics.Add"/>).</summary>
    /// <param name="hypothesis">A detokenised output.</param>
    /// <param name="references">Its references, none of them empty.</param>
    /// <param name="options">Tokeniser, lowercasing and highest order.</param>
    public static BleuStatistics SegmentStatistics(string hypothesis, IReadOnlyList<string> references, BleuOptions options)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(options);
        if (references.Count == 0)
            throw new ArgumentException("A segment needs at least one reference.", nameof(references));

        int order = options.MaxNgramOrder;
        var ids = new TokenIds();
        int[] hyp = ids.Of(Preprocess(hypothesis, options));
        var refIds = references.Select(r => ids.Of(Preprocess(r, options))).ToArray();

        var stats = new BleuStatistics(order)
        {
            HypothesisLength = hyp.Length,
            ReferenceLength = ClosestLength(hyp.Length, refIds.Select(r => r.Length)),
        };
        for (int n = 1; n <= order; n++)
        {
            var hypCounts = NgramCounts.Of(hyp, n);
            var refCounts = NgramCounts.MaximumOver(refIds.Select(r => NgramCounts.Of(r, n)));
            stats.Totals[n - 1] = NgramCounts.Total(hypCounts);
            stats.Matches[n - 1] = NgramCounts.Matches(hypCounts, refCounts);
        }
        return stats;
    }

    /// <summary>BLEU of summed statistics (sacreBLEU's <c>compute_bleu</c>).</summary>
    /// <param name="statistics">Lengths, matches and totals.</param>
    /// <param name="options">Smoothing, effective order and highest order (which must equal the statistics').</param>
    /// <param name="referencesPerSegment">What the signature says of the references: a count, or "var".</param>
    public static BleuScore Score(BleuStatistics statistics, BleuOptions? options = null, string referencesPerSegment = "1")
    {
        ArgumentNullException.ThrowIfNull(statistics);
        options ??= new BleuOptions();
        options.Check();
        if (statistics.MaxNgramOrder != options.MaxNgramOrder)
            throw new ArgumentException($"The statistics have orders up to {statistics.MaxNgramOrder} but BleuOptions.MaxNgramOrder is {options.MaxNgramOrder}.", nameof(statistics));

        int order = options.MaxNgramOrder;
        long sys = statistics.HypothesisLength, reference = statistics.ReferenceLength;
        double bp = sys < reference ? (sys > 0 ? Math.Exp(1 - (double)reference / sys) : 0.0) : 1.0;
        var counts = new double[order];
        var totals = new double[order];
        for (int n = 0; n < order; n++)
        {
            counts[n] = statistics.Matches[n];
            totals[n] = statistics.Totals[n];
        }
        var precisions = new double[order];
        string signature = Signature(options, referencesPerSegment);

        // No unigram matches at all: 0, whatever the smoothing would make of it (sacreBLEU issue 141).
        if (counts.All(c => c == 0))
            return new BleuScore(0.0, counts, totals, precisions, bp, sys, reference, signature);

        double k = options.SmoothingValueOrDefault;
        double mtevalFactor = 1.0;
        int effectiveOrder = order;
        for (int n = 0; n < order; n++)
        {
            if (options.Smoothing == BleuSmoothing.AddK && n > 0)
            {
                counts[n] += k;
                totals[n] += k;
            }
            if (totals[n] == 0)
                break;
            if (options.EffectiveOrder)
                effectiveOrder = n + 1;

            if (counts[n] == 0)
            {
                if (options.Smoothing == BleuSmoothing.Exponential)
                {
                    mtevalFactor *= 2;
                    precisions[n] = 100.0 / (mtevalFactor * totals[n]);
                }
                else if (options.Smoothing == BleuSmoothing.Floor)
                    precisions[n] = 100.0 * k / totals[n];
            }
            else
                precisions[n] = 100.0 * counts[n] / totals[n];
        }

        double logSum = 0;
        for (int n = 0; n < effectiveOrder; n++)
            logSum += LogOrFloor(precisions[n]);
        double score = bp * Math.Exp(logSum / effectiveOrder);
        return new BleuScore(score, counts, totals, precisions, bp, sys, reference, signature);
    }

    /// <summary>sacreBLEU's signature for these settings.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="referencesPerSegment">A count of references per segment, or "var".</param>
    public static string Signature(BleuOptions options, string referencesPerSegment = "1")
    {
        ArgumentNullException.ThrowIfNull(options);
        string smooth = options.Smoothing switch
        {
            BleuSmoothing.None => "none",
            BleuSmoothing.Floor => string.Create(CultureInfo.InvariantCulture, $"floor[{options.SmoothingValueOrDefault:F2}]"),
            BleuSmoothing.AddK => string.Create(CultureInfo.InvariantCulture, $"add-k[{options.SmoothingValueOrDefault:F2}]"),
            _ => "exp",
        };
        return $"nrefs:{referencesPerSegment}|case:{(options.Lowercase ? "lc" : "mixed")}|eff:{(options.EffectiveOrder ? "yes" : "no")}" +
               $"|tok:{BleuTokenizer.SignatureName(options.Tokenization)}|smooth:{smooth}|version:{SacreBleuVersion}";
    }

    // sacreBLEU's my_log: log(0) is a large negative number rather than -infinity, so the score is exactly 0.
    private static double LogOrFloor(double x) => x == 0 ? -9999999999 : Math.Log(x);

    // Lowercase (optionally), strip trailing space, tokenise, split: sacreBLEU's _preprocess_segment.
    internal static IReadOnlyList<string> Preprocess(string segment, BleuOptions options)
    {
        if (options.Lowercase)
            segment = PythonText.Lower(segment);
        return BleuTokenizer.Tokens(PythonText.TrimEnd(segment), options.Tokenization);
    }

    // The reference length closest to the hypothesis length; the shorter on a tie.
    internal static long ClosestLength(int hypothesisLength, IEnumerable<int> referenceLengths)
    {
        long best = -1, bestDiff = -1;
        foreach (int length in referenceLengths)
        {
            long diff = Math.Abs(hypothesisLength - length);
            if (bestDiff == -1 || diff < bestDiff || (diff == bestDiff && length < best))
            {
                bestDiff = diff;
                best = length;
            }
        }
        return best;
    }

    // One hypothesis per segment of references, and at least one.
    internal static void CheckCorpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> references)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"There are {hypotheses.Count} hypotheses but {references.Count} segments of references; each hypothesis needs its references.", nameof(references));
        if (hypotheses.Count == 0)
            throw new ArgumentException("There are no hypotheses to score.", nameof(hypotheses));
    }

    internal static List<string> NonEmpty(IReadOnlyList<string?>? references, int segment)
    {
        var refs = new List<string>();
        if (references != null)
            foreach (var r in references)
                if (!string.IsNullOrEmpty(r))
                    refs.Add(r);
        if (refs.Count == 0)
            throw new ArgumentException($"Segment {segment} has no reference: every reference of it is empty or null.", nameof(references));
        return refs;
    }

    /// <summary>The references-per-segment part of a signature: the count when every segment has the same, else "var".</summary>
    internal sealed class ReferenceCounts
    {
        private int _count = -1;
        private bool _varies;

        public void Add(int count)
        {
            if (_count == -1)
                _count = count;
            else if (_count != count)
                _varies = true;
        }

        public string Signature => _varies ? "var" : Math.Max(_count, 1).ToString(CultureInfo.InvariantCulture);
    }
}
