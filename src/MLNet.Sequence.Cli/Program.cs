using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Cli;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Embeddings.Evaluation;
using MLNet.Sequence.Plots;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length == 0 || args[0] is "help" or "-h" or "--help")
{
    Console.WriteLine(Commands.Usage);
    return args.Length == 0 ? 1 : 0;
}

try
{
    var line = new CommandLine(args.Skip(1));
    return args[0] switch
    {
        "word2vec" => Commands.Word2Vec(line),
        "glove" => Commands.GloVe(line),
        "eval-analogy" => Commands.EvalAnalogy(line),
        "eval-similarity" => Commands.EvalSimilarity(line),
        "neighbours" or "neighbors" => Commands.Neighbours(line),
        "debias" => Commands.Debias(line),
        "tsne" => Commands.Tsne(line),
        "classify" => SequenceCommands.Classify(line),
        "tag" => SequenceCommands.Tag(line),
        "lm-train" => SequenceCommands.LanguageModelTrain(line),
        "lm-score" => SequenceCommands.LanguageModelScore(line),
        "lm-generate" => SequenceCommands.LanguageModelGenerate(line),
        _ => throw new UsageException($"Unknown command '{args[0]}'. Run 'mlnet-seq help'."),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"mlnet-seq: {e.Message}");
    return 2;
}
catch (Exception e) when (e is InvalidDataException or FileNotFoundException or InvalidOperationException or ArgumentException or KeyNotFoundException or FormatException)
{
    Console.Error.WriteLine($"mlnet-seq: {e.Message}");
    return 1;
}

namespace MLNet.Sequence.Cli
{
    /// <summary>One line of a training file.</summary>
    internal sealed class TextLine
    {
        public string Text { get; set; } = "";
    }

    internal static class Commands
    {
        public const string Usage = """
            mlnet-seq: sequence models for ML.NET from the command line.

              mlnet-seq word2vec -train FILE -output VECTORS [options]     (flags as word2vec.c)
                -size 100  -window 5  -sample 1e-3  -hs 0  -negative 5  -threads <cores>  -iter 5
                -min-count 5  -alpha 0.025 (0.05 with -cbow 1)  -cbow 1  -binary 0
                -max-vocab 0 (bound on distinct words while counting)  -seed <n>
                -save-model MODEL.zip (also save the trained ML.NET transformer)  -keep-state 0 (1: keep output weights in it)
                -init VECTORS (continue from a vectors file)  -resume MODEL.zip (continue from a saved transformer)
                FILE holds one sentence per line, tokens separated by spaces or tabs.
              mlnet-seq glove -train FILE -output VECTORS [options]        (flags as Stanford's GloVe tools)
                -vector-size 100  -window-size 15  -symmetric 1  -distance-weighting 1  -vocab-min-count 5  -max-vocab 0
                -iter 25  -x-max 100  -alpha 0.75  -eta 0.05  -threads <cores>  -memory 4.0 (GiB)  -model 2 (W+W~; 1: W)
                -binary 0  -seed <n>  -save-model MODEL.zip  -keep-state 0  -resume MODEL.zip
              mlnet-seq eval-analogy FILE -vectors VECTORS [-restrict 300000] [-method cosadd|cosmul] [-case-sensitive 0]
              mlnet-seq eval-similarity FILE -vectors VECTORS [-restrict 300000] [-case-sensitive 0]
              mlnet-seq neighbours (-vectors VECTORS | -model MODEL.zip) -word WORD [-k 10]
              mlnet-seq tsne -vectors VECTORS -output MAP.png|MAP.svg|MAP.tsv [-top 1000] [-labels 300] [-perplexity 30] [-theta 0.5] [-iter 1000] [-dims 2]
                (a picture with the -labels most frequent words labelled, or word, x, y per line; prints KL divergence, trustworthiness (k = 10) and time)
              mlnet-seq debias -vectors VECTORS -output VECTORS2 [-components 1] [-method pca|mean] [-biased 500]
                (built-in gender lists; prints DirectBias and the cluster purity of the most biased words before and after)

              mlnet-seq classify -train FILE -output MODEL.zip [-valid FILE] [-test FILE] [options]
                -text-column 1  -label-column 0 (0-based TSV columns; first line is a header)  -binary 0 (1: labels are true/false)
                -split-column -1 (>= 0: one file holds every split; rows whose column says train, valid or test)
                -arch lstm|mean  -cell lstm|gru|rnn|rnn-relu  -hidden 128  -layers 1  -bidirectional 1  -dim 100
                -vectors VECTORS (start the embedding from a table)  -freeze 0  -max-length 400
                -epochs 10  -batch 32  -lr 1e-3  -optimizer adam|sgd  -clip 5  -patience 0  -threads <cores>  -seed <n>
              mlnet-seq tag -train FILE -output MODEL.zip [-valid FILE] [-test FILE] [options]
                -tokens-column 0  -tags-column 1 (space-separated, aligned)  -split-column -1  and the network and training flags above
              mlnet-seq lm-train -train FILE -output MODEL.zip [-valid FILE] [-test FILE] [options]
                -unit word|char  -text-column 0  -split-column -1  -min-count 2  -max-vocab 10000  -max-length 100
                -cell lstm  -hidden 256  -layers 1  -dim 100  and the training flags above
              mlnet-seq lm-score -model MODEL.zip -input FILE [-text-column 0]   (log P and perplexity per line, then overall)
              mlnet-seq lm-generate -model MODEL.zip [-prompt TEXT] [-length 100] [-temperature 1] [-top-k 0] [-seed 0] [-count 1]

            VECTORS: word2vec text (.txt/.vec), word2vec binary (.bin) or GloVe text; -format w2v-text|w2v-bin|glove overrides.
            """;

