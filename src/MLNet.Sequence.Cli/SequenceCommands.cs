using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Classification;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.LanguageModel;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Tagging;
using MLNet.Sequence.Torch.Training;

namespace MLNet.Sequence.Cli;

/// <summary>The TorchSharp sequence models from the command line: classify, tag, lm-train, lm-score, lm-generate.</summary>
internal static class SequenceCommands
{
    /// <summary>Where the rows come from: TSV files per split, or one file with a split column.</summary>
    internal static Flag[] Splits(bool header) => new[]
    {
        Flag.Required("train", "FILE", "the training rows (TSV)"),
        Flag.Text("valid", "FILE", "validation rows: a loss per epoch, and early stopping with -patience"),
        Flag.Text("test", "FILE", "test rows, scored after training"),
        Flag.Int("split-column", -1, "0-based column saying train, valid or test, when one file holds every split (-1: none)", -1),
        Flag.Bool("header", header, "whether the first line is a header"),
        Flag.Required("output", "MODEL.zip", "where to save the model zip"),
    };

    /// <summary>The network's embedding and recurrent encoder.</summary>
    internal static Flag[] Network(int hidden, bool bidirectional) => new[]
    {
        Flag.Int("dim", 100, "width of the token embedding", 1),
        Flag.Text("vectors", "VECTORS", "start the embedding from a vectors file (its words join the vocabulary)"),
        Flag.Int("limit", 0, "read only the first this many words of -vectors (0: all)", 0),
        Flag.Bool("freeze", false, "keep the pre-trained embedding fixed"),
        Flag.Choice("cell", "lstm", "the recurrent cell", "lstm", "gru", "rnn", "rnn-relu"),
        Flag.Int("hidden", hidden, "width of each direction's state", 1),
        Flag.Int("layers", 1, "stacked recurrent layers", 1),
        Flag.Bool("bidirectional", bidirectional, "a second layer reads backwards"),
        Flag.Number("layer-dropout", 0, "dropout between stacked layers"),
    };

    /// <summary>The optimisation loop.</summary>
    internal static readonly Flag[] Training =
    {
        Flag.Int("epochs", 10, "passes over the training rows", 1),
        Flag.Int("batch", 32, "rows per batch", 1),
        Flag.Number("lr", 1e-3, "learning rate"),
        Flag.Choice("optimizer", "adam", "the optimiser", "adam", "sgd"),
        Flag.Number("clip", 5, "rescale gradients whose norm exceeds this (0: off)"),
        Flag.Int("patience", 0, "stop after this many epochs without a better validation loss (0: off)", 0),
        Flag.Int("threads", "<cores>", "threads libtorch may use", 1),
        Flag.Text("device", "cpu", "the torch device: cpu, cuda or cuda:N (CUDA needs its libtorch)", "cpu"),
        Flag.Int("seed", 1, "seed of weights, dropout and batch order", 0),
    };

    public static readonly Command Classify = new("classify",
        "Trains a sequence classifier (mean of embeddings or a recurrent encoder) on TSV rows of text and label, and scores the test rows.",
        Splits(header: true).Concat(new[]
        {
            Flag.Int("text-column", 1, "0-based column of the text", 0),
            Flag.Int("label-column", 0, "0-based column of the label", 0),
            Flag.Bool("binary", false, "labels are true/false (1), or class names (0)"),
            Flag.Choice("arch", "lstm", "the architecture", "lstm", "mean"),
            Flag.Int("max-length", 400, "only the first this many tokens of a row are read (0: all)", 0),
        }).Concat(Network(128, bidirectional: true)).Concat(Training),
        RunClassify);

    public static readonly Command Tag = new("tag",
        "Trains a sequence tagger (a biLSTM with suffix and shape features) on TSV rows of tokens and aligned tags, and scores the test rows.",
        Splits(header: true).Concat(new[]
        {
            Flag.Int("tokens-column", 0, "0-based column of the space-separated tokens", 0),
            Flag.Int("tags-column", 1, "0-based column of the space-separated tags, one per token", 0),
        }).Concat(Network(128, bidirectional: true)).Concat(Training),
        RunTag);

