using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings.GloVe;
using MLNet.Sequence.Embeddings.Training;

namespace MLNet.Sequence.Embeddings.Tests;

public class CooccurrenceTests
{
    private static Dictionary<(int, int), double> Count(int[][] sentences, int window, bool symmetric, bool distanceWeighting, long memoryBytes, string temp)
    {
        using var counter = new CooccurrenceCounter(10, memoryBytes, temp);
        foreach (var s in sentences)
            counter.AddSentence(s, window, symmetric, distanceWeighting);
        return counter.Merge().ToDictionary(c => (c.Word, c.Context), c => c.Count);
    }

    [Fact]
    public void SymmetricWindowWithDistanceWeightingMatchesHandCount()
    {
        using var dir = new TempDir();
        // "a b c" with ids 0 1 2, window 2: (a,b) and (b,c) at distance 1, (a,c) at distance 2.
        var x = Count(new[] { new[] { 0, 1, 2 } }, 2, symmetric: true, distanceWeighting: true, 1 << 20, dir.Path);
        var expected = new Dictionary<(int, int), double>
        {
            [(0, 1)] = 1, [(1, 0)] = 1, [(1, 2)] = 1, [(2, 1)] = 1, [(0, 2)] = 0.5, [(2, 0)] = 0.5,
        };
        Assert.Equal(expected, x);
    }

    [Fact]
    public void LeftOnlyWindowAndUnweightedCounts()
    {
        using var dir = new TempDir();
        // Left-only: row = the word on the left, column = the word it precedes. Two sentences accumulate.
        var x = Count(new[] { new[] { 0, 1, 2 }, new[] { 0, 1 } }, 2, symmetric: false, distanceWeighting: false, 1 << 20, dir.Path);
        Assert.Equal(new Dictionary<(int, int), double> { [(0, 1)] = 2, [(1, 2)] = 1, [(0, 2)] = 1 }, x);
        // Window 1 drops the distance-2 pair; pairs never cross sentences.
        var w1 = Count(new[] { new[] { 0, 1, 2 }, new[] { 3 } }, 1, symmetric: false, distanceWeighting: true, 1 << 20, dir.Path);
        Assert.Equal(new Dictionary<(int, int), double> { [(0, 1)] = 1, [(1, 2)] = 1 }, w1);
    }

    [Fact]
    public void TinyMemorySpillsToFewFilesAndGivesTheSameCounts()
    {
        using var dir = new TempDir();
        var rng = new Random(7);
        var sentences = Enumerable.Range(0, 400).Select(_ => Enumerable.Range(0, 12).Select(_ => rng.Next(10)).ToArray()).ToArray();
        var big = Count(sentences, 4, true, true, 1 << 24, dir.File("big"));

        string spillDir = dir.File("small");
        using var counter = new CooccurrenceCounter(10, 200, spillDir); // 200 bytes: no dense table, a 16-record buffer
        foreach (var s in sentences)
            counter.AddSentence(s, 4, true, true);
        Assert.InRange(counter.DenseEntries, 1, big.Count / 2); // mostly sparse
        Assert.True(counter.SpillsWritten > CooccurrenceCounter.MaxSpillFiles, $"{counter.SpillsWritten} spills");
        Assert.True(counter.SpillFiles <= CooccurrenceCounter.MaxSpillFiles);
        Assert.True(Directory.GetFiles(spillDir).Length <= CooccurrenceCounter.MaxSpillFiles);
        var small = counter.Merge().ToList();
        Assert.Equal(small.OrderBy(c => c.Key).Select(c => c.Key), small.Select(c => c.Key)); // sorted, no duplicates
        Assert.Equal(big.Count, small.Count);
        foreach (var c in small)
            Assert.Equal(big[(c.Word, c.Context)], c.Count, 9);
        counter.Dispose();
        Assert.Empty(Directory.GetFiles(spillDir));
    }

    [Fact]
    public void MaxProductFollowsGloVesFormula()
    {
        // n (ln n + 0.1544313298) = R
        long n = CooccurrenceCounter.SolveMaxProduct(1e8);
        Assert.InRange(n * (Math.Log(n) + 0.1544313298), 0.999e8, 1.001e8);
        Assert.Equal(0, CooccurrenceCounter.SolveMaxProduct(1));
    }
}

