using System.Globalization;
using System.Text;

namespace MLNet.Sequence.Audio;

/// <summary>
/// Estimates an interpolated modified Kneser-Ney n-gram model (Chen and Goodman 1998, as KenLM's lmplz estimates it)
/// from tokenised sentences and writes it as ARPA text: the highest order from raw counts, lower orders from
/// continuation counts (how many different words precede an n-gram; raw counts for n-grams that begin with &lt;s&gt;),
/// three discounts per order from the counts of counts, and the unigrams interpolated with the uniform distribution
/// over the vocabulary and &lt;unk&gt;. Tokens are words for a word model, characters for a character model.
/// </summary>
public static class ArpaModelBuilder
{
    /// <summary>Builds the model and returns its ARPA text.</summary>
    /// <param name="sentences">Token sequences; empty ones are skipped.</param>
    /// <param name="order">The n-gram order, 1 to 6.</param>
    /// <exception cref="ArgumentException">The order is out of range, a token is empty or holds white space, or there are no tokens.</exception>
    public static string BuildArpa(IEnumerable<IReadOnlyList<string>> sentences, int order = 3)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Build(sentences, order, writer);
        return writer.ToString();
    }

    /// <summary>Builds the model and loads it, ready to score.</summary>
    public static ArpaLanguageModel Build(IEnumerable<IReadOnlyList<string>> sentences, int order = 3) =>
        ArpaLanguageModel.Read(new StringReader(BuildArpa(sentences, order)), "the built model");

    /// <summary>Builds the model and writes its ARPA text to <paramref name="output"/>.</summary>
    public static void Build(IEnumerable<IReadOnlyList<string>> sentences, int order, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(output);
        if (order < 1 || order > ArpaLanguageModel.MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"the order must be between 1 and {ArpaLanguageModel.MaxOrder}");

        var words = new List<string> { ArpaLanguageModel.SentenceStart, ArpaLanguageModel.SentenceEnd, ArpaLanguageModel.Unknown };
        var ids = new Dictionary<string, int>(StringComparer.Ordinal) { [words[0]] = 0, [words[1]] = 1, [words[2]] = 2 };
        const int start = 0, end = 1, unknown = 2;

        // Raw counts of every n-gram of every order in the padded sentences.
        var raw = Enumerable.Range(0, order).Select(_ => new Dictionary<NgramKey, long>()).ToArray();
        long tokens = 0;
        var padded = new List<int>();
        foreach (var sentence in sentences)
        {
            if (sentence == null || sentence.Count == 0)
                continue;
            padded.Clear();
            padded.Add(start);
            foreach (string token in sentence)
            {
                if (string.IsNullOrEmpty(token) || token.Any(char.IsWhiteSpace))
                    throw new ArgumentException($"token '{token}' is empty or holds white space; ARPA separates tokens by spaces", nameof(sentences));
                if (!ids.TryGetValue(token, out int id))
                {
                    id = words.Count;
                    ids.Add(token, id);
                    words.Add(token);
                }
                padded.Add(id);
                tokens++;
            }
            padded.Add(end);
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(padded);
            for (int n = 1; n <= order; n++)
            {
                // n-grams ending at each position; the unigram <s> is not an event of the model.
                for (int i = n == 1 ? 1 : 0; i + n <= span.Length; i++)
                    raw[n - 1][NgramKey.Of(span.Slice(i, n))] = raw[n - 1].GetValueOrDefault(NgramKey.Of(span.Slice(i, n))) + 1;
            }
        }
        if (tokens == 0)
            throw new ArgumentException("there are no tokens to build a language model from", nameof(sentences));

        // Adjusted counts: raw for the highest order and for n-grams that begin with <s>; otherwise the number of
        // distinct words seen before the n-gram.
        var adjusted = new Dictionary<NgramKey, long>[order];
        adjusted[order - 1] = raw[order - 1];
        for (int n = order - 1; n >= 1; n--)
        {
            var counts = new Dictionary<NgramKey, long>(raw[n - 1].Count);
            foreach (var (gram, count) in raw[n - 1])
                if (gram.W0 == start)
                    counts[gram] = count;
            foreach (var longer in raw[n].Keys)
            {
                var suffix = longer.Suffix();
                if (suffix.W0 != start)
                    counts[suffix] = counts.GetValueOrDefault(suffix) + 1;
            }
            adjusted[n - 1] = counts;
        }
        adjusted[0].Remove(NgramKey.Of([], start));

        // Discounts D1, D2, D3+ of each order from its counts of counts.
        var discounts = new double[order][];
        for (int n = 1; n <= order; n++)
        {
            var t = new long[5];
            foreach (long c in adjusted[n - 1].Values)
                if (c <= 4)
                    t[c]++;
            discounts[n - 1] = Discounts(t);
        }

        // Interpolated probabilities, lowest order first, and each context's back-off weight gamma.
        var probability = new Dictionary<NgramKey, double>[order];
        var backoff = new Dictionary<NgramKey, double>[order]; // by the context's order - 1 (contexts of order n - 1)
        int vocabularyForUniform = words.Count - 1; // every word but <s>, <unk> included
        for (int n = 1; n <= order; n++)
        {
            var d = discounts[n - 1];
            // Per context: the sum of adjusted counts and the numbers of extensions with count 1, 2 and 3+.
            var totals = new Dictionary<NgramKey, (long Sum, long N1, long N2, long N3)>();
            foreach (var (gram, c) in adjusted[n - 1])
            {
                var context = gram.Prefix();
                var s = totals.GetValueOrDefault(context);
                totals[context] = (s.Sum + c, s.N1 + (c == 1 ? 1 : 0), s.N2 + (c == 2 ? 1 : 0), s.N3 + (c >= 3 ? 1 : 0));
            }
            var gammas = new Dictionary<NgramKey, double>(totals.Count);
            foreach (var (context, s) in totals)
                gammas[context] = (d[0] * s.N1 + d[1] * s.N2 + d[2] * s.N3) / s.Sum;
            var p = new Dictionary<NgramKey, double>(adjusted[n - 1].Count);
            foreach (var (gram, c) in adjusted[n - 1])
            {
                var context = gram.Prefix();
                double lower = n == 1 ? 1.0 / vocabularyForUniform : Interpolated(probability, backoff, gram.Suffix());
                p[gram] = (c - d[Math.Min(c, 3) - 1]) / totals[context].Sum + gammas[context] * lower;
            }
            if (n == 1)
            {
                var empty = NgramKey.Of([], unknown).Prefix();
                p[NgramKey.Of([], unknown)] = gammas[empty] / vocabularyForUniform; // <unk> has only the interpolation mass
            }
            probability[n - 1] = p;
            backoff[n - 1] = gammas;
        }

        Write(output, words, probability, backoff, order, start);
    }

    // P(w | h) for any n-gram, from the stored interpolated probabilities and the contexts' gammas.
    private static double Interpolated(Dictionary<NgramKey, double>[] probability, Dictionary<NgramKey, double>[] backoff, NgramKey gram)
    {
        double weight = 1;
        while (true)
        {
            if (probability[gram.Length - 1].TryGetValue(gram, out double p))
                return weight * p;
            // The context has no extension by this word: back off (an unseen context has gamma 1).
            if (backoff[gram.Length - 1].TryGetValue(gram.Prefix(), out double g))
                weight *= g;
            gram = gram.Suffix();
        }
    }

    // Chen and Goodman's estimates, Y = t1 / (t1 + 2 t2), Dk = k - (k + 1) Y t(k+1) / tk, kept within [0, k]; with too
    // few n-grams to estimate them (a tiny corpus), the usual fallbacks 0.5, 1, 1.5.
    private static double[] Discounts(long[] t)
    {
        if (t[1] == 0 || t[2] == 0 || t[3] == 0 || t[4] == 0)
            return [0.5, 1.0, 1.5];
        double y = (double)t[1] / (t[1] + 2 * t[2]);
        var d = new double[3];
        for (int k = 1; k <= 3; k++)
            d[k - 1] = Math.Clamp(k - (k + 1) * y * t[k + 1] / t[k], 0, k);
        return d;
    }

    private static void Write(TextWriter output, List<string> words, Dictionary<NgramKey, double>[] probability,
        Dictionary<NgramKey, double>[] backoff, int order, int start)
    {
        var startUnigram = NgramKey.Of([], start);
        output.WriteLine();
        output.WriteLine("\\data\\");
        for (int n = 1; n <= order; n++)
            output.WriteLine(FormattableString.Invariant($"ngram {n}={probability[n - 1].Count + (n == 1 ? 1 : 0)}"));
        for (int n = 1; n <= order; n++)
        {
            output.WriteLine();
            output.WriteLine(FormattableString.Invariant($"\\{n}-grams:"));
            var grams = probability[n - 1].Keys.ToList();
            if (n == 1)
                grams.Insert(0, startUnigram);
            var line = new StringBuilder();
            foreach (var gram in grams.OrderBy(g => Text(g, words), StringComparer.Ordinal))
            {
                line.Clear();
                // <s> is never predicted: log10 of zero, by the ARPA convention -99; it still carries a back-off.
                double p = gram.Equals(startUnigram) ? -99 : Math.Log10(probability[n - 1][gram]);
                line.Append(p.ToString("G7", CultureInfo.InvariantCulture)).Append('\t').Append(Text(gram, words));
                if (n < order && backoff[n].TryGetValue(gram, out double g))
                    line.Append('\t').Append(Math.Log10(g).ToString("G7", CultureInfo.InvariantCulture));
                output.WriteLine(line.ToString());
            }
        }
        output.WriteLine();
        output.WriteLine("\\end\\");
    }

    private static string Text(NgramKey gram, List<string> words) =>
        string.Join(' ', Enumerable.Range(0, gram.Length).Select(i => words[gram[i]]));
}
