using System.Diagnostics;
using Microsoft.ML;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Embeddings.Debias;
using MLNet.Sequence.Embeddings.Evaluation;
using MLNet.Sequence.Embeddings.Projection;
using MLNet.Sequence.Plots;

namespace MLNet.Sequence.Cli;

/// <summary>What one does with a table of word vectors: evaluate, query, convert, map and debias it.</summary>
internal static class VectorCommands
{
    /// <summary>The flags of every command that reads a vectors file.</summary>
    public static readonly Flag[] VectorFile =
    {
        Flag.Required("vectors", "VECTORS", "word2vec text (.txt, .vec), word2vec binary (.bin) or GloVe text"),
        Flag.Choice("format", "auto", "the file's format, when its name does not tell", "auto", "w2v-text", "w2v-bin", "glove"),
        Flag.Int("limit", 0, "read only the first this many words, the most frequent (0: all)", 0),
    };

    public static readonly Command EvalAnalogy = new("eval-analogy",
        "Accuracy on an analogy file in word2vec's questions-words format (': section', then 'a b c d' lines), as gensim scores it.",
        VectorFile.Concat(new[]
        {
            Flag.Int("restrict", 300_000, "answers come from the this many most frequent words (0: all)", 0),
            Flag.Choice("method", "cosadd", "how an analogy is answered", "cosadd", "cosmul"),
            Flag.Bool("case-sensitive", false, "compare words as written (0: lower-cased, as gensim)"),
        }),
        RunEvalAnalogy, positional: "FILE");

    public static readonly Command EvalSimilarity = new("eval-similarity",
        "Spearman and Pearson correlation with human similarity scores ('word word score' lines, such as WordSim-353).",
        VectorFile.Concat(new[]
        {
            Flag.Int("restrict", 300_000, "only the this many most frequent words count as known (0: all)", 0),
            Flag.Bool("case-sensitive", false, "compare words as written (0: lower-cased, as gensim)"),
        }),
        RunEvalSimilarity, positional: "FILE");

    public static readonly Command Neighbours = new("neighbours",
        "The nearest words of a word by cosine similarity, from a vectors file or the table of a saved model.",
        new[]
        {
            Flag.Text("vectors", "VECTORS", "the vectors file (or give -model)"),
            VectorFile[1],
            VectorFile[2],
            Flag.Text("model", "MODEL.zip", "a saved model holding a word-vector transformer"),
            Flag.Required("word", "WORD", "the query word"),
            Flag.Int("k", 10, "how many neighbours", 1),
        },
        RunNeighbours);

    public static readonly Command Convert = new("convert",
        "Reads a vectors file and writes it in another format (binary for .bin, else word2vec text), optionally only its first words.",
        VectorFile.Concat(new[]
        {
            Flag.Required("output", "VECTORS", "where to write"),
            Flag.Choice("output-format", "auto", "the output's format", "auto", "w2v-text", "w2v-bin", "glove"),
        }),
        RunConvert);

    public static readonly Command Tsne = new("tsne",
        "A t-SNE map of the most frequent words: a picture (.png, .svg) with the most frequent labelled, or word and coordinates per line (.tsv).",
        VectorFile.Concat(new[]
        {
            Flag.Required("output", "MAP.png|MAP.svg|MAP.tsv", "where to write the map"),
            Flag.Int("top", 1000, "words mapped, most frequent first", 4),
            Flag.Int("labels", 300, "words labelled in a picture", 0),
            Flag.Number("perplexity", 30, "effective number of neighbours"),
            Flag.Number("theta", 0.5, "Barnes-Hut accuracy (0: exact)"),
            Flag.Int("iter", 1000, "optimisation iterations", 1),
            Flag.Int("dims", 2, "dimensions of the map (pictures are 2-D)", 2),
            Flag.Int("seed", 1, "seed of the optimisation"),
            Flag.Bool("trustworthiness", true, "also print the map's trustworthiness (k = 10)"),
        }),
        RunTsne);