    public static readonly Command LanguageModelTrain = new("lm-train",
        "Trains a language model (characters or words) on lines of text, and reports the test lines' perplexity.",
        Splits(header: false).Concat(new[]
        {
            Flag.Int("text-column", 0, "0-based column of the text", 0),
            Flag.Choice("unit", "word", "what a token is", "word", "char"),
            Flag.Bool("lower", true, "lower-case the text first") with { Shown = "1 for words, 0 for char" },
            Flag.Int("min-count", 2, "tokens seen fewer times share the unknown token", 1),
            Flag.Int("max-vocab", 10000, "keep at most this many tokens (0: all)", 0),
            Flag.Int("max-length", 100, "training reads only the first this many tokens of a line (0: all)", 0),
        }).Concat(Network(256, bidirectional: false)).Concat(Training),
        RunLanguageModelTrain);

    public static readonly Command LanguageModelScore = new("lm-score",
        "The log-probability and perplexity of each line under a language model, then the perplexity of all of them.",
        new[]
        {
            Flag.Required("model", "MODEL.zip", "a model saved by lm-train"),
            Flag.Required("input", "FILE", "the lines to score"),
            Flag.Int("text-column", 0, "0-based tab-separated column of the text", 0),
        },
        RunLanguageModelScore);

    public static readonly Command LanguageModelGenerate = new("lm-generate",
        "Samples text from a language model: from the softmax of logits / temperature, among the top-k tokens.",
        new[]
        {
            Flag.Required("model", "MODEL.zip", "a model saved by lm-train"),
            Flag.Text("prompt", "TEXT", "the text to continue", ""),
            Flag.Int("length", 100, "most tokens sampled", 1),
            Flag.Number("temperature", 1.0, "below 1: likelier tokens; above 1: more varied"),
            Flag.Int("top-k", 0, "sample among the k likeliest tokens (0: all)", 0),
            Flag.Number("top-p", 1.0, "sample within the smallest set of likeliest tokens whose probability reaches p (1: all)"),
            Flag.Int("seed", 0, "seed of the first sample; each next one adds 1", 0),
            Flag.Int("count", 1, "samples", 1),
        },
        RunLanguageModelGenerate);

    private static int RunClassify(Arguments a)
    {
        var ml = NewContext(a);
        bool binary = a.Bool("binary");
        var columns = new[]
        {
            new TextLoader.Column("Text", DataKind.String, a.Int("text-column")),
            new TextLoader.Column(binary ? "Label" : "LabelText", binary ? DataKind.Boolean : DataKind.String, a.Int("label-column")),
        };
        var (train, valid, test) = LoadSplits(ml, a, columns);
        string output = a.Required("output");
        var options = new SequenceClassifierTrainer.Options
        {
            Architecture = a.Text("arch") == "mean" ? SequenceClassifierArchitecture.MeanEmbedding : SequenceClassifierArchitecture.Recurrent,
            Embedding = Embedding(a),
            Encoder = Encoder(a),
            MaximumLength = a.Int("max-length"),
        };
        SetTraining(a, options);

        ITransformer model;
        var schema = train.Schema;
        if (binary)
        {
            model = ml.BinaryClassification.Trainers.SequenceClassifier(options).Fit(train, valid);
        }
        else
        {
            // Label keys from the training rows' values, shared by the validation rows.
            var keys = ml.Transforms.Conversion.MapValueToKey("Label", "LabelText").Fit(train);
            var classifier = ml.MulticlassClassification.Trainers.SequenceClassifier(options).Fit(keys.Transform(train), valid == null ? null : keys.Transform(valid));
            var toText = ml.Transforms.Conversion.MapKeyToValue("PredictedLabelText", "PredictedLabel").Fit(classifier.Transform(keys.Transform(train)));
            model = new TransformerChain<ITransformer>(keys, classifier, toText);
        }
        ml.Model.Save(model, schema, output);
        Console.WriteLine($"Saved {output}");
        if (test != null)
        {
            var scored = model.Transform(test);
            if (binary)
            {
                var m = ml.BinaryClassification.EvaluateNonCalibrated(scored);
                Console.WriteLine(FormattableString.Invariant($"Test: accuracy {m.Accuracy:P2}, F1 {m.F1Score:F4}, AUC {m.AreaUnderRocCurve:F4}"));
            }
            else
            {
                var m = ml.MulticlassClassification.Evaluate(scored);
                Console.WriteLine(FormattableString.Invariant($"Test: accuracy {m.MicroAccuracy:P2}, macro accuracy {m.MacroAccuracy:P2}, log-loss {m.LogLoss:F4}"));
            }
        }
        return 0;
    }