        public static int Word2Vec(CommandLine line)
        {
            string train = line.RequiredString("train", "the training text file");
            string output = line.RequiredString("output", "where to write the vectors");
            bool cbow = line.Bool("cbow", true);
            var options = new Word2VecEstimator.Options
            {
                Model = cbow ? Word2VecModel.Cbow : Word2VecModel.SkipGram,
                Dimension = line.Int("size", 100, 1),
                WindowSize = line.Int("window", 5, 1),
                SubSampling = line.Double("sample", 1e-3),
                HierarchicalSoftmax = line.Bool("hs", false),
                NegativeSamples = line.Int("negative", 5, 0),
                NumberOfThreads = line.Int("threads", Environment.ProcessorCount, 1),
                Epochs = line.Int("iter", 5, 1),
                MinimumCount = line.Int("min-count", 5, 1),
                LearningRate = (float)line.Double("alpha", cbow ? 0.05 : 0.025),
                MaximumVocabularySize = line.Int("max-vocab", 0, 0),
                Seed = line.String("seed") is null ? 1 : line.Int("seed", 1),
            };
            bool binary = line.Bool("binary", false);
            string? modelPath = line.String("save-model");
            options.KeepTrainingState = line.Bool("keep-state", false);
            string? init = line.String("init");
            string? resume = line.String("resume");
            line.CheckAllUsed("word2vec");
            if (!File.Exists(train))
                throw new UsageException($"Training file '{train}' does not exist.");
            if (init != null && resume != null)
                throw new UsageException("Give -init VECTORS or -resume MODEL.zip, not both.");
            if (init != null)
                options.InitialVectors = WordVectorFile.Load(init);
            if (resume != null)
            {
                if (!File.Exists(resume))
                    throw new UsageException($"Model file '{resume}' does not exist.");
                options.ContinueFrom = FindTransformer<Word2VecTransformer>(new MLContext().Model.Load(resume, out _))
                    ?? throw new UsageException($"Model '{resume}' holds no Word2Vec transformer.");
            }

            var ml = new MLContext(seed: options.Seed);
            ml.Log += (_, e) => Print(e);
            // Each line is a sentence. File.ReadLines streams the file again on every pass (one per epoch).
            var data = ml.Data.LoadFromEnumerable(File.ReadLines(train).Select(l => new TextLine { Text = l }));
            var estimator = ml.Transforms.Text.Word2Vec("Vector", nameof(TextLine.Text), options);
            var clock = Stopwatch.StartNew();
            var model = estimator.Fit(data);
            var summary = model.TrainingSummary!;
            Console.Error.WriteLine();
            Console.WriteLine(FormattableString.Invariant(
                $"Vocab size: {summary.VocabularySize}  Words trained: {summary.Words}  Vocabulary: {summary.VocabularySeconds:F2} s  Training: {summary.Seconds:F2} s  Words/sec: {summary.WordsPerSecond:F0}  Words/thread/sec: {summary.WordsPerSecond / summary.Threads / 1000:F2}k  Total: {clock.Elapsed.TotalSeconds:F2} s"));
            WordVectorFile.Save(model.Vectors, output, binary ? WordVectorFormat.Word2VecBinary : WordVectorFormat.Word2VecText);
            if (modelPath != null)
                ml.Model.Save(model, data.Schema, modelPath);
            return 0;
        }

