using System.Diagnostics;
using Microsoft.ML;
using MLNet.Sequence.Embeddings;

namespace MLNet.Sequence.Cli;

/// <summary>Training word embeddings from a text file: word2vec (word2vec.c's flags) and glove (Stanford GloVe's flags).</summary>
internal static class EmbeddingCommands
{
    public static readonly Command Word2Vec = new("word2vec",
        "Trains Word2Vec through Word2VecEstimator, with word2vec.c's flags and defaults. FILE holds one sentence per line, tokens separated by white space.",
        new[]
        {
            Flag.Required("train", "FILE", "the training text"),
            Flag.Required("output", "VECTORS", "where to write the vectors"),
            Flag.Bool("cbow", true, "CBOW (1) or skip-gram (0)"),
            Flag.Int("size", 100, "length of each word vector", 1),
            Flag.Int("window", 5, "largest distance between a word and its context", 1),
            Flag.Number("sample", 1e-3, "sub-sampling threshold of frequent words (0: off)"),
            Flag.Bool("hs", false, "hierarchical softmax"),
            Flag.Int("negative", 5, "negative samples per prediction (0: off)", 0),
            Flag.Int("threads", "<cores>", "training threads", 1),
            Flag.Int("iter", 5, "epochs", 1),
            Flag.Int("min-count", 5, "words seen fewer times are left out", 1),
            Flag.Number("alpha", "0.05 with -cbow 1, else 0.025", "starting learning rate"),
            Flag.Int("max-vocab", 0, "bound on distinct words while counting (0: none)", 0),
            Flag.Int("seed", 1, "seed of initialisation and sampling"),
            Flag.Bool("binary", false, "write the vectors in word2vec's binary format"),
            Flag.Text("save-model", "MODEL.zip", "also save the trained ML.NET transformer"),
            Flag.Bool("keep-state", false, "keep the output weights in the saved transformer, so that -resume continues exactly"),
            Flag.Text("init", "VECTORS", "continue from a vectors file"),
            Flag.Text("resume", "MODEL.zip", "continue from a saved transformer"),
        },
        RunWord2Vec);

    public static readonly Command GloVe = new("glove",
        "Trains GloVe through GloVeEstimator, with the flags of Stanford's GloVe tools.",
        new[]
        {
            Flag.Required("train", "FILE", "the training text"),
            Flag.Required("output", "VECTORS", "where to write the vectors"),
            Flag.Int("vector-size", 100, "length of each word vector", 1),
            Flag.Int("window-size", 15, "context words counted on each side", 1),
            Flag.Bool("symmetric", true, "count contexts on both sides (1) or the left only (0)"),
            Flag.Bool("distance-weighting", true, "weight a pair at distance d by 1/d"),
            Flag.Int("vocab-min-count", 5, "words seen fewer times are left out", 1),
            Flag.Int("max-vocab", 0, "keep at most this many most frequent words (0: all)", 0),
            Flag.Int("iter", 25, "passes over the co-occurrences", 1),
            Flag.Number("x-max", 100, "counts at or above this get full weight"),
            Flag.Number("alpha", 0.75, "exponent of the weighting function"),
            Flag.Number("eta", 0.05, "AdaGrad's initial learning rate"),
            Flag.Int("threads", "<cores>", "training threads", 1),
            Flag.Number("memory", 4.0, "memory bound of co-occurrence counting, GiB"),
            Flag.Int("model", 2, "output W + W~ (2) or the word vectors W (1)", 1),
            Flag.Int("seed", 1, "seed of initialisation and shuffling"),
            Flag.Bool("binary", false, "write the vectors in word2vec's binary format"),
            Flag.Text("save-model", "MODEL.zip", "also save the trained ML.NET transformer"),
            Flag.Bool("keep-state", false, "keep vectors, biases and AdaGrad sums in the saved transformer, so that -resume continues"),
            Flag.Text("resume", "MODEL.zip", "continue from a saved transformer that kept its state"),
        },
        RunGloVe);