    public static readonly Command Debias = new("debias",
        "Hard debiasing with the built-in gender lists; prints DirectBias and the cluster purity of the most biased words before and after.",
        VectorFile.Concat(new[]
        {
            Flag.Required("output", "VECTORS", "where to write the debiased vectors"),
            Flag.Int("components", 1, "dimensions of the bias subspace", 1),
            Flag.Choice("method", "pca", "how the subspace is found", "pca", "mean"),
            Flag.Int("biased", 500, "most biased words per side for the cluster purity", 1),
        }),
        RunDebias);

    /// <summary>The table the <see cref="VectorFile"/> flags name.</summary>
    public static WordVectors LoadVectors(Arguments a)
    {
        string path = a.ExistingFile("vectors");
        return WordVectorFile.Load(path, Format(a.Text("format")), a.Int("limit"));
    }

    private static WordVectorFormat Format(string? name) => name switch
    {
        "w2v-text" => WordVectorFormat.Word2VecText,
        "w2v-bin" => WordVectorFormat.Word2VecBinary,
        "glove" => WordVectorFormat.GloVeText,
        _ => WordVectorFormat.Auto,
    };

    private static string File(Arguments a) =>
        a.Positional.Count == 1 ? a.Positional[0] : throw new UsageException("Give one evaluation file: the FILE before the flags.");

    private static int RunEvalAnalogy(Arguments a)
    {
        string file = File(a);
        var vectors = LoadVectors(a);
        var options = new AnalogyEvaluationOptions
        {
            RestrictVocabulary = a.Int("restrict"),
            CaseInsensitive = !a.Bool("case-sensitive"),
            Method = a.Text("method") == "cosmul" ? AnalogyMethod.CosMul : AnalogyMethod.CosAdd,
        };
        var result = AnalogyEvaluation.Evaluate(vectors, file, options);
        foreach (var s in result.Sections)
            Console.WriteLine(FormattableString.Invariant($"{s.Name,-32} {100 * s.Accuracy,6:F2}%  ({s.Correct}/{s.Evaluated}, {s.Total} questions)"));
        Console.WriteLine(FormattableString.Invariant(
            $"Total accuracy: {100 * result.Accuracy:F2}%  ({result.Correct}/{result.Evaluated})  coverage {100 * result.Coverage:F2}% of {result.Total} questions"));
        return 0;
    }

    private static int RunEvalSimilarity(Arguments a)
    {
        string file = File(a);
        var vectors = LoadVectors(a);
        var result = SimilarityEvaluation.Evaluate(vectors, file, !a.Bool("case-sensitive"), a.Int("restrict"));
        Console.WriteLine(FormattableString.Invariant(
            $"Spearman rho: {result.SpearmanRho:F4}  Pearson r: {result.PearsonR:F4}  pairs: {result.Evaluated}  OOV: {result.OutOfVocabulary} ({100 * result.OutOfVocabularyRatio:F1}%)"));
        return 0;
    }

    private static int RunNeighbours(Arguments a)
    {
        WordVectors vectors;
        if (a.Has("model"))
        {
            vectors = ModelFiles.Load<WordVectorsTransformerBase>(a.Required("model"), "word-vector transformer").Vectors;
        }
        else if (a.Has("vectors"))
        {
            vectors = LoadVectors(a);
        }
        else
        {
            throw new UsageException("Give -vectors VECTORS or -model MODEL.zip.");
        }
        foreach (var (w, similarity) in vectors.MostSimilar(a.Required("word"), a.Int("k")))
            Console.WriteLine(FormattableString.Invariant($"{w}\t{similarity:F4}"));
        return 0;
    }

    private static int RunConvert(Arguments a)
    {
        var clock = Stopwatch.StartNew();
        var vectors = LoadVectors(a);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        WordVectorFile.Save(vectors, a.Required("output"), Format(a.Text("output-format")));
        Console.WriteLine(FormattableString.Invariant($"{vectors.Count:N0} words x {vectors.Dimension}: read in {loadSeconds:F2} s, written in {clock.Elapsed.TotalSeconds:F2} s"));
        return 0;
    }