        public static int GloVe(CommandLine line)
        {
            string train = line.RequiredString("train", "the training text file");
            string output = line.RequiredString("output", "where to write the vectors");
            int model = line.Int("model", 2, 1);
            if (model > 2)
                throw new UsageException("-model is 1 (word vectors W) or 2 (W + context vectors W~).");
            var options = new GloVeEstimator.Options
            {
                Dimension = line.Int("vector-size", 100, 1),
                WindowSize = line.Int("window-size", 15, 1),
                Symmetric = line.Bool("symmetric", true),
                DistanceWeighting = line.Bool("distance-weighting", true),
                MinimumCount = line.Int("vocab-min-count", 5, 1),
                MaximumVocabularySize = line.Int("max-vocab", 0, 0),
                Iterations = line.Int("iter", 25, 1),
                XMax = line.Double("x-max", 100),
                Alpha = line.Double("alpha", 0.75),
                LearningRate = (float)line.Double("eta", 0.05),
                NumberOfThreads = line.Int("threads", Environment.ProcessorCount, 1),
                MemoryLimitGB = line.Double("memory", 4.0),
                AddContextVectors = model == 2,
                Seed = line.Int("seed", 1),
                KeepTrainingState = line.Bool("keep-state", false),
            };
            bool binary = line.Bool("binary", false);
            string? modelPath = line.String("save-model");
            string? resume = line.String("resume");
            line.CheckAllUsed("glove");
            if (!File.Exists(train))
                throw new UsageException($"Training file '{train}' does not exist.");
            if (resume != null)
            {
                if (!File.Exists(resume))
                    throw new UsageException($"Model file '{resume}' does not exist.");
                options.ContinueFrom = FindTransformer<GloVeTransformer>(new MLContext().Model.Load(resume, out _))
                    ?? throw new UsageException($"Model '{resume}' holds no GloVe transformer.");
            }

            var ml = new MLContext(seed: options.Seed);
            ml.Log += (_, e) => Print(e);
            var data = ml.Data.LoadFromEnumerable(File.ReadLines(train).Select(l => new TextLine { Text = l }));
            var fitted = ml.Transforms.Text.GloVe("Vector", nameof(TextLine.Text), options).Fit(data);
            var s = fitted.TrainingSummary!;
            Console.WriteLine(FormattableString.Invariant(
                $"Vocab size: {s.VocabularySize}  Pairs: {s.Pairs}  Vocabulary: {s.VocabularySeconds:F2} s  Co-occurrence: {s.CooccurrenceSeconds:F2} s  Shuffle: {s.ShuffleSeconds:F2} s  Training: {s.TrainingSeconds:F2} s  Total: {s.TotalSeconds:F2} s  Final cost: {s.Costs[^1]:F6}  Peak memory after counting: {s.PeakWorkingSetAfterCounting / (1 << 20)} MiB"));
            WordVectorFile.Save(fitted.Vectors, output, binary ? WordVectorFormat.Word2VecBinary : WordVectorFormat.Word2VecText);
            if (modelPath != null)
                ml.Model.Save(fitted, data.Schema, modelPath);
            return 0;
        }