    private static int RunWord2Vec(Arguments a)
    {
        string output = a.Required("output");
        bool cbow = a.Bool("cbow");
        var options = new Word2VecEstimator.Options
        {
            Model = cbow ? Word2VecModel.Cbow : Word2VecModel.SkipGram,
            Dimension = a.Int("size"),
            WindowSize = a.Int("window"),
            SubSampling = a.Number("sample"),
            HierarchicalSoftmax = a.Bool("hs"),
            NegativeSamples = a.Int("negative"),
            NumberOfThreads = a.IntOrNull("threads") ?? Environment.ProcessorCount,
            Epochs = a.Int("iter"),
            MinimumCount = a.Int("min-count"),
            LearningRate = (float)(a.NumberOrNull("alpha") ?? (cbow ? 0.05 : 0.025)),
            MaximumVocabularySize = a.Int("max-vocab"),
            Seed = a.Int("seed"),
            KeepTrainingState = a.Bool("keep-state"),
        };
        string train = a.ExistingFile("train");
        if (a.Has("init") && a.Has("resume"))
            throw new UsageException("Give -init VECTORS or -resume MODEL.zip, not both.");
        if (a.Has("init"))
            options.InitialVectors = WordVectorFile.Load(a.ExistingFile("init"));
        if (a.Has("resume"))
            options.ContinueFrom = ModelFiles.Load<Word2VecTransformer>(a.Required("resume"), "Word2Vec transformer");

        var ml = new MLContext(seed: options.Seed);
        ml.Log += (_, e) => ModelFiles.PrintEmbeddingProgress(e);
        // Each line is a sentence. File.ReadLines streams the file again on every pass (one per epoch).
        var data = ml.Data.LoadFromEnumerable(File.ReadLines(train).Select(l => new TextLine { Text = l }));
        var clock = Stopwatch.StartNew();
        var model = ml.Transforms.Text.Word2Vec("Vector", nameof(TextLine.Text), options).Fit(data);
        var summary = model.TrainingSummary!;
        Console.Error.WriteLine();
        Console.WriteLine(FormattableString.Invariant(
            $"Vocab size: {summary.VocabularySize}  Words trained: {summary.Words}  Vocabulary: {summary.VocabularySeconds:F2} s  Training: {summary.Seconds:F2} s  Words/sec: {summary.WordsPerSecond:F0}  Words/thread/sec: {summary.WordsPerSecond / summary.Threads / 1000:F2}k  Total: {clock.Elapsed.TotalSeconds:F2} s"));
        WordVectorFile.Save(model.Vectors, output, a.Bool("binary") ? WordVectorFormat.Word2VecBinary : WordVectorFormat.Word2VecText);
        if (a.Text("save-model") is string modelPath)
            ml.Model.Save(model, data.Schema, modelPath);
        return 0;
    }

    private static int RunGloVe(Arguments a)
    {
        string output = a.Required("output");
        int model = a.Int("model");
        if (model > 2)
            throw new UsageException("-model is 1 (word vectors W) or 2 (W + context vectors W~).");
        var options = new GloVeEstimator.Options
        {
            Dimension = a.Int("vector-size"),
            WindowSize = a.Int("window-size"),
            Symmetric = a.Bool("symmetric"),
            DistanceWeighting = a.Bool("distance-weighting"),
            MinimumCount = a.Int("vocab-min-count"),
            MaximumVocabularySize = a.Int("max-vocab"),
            Iterations = a.Int("iter"),
            XMax = a.Number("x-max"),
            Alpha = a.Number("alpha"),
            LearningRate = (float)a.Number("eta"),
            NumberOfThreads = a.IntOrNull("threads") ?? Environment.ProcessorCount,
            MemoryLimitGB = a.Number("memory"),
            AddContextVectors = model == 2,
            Seed = a.Int("seed"),
            KeepTrainingState = a.Bool("keep-state"),
        };
        string train = a.ExistingFile("train");
        if (a.Has("resume"))
            options.ContinueFrom = ModelFiles.Load<GloVeTransformer>(a.Required("resume"), "GloVe transformer");

        var ml = new MLContext(seed: options.Seed);
        ml.Log += (_, e) => ModelFiles.PrintEmbeddingProgress(e);
        var data = ml.Data.LoadFromEnumerable(File.ReadLines(train).Select(l => new TextLine { Text = l }));
        var fitted = ml.Transforms.Text.GloVe("Vector", nameof(TextLine.Text), options).Fit(data);
        var s = fitted.TrainingSummary!;
        Console.WriteLine(FormattableString.Invariant(
            $"Vocab size: {s.VocabularySize}  Pairs: {s.Pairs}  Vocabulary: {s.VocabularySeconds:F2} s  Co-occurrence: {s.CooccurrenceSeconds:F2} s  Shuffle: {s.ShuffleSeconds:F2} s  Training: {s.TrainingSeconds:F2} s  Total: {s.TotalSeconds:F2} s  Final cost: {s.Costs[^1]:F6}  Peak memory after counting: {s.PeakWorkingSetAfterCounting / (1 << 20)} MiB"));
        WordVectorFile.Save(fitted.Vectors, output, a.Bool("binary") ? WordVectorFormat.Word2VecBinary : WordVectorFormat.Word2VecText);
        if (a.Text("save-model") is string modelPath)
            ml.Model.Save(fitted, data.Schema, modelPath);
        return 0;
    }

    /// <summary>One line of a training file.</summary>
    private sealed class TextLine
    {
        public string Text { get; set; } = "";
    }
}
