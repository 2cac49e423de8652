// Word2Vec on the Brown corpus inside an ML.NET pipeline: train, query the vectors, save the pipeline to
// a model zip, load it in a fresh MLContext and check that the same vectors come back.
// Usage: dotnet run -c Release --project examples/Word2VecBrown -- <brown.txt> [questions-words.txt]
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Embeddings.Evaluation;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Word2VecBrown <brown.txt> [questions-words.txt]  (build/example.sh prepares brown.txt)");
    return 1;
}

var ml = new MLContext(seed: 1);
ml.Log += (_, e) =>
{
    if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && (e.Source.StartsWith("Word2Vec", StringComparison.Ordinal)))
        Console.WriteLine("  [ml.net] " + e.RawMessage);
};

// One sentence per line; the text loader reads the file lazily, once per pass.
var sentences = ml.Data.LoadFromTextFile<Sentence>(args[0], separatorChar: '\t', allowQuoting: false);

var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", nameof(Sentence.Text), separators: new[] { ' ' })
    .Append(ml.Transforms.Text.Word2Vec("Embedding", "Tokens", new Word2VecEstimator.Options
    {
        Model = Word2VecModel.SkipGram,
        Dimension = 100,
        WindowSize = 5,
        NegativeSamples = 5,
        SubSampling = 1e-3,
        MinimumCount = 5,
        Epochs = 5,
        NumberOfThreads = Environment.ProcessorCount,
    }));

Console.WriteLine($"Training skip-gram Word2Vec on {args[0]} ...");
var model = pipeline.Fit(sentences);
var word2vec = model.LastTransformer;
var vectors = word2vec.Vectors;
var summary = word2vec.TrainingSummary!;
Console.WriteLine($"Vocabulary: {vectors.Count:N0} words x {vectors.Dimension} dimensions; " +
    $"{summary.Words:N0} words trained in {summary.Seconds:F1} s ({summary.WordsPerSecond:N0} words/s on {summary.Threads} threads)");

Console.WriteLine();
Console.WriteLine("Nearest neighbours (cosine similarity):");
foreach (var word in new[] { "money", "church", "president", "war", "water", "monday" })
{
    if (!vectors.Vocabulary.Contains(word))
        continue;
    var near = vectors.MostSimilar(word, 6);
    Console.WriteLine($"  {word,-10} {string.Join(", ", near.Select(n => $"{n.Word} {n.Similarity:F2}"))}");
}

Console.WriteLine();
Console.WriteLine("Analogies a : b :: c : ?  (3CosAdd, top 3):");
foreach (var (a, b, c) in new[] { ("man", "woman", "he"), ("good", "better", "bad"), ("go", "went", "come"), ("france", "paris", "england"), ("day", "days", "year") })
{
    if (new[] { a, b, c }.All(vectors.Vocabulary.Contains))
        Console.WriteLine($"  {a} : {b} :: {c} : {string.Join(", ", vectors.Analogy(a, b, c, 3).Select(x => x.Word))}");
}
Console.WriteLine($"Doesn't match (breakfast lunch dinner church): {vectors.DoesntMatch(new[] { "breakfast", "lunch", "dinner", "church" })}");

if (args.Length > 1 && File.Exists(args[1]))
{
    var analogy = AnalogyEvaluation.Evaluate(vectors, args[1]);
    Console.WriteLine($"Analogy accuracy on {Path.GetFileName(args[1])}: {100 * analogy.Accuracy:F2}% of {analogy.Evaluated} answerable questions ({100 * analogy.Coverage:F1}% coverage)");
}

// Save the whole fitted pipeline, then load it as another process would: a new MLContext, no registration.
string zip = Path.Combine(Path.GetTempPath(), "word2vec-brown.zip");
ml.Model.Save(model, sentences.Schema, zip);
var fresh = new MLContext();
var loaded = fresh.Model.Load(zip, out _);
Console.WriteLine();
Console.WriteLine($"Saved the pipeline to {zip} ({new FileInfo(zip).Length / 1024:N0} KiB) and loaded it in a fresh MLContext.");

var probe = new[] { "the jury said the election was conducted well", "money and taxes for the city", "the church and the minister" }
    .Select(t => new Sentence { Text = t }).ToArray();
var before = model.Transform(ml.Data.LoadFromEnumerable(probe)).GetColumn<float[]>("Embedding").ToArray();
var after = loaded.Transform(fresh.Data.LoadFromEnumerable(probe)).GetColumn<float[]>("Embedding").ToArray();
for (int i = 0; i < probe.Length; i++)
{
    Console.WriteLine($"  \"{probe[i].Text}\" -> [{string.Join(", ", after[i].Take(4).Select(v => v.ToString("F3")))}, ...]  " +
        $"identical after reload: {before[i].SequenceEqual(after[i])}");
}
bool same = before.Zip(after).All(p => p.First.SequenceEqual(p.Second));
Console.WriteLine(same ? "The reloaded pipeline gives the same vectors." : "ERROR: the reloaded pipeline gives different vectors.");
return same ? 0 : 1;

/// <summary>A line of the corpus.</summary>
public sealed class Sentence
{
    /// <summary>The sentence text.</summary>
    [LoadColumn(0)]
    public string Text { get; set; } = "";
}
