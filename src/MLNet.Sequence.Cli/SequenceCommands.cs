using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings;
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
    public static int Classify(CommandLine line)
    {
        var ml = NewContext(line);
        bool binary = line.Bool("binary", false);
        int textColumn = line.Int("text-column", 1, 0);
        int labelColumn = line.Int("label-column", 0, 0);
        var columns = new[]
        {
            new TextLoader.Column("Text", DataKind.String, textColumn),
            new TextLoader.Column(binary ? "Label" : "LabelText", binary ? DataKind.Boolean : DataKind.String, labelColumn),
        };
        var (train, valid, test) = LoadSplits(ml, line, columns);
        string output = line.RequiredString("output", "where to save the model zip");
        var options = new SequenceClassifierTrainer.Options
        {
            Architecture = (line.String("arch") ?? "lstm") switch
            {
                "lstm" or "rnn" => SequenceClassifierArchitecture.Recurrent,
                "mean" => SequenceClassifierArchitecture.MeanEmbedding,
                var a => throw new UsageException($"-arch is lstm or mean, not '{a}'."),
            },
            Embedding = Embedding(line, 100),
            Encoder = Encoder(line, 128, bidirectional: true),
            MaximumLength = line.Int("max-length", 400, 0),
        };
        Training(line, options);
        line.CheckAllUsed("classify");

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

    public static int Tag(CommandLine line)
    {
        var ml = NewContext(line);
        var columns = new[]
        {
            new TextLoader.Column("Tokens", DataKind.String, line.Int("tokens-column", 0, 0)),
            new TextLoader.Column("Tags", DataKind.String, line.Int("tags-column", 1, 0)),
        };
        var (train, valid, test) = LoadSplits(ml, line, columns);
        string output = line.RequiredString("output", "where to save the model zip");
        var options = new SequenceTaggerTrainer.Options
        {
            Embedding = Embedding(line, 100),
            Encoder = Encoder(line, 128, bidirectional: true),
        };
        Training(line, options);
        line.CheckAllUsed("tag");
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

    public static int LanguageModelTrain(CommandLine line)
    {
        var ml = NewContext(line);
        var columns = new[] { new TextLoader.Column("Text", DataKind.String, line.Int("text-column", 0, 0)) };
        var (train, valid, test) = LoadSplits(ml, line, columns, header: false);
        string output = line.RequiredString("output", "where to save the model zip");
        var options = new LanguageModelTrainer.Options
        {
            Unit = (line.String("unit") ?? "word") switch
            {
                "word" => SequenceUnit.Word,
                "char" => SequenceUnit.Character,
                var u => throw new UsageException($"-unit is word or char, not '{u}'."),
            },
            MinimumTokenCount = line.Int("min-count", 2, 1),
            MaximumVocabularySize = line.Int("max-vocab", 10000, 0),
            MaximumLength = line.Int("max-length", 100, 0),
            Embedding = Embedding(line, 100),
            Encoder = Encoder(line, 256, bidirectional: false),
        };
        options.LowerCase = line.Bool("lower", options.Unit == SequenceUnit.Word);
        Training(line, options);
        line.CheckAllUsed("lm-train");
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

    public static int LanguageModelScore(CommandLine line)
    {
        var ml = NewContext(line);
        var model = LoadLanguageModel(ml, line);
        string input = line.RequiredString("input", "the file of lines to score");
        int column = line.Int("text-column", 0, 0);
        line.CheckAllUsed("lm-score");
        if (!File.Exists(input))
            throw new UsageException($"Input file '{input}' does not exist.");
        var lines = File.ReadAllLines(input).Select(l => l.Split('\t')).Select(f => column < f.Length ? f[column] : "").ToList();
        var tokens = lines.Select(model.Tokenize).ToList();
        var logps = model.LogProbabilities(tokens);
        for (int i = 0; i < lines.Count; i++)
            Console.WriteLine(FormattableString.Invariant($"{logps[i]:F3}\t{Math.Exp(-logps[i] / (tokens[i].Length + 1)):F2}\t{lines[i]}"));
        long count = tokens.Sum(t => (long)t.Length + 1);
        Console.WriteLine(FormattableString.Invariant($"# {lines.Count:N0} lines, {count:N0} tokens: perplexity {Math.Exp(-logps.Sum() / Math.Max(1, count)):F2}"));
        return 0;
    }

    public static int LanguageModelGenerate(CommandLine line)
    {
        var ml = NewContext(line);
        var model = LoadLanguageModel(ml, line);
        string prompt = line.String("prompt") ?? "";
        int length = line.Int("length", 100, 1);
        double temperature = line.Double("temperature", 1.0);
        if (temperature <= 0)
            throw new UsageException("-temperature must be positive.");
        int topK = line.Int("top-k", 0, 0);
        long seed = line.Int("seed", 0, 0);
        int count = line.Int("count", 1, 1);
        line.CheckAllUsed("lm-generate");
        for (int i = 0; i < count; i++)
            Console.WriteLine(model.Generate(prompt, length, temperature, topK, seed + i));
        return 0;
    }

    private static MLContext NewContext(CommandLine line)
    {
        var ml = new MLContext(seed: line.Int("seed", 1, 0));
        ml.Log += (_, e) =>
        {
            if (e.Kind is Microsoft.ML.Runtime.ChannelMessageKind.Info or Microsoft.ML.Runtime.ChannelMessageKind.Warning
                && (e.Source.Contains("Sequence", StringComparison.Ordinal) || e.Source.Contains("LanguageModel", StringComparison.Ordinal)))
                Console.WriteLine(e.RawMessage);
        };
        return ml;
    }

    private static LanguageModelTransformer LoadLanguageModel(MLContext ml, CommandLine line)
    {
        string path = line.RequiredString("model", "a model zip saved by lm-train");
        if (!File.Exists(path))
            throw new UsageException($"Model file '{path}' does not exist.");
        var model = ml.Model.Load(path, out _);
        return Find<LanguageModelTransformer>(model) ?? throw new UsageException($"Model '{path}' holds no language model.");
    }

    private static T? Find<T>(ITransformer model) where T : class, ITransformer => model switch
    {
        T t => t,
        IEnumerable<ITransformer> chain => chain.Select(Find<T>).FirstOrDefault(v => v != null),
        _ => null,
    };

    /// <summary>-train, -valid and -test files (TSV), or one file split by the value of -split-column.</summary>
    private static (IDataView Train, IDataView? Valid, IDataView? Test) LoadSplits(MLContext ml, CommandLine line, TextLoader.Column[] columns, bool header = true)
    {
        string trainPath = line.RequiredString("train", "the training file");
        string? validPath = line.String("valid");
        string? testPath = line.String("test");
        int splitColumn = line.Int("split-column", -1, -1);
        header = line.Bool("header", header);
        var all = splitColumn >= 0 ? columns.Append(new TextLoader.Column("Split", DataKind.String, splitColumn)).ToArray() : columns;
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options { Columns = all, HasHeader = header, Separators = new[] { '\t' }, AllowQuoting = false });
        IDataView? Load(string? path, string split)
        {
            if (path == null)
                return null;
            if (!File.Exists(path))
                throw new UsageException($"File '{path}' does not exist.");
            var data = loader.Load(path);
            if (splitColumn >= 0)
                data = ml.Data.FilterByCustomPredicate<SplitRow>(data, r => r.Split != split);
            return ml.Data.Cache(data);
        }
        return (Load(trainPath, "train")!, Load(validPath, "valid"), Load(testPath, "test"));
    }

    private static EmbeddingOptions Embedding(CommandLine line, int dimension)
    {
        var options = new EmbeddingOptions { Dimension = line.Int("dim", dimension, 1), Freeze = line.Bool("freeze", false) };
        if (line.String("vectors") is string path)
        {
            options.Pretrained = WordVectorFile.Load(path);
            options.IncludePretrainedVocabulary = true;
        }
        return options;
    }

    private static RecurrentEncoderOptions Encoder(CommandLine line, int hidden, bool bidirectional) => new()
    {
        CellType = (line.String("cell") ?? "lstm") switch
        {
            "lstm" => RecurrentCellType.Lstm,
            "gru" => RecurrentCellType.Gru,
            "rnn" => RecurrentCellType.Rnn,
            "rnn-relu" => RecurrentCellType.RnnRelu,
            var c => throw new UsageException($"-cell is lstm, gru, rnn or rnn-relu, not '{c}'."),
        },
        HiddenSize = line.Int("hidden", hidden, 1),
        Layers = line.Int("layers", 1, 1),
        Bidirectional = line.Bool("bidirectional", bidirectional),
        Dropout = line.Double("layer-dropout", 0),
    };

    private static void Training(CommandLine line, TorchTrainerOptions options)
    {
        options.Epochs = line.Int("epochs", options.Epochs, 1);
        options.BatchSize = line.Int("batch", options.BatchSize, 1);
        options.LearningRate = line.Double("lr", options.LearningRate);
        options.Optimizer = (line.String("optimizer") ?? "adam") switch
        {
            "adam" => OptimizerKind.Adam,
            "sgd" => OptimizerKind.Sgd,
            var o => throw new UsageException($"-optimizer is adam or sgd, not '{o}'."),
        };
        options.GradientClipNorm = line.Double("clip", options.GradientClipNorm);
        options.EarlyStoppingPatience = line.Int("patience", 0, 0);
        options.NumberOfThreads = line.Int("threads", Environment.ProcessorCount, 1);
        options.Device = line.String("device") ?? "cpu";
        options.Seed = line.Int("seed", 1, 0);
    }

    private sealed class SplitRow
    {
        public string Split { get; set; } = "";
    }
}
