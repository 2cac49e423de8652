// Sequence classification on real data, against the ML.NET baseline a user would pick instead, on the
// same by-document split (datasets/prepare-sequence-sets.js):
//   spam   SpamAssassin, spam or not (binary): FeaturizeText + SdcaLogisticRegression as the baseline
//   genre  Brown genre of a 60-word passage, 15 classes: FeaturizeText + SdcaMaximumEntropy as the baseline
// Models: mean of word embeddings -> softmax, and embeddings -> biLSTM -> softmax, from random embeddings
// and from Word2Vec vectors trained on the whole Brown corpus. With --transfer, the same with only a
// fraction of the training rows, to show what pre-trained embeddings bring.
// Usage: SequenceClassification <datasets/.cache> [--dataset spam|genre|both] [--epochs N (mean)] [--lstm-epochs N]
//        [--models bmMlL] [--fraction F] [--transfer] [--threads N]
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Classification;
using MLNet.Sequence.Torch.Modules;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: SequenceClassification <datasets/.cache> [--dataset spam|genre|both] [--epochs N] [--fraction F] [--transfer] [--threads N]");
    return 1;
}
string cache = args[0];
string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
string dataset = Arg("--dataset", "both");
int epochs = int.Parse(Arg("--epochs", "8"));
double fraction = double.Parse(Arg("--fraction", "0.05"));
int threads = int.Parse(Arg("--threads", Environment.ProcessorCount.ToString()));
bool transfer = args.Contains("--transfer");
// Which models to run: b (baseline), m (mean, random), M (mean, Word2Vec), l (biLSTM, random), L (biLSTM, Word2Vec).
string models = Arg("--models", "bmMlL");
int recurrentEpochs = int.Parse(Arg("--lstm-epochs", "4"));

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("SequenceClassifier", StringComparison.Ordinal) && e.RawMessage.Contains("epoch"))
        Console.WriteLine("    " + e.RawMessage);
};

// Word2Vec on the whole Brown corpus (no labels are used), the table the pre-trained models start from.
var watch = Stopwatch.StartNew();
var brown = ml.Data.LoadFromTextFile<Line>(Path.Combine(cache, "brown.txt"), separatorChar: '\t', allowQuoting: false);
var word2vec = ml.Transforms.Text.Word2Vec("Vector", nameof(Line.Text), new Word2VecEstimator.Options
{
    Dimension = 100, MinimumCount = 3, Epochs = 5, NumberOfThreads = threads,
}).Fit(brown);
var pretrained = word2vec.Vectors;
Console.WriteLine($"Word2Vec on Brown: {pretrained.Count:N0} words x {pretrained.Dimension} in {watch.Elapsed.TotalSeconds:F0} s");

