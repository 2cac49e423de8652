using Microsoft.ML;

namespace MLNet.Sequence.Embeddings.Tests;

/// <summary>Loss reporting, continued training from a table, and exact resumption from a saved model.</summary>
public class ContinuedTrainingTests
{
    private static IDataView Data(MLContext ml, IEnumerable<string> sentences) =>
        ml.Data.LoadFromEnumerable(sentences.Select(s => new TextRow { Text = s }));

    private static Word2VecEstimator.Options Options(int epochs = 3) => new()
    {
        Dimension = 16,
        WindowSize = 3,
        MinimumCount = 2,
        Epochs = epochs,
        NumberOfThreads = 1,
        Seed = 3,
    };

    [Theory]
    [InlineData(Word2VecModel.SkipGram, false)]
    [InlineData(Word2VecModel.Cbow, false)]
    [InlineData(Word2VecModel.SkipGram, true)]
    public void LossIsReportedPerEpochAndFalls(Word2VecModel model, bool hs)
    {
        var ml = new MLContext(1);
        var options = Options(epochs: 4);
        options.Model = model;
        options.HierarchicalSoftmax = hs;
        options.NegativeSamples = hs ? 0 : 5;
        var t = ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(Data(ml, SyntheticCorpus.Sentences(3000)));
        var losses = t.TrainingSummary!.EpochLosses;
        Assert.Equal(4, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0));
        Assert.True(losses[^1] < losses[0], string.Join(", ", losses));
        // Before any learning, a negative-sampling prediction costs (1 + 5) x log 2 = 4.16 with all-zero output weights.
        if (!hs)
            Assert.InRange(losses[0], 1.0, 6 * Math.Log(2) + 0.01);
    }

    [Fact]
    public void ContinuingFromATableKeepsItsWordsAndAddsNewOnes()
    {
        var ml = new MLContext(1);
        var first = ml.Transforms.Text.Word2Vec("Vec", "Text", Options()).Fit(Data(ml, SyntheticCorpus.Sentences(2000)));

        // New data: the same topics plus a new word that behaves like the animals.
        var extra = SyntheticCorpus.Sentences(2000, seed: 9).Select(s => System.Text.RegularExpressions.Regex.Replace(s, @"\bcat\b", "kitten"));
        var options = Options(epochs: 2);
        options.InitialVectors = first.Vectors;
        options.LearningRate = 0.01f;
        var second = ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(Data(ml, extra));

        var v = second.Vectors;
        Assert.True(v.Vocabulary.Contains("kitten"));
        Assert.True(v.Vocabulary.Contains("cat")); // kept from the first table, though absent from the new data
        Assert.Equal(first.Vectors.GetVector("cat").ToArray(), v.GetVector("cat").ToArray()); // never trained again
        Assert.Equal(first.Vectors.Vocabulary.GetCount(first.Vectors.Vocabulary.GetId("dog")) * 2,
            v.Vocabulary.GetCount(v.Vocabulary.GetId("dog")), 1.0 * v.Vocabulary.GetCount(v.Vocabulary.GetId("dog")) / 5); // old + new counts
        var animals = new[] { "dog", "horse", "cow", "sheep", "goat" };
        var others = new[] { "apple", "banana", "car", "truck", "bus" };
        Assert.True(animals.Average(a => v.Similarity("kitten", a)) > others.Average(o => v.Similarity("kitten", o)));
    }

    [Fact]
    public void ContinuingFromAFileLoadedTable()
    {
        using var dir = new TempDir();
        var ml = new MLContext(1);
        var first = ml.Transforms.Text.Word2Vec("Vec", "Text", Options()).Fit(Data(ml, SyntheticCorpus.Sentences(1000)));
        string path = dir.File("v.bin");
        WordVectorFile.Save(first.Vectors, path);
        var options = Options(epochs: 1);
        options.InitialVectors = WordVectorFile.Load(path); // no counts in the file
        var second = ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(Data(ml, SyntheticCorpus.Sentences(500, seed: 4)));
        Assert.Equal(first.Vectors.Count, second.Vectors.Count);

        options.Dimension = 8;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.Word2Vec("Vec", "Text", options));
        Assert.Contains("Dimension", e.Message);
    }

    [Fact]
    public void SavedTrainingStateResumesWhereTrainingStopped()
    {
        using var dir = new TempDir();
        var ml = new MLContext(1);
        var data = Data(ml, SyntheticCorpus.Sentences(3000));
        var options = Options(epochs: 3);
        options.KeepTrainingState = true;
        var first = ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(data);
        Assert.True(first.HasTrainingState);

        string path = dir.File("w2v.zip");
        ml.Model.Save(first, data.Schema, path);
        var loaded = Assert.IsType<Word2VecTransformer>(new MLContext().Model.Load(path, out _));
        Assert.True(loaded.HasTrainingState);
        Assert.Equal(first.TrainingState!.NegativeOutput, loaded.TrainingState!.NegativeOutput);

        // Resuming with the output weights starts at the loss where training ended; from the vectors
        // alone the output weights restart at zero and cost about 6 log 2 per prediction. A small
        // learning rate keeps the resumed epoch from relearning much, so the epoch loss shows the start.
        double Resume(Word2VecEstimator.Options o)
        {
            o.LearningRate = 0.0005f;
            return ml.Transforms.Text.Word2Vec("Vec", "Text", o).Fit(data).TrainingSummary!.EpochLosses[0];
        }
        var withState = Options(epochs: 1);
        withState.ContinueFrom = loaded;
        var vectorsOnly = Options(epochs: 1);
        vectorsOnly.InitialVectors = loaded.Vectors;
        double resumed = Resume(withState), restarted = Resume(vectorsOnly);
        Assert.True(resumed < restarted * 0.8, $"resumed {resumed}, restarted {restarted}");
        Assert.True(resumed <= first.TrainingSummary!.EpochLosses[^1] * 1.1, $"resumed {resumed}, last {first.TrainingSummary.EpochLosses[^1]}");
    }

    [Fact]
    public void TransformersWithoutStateSaveNoOutputWeights()
    {
        var ml = new MLContext(1);
        var t = ml.Transforms.Text.Word2Vec("Vec", "Text", Options(1)).Fit(Data(ml, SyntheticCorpus.Sentences(300)));
        Assert.False(t.HasTrainingState);
        var both = Options(1);
        both.ContinueFrom = t;
        both.InitialVectors = t.Vectors;
        Assert.Contains("not both", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.Word2Vec("Vec", "Text", both)).Message);
    }
}
