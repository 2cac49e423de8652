using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Sequence.Embeddings.Tests;

public class Word2VecEstimatorTests
{
    private static IDataView Corpus(MLContext ml, int sentences = 4000, int seed = 1) =>
        ml.Data.LoadFromEnumerable(SyntheticCorpus.Sentences(sentences, seed).Select(s => new TextRow { Text = s }));

    private static Word2VecEstimator.Options SmallOptions(Word2VecModel model = Word2VecModel.SkipGram) => new()
    {
        Model = model,
        Dimension = 24,
        WindowSize = 3,
        Epochs = 5,
        MinimumCount = 2,
        NumberOfThreads = 1,
        Seed = 11,
        LearningRate = model == Word2VecModel.Cbow ? 0.05f : 0.025f,
    };

    [Theory]
    [InlineData(Word2VecModel.SkipGram, false, 5)]
    [InlineData(Word2VecModel.Cbow, false, 5)]
    [InlineData(Word2VecModel.SkipGram, true, 0)]
    [InlineData(Word2VecModel.Cbow, true, 0)]
    public void LearnsTopicsWithEveryArchitectureAndObjective(Word2VecModel model, bool hs, int negative)
    {
        var ml = new MLContext(1);
        var options = SmallOptions(model);
        options.HierarchicalSoftmax = hs;
        options.NegativeSamples = negative;
        var transformer = ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(Corpus(ml));

        var vectors = transformer.Vectors;
        Assert.Equal(24, vectors.Dimension);
        var counts = vectors.Vocabulary.Counts;
        Assert.True(counts.Zip(counts.Skip(1)).All(p => p.First >= p.Second), "vocabulary is sorted by frequency");
        Assert.Equal(18 + 24 + 5, vectors.Count); // nouns, context words and fillers all occur >= MinimumCount
        Assert.True(SyntheticCorpus.TopicPurity(vectors) >= 0.9, $"purity {SyntheticCorpus.TopicPurity(vectors)}");
        Assert.True(vectors.Similarity("cat", "dog") > vectors.Similarity("cat", "truck"));
        var summary = transformer.TrainingSummary!;
        Assert.Equal(5, summary.Epochs);
        // Every in-vocabulary token of the corpus, once per epoch (before sub-sampling), at the rate reported.
        Assert.Equal(5 * counts.Sum(), summary.Words);
        Assert.Equal(summary.Words / summary.Seconds, summary.WordsPerSecond, 6);
    }

    [Fact]
    public void OneThreadWithASeedIsBitIdentical()
    {
        float[] Train(int mlSeed)
        {
            var ml = new MLContext(mlSeed);
            var options = SmallOptions();
            options.Seed = null; // drawn from the MLContext seed
            return ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(Corpus(ml, 1000)).Vectors.EmbeddingMatrix.ToArray();
        }
        Assert.Equal(Train(5), Train(5));
        Assert.NotEqual(Train(5), Train(6));
    }

    [Fact]
    public void TwoThreadsTrainAsWellAsOne()
    {
        var ml = new MLContext(1);
        var options = SmallOptions();
        options.NumberOfThreads = 2;
        var vectors = ml.Transforms.Text.Word2Vec("Vec", "Text", options).Fit(Corpus(ml)).Vectors;
        Assert.True(SyntheticCorpus.TopicPurity(vectors) >= 0.9);
    }

    [Fact]
    public void WorksOnATokenColumnInAPipelineAndPoolsAsAsked()
    {
        var ml = new MLContext(1);
        var data = Corpus(ml, 2000);
        var options = SmallOptions();
        options.Pooling = EmbeddingPooling.MinMeanMax;
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Text.Word2Vec("Vec", "Tokens", options));

        var model = pipeline.Fit(data);
        var schema = model.GetOutputSchema(data.Schema);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 72), schema["Vec"].Type);

        var output = model.Transform(ml.Data.LoadFromEnumerable(new[]
        {
            new TextRow { Text = "cat dog unknownword" },
            new TextRow { Text = "nothing known here" },
        }));
        var type = Assert.IsType<VectorDataViewType>(output.Schema["Vec"].Type);
        Assert.Equal(72, type.Size);

        var rows = output.GetColumn<float[]>("Vec").ToArray();
        var table = model.LastTransformer.Vectors;
        var cat = table.GetVector("cat").ToArray();
        var dog = table.GetVector("dog").ToArray();
        for (int d = 0; d < 24; d++)
        {
            Assert.Equal(Math.Min(cat[d], dog[d]), rows[0][d]);
            Assert.Equal((cat[d] + dog[d]) / 2, rows[0][24 + d], 6);
            Assert.Equal(Math.Max(cat[d], dog[d]), rows[0][48 + d]);
        }
        Assert.All(rows[1], v => Assert.Equal(0f, v)); // no known token: zeros
    }

    [Theory]
    [InlineData(EmbeddingPooling.Mean)]
    [InlineData(EmbeddingPooling.Sum)]
    public void TextColumnIsSplitAndPooled(EmbeddingPooling pooling)
    {
        var ml = new MLContext(1);
        var table = WordVectorsTests.RoyalTable();
        var model = ml.Transforms.Text.ApplyWordVectors(table, "Vec", "Text", pooling)
            .Fit(ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "x" } }));
        var row = model.Transform(ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "  man\tqueen  zebra " } }))
            .GetColumn<float[]>("Vec").Single();
        float scale = pooling == EmbeddingPooling.Mean ? 0.5f : 1f;
        Assert.Equal(new[] { 1f, 1f, 1f, 0.2f }.Select(v => v * scale).ToArray(), row);
    }

    [Fact]
    public void ProgressAndVocabularyAreLoggedThroughMLContext()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
                messages.Add(e.RawMessage);
        };
        ml.Transforms.Text.Word2Vec("Vec", "Text", SmallOptions()).Fit(Corpus(ml, 500));
        Assert.Contains(messages, m => m.StartsWith("Vocabulary:", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Epoch 5/5", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Alpha:", StringComparison.Ordinal) && m.Contains("Words/thread/sec"));
    }
}
