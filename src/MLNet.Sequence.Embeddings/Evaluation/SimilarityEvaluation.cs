using System.Globalization;
using System.Numerics.Tensors;

namespace MLNet.Sequence.Embeddings.Evaluation;

/// <summary>Result of a word-pair similarity evaluation.</summary>
/// <param name="SpearmanRho">Spearman rank correlation between the human scores and the cosine similarities.</param>
/// <param name="PearsonR">Pearson correlation between the same.</param>
/// <param name="Evaluated">Pairs whose two words are in the vocabulary.</param>
/// <param name="OutOfVocabulary">Pairs skipped because a word is missing.</param>
public sealed record SimilarityResult(double SpearmanRho, double PearsonR, int Evaluated, int OutOfVocabulary)
{
    /// <summary>Share of pairs skipped for a missing word.</summary>
    public double OutOfVocabularyRatio => Evaluated + OutOfVocabulary == 0 ? 0 : (double)OutOfVocabulary / (Evaluated + OutOfVocabulary);
}

/// <summary>
/// Evaluates word vectors on word-pair similarity files such as WordSim-353 or SimLex-999: lines of
/// <c>word1 word2 score</c> (tab or space separated; <c>#</c> starts a comment), as gensim's
/// <c>evaluate_word_pairs</c> reads them. Pairs with an unknown word are skipped and counted.
/// </summary>
public static class SimilarityEvaluation
{
    /// <summary>Evaluates <paramref name="vectors"/> on the pairs file at <paramref name="path"/>.</summary>
    public static SimilarityResult Evaluate(WordVectors vectors, string path, bool caseInsensitive = true, int restrictVocabulary = 300_000)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Similarity file '{path}' does not exist.", path);
        return Evaluate(vectors, File.ReadLines(path), caseInsensitive, restrictVocabulary, path);
    }

    /// <summary>Evaluates <paramref name="vectors"/> on pair lines already in memory.</summary>
    public static SimilarityResult Evaluate(WordVectors vectors, IEnumerable<string> lines, bool caseInsensitive = true, int restrictVocabulary = 300_000, string source = "similarity lines")
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(lines);
        int limit = restrictVocabulary <= 0 ? vectors.Count : Math.Min(restrictVocabulary, vectors.Count);
        var ids = new Dictionary<string, int>(limit, caseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        for (int i = 0; i < limit; i++)
            ids.TryAdd(vectors.Vocabulary[i], i);

        var human = new List<double>();
        var model = new List<double>();
        int oov = 0, lineNumber = 0;
        foreach (var raw in lines)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            var parts = line.Split(new[] { '\t', ' ' }, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3 || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double score))
                throw new InvalidDataException($"{source}, line {lineNumber}: expected 'word1 word2 score'.");
            if (!ids.TryGetValue(parts[0], out int a) || !ids.TryGetValue(parts[1], out int b))
            {
                oov++;
                continue;
            }
            human.Add(score);
            model.Add(TensorPrimitives.CosineSimilarity(vectors.GetVector(a), vectors.GetVector(b)));
        }
        if (human.Count < 2)
            throw new InvalidDataException($"{source}: fewer than two pairs have both words in the vocabulary ({oov} pairs skipped); no correlation can be computed.");
        return new SimilarityResult(Spearman(human, model), Pearson(human, model), human.Count, oov);
    }

    /// <summary>Spearman's rho: the Pearson correlation of the ranks, ties getting their average rank.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y) => Pearson(Ranks(x), Ranks(y));

    /// <summary>Pearson's correlation coefficient.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
            throw new ArgumentException($"x has {x.Count} values and y has {y.Count}.", nameof(y));
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>1-based ranks with ties averaged.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
                end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++)
                ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}
