// The curriculum's date normalisation: human-readable dates in many formats and cases ("Sun 4 Mar 79",
// "04.03.79", "MARCH 4, 1979") translated character by character into ISO dates ("1979-03-04") by an
// encoder-decoder with attention. Trains on datasets/.cache/dates.tsv (datasets/prepare-dates.js), then shows
// held-out exact match with greedy and beam search, some translations, the beam-search error analysis and an
// attention picture, and checks that the saved model reloads to the same translations.
// Usage: DateTranslation <datasets/.cache> [--model default|course] [--epochs 12] [--threads N] [--out DIR]
//   default: a biGRU encoder of 64 per direction, a GRU decoder of 128 with additive attention, fed the previous character
//   course:  the curriculum's model: a biLSTM of 32 per direction before attention, a post-attention LSTM of 64
//            that reads only the context, attention by a dense network of 10 on [s(t-1), a(t')], no bridge
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Plots;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Translation;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 1 || !File.Exists(Path.Combine(args[0], "dates.tsv")))
{
    Console.Error.WriteLine("usage: DateTranslation <datasets/.cache holding dates.tsv> [--model default|course] [--epochs 12] [--threads N] [--out DIR]");
    return 1;
}
string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
string modelKind = Arg("--model", "default");
int epochs = int.Parse(Arg("--epochs", "12"));
int threads = int.Parse(Arg("--threads", Environment.ProcessorCount.ToString()));
string outDir = Arg("--out", Path.Combine(args[0], "dates-out"));
Directory.CreateDirectory(outDir);

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("Seq2Seq", StringComparison.Ordinal))
        Console.WriteLine("  " + e.RawMessage);
};
var all = ml.Data.LoadFromTextFile<DateRow>(Path.Combine(args[0], "dates.tsv"), separatorChar: '\t', hasHeader: true, allowQuoting: false);
IDataView Split(string name) => ml.Data.FilterByCustomPredicate<DateRow>(all, r => r.Split != name);
var train = Split("train");
var valid = Split("valid");
var test = ml.Data.CreateEnumerable<DateRow>(Split("test"), reuseRowObject: false).ToList();

var characters = new TranslationTokenizerOptions { Unit = TranslationUnit.Characters };
var options = new Seq2SeqAttentionTrainer.Options
{
    SourceTokenizer = characters,
    TargetTokenizer = characters,
    SourceEmbedding = new EmbeddingOptions { Dimension = 32 },
    TargetEmbedding = new EmbeddingOptions { Dimension = 32 },
    Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Gru, HiddenSize = 64, Bidirectional = true },
    DecoderCell = RecurrentCellType.Gru,
    DecoderHiddenSize = 128,
    Attention = AttentionType.Additive,
    AttentionHiddenSize = 64,
    Dropout = 0.1,
    Epochs = epochs,
    BatchSize = 64,
    LearningRate = 3e-3,
    Schedule = MLNet.Sequence.Torch.Training.LearningRateSchedule.Cosine,
    GradientClipNorm = 1,
    NumberOfThreads = threads,
    AttentionColumnName = "Attention",
    Seed = 1,
};
if (modelKind == "course")
{
    options.Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Lstm, HiddenSize = 32, Bidirectional = true };
    options.DecoderCell = RecurrentCellType.Lstm;
    options.DecoderHiddenSize = 64;
    options.Attention = AttentionType.Concat;
    options.AttentionHiddenSize = 10;
    options.FeedPreviousToken = false;
    options.Bridge = BridgeType.Zeros;
    options.Dropout = 0;
}
Console.WriteLine($"Dates, {modelKind} model: {ml.Data.CreateEnumerable<DateRow>(train, false).Count():N0} training, {test.Count:N0} test dates; {threads} threads");
var watch = Stopwatch.StartNew();
var model = ml.Translation().Trainers.Seq2SeqAttention(options).Fit(train, valid);
Console.WriteLine($"trained in {watch.Elapsed.TotalSeconds:F0} s");

var sources = test.Select(r => r.Source).ToList();
var references = test.Select(r => r.Target).ToList();
double Exact(IReadOnlyList<Translation> outputs) => outputs.Zip(references).Count(p => p.First.Text == p.Second) / (double)references.Count;
var greedy = model.Translate(sources, new DecodingOptions { MaximumLength = 12 });
Console.WriteLine($"held-out exact match, greedy:          {Exact(greedy):P2}");
foreach (int b in new[] { 3, 5 })
{
    var beam = model.Translate(sources, new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = b, Alpha = 0.7, MaximumLength = 12 });
    Console.WriteLine($"held-out exact match, beam {b} alpha 0.7: {Exact(beam):P2}");
}

string[] examples = ["3 May 1979", "5 april 09", "21th of August 2016", "Tue 10 Jul 2007", "Saturday May 9 2018", "march 3 2001", "MARCH 3RD 2001", "1 march 2001"];
foreach (var (text, t) in examples.Zip(model.Translate(examples)))
    Console.WriteLine($"  {text,-22} -> {t.Text}");
var wrong = greedy.Select((t, i) => (t, i)).Where(p => p.t.Text != references[p.i]).Take(5).ToList();
foreach (var (t, i) in wrong)
    Console.WriteLine($"  wrong: {sources[i],-28} -> {t.Text} (reference {references[i]})");

// Where the errors come from: the curriculum's analysis at beam 3 and 5, over every test date.
var sweep = BeamAnalysis.Sweep(model, sources, references, [1, 3, 5], [0.0, 0.7], maximumLength: 12);
Console.WriteLine("beam-search error analysis on the test dates:");
Console.Write(BeamAnalysis.Table(sweep));

// The attention of one translation: output characters down, source characters across.
string pictured = "Saturday May 9 2018";
var shown = model.Translate([pictured], new DecodingOptions { KeepAttention = true })[0];
string picture = Path.Combine(outDir, "date-attention.png");
AttentionPlot.Save(picture, shown.SourceTokens.Select(t => t == " " ? "␣" : t).ToList(), shown.Tokens, shown.Attention!, $"\"{pictured}\" -> {shown.Text}");
Console.WriteLine($"attention picture: {picture}");

// The model zip reloads in a fresh context and translates the same.
string zip = Path.Combine(outDir, "dates.zip");
ml.Model.Save(model, train.Schema, zip);
var reloaded = (Seq2SeqAttentionTransformer)new MLContext(seed: 2).Model.Load(zip, out _);
var again = reloaded.Translate(sources);
Console.WriteLine($"reloaded from {zip}: {again.Zip(greedy).Count(p => p.First.Text == p.Second.Text)} of {sources.Count} translations identical");
return 0;

public sealed class DateRow
{
    [LoadColumn(0)] public string Split { get; set; } = "";
    [LoadColumn(1)] public string Source { get; set; } = "";
    [LoadColumn(2)] public string Target { get; set; } = "";
}