    private static int RunTsne(Arguments a)
    {
        var vectors = LoadVectors(a);
        string output = a.Required("output");
        int top = Math.Min(a.Int("top"), vectors.Count);
        var options = new TsneOptions
        {
            Perplexity = a.Number("perplexity"),
            Theta = a.Number("theta"),
            Iterations = a.Int("iter"),
            Dimensions = a.Int("dims"),
            Seed = a.Int("seed"),
        };
        string extension = Path.GetExtension(output).ToLowerInvariant();
        bool picture = extension is ".png" or ".svg";
        if (picture && options.Dimensions != 2)
            throw new UsageException("Pictures are of 2-D maps; use -dims 2 or a .tsv output.");
        var data = new float[top * vectors.Dimension];
        vectors.CopyRows(0, top, data);
        var clock = Stopwatch.StartNew();
        var map = MLNet.Sequence.Embeddings.Projection.Tsne.Fit(data, top, vectors.Dimension, options);
        double seconds = clock.Elapsed.TotalSeconds;
        if (picture)
        {
            int labelled = Math.Min(top, a.Int("labels"));
            var x = Enumerable.Range(0, top).Select(i => (double)map.Embedding[2 * i]).ToArray();
            var y = Enumerable.Range(0, top).Select(i => (double)map.Embedding[2 * i + 1]).ToArray();
            // Label the most frequent words only: a map of thousands of labels is unreadable.
            MapPlot.Save(output, $"t-SNE map of the {top} most frequent words (perplexity {options.Perplexity})", "", "",
                new[] { ("words", x.Take(labelled).ToArray(), y.Take(labelled).ToArray(), (IReadOnlyList<string>?)vectors.Vocabulary.Words.Take(labelled).ToArray()),
                        ("", x.Skip(labelled).ToArray(), y.Skip(labelled).ToArray(), null) });
        }
        else
        {
            using var writer = new StreamWriter(output);
            for (int i = 0; i < top; i++)
            {
                writer.Write(vectors.Vocabulary[i]);
                for (int d = 0; d < options.Dimensions; d++)
                    writer.Write(FormattableString.Invariant($"\t{map.Embedding[i * options.Dimensions + d]:R}"));
                writer.WriteLine();
            }
        }
        int k = Math.Min(10, (top - 1) / 2);
        string trust = a.Bool("trustworthiness") && k >= 1
            ? MLNet.Sequence.Embeddings.Projection.Tsne.Trustworthiness(data, vectors.Dimension, map.Embedding, options.Dimensions, top, k).ToString("F4")
            : "-";
        Console.WriteLine(FormattableString.Invariant($"Points: {top}  KL divergence: {map.KullbackLeibler:F4}  Trustworthiness({k}): {trust}  Time: {seconds:F2} s"));
        return 0;
    }

    private static int RunDebias(Arguments a)
    {
        var vectors = LoadVectors(a);
        string output = a.Required("output");
        var method = a.Text("method") == "mean" ? BiasDirectionMethod.MeanDifference : BiasDirectionMethod.PrincipalComponents;
        var result = HardDebias.Apply(vectors,
            GenderWordLists.DefinitionalPairs.Select(p => (p.Female, p.Male)).ToArray(),
            GenderWordLists.SpecificWords.ToArray(),
            GenderWordLists.EqualityPairs.Select(p => (p.Female, p.Male)).ToArray(),
            method, a.Int("components"));
        Console.WriteLine(FormattableString.Invariant(
            $"Bias subspace from {result.DefinitionalPairsUsed} definitional pairs, explained variance ratio {string.Join(", ", result.Subspace.ExplainedVarianceRatio.Select(r => r.ToString("F3")))}; {result.Neutralized} words neutralized, {result.EqualizedPairs} pairs equalized."));
        var report = BiasMetrics.Compare(vectors, result.Vectors, result.Subspace, GenderWordLists.SpecificWords.ToArray(), biasedWordsPerSide: a.Int("biased"));
        Console.WriteLine(report);
        WordVectorFile.Save(result.Vectors, output);
        return 0;
    }
}