    private static int RunTag(Arguments a)
    {
        var ml = NewContext(a);
        var columns = new[]
        {
            new TextLoader.Column("Tokens", DataKind.String, a.Int("tokens-column")),
            new TextLoader.Column("Tags", DataKind.String, a.Int("tags-column")),
        };
        var (train, valid, test) = LoadSplits(ml, a, columns);
        string output = a.Required("output");
        var options = new SequenceTaggerTrainer.Options { Embedding = Embedding(a), Encoder = Encoder(a) };
        SetTraining(a, options);
        var tagger = ml.Transforms.Text.SequenceTagger(options).Fit(train, valid);
        ml.Model.Save(tagger, train.Schema, output);
        Console.WriteLine($"Saved {output}");
        if (test != null)
        {
            var m = tagger.Evaluate(test);
            Console.WriteLine(FormattableString.Invariant(
                $"Test: token accuracy {m.TokenAccuracy:P2} ({m.Tokens:N0} tokens), sentence accuracy {m.SentenceAccuracy:P2}, unknown-word accuracy {m.UnknownWordAccuracy:P2}"));
        }
        return 0;
    }

    private static int RunLanguageModelTrain(Arguments a)
    {
        var ml = NewContext(a);
        var columns = new[] { new TextLoader.Column("Text", DataKind.String, a.Int("text-column")) };
        var (train, valid, test) = LoadSplits(ml, a, columns);
        string output = a.Required("output");
        var unit = a.Text("unit") == "char" ? SequenceUnit.Character : SequenceUnit.Word;
        var options = new LanguageModelTrainer.Options
        {
            Unit = unit,
            LowerCase = a.Has("lower") ? a.Bool("lower") : unit == SequenceUnit.Word,
            MinimumTokenCount = a.Int("min-count"),
            MaximumVocabularySize = a.Int("max-vocab"),
            MaximumLength = a.Int("max-length"),
            Embedding = Embedding(a),
            Encoder = Encoder(a),
        };
        SetTraining(a, options);
        var model = ml.Transforms.Text.LanguageModel(options).Fit(train, valid);
        ml.Model.Save(model, train.Schema, output);
        Console.WriteLine($"Saved {output}");
        if (test != null)
        {
            var m = model.Evaluate(test);
            Console.WriteLine(FormattableString.Invariant($"Test: perplexity {m.Perplexity:F2} over {m.Tokens:N0} tokens of {m.Rows:N0} rows"));
        }
        return 0;
    }

    private static int RunLanguageModelScore(Arguments a)
    {
        var model = LoadLanguageModel(a);
        string input = a.ExistingFile("input");
        int column = a.Int("text-column");
        var lines = File.ReadAllLines(input).Select(l => l.Split('\t')).Select(f => column < f.Length ? f[column] : "").ToList();
        var tokens = lines.Select(model.Tokenize).ToList();
        var logps = model.LogProbabilities(tokens);
        for (int i = 0; i < lines.Count; i++)
            Console.WriteLine(FormattableString.Invariant($"{logps[i]:F3}\t{Math.Exp(-logps[i] / (tokens[i].Length + 1)):F2}\t{lines[i]}"));
        long count = tokens.Sum(t => (long)t.Length + 1);
        Console.WriteLine(FormattableString.Invariant($"# {lines.Count:N0} lines, {count:N0} tokens: perplexity {Math.Exp(-logps.Sum() / Math.Max(1, count)):F2}"));
        return 0;
    }