        public static int EvalAnalogy(CommandLine line)
        {
            string file = line.Positional.Count == 1 ? line.Positional[0] : throw new UsageException("Give one analogy file: eval-analogy FILE -vectors VECTORS.");
            var vectors = LoadVectors(line);
            var options = new AnalogyEvaluationOptions
            {
                RestrictVocabulary = line.Int("restrict", 300_000, 0),
                CaseInsensitive = !line.Bool("case-sensitive", false),
                Method = (line.String("method") ?? "cosadd") switch
                {
                    "cosadd" => AnalogyMethod.CosAdd,
                    "cosmul" => AnalogyMethod.CosMul,
                    var m => throw new UsageException($"-method is cosadd or cosmul, not '{m}'."),
                },
            };
            line.CheckAllUsed("eval-analogy");
            var result = AnalogyEvaluation.Evaluate(vectors, file, options);
            foreach (var s in result.Sections)
                Console.WriteLine(FormattableString.Invariant($"{s.Name,-32} {100 * s.Accuracy,6:F2}%  ({s.Correct}/{s.Evaluated}, {s.Total} questions)"));
            Console.WriteLine(FormattableString.Invariant(
                $"Total accuracy: {100 * result.Accuracy:F2}%  ({result.Correct}/{result.Evaluated})  coverage {100 * result.Coverage:F2}% of {result.Total} questions"));
            return 0;
        }

        public static int EvalSimilarity(CommandLine line)
        {
            string file = line.Positional.Count == 1 ? line.Positional[0] : throw new UsageException("Give one pairs file: eval-similarity FILE -vectors VECTORS.");
            var vectors = LoadVectors(line);
            int restrict = line.Int("restrict", 300_000, 0);
            bool caseInsensitive = !line.Bool("case-sensitive", false);
            line.CheckAllUsed("eval-similarity");
            var result = SimilarityEvaluation.Evaluate(vectors, file, caseInsensitive, restrict);
            Console.WriteLine(FormattableString.Invariant(
                $"Spearman rho: {result.SpearmanRho:F4}  Pearson r: {result.PearsonR:F4}  pairs: {result.Evaluated}  OOV: {result.OutOfVocabulary} ({100 * result.OutOfVocabularyRatio:F1}%)"));
            return 0;
        }

        public static int Neighbours(CommandLine line)
        {
            string? modelPath = line.String("model");
            WordVectors vectors;
            if (modelPath != null)
            {
                if (!File.Exists(modelPath))
                    throw new UsageException($"Model file '{modelPath}' does not exist.");
                var model = new MLContext().Model.Load(modelPath, out _);
                vectors = FindTransformer<WordVectorsTransformerBase>(model)?.Vectors
                    ?? throw new UsageException($"Model '{modelPath}' holds no word-vector transformer.");
            }
            else
            {
                vectors = LoadVectors(line);
            }
            string word = line.RequiredString("word", "the query word");
            int k = line.Int("k", 10, 1);
            line.CheckAllUsed("neighbours");
            foreach (var (w, similarity) in vectors.MostSimilar(word, k))
                Console.WriteLine(FormattableString.Invariant($"{w}\t{similarity:F4}"));
            return 0;
        }

