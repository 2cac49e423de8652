using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Torch.Classification;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Training;

namespace MLNet.Sequence.Torch.Tests;

public class TrainingLoopTests
{
    private static SequenceClassifierTrainer.Options Options(int epochs) => new()
    {
        LabelColumnName = "Positive",
        Architecture = SequenceClassifierArchitecture.MeanEmbedding,
        Embedding = new EmbeddingOptions { Dimension = 8 },
        Epochs = epochs,
        BatchSize = 8,
        LearningRate = 0.01,
        Seed = 1,
    };

    [Fact]
    public void ScheduleSetsTheRateAndEveryEpochIsReportedThroughTheLog()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Info)
            {
                lock (messages)
                    messages.Add(e.RawMessage);
            }
        };
        var options = Options(4);
        options.Schedule = LearningRateSchedule.ExponentialDecay;
        options.DecayFactor = 0.5;
        options.Optimizer = OptimizerKind.Sgd;
        options.GradientClipValue = 0.5;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = ml.BinaryClassification.Trainers.SequenceClassifier(options).Fit(ToyData.Load(ml, ToyData.Rows(64, 1)));
        double fitSeconds = clock.Elapsed.TotalSeconds;
        var epochs = model.TrainingHistory!.Epochs;
        Assert.Equal(new[] { 1, 2, 3, 4 }, epochs.Select(e => e.Epoch));
        Assert.Equal(new[] { 0.01, 0.005, 0.0025, 0.00125 }, epochs.Select(e => Math.Round(e.LearningRate, 8)));
        // A binary cross-entropy of a model that starts near chance: about ln 2, and never above a few nats.
        Assert.All(epochs, e => Assert.InRange(e.TrainingLoss, 0.01, 2.0));
        // Each epoch's time is its own part of the fit's.
        Assert.All(epochs, e => Assert.True(e.Seconds > 0));
        Assert.True(epochs.Sum(e => e.Seconds) <= fitSeconds, $"{epochs.Sum(e => e.Seconds)} s of epochs in a fit of {fitSeconds} s");
        foreach (var e in epochs)
        {
            string line = FormattableString.Invariant($"Sequence classifier epoch {e.Epoch}/4: loss {e.TrainingLoss:F4}, lr {e.LearningRate:G3}, {e.Seconds:F1} s");
            Assert.Contains(line, messages);
        }

        options = Options(2);
        options.Schedule = LearningRateSchedule.LinearDecay;
        var linear = ml.BinaryClassification.Trainers.SequenceClassifier(options).Fit(ToyData.Load(ml, ToyData.Rows(64, 1)));
        // 8 batches per epoch: the last batch of epoch 1 runs at step 7 of 16.
        Assert.Equal(0.01 * (1 - 7.0 / 16), linear.TrainingHistory!.Epochs[0].LearningRate, 10);
    }

    [Fact]
    public void CancellationThroughTheHostStopsTraining()
    {
        var ml = new MLContext(seed: 1);
        var options = Options(100_000);
        var data = ToyData.Load(ml, ToyData.Rows(64, 2));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var task = Task.Run(() => ml.BinaryClassification.Trainers.SequenceClassifier(options).Fit(data));
        Thread.Sleep(1000);
        // ML.NET 5 keeps MLContext.CancelExecution internal (ICancelable); hosts call it like this.
        typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.Invoke(ml, null);
        Assert.ThrowsAny<OperationCanceledException>(() => task.GetAwaiter().GetResult());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }
}