public class GloVeTrainerTests
{
    [Fact]
    public void OneAdaGradStepMatchesHandComputation()
    {
        // V = 2 words, d = 2. Word 0: w = (0.1, 0.2), b = 0.05; context 0: w~ = (0.3, -0.1), b~ = -0.02.
        float[] vectors = { 0.1f, 0.2f, 0, 0, 0.3f, -0.1f, 0, 0 };
        float[] biases = { 0.05f, 0, -0.02f, 0 };
        float[] sqV = { 1, 1, 1, 1, 4, 4, 1, 1 };
        float[] sqB = { 1, 1, 1, 1 };
        var trainer = new GloVeTrainer(2, 2, eta: 0.05f, threads: 1, seed: 1, new GloVeState(vectors, biases, sqV, sqB, 0));
        double x = 2, weight = Math.Pow(x / 100, 0.75);
        var pair = new GloVePair { Word = 0, Context = 0, LogCount = (float)Math.Log(x), Weight = (float)weight };

        float cost = trainer.Step(pair);

        double diff = 0.1 * 0.3 + 0.2 * -0.1 + 0.05 - 0.02 - Math.Log(2);
        double fdiff = weight * diff;
        Assert.Equal(0.5 * fdiff * diff, cost, 6);
        fdiff *= 0.05;
        // w -= fdiff w~ / sqrt(1);  w~ -= fdiff w / sqrt(4) (with w before its update)
        Assert.Equal(0.1 - fdiff * 0.3, trainer.Vectors[0], 6);
        Assert.Equal(0.2 - fdiff * -0.1, trainer.Vectors[1], 6);
        Assert.Equal(0.3 - fdiff * 0.1 / 2, trainer.Vectors[4], 6);
        Assert.Equal(-0.1 - fdiff * 0.2 / 2, trainer.Vectors[5], 6);
        Assert.Equal(1 + Math.Pow(fdiff * 0.3, 2), trainer.VectorGradSq[0], 6);
        Assert.Equal(4 + Math.Pow(fdiff * 0.2, 2), trainer.VectorGradSq[5], 6);
        Assert.Equal(0.05 - fdiff, trainer.Biases[0], 6);
        Assert.Equal(-0.02 - fdiff, trainer.Biases[2], 6);
        Assert.Equal(1 + fdiff * fdiff, trainer.BiasGradSq[2], 6);
        // The state given in is not changed: training works on copies.
        Assert.Equal(0.1f, vectors[0]);
    }
}

public class GloVeEstimatorTests
{
    private static IDataView Corpus(MLContext ml, int sentences = 3000, int seed = 1) =>
        ml.Data.LoadFromEnumerable(SyntheticCorpus.Sentences(sentences, seed).Select(s => new TextRow { Text = s }));

    private static GloVeEstimator.Options Small(string? temp = null) => new()
    {
        Dimension = 16,
        WindowSize = 5,
        MinimumCount = 2,
        Iterations = 15,
        XMax = 10,
        NumberOfThreads = 1,
        Seed = 2,
        TempDirectory = temp,
    };

