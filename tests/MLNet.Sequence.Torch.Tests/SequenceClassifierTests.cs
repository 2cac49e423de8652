using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Text;
using MLNet.Sequence.Torch.Classification;
using MLNet.Sequence.Torch.Modules;
using TorchSharp;

namespace MLNet.Sequence.Torch.Tests;

public class SequenceClassifierTests
{
    private static SequenceClassifierTrainer.Options Small(SequenceClassifierArchitecture architecture, string label = "Label", int epochs = 12) => new()
    {
        LabelColumnName = label,
        Architecture = architecture,
        Embedding = new EmbeddingOptions { Dimension = 16 },
        Encoder = new RecurrentEncoderOptions { HiddenSize = 16, Bidirectional = true },
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.01,
        Seed = 1,
    };

    private static IEstimator<ITransformer> Multiclass(MLContext ml, SequenceClassifierTrainer.Options options) =>
        ml.Transforms.Conversion.MapValueToKey("Label", "Topic")
            .Append(ml.MulticlassClassification.Trainers.SequenceClassifier(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedTopic", "PredictedLabel"));

    [Theory]
    [InlineData(SequenceClassifierArchitecture.MeanEmbedding)]
    [InlineData(SequenceClassifierArchitecture.Recurrent)]
    public void MulticlassLearnsSeparableTopicsAndEvaluatesWithMLNet(SequenceClassifierArchitecture architecture)
    {
        var ml = new MLContext(seed: 1);
        var model = Multiclass(ml, Small(architecture)).Fit(ToyData.Load(ml, ToyData.Rows(500, 1)));
        var predictions = model.Transform(ToyData.Load(ml, ToyData.Rows(100, 2)));

        var metrics = ml.MulticlassClassification.Evaluate(predictions);
        var wrong = predictions.GetColumn<string>("PredictedTopic").Zip(ToyData.Rows(100, 2)).Where(p => p.First != p.Second.Topic).Select(p => p.Second.Text + " -> " + p.First);
        Assert.True(metrics.MicroAccuracy == 1.0, string.Join("; ", wrong) + " loss " + string.Join(",", ((IEnumerable<ITransformer>)model).OfType<SequenceClassifierTransformer>().Single().TrainingHistory!.Epochs.Select(e => e.TrainingLoss.ToString("F3"))));
        Assert.True(metrics.LogLoss < 0.2, $"log-loss {metrics.LogLoss}");
        var first = predictions.GetColumn<string>("PredictedTopic").Zip(predictions.GetColumn<string>("Topic"));
        Assert.All(first, p => Assert.Equal(p.Second, p.First));

        var classifier = ((IEnumerable<ITransformer>)model).OfType<SequenceClassifierTransformer>().Single();
        var losses = classifier.TrainingHistory!.Epochs.Select(e => e.TrainingLoss).ToArray();
        Assert.True(losses[^1] < losses[0] / 3, string.Join(", ", losses));
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        predictions.Schema["Score"].GetSlotNames(ref slotNames);
        Assert.Equal(new[] { "sport", "music", "food" }, slotNames.DenseValues().Select(s => s.ToString()).OrderBy(s => Array.IndexOf(ToyData.Topics, s)));
    }

    [Fact]
    public void BinaryLearnsAndEvaluatesWithMLNet()
    {
        var ml = new MLContext(seed: 1);
        var options = Small(SequenceClassifierArchitecture.Recurrent, label: "Positive");
        options.Encoder.CellType = RecurrentCellType.Gru;
        var model = ml.BinaryClassification.Trainers.SequenceClassifier(options).Fit(ToyData.Load(ml, ToyData.Rows(300, 3)));
        var predictions = model.Transform(ToyData.Load(ml, ToyData.Rows(100, 4)));
        var metrics = ml.BinaryClassification.Evaluate(predictions, "Positive");
        Assert.Equal(1.0, metrics.Accuracy);
        Assert.Equal(1.0, metrics.AreaUnderRocCurve);
        var probabilities = predictions.GetColumn<float>("Probability").ToArray();
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
    }

    public sealed class BinaryScore
    {
        public float Score { get; set; }
    }

    [Fact]
    public void BatchedTransformScoresAsOneRowAtATime()
    {
        var ml = new MLContext(seed: 1);
        var options = Small(SequenceClassifierArchitecture.Recurrent, label: "Positive", epochs: 2);
        var model = ml.BinaryClassification.Trainers.SequenceClassifier(options).Fit(ToyData.Load(ml, ToyData.Rows(100, 3)));
        var rows = ToyData.Rows(300, 4);
        var scored = model.Transform(ToyData.Load(ml, rows));
        // One cursor even when asked for several: batches need consecutive rows.
        Assert.Single(scored.GetRowCursorSet(scored.Schema, 2));
        var batched = scored.GetColumn<float>("Score").ToArray();
        using var engine = ml.Model.CreatePredictionEngine<TextRow, BinaryScore>(model);
        for (int i = 0; i < rows.Count; i++)
        {
            float alone = model.Predict(rows[i].Text.Split(' '))[0];
            Assert.Equal(alone, batched[i], tolerance: 1e-5);
            Assert.Equal(alone, engine.Predict(rows[i]).Score, tolerance: 1e-5);
        }
    }

    [Fact]
    public void SavedModelScoresTheSameInAFreshContext()
    {
        var ml = new MLContext(seed: 1);
        var train = ToyData.Load(ml, ToyData.Rows(200, 5));
        var model = Multiclass(ml, Small(SequenceClassifierArchitecture.Recurrent, epochs: 3)).Fit(train);
        var test = ToyData.Load(ml, ToyData.Rows(50, 6));
        var before = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        var predictedBefore = model.Transform(test).GetColumn<string>("PredictedTopic").ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"seqcls-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var fresh = new MLContext(seed: 99);
            var loaded = fresh.Model.Load(path, out _);
            var after = loaded.Transform(ToyData.Load(fresh, ToyData.Rows(50, 6))).GetColumn<float[]>("Score").ToArray();
            Assert.Equal(before.Length, after.Length);
            for (int i = 0; i < before.Length; i++)
                Assert.Equal(before[i], after[i]);
            Assert.Equal(predictedBefore,
                loaded.Transform(ToyData.Load(fresh, ToyData.Rows(50, 6))).GetColumn<string>("PredictedTopic"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SameSeedGivesTheSameModel()
    {
        float[][] Train()
        {
            var ml = new MLContext(seed: 42);
            var options = Small(SequenceClassifierArchitecture.Recurrent, epochs: 2);
            options.Seed = null; // drawn from the MLContext's seed
            options.Encoder.Dropout = 0.3;
            options.Encoder.Layers = 2;
            var model = Multiclass(ml, options).Fit(ToyData.Load(ml, ToyData.Rows(120, 7)));
            return model.Transform(ToyData.Load(ml, ToyData.Rows(20, 8))).GetColumn<float[]>("Score").ToArray();
        }
        var a = Train();
        var b = Train();
        for (int i = 0; i < a.Length; i++)
            Assert.Equal(a[i], b[i]);
    }

    [Fact]
    public void EarlyStoppingKeepsTheBestValidationEpoch()
    {
        var ml = new MLContext(seed: 1);
        var options = Small(SequenceClassifierArchitecture.MeanEmbedding, epochs: 30);
        options.EarlyStoppingPatience = 2;
        options.LearningRate = 0.05;
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label", "Topic").Fit(ToyData.Load(ml, ToyData.Rows(300, 9)));
        var train = toKey.Transform(ToyData.Load(ml, ToyData.Rows(60, 9)));
        // Validation rows whose labels contradict the keywords: the loss soon rises, so training must stop.
        var noisy = ToyData.Rows(60, 10).Select((r, i) => new TextRow { Text = r.Text, Topic = ToyData.Topics[i % 3] });
        var valid = toKey.Transform(ToyData.Load(ml, noisy));
        var model = ml.MulticlassClassification.Trainers.SequenceClassifier(options).Fit(train, valid);
        var history = model.TrainingHistory!;
        Assert.True(history.StoppedEarly);
        Assert.True(history.Epochs.Count < 30);
        var best = history.Epochs.MinBy(e => e.ValidationLoss!.Value);
        Assert.Equal(best.Epoch, history.BestEpoch);
        Assert.Equal(history.Epochs.Count, history.BestEpoch + options.EarlyStoppingPatience);
    }

    [Fact]
    public void FrozenPretrainedEmbeddingsStayAsTheTableHasThem()
    {
        var ml = new MLContext(seed: 1);
        var words = new[] { "goal", "song", "bread", "the" };
        var table = new WordVectors(new Vocabulary(words), Enumerable.Range(0, 16).Select(i => (float)Math.Sin(i)).ToArray(), 4);
        var options = Small(SequenceClassifierArchitecture.MeanEmbedding, epochs: 2);
        options.Embedding = new EmbeddingOptions { Pretrained = table, Freeze = true };
        var model = ((IEnumerable<ITransformer>)Multiclass(ml, options).Fit(ToyData.Load(ml, ToyData.Rows(60, 11)))).OfType<SequenceClassifierTransformer>().Single();
        var dict = model.GetEmbeddingWeights();
        foreach (var word in words)
        {
            int id = model.Tokens.IdOf(word);
            Assert.Equal(table.GetVector(word).ToArray(), dict.AsSpan(id * 4, 4).ToArray());
        }
    }

    [Fact]
    public void NativeMemoryStaysFlatOverManyBatches()
    {
        var ml = new MLContext(seed: 1);
        var data = ToyData.Load(ml, ToyData.Rows(400, 12));
        SequenceClassifierTrainer.Options Options(int epochs)
        {
            var o = Small(SequenceClassifierArchitecture.Recurrent, epochs: epochs);
            o.BatchSize = 4; // 100 batches per epoch
            return o;
        }
        // Warm up libtorch's allocator, then compare live tensors and RSS after 2 and after 12 epochs (200 and 1,200 batches).
        Multiclass(ml, Options(1)).Fit(data);
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        GC.Collect();
        long rssBefore = Process.GetCurrentProcess().WorkingSet64;
        Multiclass(ml, Options(12)).Fit(data);
        GC.Collect();
        long rssAfter = Process.GetCurrentProcess().WorkingSet64;
        long liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        // Each fit leaves only its model's parameters alive.
        Assert.True(liveAfter - liveBefore < 50, $"live tensors grew from {liveBefore} to {liveAfter}");
        Assert.True(rssAfter - rssBefore < 64L << 20, $"RSS grew by {(rssAfter - rssBefore) >> 20} MiB");
    }
}
