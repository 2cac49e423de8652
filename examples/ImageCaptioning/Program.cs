// Image captioning on generated shape scenes whose test split holds colour-shape pairs never seen in training.
// Compares, on the same held-out images: the retrieval baseline a user tries first (the captions of the training
// image nearest in ML.NET's pretrained ResNet18 feature space), a show-and-tell captioner on those ResNet18
// features, and a show-attend-and-tell captioner whose decoder attends over a convolutional encoder's regions;
// BLEU-1..4 over every reference, BLEU-4 and facts on the captions that state a relation, the kinds of mistake,
// the speed of feature extraction and of beam-3 captioning, and pictures of each word's attention.
//
// Usage: dotnet run -c Release --project examples/ImageCaptioning -- DATA_FOLDER [--train 3000] [--test 400]
//        [--validation 200] [--epochs 10] [--size 64] [--seed 1] [--threads 2] [--out FOLDER] [--regenerate] [--generate-only]
// The set is written once per settings into DATA_FOLDER/set-TRAIN-VALIDATION-TEST-SIZE-SEED (train.tsv, test.tsv,
// validation/train.tsv, images/); --generate-only stops there.
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Captioning;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Vision;
using MLNet.Sequence.Vision.Scenes;
using SkiaSharp;

var arguments = args.ToList();
if (arguments.Count == 0 || arguments[0].StartsWith("--"))
{
    Console.Error.WriteLine("usage: ImageCaptioning DATA_FOLDER [--train N] [--test N] [--validation N] [--epochs N] [--size PIXELS] [--seed N] [--threads N] [--out FOLDER] [--regenerate]");
    return 2;
}
string root = arguments[0];
string Flag(string name, string fallback)
{
    int i = arguments.IndexOf(name);
    return i >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : fallback;
}
int trainCount = int.Parse(Flag("--train", "3000"));
int testCount = int.Parse(Flag("--test", "400"));
int validationCount = int.Parse(Flag("--validation", "200"));
int epochs = int.Parse(Flag("--epochs", "10"));
int size = int.Parse(Flag("--size", "64"));
int seed = int.Parse(Flag("--seed", "1"));
int threads = int.Parse(Flag("--threads", "2"));
// One folder per settings, so that a set is never mixed with another drawn with other counts.
string folder = Path.Combine(root, $"set-{trainCount}-{validationCount}-{testCount}-{size}-{seed}");
string output = Flag("--out", Path.Combine(folder, "results"));
Directory.CreateDirectory(output);

// 1. The data: three splits drawn by one seeded generator (the validation images are training-split scenes).
string stamp = Path.Combine(folder, "complete");
if (arguments.Contains("--regenerate") || !File.Exists(stamp))
{
    var watch = Stopwatch.StartNew();
    var generator = new ShapeSceneGenerator(seed);
    generator.Write(folder, SceneSplit.Train, trainCount, size);
    generator.Write(Path.Combine(folder, "validation"), SceneSplit.Train, validationCount, size);
    generator.Write(folder, SceneSplit.Test, testCount, size);
    File.WriteAllText(stamp, "");
    Console.WriteLine($"Generated {trainCount:N0} training, {validationCount:N0} validation and {testCount:N0} test scenes of {size} × {size} in {watch.Elapsed.TotalSeconds:F1} s.");
}
if (arguments.Contains("--generate-only"))
    return 0;
Console.WriteLine($"Held-out colour-shape pairs (test only): {string.Join(", ", ShapeSceneGenerator.DefaultHeldOut.Select(p => $"{ShapeScene.Word(p.Colour)} {ShapeScene.Word(p.Kind)}"))}.");

var ml = new MLContext(seed: seed);
IDataView Load(string tsv) => ml.Data.LoadFromTextFile(tsv, new TextLoader.Options
{
    HasHeader = true,
    Separators = ['\t'],
    AllowQuoting = false,
    TrimWhitespace = false,
    Columns =
    [
        new TextLoader.Column("File", DataKind.String, 0),
        new TextLoader.Column("Scene", DataKind.String, 1),
        new TextLoader.Column("Captions", DataKind.String, 2, 6),
    ],
});
var trainRaw = Load(Path.Combine(folder, "train.tsv"));
var validationRaw = Load(Path.Combine(folder, "validation", "train.tsv"));
var testRaw = Load(Path.Combine(folder, "test.tsv"));

