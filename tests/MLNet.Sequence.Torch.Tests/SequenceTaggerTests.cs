using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Tagging;

namespace MLNet.Sequence.Torch.Tests;

public class SequenceTaggerTests
{
    public sealed class TaggedRow
    {
        public string Tokens { get; set; } = "";
        public string Tags { get; set; } = "";
    }

    // A toy grammar: determiners, nouns, verbs and adverbs; "can" and "run" are ambiguous and need context.
    private static readonly string[] Determiners = { "the", "a", "this" };
    private static readonly string[] Nouns = { "dog", "cat", "can", "run", "bird" };
    private static readonly string[] Verbs = { "sees", "likes", "can", "run", "eats" };

    public static List<TaggedRow> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<TaggedRow>();
        for (int i = 0; i < count; i++)
        {
            var words = new List<string>();
            var tags = new List<string>();
            void Add(string w, string t) { words.Add(random.Next(5) == 0 ? char.ToUpperInvariant(w[0]) + w[1..] : w); tags.Add(t); }
            Add(Determiners[random.Next(3)], "DET");
            Add(Nouns[random.Next(5)], "NOUN");
            Add(Verbs[random.Next(5)], "VERB");
            if (random.Next(2) == 0)
            {
                Add(Determiners[random.Next(3)], "DET");
                Add(Nouns[random.Next(5)], "NOUN");
            }
            if (random.Next(3) == 0)
                Add("quickly", "ADV");
            rows.Add(new TaggedRow { Tokens = string.Join(' ', words), Tags = string.Join(' ', tags) });
        }
        return rows;
    }

    private static SequenceTaggerTrainer.Options Small(int epochs = 10) => new()
    {
        Embedding = new EmbeddingOptions { Dimension = 16 },
        Encoder = new RecurrentEncoderOptions { HiddenSize = 16, Bidirectional = true },
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.01,
        Dropout = 0.1,
        Seed = 1,
    };

    [Fact]
    public void LearnsAmbiguousWordsFromContextAndSavesInTheZip()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(300, 1));
        var tagger = ml.Transforms.Text.SequenceTagger(Small()).Fit(train);
        var testRows = Rows(100, 2);
        var metrics = tagger.Evaluate(ml.Data.LoadFromEnumerable(testRows));
        Assert.Equal(1.0, metrics.TokenAccuracy);
        Assert.Equal(1.0, metrics.SentenceAccuracy);
        Assert.Equal(testRows.Sum(r => r.Tags.Split(' ').Length), metrics.Tokens);
        var losses = tagger.TrainingHistory!.Epochs.Select(e => e.TrainingLoss).ToArray();
        Assert.True(losses[^1] < losses[0] / 5, string.Join(", ", losses));

        // "can" after a determiner is a noun, after a noun a verb.
        Assert.Equal(new[] { "DET", "NOUN", "VERB", "DET", "NOUN" }, tagger.Predict(new[] { "the can can the run".Split(' ') })[0]);

        string path = Path.Combine(Path.GetTempPath(), $"tagger-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(tagger, train.Schema, path);
            var fresh = new MLContext(seed: 5);
            var loaded = fresh.Model.Load(path, out _);
            var predicted = loaded.Transform(fresh.Data.LoadFromEnumerable(testRows)).GetColumn<string[]>("PredictedTags").ToArray();
            Assert.Equal(testRows.Select(r => r.Tags), predicted.Select(p => string.Join(' ', p)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MisalignedRowsAndUnknownTagsAreNamed()
    {
        var ml = new MLContext(seed: 1);
        var bad = new List<TaggedRow>(Rows(5, 3)) { new() { Tokens = "the dog sees", Tags = "DET NOUN" } };
        var e = Assert.ThrowsAny<Exception>(() => ml.Transforms.Text.SequenceTagger(Small(1)).Fit(ml.Data.LoadFromEnumerable(bad)));
        Assert.Contains("Row 5", e.Message);
        Assert.Contains("'Tokens'", e.Message);
        Assert.Contains("'Tags'", e.Message);

        var tagger = ml.Transforms.Text.SequenceTagger(Small(1)).Fit(ml.Data.LoadFromEnumerable(Rows(20, 4)));
        var unknown = new[] { new TaggedRow { Tokens = "the dog sees", Tags = "DET NOUN PRON" } };
        var e2 = Assert.ThrowsAny<Exception>(() => tagger.Evaluate(ml.Data.LoadFromEnumerable(unknown)));
        Assert.Contains("'PRON'", e2.Message);

        var missing = Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
            ml.Transforms.Text.SequenceTagger(new SequenceTaggerTrainer.Options { LabelColumnName = "Pos" }).Fit(ml.Data.LoadFromEnumerable(Rows(5, 3))));
        Assert.Contains("Pos", missing.Message);
    }
}
