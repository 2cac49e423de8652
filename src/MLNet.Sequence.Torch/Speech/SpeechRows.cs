using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Torch.Speech;

/// <summary>Reads feature rows (frames x features, frame-major) and, for training, their transcripts from an IDataView.</summary>
internal static class SpeechRows
{
    /// <summary>The features column and the number of values per frame it implies, checked against the schema.</summary>
    public static DataViewSchema.Column FeaturesColumn(IExceptionContext ectx, DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name) ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "features", name);
        if (column.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Single)
            throw ectx.ExceptSchemaMismatch(nameof(schema), "features", name, "vector of Single (frames x features)", column.Type.ToString());
        return column;
    }

    /// <summary>Checks, at schema propagation, that <paramref name="name"/> is a vector of Single.</summary>
    public static void CheckFeaturesShape(IExceptionContext ectx, SchemaShape inputSchema, string name)
    {
        if (!inputSchema.TryFindColumn(name, out var features))
            throw ectx.ExceptSchemaMismatch(nameof(inputSchema), "features", name);
        if (features.Kind == SchemaShape.Column.VectorKind.Scalar || features.ItemType != NumberDataViewType.Single)
            throw ectx.ExceptSchemaMismatch(nameof(inputSchema), "features", name, "vector of Single", features.GetTypeString());
    }

    /// <summary>A getter of a row's features as a dense copy, which a scoring mapper may keep while the cursor moves on.</summary>
    public static Func<float[]> DenseGetter(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        return () =>
        {
            getter(ref buffer);
            var dense = new float[buffer.Length];
            buffer.CopyTo(dense);
            return dense;
        };
    }

    /// <summary>Every row's features as frames x <paramref name="featureCount"/>, and its transcript when a label column is named.</summary>
    public static (List<float[]> Features, List<string> Labels) Read(IExceptionContext ectx, IDataView data, string featuresColumn, int featureCount,
        string? labelColumn, string what)
    {
        var features = FeaturesColumn(ectx, data.Schema, featuresColumn);
        DataViewSchema.Column? label = null;
        if (labelColumn != null)
        {
            label = data.Schema.GetColumnOrNull(labelColumn) ?? throw ectx.ExceptSchemaMismatch(nameof(data), "label", labelColumn);
            if (label.Value.Type is not TextDataViewType)
                throw ectx.ExceptSchemaMismatch(nameof(data), "label", labelColumn, "Text", label.Value.Type.ToString());
        }
        var rows = new List<float[]>();
        var labels = new List<string>();
        var active = label == null ? new[] { features } : new[] { features, label.Value };
        using var cursor = data.GetRowCursor(active);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var getLabel = label == null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(label.Value);
        VBuffer<float> buffer = default;
        ReadOnlyMemory<char> text = default;
        long row = 0;
        while (cursor.MoveNext())
        {
            getFeatures(ref buffer);
            var dense = Check(ectx, buffer, featureCount, featuresColumn, row, what);
            rows.Add(dense);
            if (getLabel != null)
            {
                getLabel(ref text);
                labels.Add(text.ToString());
            }
            row++;
        }
        return (rows, labels);
    }

    /// <summary>A row's features as a dense array, refused with its row named when empty, ragged or not finite.</summary>
    public static float[] Check(IExceptionContext ectx, in VBuffer<float> buffer, int featureCount, string column, long row, string what)
    {
        if (buffer.Length == 0)
            throw ectx.Except($"Column '{column}', {what} row {row}: the features are empty.");
        if (buffer.Length % featureCount != 0)
            throw ectx.Except($"Column '{column}', {what} row {row}: {buffer.Length:N0} values are not whole frames of {featureCount} features.");
        var dense = new float[buffer.Length];
        buffer.CopyTo(dense);
        int bad = Internal.ModelStateIO.IndexOfNonFinite(dense);
        if (bad >= 0)
            throw ectx.Except($"Column '{column}', {what} row {row}: value {bad:N0} (frame {bad / featureCount}) is {dense[bad]}.");
        return dense;
    }
}
