// Looking at embeddings and removing gender bias: train Word2Vec on Brown (or load a vectors file), print
// the bias report, debias in an ML.NET pipeline, print the report again, and draw a t-SNE map and the
// before/after bias plane.
// Usage: dotnet run -c Release --project examples/EmbeddingAnalysis -- <brown.txt | vectors.vec> [output folder]
using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.ML;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Embeddings.Debias;
using MLNet.Sequence.Embeddings.Projection;
using MLNet.Sequence.Plots;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: EmbeddingAnalysis <brown.txt | vectors.vec|.bin|.txt with a header> [output folder]");
    return 1;
}
string outDir = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "mlnet-seq-analysis");
Directory.CreateDirectory(outDir);
var ml = new MLContext(seed: 1);

WordVectors vectors;
if (File.ReadLines(args[0]).First().Split(' ') is [var a, var b] && int.TryParse(a, out _) && int.TryParse(b, out _))
{
    vectors = WordVectorFile.Load(args[0]);
}
else
{
    Console.WriteLine($"Training skip-gram Word2Vec on {args[0]} ...");
    var text = ml.Data.LoadFromEnumerable(File.ReadLines(args[0]).Select(l => new Line { Text = l }));
    vectors = ml.Transforms.Text.Word2Vec("Vec", nameof(Line.Text), new Word2VecEstimator.Options { Epochs = 5 }).Fit(text).Vectors;
}
Console.WriteLine($"{vectors.Count:N0} words x {vectors.Dimension} dimensions.");

// WEAT: career vs family words against male vs female words (the words missing from the table are dropped).
string[] career = { "executive", "management", "professional", "business", "salary", "office", "career", "industry" };
string[] family = { "home", "parents", "children", "family", "marriage", "wedding", "relatives", "mother" };
string[] male = { "he", "him", "his", "man", "men", "boy", "himself", "son" };
string[] female = { "she", "her", "hers", "woman", "women", "girl", "herself", "daughter" };
void Weat(string when, WordVectors v)
{
    var r = BiasMetrics.Weat(v, career.Where(w => w != "mother"), family.Where(w => w != "mother"), male, female);
    Console.WriteLine($"  WEAT career/family vs male/female, {when}: effect size {r.EffectSize:F3}, p = {r.PValue:F4}");
}

// Debias inside a pipeline (the transformer holds the debiased table and is saved with the model).
var sentences = ml.Data.LoadFromEnumerable(new[] { new Line { Text = "the nurse and the engineer" } });
var debias = ml.Transforms.Text.Debias(vectors, "Embedding", nameof(Line.Text)).Fit(sentences);
var debiased = debias.Vectors;
var result = debias.Result!;
Console.WriteLine();
Console.WriteLine($"Gender direction from {result.DefinitionalPairsUsed} definitional pairs (explained variance ratio {result.Subspace.ExplainedVarianceRatio[0]:F3}); " +
    $"{result.Neutralized:N0} words neutralized, {result.EqualizedPairs} pairs equalized.");
var report = BiasMetrics.Compare(vectors, debiased, result.Subspace, GenderWordLists.SpecificWords.ToArray(), biasedWordsPerSide: 100);
Console.WriteLine($"  {report}");
Weat("before", vectors);
Weat("after ", debiased);
var g = result.Subspace.Direction;
foreach (var w in new[] { "nurse", "secretary", "engineer", "captain", "doctor", "dancer" })
{
    if (vectors.Vocabulary.Contains(w))
        Console.WriteLine($"  cos({w}, g): {TensorPrimitives.CosineSimilarity(vectors.GetVector(w), g),7:F3} -> {TensorPrimitives.CosineSimilarity(debiased.GetVector(w), g),7:F3}");
}

// The bias plane: the most gender-leaning neutral words on g and on the second gender component, before and after.
var second = HardDebias.FindSubspace(vectors, GenderWordLists.DefinitionalPairs.Select(p => (p.Female, p.Male)).ToArray(),
    BiasDirectionMethod.PrincipalComponents, 2, 1, out _).Directions[1];
var specific = new HashSet<string>(GenderWordLists.SpecificWords);
var leaning = vectors.Vocabulary.Words.Take(5000).Where(w => !specific.Contains(w))
    .OrderByDescending(w => Math.Abs(TensorPrimitives.CosineSimilarity(vectors.GetVector(w), g))).Take(40).ToArray();
(string, double[], double[], IReadOnlyList<string>?) Plane(string name, WordVectors v) => (name,
    leaning.Select(w => (double)TensorPrimitives.CosineSimilarity(v.GetVector(w), g)).ToArray(),
    leaning.Select(w => (double)TensorPrimitives.CosineSimilarity(v.GetVector(w), second)).ToArray(), leaning);
string plane = Path.Combine(outDir, "bias-plane.png");
MapPlot.Save(plane, "The 40 most gender-leaning words, before and after debiasing", "cosine with the gender direction g (female +)",
    "cosine with the second gender component", new[] { Plane("before", vectors), Plane("after", debiased) });

// A t-SNE map of the 1,000 most frequent words.
int top = Math.Min(1000, vectors.Count);
var map = Tsne.Fit(vectors.EmbeddingMatrix.Span[..(top * vectors.Dimension)], top, vectors.Dimension, new TsneOptions { Perplexity = 30 });
var xs = Enumerable.Range(0, top).Select(i => (double)map.Embedding[2 * i]).ToArray();
var ys = Enumerable.Range(0, top).Select(i => (double)map.Embedding[2 * i + 1]).ToArray();
string mapPath = Path.Combine(outDir, "tsne-map.png");
MapPlot.Save(mapPath, $"t-SNE map of the {top} most frequent words (KL {map.KullbackLeibler:F2})", "", "",
    new[] { ("words", xs[..150], ys[..150], (IReadOnlyList<string>?)vectors.Vocabulary.Words.Take(150).ToArray()), ("", xs[150..], ys[150..], null) });
Console.WriteLine();
Console.WriteLine($"Pictures: {plane}, {mapPath}");
return 0;

/// <summary>A line of text.</summary>
public sealed class Line
{
    /// <summary>The text.</summary>
    public string Text { get; set; } = "";
}
