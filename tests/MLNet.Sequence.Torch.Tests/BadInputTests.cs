using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Text;
using MLNet.Sequence.Torch.Classification;
using MLNet.Sequence.Torch.Modules;

namespace MLNet.Sequence.Torch.Tests;

public class BadInputTests
{
    public sealed class TopicRow
    {
        public string Topic { get; set; } = "";
    }

    public sealed class FloatLabelRow
    {
        public string Text { get; set; } = "";
        public float Label { get; set; }
    }

    private static SequenceClassifierTrainer.Options Options(string label = "Positive") => new()
    {
        LabelColumnName = label,
        Embedding = new EmbeddingOptions { Dimension = 8 },
        Encoder = new RecurrentEncoderOptions { HiddenSize = 8 },
        Epochs = 1,
        Seed = 1,
    };

    [Fact]
    public void EmptyTextIsNamedInTrainingAndAtPrediction()
    {
        var ml = new MLContext(seed: 1);
        var rows = ToyData.Rows(20, 1);
        rows[7].Text = "   ";
        var e = Assert.ThrowsAny<Exception>(() => ml.BinaryClassification.Trainers.SequenceClassifier(Options()).Fit(ToyData.Load(ml, rows)));
        Assert.Contains("Row 7", e.Message);
        Assert.Contains("'Text'", e.Message);

        var model = ml.BinaryClassification.Trainers.SequenceClassifier(Options()).Fit(ToyData.Load(ml, ToyData.Rows(20, 1)));
        var scored = model.Transform(ToyData.Load(ml, rows));
        var e2 = Assert.ThrowsAny<Exception>(() => scored.GetColumn<float>("Score").ToArray());
        Assert.Contains("'Text'", Flatten(e2));
        Assert.Contains("no tokens", Flatten(e2));
    }

