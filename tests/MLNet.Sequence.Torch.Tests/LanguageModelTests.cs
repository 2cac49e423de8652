using MLNet.Sequence.Torch.Decoding;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.LanguageModel;
using MLNet.Sequence.Torch.Modules;

namespace MLNet.Sequence.Torch.Tests;

public class LanguageModelTests
{
    public sealed class Line
    {
        public string Text { get; set; } = "";
    }

    // Sentences of a tiny grammar: subject, verb, object, in that order.
    private static List<Line> Sentences(int count, int seed)
    {
        var subjects = new[] { "the cat", "a dog", "my sister", "the old man" };
        var verbs = new[] { "sees", "likes", "finds", "feeds" };
        var objects = new[] { "the ball", "a bird", "some fish", "the red box" };
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => new Line
        {
            Text = $"{subjects[random.Next(4)]} {verbs[random.Next(4)]} {objects[random.Next(4)]} .",
        }).ToList();
    }

    private static LanguageModelTrainer.Options Small(SequenceUnit unit, int epochs) => new()
    {
        Unit = unit,
        MinimumTokenCount = 1,
        Embedding = new EmbeddingOptions { Dimension = 16 },
        Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Gru, HiddenSize = 32 },
        Dropout = 0,
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.01,
        Seed = 1,
    };

    [Fact]
    public void WordModelPrefersGrammaticalOrderAndScoresInAPipeline()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Text.LanguageModel(Small(SequenceUnit.Word, 8)).Fit(ml.Data.LoadFromEnumerable(Sentences(300, 1)));
        var losses = model.TrainingHistory!.Epochs.Select(e => e.TrainingLoss).ToArray();
        Assert.True(losses[^1] < losses[0] / 2, string.Join(", ", losses));

        var test = Sentences(50, 2);
        var random = new Random(3);
        var originals = test.Select(l => model.Tokenize(l.Text)).ToList();
        var shuffled = originals.Select(w => { var c = (string[])w.Clone(); do random.Shuffle(c); while (c.SequenceEqual(w)); return c; }).ToList();
        var a = model.LogProbabilities(originals);
        var b = model.LogProbabilities(shuffled);
        Assert.All(a.Zip(b), p => Assert.True(p.First > p.Second));

        // The grammar chooses a subject, a verb and an object, 4 ways each, and all else follows: the ideal model's
        // cross-entropy is ln 64 per sentence, so its perplexity is exp(sentences x ln 64 / tokens).
        var metrics = model.Evaluate(ml.Data.LoadFromEnumerable(test));
        double ideal = Math.Exp(test.Count * Math.Log(64) / metrics.Tokens);
        Assert.InRange(metrics.Perplexity, 0.9 * ideal, 1.3 * ideal);
        Assert.Equal(test.Sum(l => l.Text.Split(' ').Length + 1), metrics.Tokens);

        var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
        var logp = scored.GetColumn<float>("LogProbability").ToArray();
        var perplexity = scored.GetColumn<float>("Perplexity").ToArray();
        for (int i = 0; i < test.Count; i++)
        {
            // Tolerances, not rounding to decimal places: the column is float, LogProbabilities double.
            Assert.Equal(a[i], logp[i], tolerance: 1e-4 * Math.Abs(a[i]));
            Assert.Equal(Math.Exp(-a[i] / (originals[i].Length + 1)), perplexity[i], tolerance: 1e-4 * perplexity[i]);
        }

        // Sampling carries the state from word to word: "the" opens a subject ("the cat", "the old man")
        // or an object ("the ball", "the red box") only according to what came before it.
        const string grammatical = "^(the cat|a dog|my sister|the old man) (sees|likes|finds|feeds) (the ball|a bird|some fish|the red box) \\.$";
        for (int seed = 0; seed < 20; seed++)
            Assert.Matches(grammatical, model.Generate("", 10, temperature: 0.5, seed: seed));
        Assert.Matches(grammatical, model.Generate("my sister feeds the", 10, temperature: 0.5, seed: 1));

        // Beam search on the same model: an n-best list of grammatical sentences, most probable first, each
        // with its log-probability.
        var nBest = model.Decode("my sister", new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = 4, NBest = 4, LengthPenalty = LengthPenalty.None });
        Assert.Equal(4, nBest.Count);
        Assert.All(nBest, h => Assert.Matches(grammatical, h.Text));
        Assert.True(nBest.Zip(nBest.Skip(1)).All(p => p.First.LogProbability >= p.Second.LogProbability));
        var greedy = model.Decode("my sister", new DecodingOptions());
        Assert.Matches(grammatical, greedy[0].Text);
    }

    [Fact]
    public void CharacterModelGeneratesSeededTextAndReloads()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Sentences(200, 4));
        var model = ml.Transforms.Text.LanguageModel(Small(SequenceUnit.Character, 20)).Fit(train);
        string first = model.Generate("the ", 60, temperature: 0.5, topK: 3, seed: 9);
        Assert.Equal(first, model.Generate("the ", 60, temperature: 0.5, topK: 3, seed: 9));
        Assert.StartsWith("the ", first);
        // Learned words come out: the continuation of "the " is one of the grammar's phrases.
        Assert.Matches("^the (cat|old man|ball|red box) ", first);

        string path = Path.Combine(Path.GetTempPath(), $"charlm-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = (LanguageModelTransformer)new MLContext(seed: 8).Model.Load(path, out _);
            Assert.Equal(first, loaded.Generate("the ", 60, temperature: 0.5, topK: 3, seed: 9));
            Assert.Equal(model.Evaluate(train).Perplexity, loaded.Evaluate(train).Perplexity, tolerance: 1e-9);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BidirectionalEncoderIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var options = Small(SequenceUnit.Word, 1);
        options.Encoder.Bidirectional = true;
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.Transforms.Text.LanguageModel(options));
        Assert.Contains("Encoder", e.Message);
    }
}