        public static int Tsne(CommandLine line)
        {
            var vectors = LoadVectors(line);
            string output = line.RequiredString("output", "where to write the map");
            int top = Math.Min(line.Int("top", 1000, 4), vectors.Count);
            var options = new MLNet.Sequence.Embeddings.Projection.TsneOptions
            {
                Perplexity = line.Double("perplexity", 30),
                Theta = line.Double("theta", 0.5),
                Iterations = line.Int("iter", 1000, 1),
                Dimensions = line.Int("dims", 2, 2),
                Seed = line.Int("seed", 1),
            };
            bool trust = line.Bool("trustworthiness", true);
            line.Int("labels", 300, 0);
            line.CheckAllUsed("tsne");
            var data = vectors.EmbeddingMatrix.Span[..(top * vectors.Dimension)];
            var clock = Stopwatch.StartNew();
            var map = MLNet.Sequence.Embeddings.Projection.Tsne.Fit(data, top, vectors.Dimension, options);
            double seconds = clock.Elapsed.TotalSeconds;
            string extension = Path.GetExtension(output).ToLowerInvariant();
            if (extension is ".png" or ".svg")
            {
                if (options.Dimensions != 2)
                    throw new UsageException("Pictures are of 2-D maps; use -dims 2 or a .tsv output.");
                int labelled = Math.Min(top, line.Int("labels", 300, 0));
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
            string t = trust && k >= 1
                ? MLNet.Sequence.Embeddings.Projection.Tsne.Trustworthiness(data, vectors.Dimension, map.Embedding, options.Dimensions, top, k).ToString("F4")
                : "-";
            Console.WriteLine(FormattableString.Invariant($"Points: {top}  KL divergence: {map.KullbackLeibler:F4}  Trustworthiness({k}): {t}  Time: {seconds:F2} s"));
            return 0;
        }

        public static int Debias(CommandLine line)
        {
            var vectors = LoadVectors(line);
            string output = line.RequiredString("output", "where to write the debiased vectors");
            int components = line.Int("components", 1, 1);
            var method = (line.String("method") ?? "pca") switch
            {
                "pca" => MLNet.Sequence.Embeddings.Debias.BiasDirectionMethod.PrincipalComponents,
                "mean" => MLNet.Sequence.Embeddings.Debias.BiasDirectionMethod.MeanDifference,
                var m => throw new UsageException($"-method is pca or mean, not '{m}'."),
            };
            int biased = line.Int("biased", 500, 1);
            line.CheckAllUsed("debias");
            var result = MLNet.Sequence.Embeddings.Debias.HardDebias.Apply(vectors,
                MLNet.Sequence.Embeddings.Debias.GenderWordLists.DefinitionalPairs.Select(p => (p.Female, p.Male)).ToArray(),
                MLNet.Sequence.Embeddings.Debias.GenderWordLists.SpecificWords.ToArray(),
                MLNet.Sequence.Embeddings.Debias.GenderWordLists.EqualityPairs.Select(p => (p.Female, p.Male)).ToArray(),
                method, components);
            Console.WriteLine(FormattableString.Invariant(
                $"Bias subspace from {result.DefinitionalPairsUsed} definitional pairs, explained variance ratio {string.Join(", ", result.Subspace.ExplainedVarianceRatio.Select(r => r.ToString("F3")))}; {result.Neutralized} words neutralized, {result.EqualizedPairs} pairs equalized."));
            var report = MLNet.Sequence.Embeddings.Debias.BiasMetrics.Compare(vectors, result.Vectors, result.Subspace,
                MLNet.Sequence.Embeddings.Debias.GenderWordLists.SpecificWords.ToArray(), biasedWordsPerSide: biased);
            Console.WriteLine(report);
            WordVectorFile.Save(result.Vectors, output);
            return 0;
        }

        private static T? FindTransformer<T>(ITransformer model) where T : class, ITransformer => model switch
        {
            T t => t,
            IEnumerable<ITransformer> chain => chain.Select(FindTransformer<T>).FirstOrDefault(v => v != null),
            _ => null,
        };

        private static WordVectors LoadVectors(CommandLine line)
        {
            string path = line.RequiredString("vectors", "the word-vector file");
            var format = line.String("format") switch
            {
                null => WordVectorFormat.Auto,
                "w2v-text" => WordVectorFormat.Word2VecText,
                "w2v-bin" => WordVectorFormat.Word2VecBinary,
                "glove" => WordVectorFormat.GloVeText,
                var f => throw new UsageException($"-format is w2v-text, w2v-bin or glove, not '{f}'."),
            };
            return WordVectorFile.Load(path, format);
        }

        private static void Print(LoggingEventArgs e)
        {
            if (!e.Source.StartsWith("Word2Vec", StringComparison.Ordinal) && !e.Source.StartsWith("GloVe", StringComparison.Ordinal)
                && !e.Source.Contains("Vocabulary", StringComparison.Ordinal))
                return;
            if (e.Kind == ChannelMessageKind.Trace && e.RawMessage.StartsWith("Alpha:", StringComparison.Ordinal))
                Console.Error.Write("\r" + e.RawMessage + "  ");
            else if (e.Kind is ChannelMessageKind.Info or ChannelMessageKind.Warning)
                Console.Error.WriteLine("\r" + e.RawMessage);
        }
    }
}