    [Fact]
    public void LearnsTopicsCostFallsAndTempFilesAreRemoved()
    {
        using var dir = new TempDir();
        var ml = new MLContext(1);
        var options = Small(dir.Path);
        options.MemoryLimitGB = 5e-6; // ~5 KiB: forces spill files and an on-disk shuffle
        // On this 47-word toy corpus the fit is nearly exact, and W + W~ mixes in the context vectors'
        // arbitrary rotation; the word vectors W alone show the topics cleanly.
        options.AddContextVectors = false;
        var t = ml.Transforms.Text.GloVe("Vec", "Text", options).Fit(Corpus(ml));
        var s = t.TrainingSummary!;
        Assert.Equal(15, s.Costs.Count);
        Assert.True(s.Costs[^1] < s.Costs[0] * 0.5, string.Join(", ", s.Costs));
        Assert.True(s.SpillFiles > 0);
        Assert.True(SyntheticCorpus.TopicPurity(t.Vectors) >= 0.9, $"purity {SyntheticCorpus.TopicPurity(t.Vectors)}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));

        // The default output, W + W~, still ranks a same-topic word above another topic's.
        var sum = ml.Transforms.Text.GloVe("Vec", "Text", Small()).Fit(Corpus(ml)).Vectors;
        Assert.True(sum.Similarity("cat", "dog") > sum.Similarity("cat", "car"));
    }

    [Fact]
    public void InMemoryAndSpilledRunsGiveTheSameModelWithOneThread()
    {
        var ml = new MLContext(1);
        var inMemory = Small();
        var spilled = Small();
        spilled.MemoryLimitGB = 5e-6;
        var a = ml.Transforms.Text.GloVe("Vec", "Text", inMemory).Fit(Corpus(ml, 500)).TrainingSummary!;
        var b = ml.Transforms.Text.GloVe("Vec", "Text", spilled).Fit(Corpus(ml, 500)).TrainingSummary!;
        // Same pairs; the shuffle order differs with the chunking, so compare what does not depend on it.
        Assert.Equal(a.Pairs, b.Pairs);
        Assert.Equal(a.Costs[^1], b.Costs[^1], 0.05);
    }

    [Fact]
    public void SavesLoadsAndResumesWithItsTrainingState()
    {
        using var dir = new TempDir();
        var ml = new MLContext(1);
        var data = Corpus(ml, 1000);
        var options = Small();
        options.Iterations = 5;
        options.KeepTrainingState = true;
        var first = ml.Transforms.Text.GloVe("Vec", "Text", options).Fit(data);
        string path = dir.File("glove.zip");
        ml.Model.Save(first, data.Schema, path);
        var loaded = Assert.IsType<GloVeTransformer>(new MLContext().Model.Load(path, out _));
        Assert.True(loaded.HasTrainingState);
        Assert.Equal(first.Vectors.EmbeddingMatrix.ToArray(), loaded.Vectors.EmbeddingMatrix.ToArray());
        Assert.Equal(first.Transform(data).GetColumn<float[]>("Vec").First(), loaded.Transform(data).GetColumn<float[]>("Vec").First());

        var resume = Small();
        resume.Iterations = 2;
        resume.ContinueFrom = loaded;
        var second = ml.Transforms.Text.GloVe("Vec", "Text", resume).Fit(data).TrainingSummary!;
        // Resumed training continues from the last cost instead of starting over.
        Assert.True(second.Costs[0] < first.TrainingSummary!.Costs[0] * 0.8, $"{second.Costs[0]} vs {first.TrainingSummary.Costs[0]}");
        Assert.True(second.Costs[0] <= first.TrainingSummary.Costs[^1] * 1.05);

        var noState = Small();
        noState.ContinueFrom = ml.Transforms.Text.GloVe("Vec", "Text", Small()).Fit(data);
        Assert.Contains("KeepTrainingState", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.GloVe("Vec", "Text", noState)).Message);
    }

    [Fact]
    public void DivergenceStopsWithTheIteration()
    {
        var ml = new MLContext(1);
        var options = Small();
        options.LearningRate = 1e30f;
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Text.GloVe("Vec", "Text", options).Fit(Corpus(ml, 300)));
        Assert.Contains("iteration", e.Message);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var ml = new MLContext(1);
        Assert.Contains("'Text' holds no tokens", Assert.Throws<InvalidOperationException>(() =>
            ml.Transforms.Text.GloVe("Vec", "Text", Small()).Fit(ml.Data.LoadFromEnumerable(Array.Empty<TextRow>()))).Message);
        Assert.Contains("MinimumCount=2", Assert.Throws<InvalidOperationException>(() =>
            ml.Transforms.Text.GloVe("Vec", "Text", Small()).Fit(ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a b c" } }))).Message);
        Assert.Contains("no co-occurrences", Assert.Throws<InvalidOperationException>(() =>
            ml.Transforms.Text.GloVe("Vec", "Text", Small()).Fit(ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a" }, new TextRow { Text = "a" } }))).Message);
        Assert.Contains("'Value'", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.Text.GloVe("Vec", "Value", Small()).Fit(ml.Data.LoadFromEnumerable(new[] { new BadInputTests.NumberRow() }))).Message);
        foreach (var (name, change) in new (string, Action<GloVeEstimator.Options>)[]
        {
            ("XMax", o => o.XMax = 0), ("Alpha", o => o.Alpha = double.NaN), ("MemoryLimitGB", o => o.MemoryLimitGB = -1),
            ("Iterations", o => o.Iterations = 0), ("WindowSize", o => o.WindowSize = 0),
        })
        {
            var o = Small();
            change(o);
            Assert.Contains(name, Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.GloVe("Vec", "Text", o)).Message);
        }
    }
}