    [Fact]
    public void MissingOrWronglyTypedLabelIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = ToyData.Load(ml, ToyData.Rows(20, 2));
        var missing = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.SequenceClassifier(Options("Sentiment")).Fit(data));
        Assert.Contains("Sentiment", missing.Message);

        var floats = ml.Data.LoadFromEnumerable(new[] { new FloatLabelRow { Text = "a b", Label = float.NaN } });
        var wrong = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.SequenceClassifier(Options("Label")).Fit(floats));
        Assert.Contains("MapValueToKey", wrong.Message);
        Assert.Contains("Label", wrong.Message);
    }

    [Fact]
    public void LabelsOfAnotherClassCountAreRefusedAtPrediction()
    {
        var ml = new MLContext(seed: 1);
        var options = Options("Label");
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Topic")
            .Append(ml.MulticlassClassification.Trainers.SequenceClassifier(options))
            .Fit(ToyData.Load(ml, ToyData.Rows(30, 3)));
        var classifier = ((IEnumerable<ITransformer>)model).OfType<SequenceClassifierTransformer>().Single();
        // Evaluation data whose labels were keyed on their own: a fourth topic makes a 4-class key.
        var other = ToyData.Rows(10, 4);
        other[0].Topic = "politics";
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "Topic").Fit(ToyData.Load(ml, other)).Transform(ToyData.Load(ml, other));
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => classifier.Transform(keyed));
        Assert.Contains("Label", e.Message);
        Assert.Contains("0-2", e.Message);
    }

    [Fact]
    public void CudaWithoutItsLibtorchIsRefusedSayingSo()
    {
        var ml = new MLContext(seed: 1);
        foreach (var name in new[] { "cuda", "cuda:1", "CUDA:0" })
        {
            var options = Options();
            options.Device = name;
            var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.SequenceClassifier(options).Fit(ToyData.Load(ml, ToyData.Rows(10, 5))));
            Assert.Equal("Device", e.ParamName);
            Assert.Contains($"Device '{name}' asks for CUDA, which this libtorch cannot use", e.Message);
        }
        var unknown = Options();
        unknown.Device = "gpu7";
        var u = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.SequenceClassifier(unknown).Fit(ToyData.Load(ml, ToyData.Rows(10, 5))));
        Assert.Contains("'gpu7' is not a torch device", u.Message);
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var ml = new MLContext(seed: 1);
        var lr = Options();
        lr.LearningRate = double.NaN;
        Assert.Contains("LearningRate", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.SequenceClassifier(lr)).Message);
        var freeze = Options();
        freeze.Embedding.Freeze = true;
        Assert.Contains("Freeze", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.SequenceClassifier(freeze)).Message);
        var patience = Options();
        patience.EarlyStoppingPatience = 2;
        Assert.Contains("ValidationSet", Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
            ml.BinaryClassification.Trainers.SequenceClassifier(patience).Fit(ToyData.Load(ml, ToyData.Rows(10, 5)))).Message);
        var huge = Options();
        huge.Embedding.Dimension = int.MaxValue;
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.SequenceClassifier(huge).Fit(ToyData.Load(ml, ToyData.Rows(10, 5))));
        Assert.Contains("Embedding.Dimension", e.Message);
        Assert.Contains("more than one array holds", e.Message);
    }

    [Fact]
    public void ALabelWithOneClassIsRefusedByBothClassifiers()
    {
        var ml = new MLContext(seed: 1);
        var rows = ToyData.Rows(20, 7);
        foreach (var row in rows)
        {
            row.Positive = true;
            row.Topic = "sport";
        }
        var binary = Assert.ThrowsAny<InvalidOperationException>(() => ml.BinaryClassification.Trainers.SequenceClassifier(Options()).Fit(ToyData.Load(ml, rows)));
        Assert.Contains("Label column 'Positive' holds one class only (true, in all 20 training rows)", binary.Message);

        // The key type may know more classes than the data holds: what counts is the rows.
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", "Topic", keyData: ml.Data.LoadFromEnumerable(ToyData.Topics.Select(t => new TopicRow { Topic = t })));
        var multi = Assert.ThrowsAny<InvalidOperationException>(() => keys.Append(ml.MulticlassClassification.Trainers.SequenceClassifier(Options("Label"))).Fit(ToyData.Load(ml, rows)));
        Assert.Contains("Label column 'Label' holds one class only (sport, in all 20 training rows)", multi.Message);
    }

    [Fact]
    public void DivergenceStopsWithTheEpochAndBatchNamed()
    {
        var ml = new MLContext(seed: 1);
        var options = Options();
        options.LearningRate = 1e38;
        options.GradientClipNorm = 0;
        options.Optimizer = Training.OptimizerKind.Sgd;
        options.Epochs = 5;
        var e = Assert.ThrowsAny<Exception>(() => ml.BinaryClassification.Trainers.SequenceClassifier(options).Fit(ToyData.Load(ml, ToyData.Rows(200, 6))));
        Assert.Contains("diverged at epoch", e.Message);
        Assert.Contains("LearningRate", e.Message);
    }

    [Fact]
    public void AFlippedByteInTheTorchWeightsIsRefusedInsteadOfChangingEveryPrediction()
    {
        var ml = new MLContext(seed: 1);
        var data = ToyData.Load(ml, ToyData.Rows(40, 8));
        var model = ml.BinaryClassification.Trainers.SequenceClassifier(Options()).Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"mlnet-seq-crc-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            // A bit of a weight near the end of the state dict (the output layer): the weights stay finite.
            string entry = MLNet.Sequence.Tests.ZipSurgery.FlipByteInEntry(path, "TorchWeights", content => content.Length - 3, mask: 0x01);
            var e = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));
            var ours = Assert.IsType<FormatException>(e.InnerException);
            Assert.StartsWith("Loading the sequence classifier (zip folder ", ours.Message);
            Assert.Contains($"entry '{entry}' is damaged", ours.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Flatten(Exception e) => e.InnerException == null ? e.Message : e.Message + " | " + Flatten(e.InnerException);
}
