// GloVe on the Brown corpus inside an ML.NET pipeline: train (vocabulary, co-occurrences in bounded
// memory, shuffle, AdaGrad), show the cost curve, query the vectors, save the pipeline to a model zip
// and load it in a fresh MLContext.
// Usage: dotnet run -c Release --project examples/GloVeBrown -- <brown.txt> [questions-words.txt]
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Embeddings.Evaluation;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: GloVeBrown <brown.txt> [questions-words.txt]  (build/setup.sh prepares brown.txt)");
    return 1;
}

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.Contains("GloVe", StringComparison.Ordinal))
        Console.WriteLine("  [ml.net] " + e.RawMessage);
};

var sentences = ml.Data.LoadFromTextFile<Sentence>(args[0], separatorChar: '\t', allowQuoting: false);
var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", nameof(Sentence.Text), separators: new[] { ' ' })
    .Append(ml.Transforms.Text.GloVe("Embedding", "Tokens", new GloVeEstimator.Options
    {
        Dimension = 100,
        WindowSize = 10,
        MinimumCount = 5,
        XMax = 10,          // Brown is small: the reference's advice for small corpora
        Iterations = 15,
        MemoryLimitGB = 1.0,
        NumberOfThreads = Environment.ProcessorCount,
    }));

Console.WriteLine($"Training GloVe on {args[0]} ...");
var model = pipeline.Fit(sentences);
var glove = model.LastTransformer;
var vectors = glove.Vectors;
var summary = glove.TrainingSummary!;
Console.WriteLine($"Vocabulary {vectors.Count:N0} words, {summary.Pairs:N0} co-occurrence pairs; " +
    $"{summary.TotalSeconds:F1} s in all (vocabulary {summary.VocabularySeconds:F1}, co-occurrences {summary.CooccurrenceSeconds:F1}, " +
    $"shuffle {summary.ShuffleSeconds:F1}, training {summary.TrainingSeconds:F1})");

Console.WriteLine();
Console.WriteLine("Cost per iteration:");
double top = summary.Costs[0];
for (int i = 0; i < summary.Costs.Count; i++)
    Console.WriteLine($"  {i + 1,2}  {summary.Costs[i]:F4}  {new string('#', (int)Math.Round(50 * summary.Costs[i] / top))}");

Console.WriteLine();
Console.WriteLine("Nearest neighbours (cosine similarity):");
foreach (var word in new[] { "money", "church", "president", "war", "monday" })
{
    if (vectors.Vocabulary.Contains(word))
        Console.WriteLine($"  {word,-10} {string.Join(", ", vectors.MostSimilar(word, 6).Select(n => $"{n.Word} {n.Similarity:F2}"))}");
}
Console.WriteLine();
Console.WriteLine("Analogies a : b :: c : ?  (3CosAdd, top 3):");
foreach (var (a, b, c) in new[] { ("man", "woman", "he"), ("go", "went", "come"), ("day", "days", "year") })
{
    if (new[] { a, b, c }.All(vectors.Vocabulary.Contains))
        Console.WriteLine($"  {a} : {b} :: {c} : {string.Join(", ", vectors.Analogy(a, b, c, 3).Select(x => x.Word))}");
}
if (args.Length > 1 && File.Exists(args[1]))
{
    var analogy = AnalogyEvaluation.Evaluate(vectors, args[1]);
    Console.WriteLine($"Analogy accuracy on {Path.GetFileName(args[1])}: {100 * analogy.Accuracy:F2}% of {analogy.Evaluated} answerable questions");
}

string zip = Path.Combine(Path.GetTempPath(), "glove-brown.zip");
ml.Model.Save(model, sentences.Schema, zip);
var fresh = new MLContext();
var loaded = fresh.Model.Load(zip, out _);
var probe = new[] { new Sentence { Text = "the jury praised the city" }, new Sentence { Text = "prices and taxes rose" } };
var before = model.Transform(ml.Data.LoadFromEnumerable(probe)).GetColumn<float[]>("Embedding").ToArray();
var after = loaded.Transform(fresh.Data.LoadFromEnumerable(probe)).GetColumn<float[]>("Embedding").ToArray();
bool same = before.Zip(after).All(p => p.First.SequenceEqual(p.Second));
Console.WriteLine();
Console.WriteLine($"Saved the pipeline to {zip} and loaded it in a fresh MLContext: " +
    (same ? "the same sentence vectors come back." : "ERROR: the vectors differ."));
return same ? 0 : 1;

/// <summary>A line of the corpus.</summary>
public sealed class Sentence
{
    /// <summary>The sentence text.</summary>
    [LoadColumn(0)]
    public string Text { get; set; } = "";
}
