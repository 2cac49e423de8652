using System.Globalization;

namespace MLNet.Sequence.Metrics;

/// <summary>Settings of chrF (Popović 2015) and chrF++ (Popović 2017). The defaults are sacreBLEU's chrF2.</summary>
public sealed class ChrFOptions
{
    /// <summary>Character n-gram orders 1 to this (6).</summary>
    public int CharOrder = 6;

    /// <summary>Word n-gram orders 1 to this (0; 2 gives chrF++).</summary>
    public int WordOrder;

    /// <summary>How much more recall weighs than precision (2).</summary>
    public int Beta = 2;

    /// <summary>Lowercase hypotheses and references first.</summary>
    public bool Lowercase;

    /// <summary>Keep white space inside character n-grams (it is removed by default).</summary>
    public bool Whitespace;

    /// <summary>chrF++.py's and NLTK's epsilon smoothing (average F over all orders) instead of sacreBLEU's
    /// effective order (average precision and recall over the orders both sides have).</summary>
    public bool EpsilonSmoothing;

    internal void Check()
    {
        if (CharOrder < 0 || CharOrder > 100)
            throw new ArgumentOutOfRangeException(nameof(CharOrder), CharOrder, "ChrFOptions.CharOrder must be between 0 and 100.");
        if (WordOrder < 0 || WordOrder > 100)
            throw new ArgumentOutOfRangeException(nameof(WordOrder), WordOrder, "ChrFOptions.WordOrder must be between 0 and 100.");
        if (CharOrder + WordOrder == 0)
            throw new ArgumentException("ChrFOptions.CharOrder and WordOrder are both 0: there is nothing to count.", nameof(CharOrder));
        if (Beta < 0)
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "ChrFOptions.Beta must be at least 0.");
    }
}

/// <summary>A chrF score, 0 to 100.</summary>
public sealed class ChrFScore
{
    internal ChrFScore(double score, ChrFOptions options, string signature)
    {
        Score = score;
        Name = "chrF" + options.Beta.ToString(CultureInfo.InvariantCulture) + new string('+', options.WordOrder);
        Signature = signature;
    }

    /// <summary>chrF, 0 to 100.</summary>
    public double Score { get; }

    /// <summary>sacreBLEU's name for the variant: "chrF2", or "chrF2++" with two word orders.</summary>
    public string Name { get; }

    /// <summary>sacreBLEU's signature, such as "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0".</summary>
    public string Signature { get; }

    /// <summary>"chrF2 = 59.73".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} = {Score:F2}");
}

