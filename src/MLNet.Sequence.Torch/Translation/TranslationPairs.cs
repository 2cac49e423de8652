using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Torch.Translation;

/// <summary>Reads the source (and target) text columns of a view, naming a missing or mistyped column.</summary>
internal static class TranslationPairs
{
    /// <summary>The column, checked to be Text.</summary>
    public static DataViewSchema.Column Find(IExceptionContext ectx, DataViewSchema schema, string name, string role)
    {
        var column = schema.GetColumnOrNull(name) ?? throw ectx.ExceptSchemaMismatch(nameof(schema), role, name);
        if (column.Type is not TextDataViewType)
            throw ectx.ExceptSchemaMismatch(nameof(schema), role, name, "Text", column.Type.ToString());
        return column;
    }

    /// <summary>Every row's source text and, when <paramref name="targetColumn"/> is given, target text.</summary>
    public static (List<string> Sources, List<string>? Targets) Read(IExceptionContext ectx, IDataView data, string sourceColumn, string? targetColumn)
    {
        var source = Find(ectx, data.Schema, sourceColumn, "source");
        var target = targetColumn == null ? (DataViewSchema.Column?)null : Find(ectx, data.Schema, targetColumn, "target");
        var sources = new List<string>();
        var targets = target == null ? null : new List<string>();
        var columns = target == null ? new[] { source } : new[] { source, target.Value };
        using var cursor = data.GetRowCursor(columns);
        var sourceGetter = cursor.GetGetter<ReadOnlyMemory<char>>(source);
        var targetGetter = target == null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(target.Value);
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            sourceGetter(ref text);
            sources.Add(text.ToString());
            if (targetGetter != null)
            {
                targetGetter(ref text);
                targets!.Add(text.ToString());
            }
        }
        return (sources, targets);
    }
}