var results = new List<string>();
foreach (var name in dataset == "both" ? new[] { "spam", "genre" } : new[] { dataset })
{
    bool binary = name == "spam";
    var file = Path.Combine(cache, binary ? "spam.tsv" : "brown-genre.tsv");
    var all = ml.Data.LoadFromTextFile(file, new TextLoader.Options
    {
        HasHeader = true, Separators = new[] { '\t' }, AllowQuoting = false,
        Columns = new[]
        {
            new TextLoader.Column("Split", DataKind.String, 0),
            new TextLoader.Column("Document", DataKind.String, 1),
            new TextLoader.Column(binary ? "Label" : "Class", binary ? DataKind.Boolean : DataKind.String, 2),
            new TextLoader.Column("Text", DataKind.String, 3),
        },
    });
    // Multiclass labels become keys, mapped over every split so that all three share the key type.
    ITransformer toKey = binary ? new TransformerChain<ITransformer>() : ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(all);
    IDataView Part(string split) => ml.Data.Cache(toKey.Transform(ml.Data.FilterByCustomPredicate<SplitRow>(all, r => r.Split != split)));
    var train = Part("train");
    var valid = Part("valid");
    var test = Part("test");
    long trainRows = train.GetColumn<string>("Document").LongCount();
    Console.WriteLine($"\n== {name}: {trainRows:N0} training rows, {valid.GetColumn<string>("Document").Count():N0} validation, {test.GetColumn<string>("Document").Count():N0} test");

    void Report(string model, string rows, ITransformer fitted, double seconds)
    {
        // Scoring the test split twice: as a pipeline does (Transform, then Evaluate reads the scores) and
        // one row at a time through a PredictionEngine, as an app serving requests does.
        var clock = Stopwatch.StartNew();
        var scored = fitted.Transform(test);
        string line;
        if (binary)
        {
            var m = ml.BinaryClassification.EvaluateNonCalibrated(scored);
            line = $"| {name} | {model} | {rows} | {m.Accuracy:P2} | {MacroF1(m.ConfusionMatrix):F4} | {seconds:F0} s";
        }
        else
        {
            var m = ml.MulticlassClassification.Evaluate(scored);
            line = $"| {name} | {model} | {rows} | {m.MicroAccuracy:P2} | {MacroF1(m.ConfusionMatrix):F4} | {seconds:F0} s";
        }
        double evaluateSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var texts = test.GetColumn<string>("Text").Select(t => new TextInput { Text = t }).ToList();
        if (binary)
        {
            using var engine = ml.Model.CreatePredictionEngine<TextInput, BinaryScore>(fitted);
            foreach (var text in texts)
                engine.Predict(text);
        }
        else
        {
            using var engine = ml.Model.CreatePredictionEngine<TextInput, ClassScores>(fitted);
            foreach (var text in texts)
                engine.Predict(text);
        }
        line += $" | {evaluateSeconds:F1} s | {clock.Elapsed.TotalSeconds:F1} s |";
        Console.WriteLine(line);
        results.Add(line);
    }

    void RunBaseline(IDataView trainRowsView, string rows)
    {
        if (!models.Contains('b'))
            return;
        var sw = Stopwatch.StartNew();
        var featurize = ml.Transforms.Text.FeaturizeText("Features", "Text");
        ITransformer fitted = binary
            ? featurize.Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression()).Fit(trainRowsView)
            : featurize.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()).Fit(trainRowsView);
        Report("ML.NET FeaturizeText + " + (binary ? "SdcaLogisticRegression" : "SdcaMaximumEntropy"), rows, fitted, sw.Elapsed.TotalSeconds);
    }

    void RunSequence(IDataView trainRowsView, string rows, SequenceClassifierArchitecture architecture, bool usePretrained, bool freeze)
    {
        char code = architecture == SequenceClassifierArchitecture.MeanEmbedding ? 'm' : 'l';
        if (!models.Contains(usePretrained ? char.ToUpperInvariant(code) : code))
            return;
        var sw = Stopwatch.StartNew();
        var options = new SequenceClassifierTrainer.Options
        {
            Architecture = architecture,
            Embedding = usePretrained ? new EmbeddingOptions { Pretrained = pretrained, Freeze = freeze, IncludePretrainedVocabulary = true } : new EmbeddingOptions { Dimension = 100 },
            Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Lstm, HiddenSize = 128, Bidirectional = true },
            Epochs = architecture == SequenceClassifierArchitecture.MeanEmbedding ? epochs : recurrentEpochs,
            BatchSize = 32,
            LearningRate = architecture == SequenceClassifierArchitecture.MeanEmbedding ? 5e-3 : 2e-3,
            EarlyStoppingPatience = 2,
            MaximumLength = 300,
            NumberOfThreads = threads,
            Seed = 1,
        };
        var trainer = binary ? ml.BinaryClassification.Trainers.SequenceClassifier(options) : ml.MulticlassClassification.Trainers.SequenceClassifier(options);
        var fitted = trainer.Fit(trainRowsView, valid);
        string label = (architecture == SequenceClassifierArchitecture.MeanEmbedding ? "mean of embeddings" : "biLSTM 128")
            + (usePretrained ? (freeze ? ", Word2Vec frozen" : ", Word2Vec fine-tuned") : ", random init");
        Report(label, rows, fitted, sw.Elapsed.TotalSeconds);
    }

    if (!transfer)
    {
        RunBaseline(train, "all");
        RunSequence(train, "all", SequenceClassifierArchitecture.MeanEmbedding, false, false);
        RunSequence(train, "all", SequenceClassifierArchitecture.MeanEmbedding, true, false);
        RunSequence(train, "all", SequenceClassifierArchitecture.Recurrent, false, false);
        RunSequence(train, "all", SequenceClassifierArchitecture.Recurrent, true, false);
    }
    else
    {
        // A seeded fraction of the training documents' rows.
        var small = ml.Data.Cache(ml.Data.TakeRows(ml.Data.ShuffleRows(train, seed: 7), (long)(trainRows * fraction)));
        string rows = $"{fraction:P0} ({(long)(trainRows * fraction):N0})";
        RunBaseline(small, rows);
        RunSequence(small, rows, SequenceClassifierArchitecture.MeanEmbedding, false, false);
        RunSequence(small, rows, SequenceClassifierArchitecture.MeanEmbedding, true, true);
        RunSequence(small, rows, SequenceClassifierArchitecture.Recurrent, false, false);
        RunSequence(small, rows, SequenceClassifierArchitecture.Recurrent, true, false);
    }
}

Console.WriteLine("\n| data | model | training rows | test accuracy | test macro-F1 | training | test Transform + Evaluate | test rows one at a time |\n|---|---|---|---|---|---|---|---|");
foreach (var line in results)
    Console.WriteLine(line);
return 0;

// Macro-F1 from ML.NET's confusion matrix (rows: true class, columns: predicted class).
static double MacroF1(ConfusionMatrix cm)
{
    int k = cm.NumberOfClasses;
    double sum = 0;
    for (int c = 0; c < k; c++)
    {
        double tp = cm.Counts[c][c];
        double predicted = Enumerable.Range(0, k).Sum(r => cm.Counts[r][c]);
        double actual = cm.Counts[c].Sum();
        double precision = predicted == 0 ? 0 : tp / predicted;
        double recall = actual == 0 ? 0 : tp / actual;
        sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }
    return sum / k;
}

sealed class Line
{
    [LoadColumn(0)] public string Text { get; set; } = "";
}

sealed class TextInput
{
    public string Text { get; set; } = "";
}

sealed class BinaryScore
{
    public float Score { get; set; }
}

sealed class ClassScores
{
    public float[] Score { get; set; } = [];
}

sealed class SplitRow
{
    public string Split { get; set; } = "";
}