/// <summary>
/// chrF and chrF++ as sacreBLEU 2 computes them: character n-gram F-beta over orders 1-6 (white space removed), plus
/// word n-grams for chrF++ (punctuation split off word ends), with several references a segment taking the
/// reference that gives it the best F. Statistics add up over the corpus before the F is taken.
/// </summary>
public static class ChrF
{
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>Corpus chrF against one reference per segment.</summary>
    /// <param name="hypotheses">One output per segment.</param>
    /// <param name="references">The reference of each segment.</param>
    /// <param name="options">Orders, beta and the rest; chrF2 when null.</param>
    public static ChrFScore CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, ChrFOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(references);
        return CorpusScore(hypotheses, references.Select(r => (IReadOnlyList<string?>)new[] { r }).ToList(), options);
    }

    /// <summary>Corpus chrF against several references per segment (empty ones are dropped).</summary>
    /// <param name="hypotheses">One output per segment.</param>
    /// <param name="references">For each segment, its references.</param>
    /// <param name="options">Orders, beta and the rest; chrF2 when null.</param>
    public static ChrFScore CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> references, ChrFOptions? options = null)
    {
        Bleu.CheckCorpus(hypotheses, references);
        options ??= new ChrFOptions();
        options.Check();

        var total = new long[3 * (options.CharOrder + options.WordOrder)];
        var referenceCounts = new Bleu.ReferenceCounts();
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var refs = Bleu.NonEmpty(references[i], i);
            referenceCounts.Add(refs.Count);
            var stats = SegmentStatistics(hypotheses[i] ?? throw new ArgumentException($"Hypothesis {i} is null.", nameof(hypotheses)), refs, options);
            for (int j = 0; j < total.Length; j++)
                total[j] += stats[j];
        }
        return new ChrFScore(FScore(total, options), options, Signature(options, referenceCounts.Signature));
    }

    /// <summary>Sentence chrF of one hypothesis against its references.</summary>
    /// <param name="hypothesis">An output.</param>
    /// <param name="references">Its references (empty ones are dropped).</param>
    /// <param name="options">Orders, beta and the rest; chrF2 when null.</param>
    public static ChrFScore SentenceScore(string hypothesis, IReadOnlyList<string?> references, ChrFOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        options ??= new ChrFOptions();
        options.Check();
        var refs = Bleu.NonEmpty(references, 0);
        return new ChrFScore(FScore(SegmentStatistics(hypothesis, refs, options), options), options,
            Signature(options, refs.Count.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>sacreBLEU's chrF signature for these settings.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="referencesPerSegment">A count of references per segment, or "var".</param>
    public static string Signature(ChrFOptions options, string referencesPerSegment = "1")
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture,
            $"nrefs:{referencesPerSegment}|case:{(options.Lowercase ? "lc" : "mixed")}|eff:{(options.EpsilonSmoothing ? "no" : "yes")}|nc:{options.CharOrder}|nw:{options.WordOrder}|space:{(options.Whitespace ? "yes" : "no")}|version:{Bleu.SacreBleuVersion}");
    }

    // [hypothesis n-grams, reference n-grams, matches] per order, for the reference with the best F.
    internal static long[] SegmentStatistics(string hypothesis, List<string> references, ChrFOptions options)
    {
        var hyp = Ngrams(options.Lowercase ? PythonText.Lower(hypothesis) : hypothesis, options);
        long[] best = [];
        double bestF = -1;
        foreach (var reference in references)
        {
            var refGrams = Ngrams(options.Lowercase ? PythonText.Lower(reference) : reference, options);
            var stats = new long[3 * hyp.Count];
            for (int order = 0; order < hyp.Count; order++)
            {
                long hypCount = 0, matches = 0;
                foreach (var (gram, count) in hyp[order])
                {
                    hypCount += count;
                    if (refGrams[order].TryGetValue(gram, out int available))
                        matches += Math.Min(count, available);
                }
                // A hypothesis n-gram counts only where the reference has n-grams of that order at all.
                stats[3 * order] = refGrams[order].Count > 0 ? hypCount : 0;
                stats[3 * order + 1] = refGrams[order].Values.Sum();
                stats[3 * order + 2] = matches;
            }
            double f = FScore(stats, options);
            if (f > bestF)
            {
                bestF = f;
                best = stats;
            }
        }
        return best;
    }

    // Character n-grams of orders 1..CharOrder, then word n-grams of orders 1..WordOrder.
    private static List<Dictionary<string, int>> Ngrams(string text, ChrFOptions options)
    {
        var all = new List<Dictionary<string, int>>(options.CharOrder + options.WordOrder);
        string chars = options.Whitespace ? text : PythonText.RemoveSpaces(text);
        int[] starts = PythonText.CodePointStarts(chars);
        int length = starts.Length - 1;
        for (int n = 1; n <= options.CharOrder; n++)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i + n <= length; i++)
            {
                string gram = chars.Substring(starts[i], starts[i + n] - starts[i]);
                counts[gram] = counts.GetValueOrDefault(gram) + 1;
            }
            all.Add(counts);
        }
        if (options.WordOrder > 0)
        {
            var words = SplitPunctuation(text);
            for (int n = 1; n <= options.WordOrder; n++)
            {
                var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int i = 0; i + n <= words.Count; i++)
                {
                    string gram = string.Join(' ', words.Skip(i).Take(n));
                    counts[gram] = counts.GetValueOrDefault(gram) + 1;
                }
                all.Add(counts);
            }
        }
        return all;
    }

    // chrF++'s primitive tokenisation: one ASCII punctuation mark split off the end of a word, or else off its start.
    private static List<string> SplitPunctuation(string text)
    {
        var tokens = new List<string>();
        foreach (var w in PythonText.Split(text))
        {
            if (PythonText.CodePointCount(w) == 1)
                tokens.Add(w);
            else if (Punctuation.Contains(w[^1]))
            {
                tokens.Add(w[..^1]);
                tokens.Add(w[^1..]);
            }
            else if (Punctuation.Contains(w[0]))
            {
                tokens.Add(w[..1]);
                tokens.Add(w[1..]);
            }
            else
                tokens.Add(w);
        }
        return tokens;
    }

    // sacreBLEU's _compute_f_score: 0 to 100.
    internal static double FScore(long[] stats, ChrFOptions options)
    {
        const double eps = 1e-16;
        int orders = stats.Length / 3;
        double factor = (double)options.Beta * options.Beta;
        double score = 0, averagePrecision = 0, averageRecall = 0;
        int effectiveOrder = 0;
        for (int i = 0; i < orders; i++)
        {
            long hyp = stats[3 * i], reference = stats[3 * i + 1], matches = stats[3 * i + 2];
            double precision = hyp > 0 ? (double)matches / hyp : eps;
            double recall = reference > 0 ? (double)matches / reference : eps;
            double denominator = factor * precision + recall;
            score += denominator > 0 ? (1 + factor) * precision * recall / denominator : eps;
            if (hyp > 0 && reference > 0)
            {
                averagePrecision += precision;
                averageRecall += recall;
                effectiveOrder++;
            }
        }
        if (options.EpsilonSmoothing)
            return 100 * score / orders;
        if (effectiveOrder == 0)
            return 0.0;
        averagePrecision /= effectiveOrder;
        averageRecall /= effectiveOrder;
        if (averagePrecision + averageRecall == 0)
            return 0.0;
        double f = (1 + factor) * averagePrecision * averageRecall;
        f /= factor * averagePrecision + averageRecall;
        return 100 * f;
    }
}
