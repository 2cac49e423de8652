// Language models on Brown sentences (datasets/prepare-sequence-sets.js, split by document):
//   a character LSTM that generates text (temperature and top-k sampling, seeded), and
//   a word LSTM that scores sentences: held-out perplexity, and how often a held-out sentence scores
//   above a copy of itself with its words shuffled ("how likely is this sentence").
// Both are saved to model zips and reloaded in a fresh MLContext.
// Usage: LanguageModelBrown <datasets/.cache> [--char-rows N] [--char-epochs N] [--word-epochs N] [--threads N] [--only char|word]
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.LanguageModel;
using MLNet.Sequence.Torch.Modules;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: LanguageModelBrown <datasets/.cache> [--char-rows N] [--char-epochs N] [--word-epochs N] [--threads N] [--only char|word]");
    return 1;
}
string cache = args[0];
string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
int charRows = int.Parse(Arg("--char-rows", "12000"));
int charEpochs = int.Parse(Arg("--char-epochs", "3"));
int wordEpochs = int.Parse(Arg("--word-epochs", "4"));
int threads = int.Parse(Arg("--threads", Environment.ProcessorCount.ToString()));
string only = Arg("--only", "");

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if (e.Kind is Microsoft.ML.Runtime.ChannelMessageKind.Info or Microsoft.ML.Runtime.ChannelMessageKind.Warning
        && e.Source.Contains("LanguageModel", StringComparison.Ordinal))
        Console.WriteLine("  " + e.RawMessage);
};
var all = ml.Data.LoadFromTextFile<SentenceRow>(Path.Combine(cache, "brown-sentences.tsv"), separatorChar: '\t', hasHeader: true, allowQuoting: false);
IDataView Part(string split) => ml.Data.Cache(ml.Data.FilterByCustomPredicate<SentenceRow>(all, r => r.Split != split));
var train = Part("train");
var valid = Part("valid");
var test = Part("test");

LanguageModelTransformer Reload(LanguageModelTransformer model, string name)
{
    string zip = Path.Combine(Path.GetTempPath(), name);
    ml.Model.Save(model, train.Schema, zip);
    var loaded = (LanguageModelTransformer)new MLContext(seed: 2).Model.Load(zip, out _);
    Console.WriteLine($"Saved to {zip} ({new FileInfo(zip).Length / 1024:N0} KiB) and reloaded in a fresh MLContext.");
    return loaded;
}

if (only != "word")
{
    var watch = Stopwatch.StartNew();
    var characterModel = ml.Transforms.Text.LanguageModel(new LanguageModelTrainer.Options
    {
        Unit = SequenceUnit.Character,
        LowerCase = false,
        MinimumTokenCount = 5,
        Embedding = new EmbeddingOptions { Dimension = 48 },
        Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Lstm, HiddenSize = 256 },
        MaximumLength = 200,
        Epochs = charEpochs,
        BatchSize = 32,
        LearningRate = 3e-3,
        NumberOfThreads = threads,
        Seed = 1,
    }).Fit(ml.Data.TakeRows(train, charRows), ml.Data.TakeRows(valid, 1000));
    var charMetrics = characterModel.Evaluate(test);
    Console.WriteLine($"\nCharacter LSTM on {charRows:N0} Brown sentences: held-out perplexity {charMetrics.Perplexity:F2} per character " +
        $"({charMetrics.CrossEntropy / Math.Log(2):F3} bits; {charMetrics.Tokens:N0} characters of {charMetrics.Rows:N0} test sentences); trained in {watch.Elapsed.TotalSeconds:F0} s");
    var reloaded = Reload(characterModel, "brown-char-lm.zip");
    // A seed of its own per sample: with one seed, continuations after different prompts draw the same
    // random numbers and, once both reach a word boundary, often run on identically.
    foreach (var (prompt, temperature, topK, seed) in new[] { ("the ", 0.7, 0, 7), ("the jury said ", 0.7, 0, 8), ("in the ", 1.0, 10, 9), ("he was ", 0.5, 5, 10) })
        Console.WriteLine($"  T={temperature}, top-k {(topK == 0 ? "off" : topK.ToString())}, seed {seed}: \"{reloaded.Generate(prompt, 120, temperature, topK, seed)}\"");
}

if (only != "char")
{
    var watch = Stopwatch.StartNew();
    var wordModel = ml.Transforms.Text.LanguageModel(new LanguageModelTrainer.Options
    {
        Unit = SequenceUnit.Word,
        MinimumTokenCount = 3,
        MaximumVocabularySize = 5000,
        Embedding = new EmbeddingOptions { Dimension = 100 },
        Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Lstm, HiddenSize = 200 },
        MaximumLength = 60,
        Epochs = wordEpochs,
        BatchSize = 32,
        LearningRate = 2e-3,
        EarlyStoppingPatience = 1,
        NumberOfThreads = threads,
        Seed = 1,
    }).Fit(train, valid);
    var metrics = wordModel.Evaluate(test);
    Console.WriteLine($"\nWord LSTM on {train.GetColumn<string>("Text").Count():N0} Brown sentences, {wordModel.Tokens.Count - TokenIndex.ReservedCount:N0}-word vocabulary: " +
        $"held-out perplexity {metrics.Perplexity:F1} ({metrics.Tokens:N0} tokens of {metrics.Rows:N0} test sentences); trained in {watch.Elapsed.TotalSeconds:F0} s");
    var reloaded = Reload(wordModel, "brown-word-lm.zip");

    // Held-out sentences against word-shuffled copies (sentences of at least two different words).
    var random = new Random(11);
    var originals = new List<string[]>();
    var shuffled = new List<string[]>();
    foreach (var text in test.GetColumn<string>("Text"))
    {
        var words = reloaded.Tokenize(text);
        if (words.Distinct().Count() < 2)
            continue;
        var copy = (string[])words.Clone();
        do random.Shuffle(copy); while (copy.SequenceEqual(words));
        originals.Add(words);
        shuffled.Add(copy);
    }
    var a = reloaded.LogProbabilities(originals);
    var b = reloaded.LogProbabilities(shuffled);
    int wins = a.Zip(b).Count(p => p.First > p.Second);
    Console.WriteLine($"Original above its shuffled copy: {wins:N0} of {originals.Count:N0} held-out sentences ({(double)wins / originals.Count:P2})");

    // The transformer in a pipeline: LogProbability and Perplexity columns.
    var examples = new[]
    {
        new SentenceRow { Text = "the jury said it did not find any evidence ." },
        new SentenceRow { Text = "evidence find jury any not the it did said ." },
    };
    foreach (var row in reloaded.Transform(ml.Data.LoadFromEnumerable(examples)).GetColumn<float>("LogProbability").Zip(examples))
        Console.WriteLine($"  log P = {row.First,8:F2}  \"{row.Second.Text}\"");
    Console.WriteLine($"  sample (T=0.8, top-k 20): \"{reloaded.Generate("the", 30, 0.8, 20, seed: 3)}\"");
}
return 0;

sealed class SentenceRow
{
    [LoadColumn(0)] public string Split { get; set; } = "";
    [LoadColumn(2)] public string Text { get; set; } = "";
}
