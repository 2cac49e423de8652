// English-German-French translation on Multi30k (Elliott et al. 2016): an encoder-decoder with attention trained
// on the 29,000 training pairs, scored on test_2016_flickr with sacreBLEU-style BLEU (13a, detokenised output),
// greedy and beam search. The corpus folder holds {train,val,test_2016_flickr}.{en,de,fr}[.gz].
// Usage: Multi30k <corpus folder> [--source en] [--target de] [--epochs 10] [--threads N] [--batch 64]
//        [--embedding 256] [--hidden 256] [--decoder-hidden 512] [--cell gru|lstm] [--attention additive|general]
//        [--limit N (training pairs)] [--beam 5] [--alpha 0.7] [--out DIR] [--dump DIR (tokens for build/bench)]
//        [--analysis (the beam-search error analysis on the validation set, B = 1, 3, 5, 10 x alpha = 0, 0.5, 0.7, 1)]
//        [--no-eval (train, dump and stop: the speed benchmark)]
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Translation;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Multi30k <corpus folder> [--source en] [--target de] [--epochs 10] [--threads N] [--out DIR] [--dump DIR]");
    return 1;
}
string corpus = args[0];
string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
string source = Arg("--source", "en"), target = Arg("--target", "de");
int epochs = int.Parse(Arg("--epochs", "10"));
int threads = int.Parse(Arg("--threads", Environment.ProcessorCount.ToString()));
int batch = int.Parse(Arg("--batch", "64"));
int embedding = int.Parse(Arg("--embedding", "256")), hidden = int.Parse(Arg("--hidden", "256")), decoderHidden = int.Parse(Arg("--decoder-hidden", "512"));
var cell = Arg("--cell", "gru") == "lstm" ? RecurrentCellType.Lstm : RecurrentCellType.Gru;
var attention = Arg("--attention", "additive") == "general" ? AttentionType.General : AttentionType.Additive;
int limit = int.Parse(Arg("--limit", "0"));
int beam = int.Parse(Arg("--beam", "5"));
double alpha = double.Parse(Arg("--alpha", "0.7"));
string? outDir = Arg("--out", "") is { Length: > 0 } o ? o : null;
string? dumpDir = Arg("--dump", "") is { Length: > 0 } d ? d : null;
bool analysis = args.Contains("--analysis");
bool evaluate = !args.Contains("--no-eval");

string[] ReadSide(string split, string language)
{
    string plain = Path.Combine(corpus, $"{split}.{language}");
    if (File.Exists(plain))
        return File.ReadAllLines(plain);
    string gz = plain + ".gz";
    if (!File.Exists(gz))
        throw new FileNotFoundException($"Multi30k: neither '{plain}' nor '{gz}' exists.");
    using var reader = new StreamReader(new GZipStream(File.OpenRead(gz), CompressionMode.Decompress));
    var lines = new List<string>();
    while (reader.ReadLine() is string line)
        lines.Add(line);
    return lines.ToArray();
}
List<Pair> Pairs(string split)
{
    var s = ReadSide(split, source);
    var t = ReadSide(split, target);
    if (s.Length != t.Length)
        throw new InvalidDataException($"Multi30k: {split}.{source} has {s.Length} lines but {split}.{target} has {t.Length}.");
    return s.Zip(t, (a, b) => new Pair { Source = a, Target = b }).ToList();
}

var train = Pairs("train");
if (limit > 0)
    train = train.Take(limit).ToList();
var valid = Pairs("val");
var test = Pairs("test_2016_flickr");
Console.WriteLine($"Multi30k {source}->{target}: {train.Count:N0} training, {valid.Count:N0} validation, {test.Count:N0} test pairs; {threads} threads");
Console.WriteLine($"libtorch GEMM 1024^3 on {threads} threads: {GemmRate(threads):F0} GFLOP/s ({(MLNet.Sequence.Torch.Training.TorchRuntime.MklVendorCheckPatched ? "MKL's vendor check answered: its fast paths on this AMD processor" : "MKL as it came")})");

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if ((e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info || e.RawMessage.Contains("phases")) && e.Source.Contains("Seq2Seq", StringComparison.Ordinal))
        Console.WriteLine("  " + e.RawMessage);
};
var options = new Seq2SeqAttentionTrainer.Options
{
    SourceEmbedding = new EmbeddingOptions { Dimension = embedding },
    TargetEmbedding = new EmbeddingOptions { Dimension = embedding },
    Encoder = new RecurrentEncoderOptions { CellType = cell, HiddenSize = hidden, Bidirectional = true },
    DecoderCell = cell,
    DecoderHiddenSize = decoderHidden,
    Attention = attention,
    AttentionHiddenSize = hidden,
    MinimumTokenCount = 2,
    Dropout = 0.3,
    LabelSmoothing = 0.1,
    Epochs = epochs,
    BatchSize = batch,
    LearningRate = 1e-3,
    Schedule = MLNet.Sequence.Torch.Training.LearningRateSchedule.Cosine,
    GradientClipNorm = 1,
    EarlyStoppingPatience = 0,
    NumberOfThreads = threads,
    Seed = 1,
};
var trainer = ml.Translation().Trainers.Seq2SeqAttention(options);
var watch = Stopwatch.StartNew();
var model = trainer.Fit(ml.Data.LoadFromEnumerable(train), ml.Data.LoadFromEnumerable(valid));
double trainSeconds = watch.Elapsed.TotalSeconds;
var history = model.TrainingHistory!;
Console.WriteLine($"trained in {trainSeconds:F0} s; seconds per epoch: {string.Join(", ", history.Epochs.Select(e => e.Seconds.ToString("F1")))}");
Console.WriteLine($"vocabularies: {source} {model.SourceVocabulary.Count:N0}, {target} {model.TargetVocabulary.Count:N0}");