// 2. ML.NET's image pipeline: pixels for the convolutional encoder, and ResNet18's pooled 512 features.
IEstimator<ITransformer> Pipeline(string imageFolder) =>
    ml.Transforms.LoadImages("Image", imageFolder, "File")
        .Append(ml.Transforms.ResizeImages("Small", size, size, inputColumnName: "Image"))
        .Append(ml.Transforms.ExtractPixels("Pixels", "Small"))
        .Append(ml.Transforms.ResizeImages("Image224", 224, 224, inputColumnName: "Image"))
        .Append(ml.Transforms.ExtractPixels("Pixels224", "Image224"))
        .Append(ml.Transforms.DnnFeaturizeImage("ResNet18", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels224"));
IDataView Featurize(IDataView raw, string imageFolder, string what, out double imagesPerSecond)
{
    var watch = Stopwatch.StartNew();
    var view = Pipeline(imageFolder).Fit(raw).Transform(raw);
    view = ml.Transforms.SelectColumns("File", "Scene", "Captions", "Pixels", "ResNet18").Fit(view).Transform(view);
    var cached = ml.Data.LoadFromEnumerable(ml.Data.CreateEnumerable<SceneRow>(view, reuseRowObject: false).ToList(), view.Schema);
    long rows = cached.GetRowCount() ?? 0;
    imagesPerSecond = rows / watch.Elapsed.TotalSeconds;
    Console.WriteLine($"{what}: {rows:N0} images loaded, resized and featurised by ResNet18 in {watch.Elapsed.TotalSeconds:F1} s ({imagesPerSecond:F1} images/s).");
    return cached;
}
var train = Featurize(trainRaw, folder, "Training", out double featureRate);
var validation = Featurize(validationRaw, Path.Combine(folder, "validation"), "Validation", out _);
var test = Featurize(testRaw, folder, "Test", out double testFeatureRate);

var testRows = ml.Data.CreateEnumerable<SceneRow>(test, reuseRowObject: false).ToList();
var trainRows = ml.Data.CreateEnumerable<SceneRow>(train, reuseRowObject: false).ToList();
var scenes = testRows.Select(r => ShapeSceneGenerator.ParseScene(r.Scene)).ToList();
var references = testRows.Select(r => (IReadOnlyList<string?>)r.Captions.Where(c => c.Length > 0).ToList()).ToList();
var relational = Enumerable.Range(0, scenes.Count).Where(i => scenes[i].HasRelation).ToList();

// 3. The retrieval baseline: the first caption of the nearest training image by cosine similarity of ResNet18 features.
static float[] Unit(float[] v)
{
    double norm = Math.Sqrt(v.Sum(x => (double)x * x));
    return v.Select(x => (float)(x / Math.Max(norm, 1e-12))).ToArray();
}
var trainUnits = trainRows.Select(r => Unit(r.ResNet18)).ToList();
var retrieved = testRows.Select(r =>
{
    var q = Unit(r.ResNet18);
    int best = 0;
    float bestScore = float.NegativeInfinity;
    for (int j = 0; j < trainUnits.Count; j++)
    {
        float s = System.Numerics.Tensors.TensorPrimitives.Dot(q, trainUnits[j]);
        if (s > bestScore)
            (best, bestScore) = (j, s);
    }
    return trainRows[best].Captions[0];
}).ToList();

// 4. The two captioners, same decoder and training settings.
ImageCaptioningTrainer.Options Options(string? pixels, string? features) => new()
{
    PixelsColumnName = pixels,
    FeaturesColumnName = features,
    CaptionColumnName = "Captions",
    Epochs = epochs,
    BatchSize = 64,
    LearningRate = 2e-3,
    Schedule = MLNet.Sequence.Torch.Training.LearningRateSchedule.Cosine,
    Seed = seed,
    NumberOfThreads = threads,
    EarlyStoppingPatience = 3,
};
ImageCaptioningTransformer Train(string what, ImageCaptioningTrainer.Options options)
{
    var watch = Stopwatch.StartNew();
    var model = ml.Transforms.ImageCaptioning(options).Fit(train, validation);
    var last = model.TrainingHistory!.Epochs[^1];
    Console.WriteLine($"{what}: trained in {watch.Elapsed.TotalSeconds:F0} s, {model.TrainingHistory.Epochs.Count} epochs, " +
        $"last training loss {last.TrainingLoss:F3}, validation loss {last.ValidationLoss:F3}.");
    return model;
}
var global = Train("Show and tell (ResNet18 features)", Options(null, "ResNet18"));
var attend = Train("Show, attend and tell (conv regions, ResNet18 starts the decoder)", Options("Pixels", "ResNet18"));

var images = testRows.Select(r => new CaptionImage(r.Pixels, r.ResNet18)).ToList();
var beam3 = new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = 3, Alpha = 0.7, KeepAttention = true, MaximumLength = 40 };
(List<string> Captions, IReadOnlyList<ImageCaption> Full, double PerSecond) Caption(ImageCaptioningTransformer model, DecodingOptions? decoding)
{
    var watch = Stopwatch.StartNew();
    var captions = model.Caption(images, decoding);
    return (captions.Select(c => c.Text).ToList(), captions, images.Count / watch.Elapsed.TotalSeconds);
}
var results = new List<(string Name, List<string> Captions, double? PerSecond)> { ("retrieval (nearest ResNet18 image)", retrieved, null) };
foreach (var (name, model) in new[] { ("show and tell, greedy", global), ("show, attend and tell, greedy", attend) })
{
    Caption(model, null); // warm-up: the first pass pays libtorch's one-time costs, and the timed one follows it
    var greedy = Caption(model, null);
    results.Add((name, greedy.Captions, greedy.PerSecond));
}
var globalBeam = Caption(global, beam3);
var attendBeam = Caption(attend, beam3);
results.Add(("show and tell, beam 3", globalBeam.Captions, globalBeam.PerSecond));
results.Add(("show, attend and tell, beam 3", attendBeam.Captions, attendBeam.PerSecond));

// 5. BLEU over all references, BLEU-4 and facts on relation captions, the kinds of mistake.
double BleuN(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> refs, int n) =>
    Bleu.CorpusScore(hypotheses, refs, new BleuOptions { MaxNgramOrder = n }).Score;
List<T> Pick<T>(IReadOnlyList<T> all, List<int> rows) => rows.Select(i => all[i]).ToList();
Console.WriteLine();
Console.WriteLine($"Held-out test set: {images.Count} images ({relational.Count} with two or three shapes, whose captions state relations), {references.Sum(r => r.Count)} references.");
Console.WriteLine($"{"model",-34} {"BLEU-1",7} {"BLEU-2",7} {"BLEU-3",7} {"BLEU-4",7} {"rel B-4",8} {"correct",8} {"rel ok",12} {"colour",7} {"shape",6} {"size",5} {"relat.",7} {"count",6} {"img/s",7}");
foreach (var (name, captions, perSecond) in results)
{
    var checks = captions.Select((c, i) => scenes[i].Check(c)).ToList();
    int Count(Func<CaptionCheck, bool> f) => checks.Count(f);
    var relChecks = Pick(checks, relational);
    Console.WriteLine($"{name,-34} {BleuN(captions, references, 1),7:F2} {BleuN(captions, references, 2),7:F2} {BleuN(captions, references, 3),7:F2} {BleuN(captions, references, 4),7:F2} " +
        $"{BleuN(Pick(captions, relational), Pick(references, relational), 4),8:F2} {100.0 * Count(c => c.Correct) / checks.Count,7:F1}% " +
        $"{RelationAccuracy(relChecks),12} " +
        $"{Count(c => c.WrongColour),7} {Count(c => c.WrongShape),6} {Count(c => c.WrongSize),5} {Count(c => c.WrongRelation),7} {Count(c => c.WrongCount),6} " +
        $"{(perSecond is double s ? s.ToString("F0") : "-"),7}");
}
Console.WriteLine("(BLEU: sacreBLEU's corpus BLEU-n over all references; rel: the images with relations; correct: every fact of the caption right; " +
    "rel ok: relation captions whose stated relations hold, of those (in brackets) that name both shapes right in kind and colour; " +
    "columns colour..count: captions with that kind of mistake; img/s: captioning the test images batched, features given.)");
Console.WriteLine($"ResNet18 feature extraction (load, resize, ONNX): {featureRate:F1} images/s on the training set, {testFeatureRate:F1} on the test set.");

// The share of relation captions whose relations are right, among those that name both shapes right.
static string RelationAccuracy(List<CaptionCheck> checks)
{
    var judged = checks.Where(c => c.JudgedRelations > 0).ToList();
    return judged.Count == 0 ? "-" : $"{100.0 * judged.Count(c => !c.WrongRelation) / judged.Count:F1}% ({judged.Count})";
}

// 6. Examples and attention pictures.
Console.WriteLine();
for (int i = 0; i < Math.Min(8, images.Count); i++)
{
    Console.WriteLine($"{testRows[i].File}: {scenes[i]}");
    Console.WriteLine($"  reference   {references[i][0]}");
    Console.WriteLine($"  retrieval   {retrieved[i]}");
    Console.WriteLine($"  global      {globalBeam.Captions[i]}");
    Console.WriteLine($"  attention   {attendBeam.Captions[i]}");
    var caption = attendBeam.Full[i];
    using var bitmap = SKBitmap.Decode(Path.Combine(folder, testRows[i].File));
    string picture = Path.Combine(output, $"attention-{i}.png");
    CaptionAttentionPicture.Save(picture, bitmap, caption.Tokens, caption.Attention!, caption.RegionRows, caption.RegionColumns);
    Console.WriteLine($"  picture     {picture}");
}

// 7. The attention model in a zip, loaded back as a user would.
string zip = Path.Combine(output, "captioner.zip");
ml.Model.Save(attend.WithDecoding(beam3), test.Schema, zip);
var reloaded = new MLContext().Model.Load(zip, out _);
var again = reloaded.Transform(test).GetColumn<ReadOnlyMemory<char>>("PredictedCaption").Select(t => t.ToString()).ToList();
Console.WriteLine($"Saved {zip}; reloaded, it gives {(again.SequenceEqual(attendBeam.Captions) ? "identical" : "DIFFERENT")} captions.");
return 0;

internal sealed class SceneRow
{
    public string File { get; set; } = "";

    public string Scene { get; set; } = "";

    [VectorType(5)]
    public string[] Captions { get; set; } = [];

    public float[] Pixels { get; set; } = [];

    [VectorType(512)]
    public float[] ResNet18 { get; set; } = [];
}
