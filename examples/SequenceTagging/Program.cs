// Part-of-speech tagging of the Brown corpus with a biLSTM inside ML.NET: train on the training documents,
// keep the epoch with the lowest validation loss, report token accuracy on held-out documents, save the
// model zip and tag a sentence with the reloaded model.
// Tags: the coarse Brown tag set (the part of each tag before '-' or '+', see datasets/prepare-sequence-sets.js).
// Usage: SequenceTagging <datasets/.cache> [--epochs N] [--rows N] [--threads N] [--pretrained]
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Tagging;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: SequenceTagging <datasets/.cache> [--epochs N] [--rows N] [--threads N] [--pretrained]");
    return 1;
}
string cache = args[0];
string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
int epochs = int.Parse(Arg("--epochs", "5"));
long rows = long.Parse(Arg("--rows", "0"));
int threads = int.Parse(Arg("--threads", Environment.ProcessorCount.ToString()));

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("SequenceTagger", StringComparison.Ordinal))
        Console.WriteLine("  " + e.RawMessage);
};

var all = ml.Data.LoadFromTextFile<TaggedRow>(Path.Combine(cache, "brown-tagging.tsv"), separatorChar: '\t', hasHeader: true, allowQuoting: false);
IDataView Part(string split) => ml.Data.Cache(ml.Data.FilterByCustomPredicate<TaggedRow>(all, r => r.Split != split));
var train = Part("train");
if (rows > 0)
    train = ml.Data.TakeRows(train, rows);
var valid = Part("valid");
var test = Part("test");

WordVectors? pretrained = null;
if (args.Contains("--pretrained"))
{
    var brown = ml.Data.LoadFromTextFile<TaggedRow>(Path.Combine(cache, "brown.txt"), separatorChar: '\t', allowQuoting: false);
    pretrained = ml.Transforms.Text.Word2Vec("V", nameof(TaggedRow.Split), new Word2VecEstimator.Options { MinimumCount = 3, NumberOfThreads = threads }).Fit(brown).Vectors;
}

var watch = Stopwatch.StartNew();
var tagger = ml.Transforms.Text.SequenceTagger(new SequenceTaggerTrainer.Options
{
    TokensColumnName = nameof(TaggedRow.Words),
    LabelColumnName = nameof(TaggedRow.Tags),
    Embedding = pretrained == null ? new EmbeddingOptions { Dimension = 100 } : new EmbeddingOptions { Pretrained = pretrained },
    Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Lstm, HiddenSize = 128, Bidirectional = true },
    Epochs = epochs,
    BatchSize = 32,
    LearningRate = 2e-3,
    EarlyStoppingPatience = 2,
    NumberOfThreads = threads,
    Seed = 1,
}).Fit(train, valid);
double seconds = watch.Elapsed.TotalSeconds;

var metrics = tagger.Evaluate(test);
Console.WriteLine($"\nBrown tagging, {tagger.Tags.Count - 4} coarse tags, held-out documents: token accuracy {metrics.TokenAccuracy:P2} " +
    $"({metrics.Tokens:N0} tokens, {metrics.Rows:N0} sentences), sentence accuracy {metrics.SentenceAccuracy:P2}, " +
    $"unknown-word accuracy {metrics.UnknownWordAccuracy:P2}; training {seconds:F0} s, best epoch {tagger.TrainingHistory!.BestEpoch}");

// A baseline every tagger must beat: each word's most frequent training tag (unknown words: the most frequent tag).
var trainPairs = train.GetColumn<string>(nameof(TaggedRow.Words)).Zip(train.GetColumn<string>(nameof(TaggedRow.Tags)));
var counts = new Dictionary<string, Dictionary<string, int>>();
var tagCounts = new Dictionary<string, int>();
foreach (var (w, t) in trainPairs)
{
    foreach (var (word, tag) in w.Split(' ').Zip(t.Split(' ')))
    {
        var key = word.ToLowerInvariant();
        if (!counts.TryGetValue(key, out var c))
            counts[key] = c = new Dictionary<string, int>();
        c[tag] = c.GetValueOrDefault(tag) + 1;
        tagCounts[tag] = tagCounts.GetValueOrDefault(tag) + 1;
    }
}
string commonest = tagCounts.MaxBy(p => p.Value).Key;
long right = 0, total = 0;
foreach (var (w, t) in test.GetColumn<string>(nameof(TaggedRow.Words)).Zip(test.GetColumn<string>(nameof(TaggedRow.Tags))))
{
    foreach (var (word, tag) in w.Split(' ').Zip(t.Split(' ')))
    {
        string guess = counts.TryGetValue(word.ToLowerInvariant(), out var c) ? c.MaxBy(p => p.Value).Key : commonest;
        right += guess == tag ? 1 : 0;
        total++;
    }
}
Console.WriteLine($"Most-frequent-tag baseline on the same test rows: {(double)right / total:P2}");

// The model zip: save, reload in a fresh MLContext, tag a new sentence.
string zip = Path.Combine(Path.GetTempPath(), "brown-tagger.zip");
ml.Model.Save(tagger, train.Schema, zip);
var fresh = new MLContext(seed: 2);
var loaded = fresh.Model.Load(zip, out _);
var sentence = new[] { new TaggedRow { Words = "The committee approved the new budget on Tuesday .", Tags = "" } };
var tagged = loaded.Transform(fresh.Data.LoadFromEnumerable(sentence)).GetColumn<string[]>("PredictedTags").First();
Console.WriteLine("Reloaded from " + zip + ": " + string.Join(' ', sentence[0].Words.Split(' ').Zip(tagged, (w, t) => $"{w}/{t}")));
return 0;

sealed class TaggedRow
{
    [LoadColumn(0)] public string Split { get; set; } = "";
    [LoadColumn(2)] public string Words { get; set; } = "";
    [LoadColumn(3)] public string Tags { get; set; } = "";
}