if (dumpDir != null)
    Dump(dumpDir);
if (!evaluate)
    return 0;

var sources = test.Select(p => p.Source).ToList();
var references = test.Select(p => p.Target).ToList();
var greedyOptions = new DecodingOptions { MaximumLength = 80 };
var beamOptions = new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = beam, Alpha = alpha, MaximumLength = 80 };
watch.Restart();
var greedy = model.Translate(sources, greedyOptions);
double greedySeconds = watch.Elapsed.TotalSeconds;
watch.Restart();
var beamed = model.Translate(sources, beamOptions);
double beamSeconds = watch.Elapsed.TotalSeconds;
var greedyBleu = Bleu.CorpusScore(greedy.Select(t => t.Text).ToList(), references);
var beamBleu = Bleu.CorpusScore(beamed.Select(t => t.Text).ToList(), references);
Console.WriteLine($"test_2016_flickr {source}->{target}, greedy:          {greedyBleu}   chrF2 {ChrF.CorpusScore(greedy.Select(t => t.Text).ToList(), references).Score:F2}");
Console.WriteLine($"test_2016_flickr {source}->{target}, beam {beam} alpha {alpha}: {beamBleu}   chrF2 {ChrF.CorpusScore(beamed.Select(t => t.Text).ToList(), references).Score:F2}");
Console.WriteLine($"  signature {greedyBleu.Signature}");
Console.WriteLine($"decoding {sources.Count} sentences batched: greedy {sources.Count / greedySeconds:F0} sentences/s, beam {beam} {sources.Count / beamSeconds:F0} sentences/s");

// One sentence at a time gives the same translations as the batches.
int checkedCount = 200, sameGreedy = 0, sameBeam = 0;
for (int i = 0; i < checkedCount; i++)
{
    sameGreedy += model.Translate([sources[i]], greedyOptions)[0].Text == greedy[i].Text ? 1 : 0;
    sameBeam += model.Translate([sources[i]], beamOptions)[0].Text == beamed[i].Text ? 1 : 0;
}
Console.WriteLine($"translated alone, {sameGreedy} of {checkedCount} greedy and {sameBeam} of {checkedCount} beam {beam} translations equal their batched ones");

if (analysis)
{
    // The curriculum's error analysis on the validation pairs: is the search or the model to blame?
    watch.Restart();
    var sweep = BeamAnalysis.Sweep(model, valid.Select(p => p.Source).ToList(), valid.Select(p => p.Target).ToList(), maximumLength: 80);
    Console.WriteLine($"beam-search error analysis on val ({valid.Count} pairs, {watch.Elapsed.TotalSeconds:F0} s):");
    Console.Write(BeamAnalysis.Table(sweep));
}

for (int i = 0; i < 5; i++)
{
    Console.WriteLine($"  {source}: {sources[i]}");
    Console.WriteLine($"  ref: {references[i]}");
    Console.WriteLine($"  greedy: {greedy[i].Text}");
    Console.WriteLine($"  beam:   {beamed[i].Text}");
}

if (outDir != null)
{
    Directory.CreateDirectory(outDir);
    File.WriteAllLines(Path.Combine(outDir, $"test.{source}-{target}.greedy.{target}"), greedy.Select(t => t.Text));
    File.WriteAllLines(Path.Combine(outDir, $"test.{source}-{target}.beam{beam}.{target}"), beamed.Select(t => t.Text));
    ml.Model.Save(model, ml.Data.LoadFromEnumerable(test).Schema, Path.Combine(outDir, $"multi30k-{source}-{target}.zip"));
    Console.WriteLine($"translations and the model zip written to {outDir}");
}
return 0;

// The tokens exactly as the model saw them, for the PyTorch reference (build/bench/seq2seq_multi30k.py).
void Dump(string dir)
{
    Directory.CreateDirectory(dir);
    void Write(string name, IEnumerable<string> lines) => File.WriteAllLines(Path.Combine(dir, name), lines);
    Write("source.vocab", model.SourceVocabulary.Tokens);
    Write("target.vocab", model.TargetVocabulary.Tokens);
    foreach (var (name, pairs) in new[] { ("train", train), ("val", valid), ("test", test) })
    {
        Write($"{name}.src", pairs.Select(p => string.Join(' ', model.TokenizeSource(p.Source))));
        Write($"{name}.tgt", pairs.Select(p => string.Join(' ', model.TokenizeTarget(p.Target))));
    }
    Write("test.ref", test.Select(p => p.Target));
    Console.WriteLine($"tokens and vocabularies written to {dir}");
}

// The rate of a 1024^3 product, as build/bench/pytorch-env.sh measures PyTorch's.
static double GemmRate(int threads)
{
    MLNet.Sequence.Torch.Training.TorchRuntime.EnsureReady();
    TorchSharp.torch.set_num_threads(threads);
    using var a = TorchSharp.torch.randn(1024, 1024);
    using var b = TorchSharp.torch.randn(1024, 1024);
    for (int i = 0; i < 3; i++)
        a.matmul(b).Dispose();
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < 20; i++)
        a.matmul(b).Dispose();
    return 2.0 * 1024 * 1024 * 1024 * 20 / clock.Elapsed.TotalSeconds / 1e9;
}

sealed class Pair
{
    public string Source { get; set; } = "";
    public string Target { get; set; } = "";
}
