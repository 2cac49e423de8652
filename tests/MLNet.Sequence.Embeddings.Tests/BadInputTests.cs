using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Sequence.Embeddings.Tests;

/// <summary>Bad data and options give exceptions that name the problem, never a crash, hang or garbage.</summary>
public class BadInputTests
{
    private static Word2VecEstimator.Options Small() => new() { Dimension = 8, MinimumCount = 1, Epochs = 1, NumberOfThreads = 1 };

    [Fact]
    public void EmptyCorpusNamesTheColumn()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Array.Empty<TextRow>());
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Text.Word2Vec("Vec", "Text", Small()).Fit(data));
        Assert.Contains("'Text' holds no tokens", e.Message);
    }

    [Fact]
    public void NullAndBlankRowsAreSkipped()
    {
        var ml = new MLContext(1);
        var rows = new[] { new TextRow { Text = null }, new TextRow { Text = "   " }, new TextRow { Text = "a b a b" }, new TextRow { Text = "" } };
        var model = ml.Transforms.Text.Word2Vec("Vec", "Text", Small()).Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.Equal(new[] { "a", "b" }, model.Vectors.Vocabulary.Words);
        var output = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Vec").ToArray();
        Assert.All(output[0], v => Assert.Equal(0f, v)); // a null row maps to zeros
        Assert.Contains(output[2], v => v != 0f);
    }

    [Fact]
    public void AllWordsBelowMinCountSaysSo()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "one two three two" } });
        var options = Small();
        options.MinimumCount = 5;
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(data));
        Assert.Contains("MinimumCount=5", e.Message);
        Assert.Contains("'two', occurs 2 times", e.Message);
    }

    [Fact]
    public void MissingOrWrongTypeColumnIsNamed()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new NumberRow { Value = 1 } });
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.Word2Vec("Vec", "Text", Small()).Fit(data));
        Assert.Contains("'Text'", missing.Message);
        var wrong = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.Word2Vec("Vec", "Value", Small()).Fit(data));
        Assert.Contains("'Value'", wrong.Message);
        Assert.Contains("Text or vector of Text", wrong.Message);

        // Applying a fitted transformer to data without its column fails the same way.
        var text = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a a" } });
        var model = ml.Transforms.Text.Word2Vec("Vec", "Text", Small()).Fit(text);
        Assert.Contains("'Text'", Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(data)).Message);
    }

    [Theory]
    [InlineData(nameof(Word2VecEstimator.Options.Dimension))]
    [InlineData(nameof(Word2VecEstimator.Options.WindowSize))]
    [InlineData(nameof(Word2VecEstimator.Options.Epochs))]
    [InlineData(nameof(Word2VecEstimator.Options.LearningRate))]
    [InlineData(nameof(Word2VecEstimator.Options.NegativeSamples))]
    [InlineData(nameof(Word2VecEstimator.Options.SubSampling))]
    [InlineData(nameof(Word2VecEstimator.Options.NumberOfThreads))]
    public void InvalidOptionsAreNamed(string option)
    {
        var o = Small();
        switch (option)
        {
            case nameof(o.Dimension): o.Dimension = 0; break;
            case nameof(o.WindowSize): o.WindowSize = -1; break;
            case nameof(o.Epochs): o.Epochs = 0; break;
            case nameof(o.LearningRate): o.LearningRate = float.NaN; break;
            case nameof(o.NegativeSamples): o.NegativeSamples = 0; o.HierarchicalSoftmax = false; break;
            case nameof(o.SubSampling): o.SubSampling = -1; break;
            case nameof(o.NumberOfThreads): o.NumberOfThreads = 0; break;
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext().Transforms.Text.Word2Vec("Vec", "Text", o));
        Assert.Contains(option, e.Message);
    }

    [Fact]
    public void DivergenceToNaNStopsWithTheEpochNamed()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(SyntheticCorpus.Sentences(2000).Select(s => new TextRow { Text = s }));
        var options = Small();
        options.LearningRate = 1e30f;
        options.Epochs = 3;
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(data));
        Assert.Matches(@"Word2Vec training diverged in epoch [1-3]: ", e.Message);
        Assert.Contains("LearningRate", e.Message);
    }

    [Fact]
    public void ADimensionNoTableCanHoldIsNamedBeforeTraining()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a b a b c" } });
        var w2v = Small();
        w2v.Dimension = int.MaxValue;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.Word2Vec("Vec", "Text", w2v).Fit(data));
        Assert.Contains("Dimension", e.Message);
        Assert.Contains("more than one array holds", e.Message);

        var glove = new GloVeEstimator.Options { Dimension = int.MaxValue, MinimumCount = 1, Iterations = 1, NumberOfThreads = 1 };
        var g = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.GloVe("Vec", "Text", glove).Fit(data));
        Assert.Contains("Dimension", g.Message);

    }

    [Fact]
    public void CancellationStopsTrainingPromptly()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(SyntheticCorpus.Sentences(200_000).Select(s => new TextRow { Text = s }));
        var options = Small();
        options.Epochs = 50;
        var task = Task.Run(() => ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(data));
        Thread.Sleep(1500);
        Assert.False(task.IsCompleted); // 50 epochs of 200,000 sentences take minutes
        // ML.NET 5 keeps MLContext.CancelExecution internal (ICancelable); AutoML and hosts call it like this.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.Invoke(ml, null);
        Assert.ThrowsAny<OperationCanceledException>(() => task.GetAwaiter().GetResult());
        // Within a chunk of 10,000 words per thread, and the epoch's cursor: well under a few seconds.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopped {clock.Elapsed} after the cancellation");
    }

    public sealed class NumberRow
    {
        public float Value { get; set; }
    }
}

public class VocabularyBoundTests
{
    [Fact]
    public void MaxVocabularySizePrunesTheRarestWordsWhileCounting()
    {
        // 50 frequent words and 5,000 words seen once: with a bound of 200 the rare ones are pruned.
        var rows = Enumerable.Range(0, 2000).Select(i => new TextRow
        {
            Text = string.Join(' ', Enumerable.Range(0, 10).Select(k => "w" + ((i + k) % 50))) + (i < 1000 ? $" rare{i} rare{i + 1000} rare{i + 2000} rare{i + 3000} rare{i + 4000}" : ""),
        });
        var ml = new Microsoft.ML.MLContext(1);
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning)
                lock (warnings) warnings.Add(e.RawMessage);
        };
        var options = new Word2VecEstimator.Options { Dimension = 8, MinimumCount = 1, Epochs = 1, NumberOfThreads = 1, MaximumVocabularySize = 200 };
        var vectors = ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(ml.Data.LoadFromEnumerable(rows)).Vectors;
        Assert.InRange(vectors.Count, 50, 200);
        Assert.All(Enumerable.Range(0, 50), k => Assert.True(vectors.Vocabulary.Contains("w" + k)));
        Assert.Contains(warnings, w => w.Contains("MaximumVocabularySize=200"));
    }
}
