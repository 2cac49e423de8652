using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Torch.Speech;

namespace MLNet.Sequence.Torch.TriggerWords;

/// <summary>Reads trigger-word clips from a data view for training and evaluation.</summary>
internal static class TriggerWordRows
{
    // Every row's features and labels, checked: whole frames, finite, long enough for the convolution, and one label in [0, 1] per output step.
    public static (List<float[]> Features, List<float[]> Labels) Read(IExceptionContext ectx, IDataView data, string featuresColumn, string labelColumn, TriggerWordShape shape, string what)
    {
        var features = SpeechRows.FeaturesColumn(ectx, data.Schema, featuresColumn);
        var label = data.Schema.GetColumnOrNull(labelColumn) ?? throw ectx.ExceptSchemaMismatch(nameof(data), "label", labelColumn);
        if (label.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Single)
            throw ectx.ExceptSchemaMismatch(nameof(data), "label", labelColumn, "vector of Single (one value per output step)", label.Type.ToString());
        var rows = new List<float[]>();
        var labels = new List<float[]>();
        using var cursor = data.GetRowCursor([features, label]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var getLabels = cursor.GetGetter<VBuffer<float>>(label);
        VBuffer<float> buffer = default, labelBuffer = default;
        long row = 0;
        while (cursor.MoveNext())
        {
            getFeatures(ref buffer);
            var dense = SpeechRows.Check(ectx, buffer, shape.FeatureCount, featuresColumn, row, what);
            long frames = dense.Length / shape.FeatureCount, steps = shape.OutputSteps(frames);
            if (steps == 0)
                throw ectx.Except($"Column '{featuresColumn}', {what} row {row}: {frames} frames are fewer than the convolution's kernel of {shape.KernelSize}; the clip is too short.");
            getLabels(ref labelBuffer);
            var targets = new float[labelBuffer.Length];
            labelBuffer.CopyTo(targets);
            if (targets.Length != steps)
                throw ectx.Except($"Column '{labelColumn}', {what} row {row}: {targets.Length} labels for {frames} frames, which give {steps} output steps (kernel {shape.KernelSize}, stride {shape.Stride}).");
            int bad = Array.FindIndex(targets, v => !(v >= 0 && v <= 1));
            if (bad >= 0)
                throw ectx.Except($"Column '{labelColumn}', {what} row {row}: label {bad} is {targets[bad]}; labels are probabilities in [0, 1].");
            rows.Add(dense);
            labels.Add(targets);
            row++;
        }
        return (rows, labels);
    }
}