    private static int RunLanguageModelGenerate(Arguments a)
    {
        var model = LoadLanguageModel(a);
        double temperature = a.Number("temperature");
        if (temperature <= 0)
            throw new UsageException("-temperature must be positive.");
        double topP = a.Number("top-p");
        if (topP <= 0 || topP > 1)
            throw new UsageException("-top-p must be in (0, 1].");
        for (int i = 0; i < a.Int("count"); i++)
            Console.WriteLine(model.Generate(a.Text("prompt")!, a.Int("length"), temperature, a.Int("top-k"), a.Int("seed") + i, topP));
        return 0;
    }

    internal static MLContext NewContext(Arguments a)
    {
        var ml = new MLContext(seed: a.Int("seed"));
        ml.Log += (_, e) =>
        {
            if (e.Kind is Microsoft.ML.Runtime.ChannelMessageKind.Info or Microsoft.ML.Runtime.ChannelMessageKind.Warning
                && (e.Source.Contains("Sequence", StringComparison.Ordinal) || e.Source.Contains("LanguageModel", StringComparison.Ordinal)
                    || e.Source.Contains("Seq2Seq", StringComparison.Ordinal)))
                Console.WriteLine(e.RawMessage);
        };
        return ml;
    }

    private static LanguageModelTransformer LoadLanguageModel(Arguments a) => ModelFiles.Load<LanguageModelTransformer>(a.Required("model"), "language model");

    /// <summary>-train, -valid and -test files (TSV), or one file split by the value of -split-column.</summary>
    internal static (IDataView Train, IDataView? Valid, IDataView? Test) LoadSplits(MLContext ml, Arguments a, TextLoader.Column[] columns)
    {
        int splitColumn = a.Int("split-column");
        var all = splitColumn >= 0 ? columns.Append(new TextLoader.Column("Split", DataKind.String, splitColumn)).ToArray() : columns;
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options { Columns = all, HasHeader = a.Bool("header"), Separators = new[] { '\t' }, AllowQuoting = false });
        IDataView? Load(string flag, string split)
        {
            if (!a.Has(flag) && flag != "train")
                return null;
            var data = loader.Load(a.ExistingFile(flag));
            if (splitColumn >= 0)
                data = ml.Data.FilterByCustomPredicate<SplitRow>(data, r => r.Split != split);
            return ml.Data.Cache(data);
        }
        return (Load("train", "train")!, Load("valid", "valid"), Load("test", "test"));
    }

    internal static EmbeddingOptions Embedding(Arguments a)
    {
        var options = new EmbeddingOptions { Dimension = a.Int("dim"), Freeze = a.Bool("freeze") };
        if (a.Has("vectors"))
        {
            options.Pretrained = MLNet.Sequence.Embeddings.WordVectorFile.Load(a.ExistingFile("vectors"), limit: a.Int("limit"));
            options.IncludePretrainedVocabulary = true;
        }
        return options;
    }

    internal static RecurrentEncoderOptions Encoder(Arguments a) => new()
    {
        CellType = a.Text("cell") switch
        {
            "gru" => RecurrentCellType.Gru,
            "rnn" => RecurrentCellType.Rnn,
            "rnn-relu" => RecurrentCellType.RnnRelu,
            _ => RecurrentCellType.Lstm,
        },
        HiddenSize = a.Int("hidden"),
        Layers = a.Int("layers"),
        Bidirectional = a.Bool("bidirectional"),
        Dropout = a.Number("layer-dropout"),
    };

    internal static void SetTraining(Arguments a, TorchTrainerOptions options)
    {
        options.Epochs = a.Int("epochs");
        options.BatchSize = a.Int("batch");
        options.LearningRate = a.Number("lr");
        options.Optimizer = a.Text("optimizer") == "sgd" ? OptimizerKind.Sgd : OptimizerKind.Adam;
        options.GradientClipNorm = a.Number("clip");
        options.EarlyStoppingPatience = a.Int("patience");
        options.NumberOfThreads = a.IntOrNull("threads") ?? Environment.ProcessorCount;
        options.Device = a.Text("device")!;
        options.Seed = a.Int("seed");
    }

    private sealed class SplitRow
    {
        public string Split { get; set; } = "";
    }
}
