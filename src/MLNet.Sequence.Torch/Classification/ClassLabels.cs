using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;

namespace MLNet.Sequence.Torch.Classification;

/// <summary>
/// The label of a classifier: Boolean (binary) or a key of K classes (multiclass) with, when the key
/// carries text key values, the class names, which the predicted-label column then carries too.
/// </summary>
internal sealed class ClassLabels
{
    private ClassLabels(string columnName, bool isBinary, int classCount, string[]? names)
    {
        ColumnName = columnName;
        IsBinary = isBinary;
        ClassCount = classCount;
        Names = names;
    }

    public string ColumnName { get; }
    public bool IsBinary { get; }
    public int ClassCount { get; }

    /// <summary>Class names in key order (multiclass with text key values), else null.</summary>
    public string[]? Names { get; }

    public static ClassLabels FromColumn(IExceptionContext ectx, DataViewSchema schema, string columnName)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "label", columnName);
        var type = column.Type;
        if (type is BooleanDataViewType)
            return new ClassLabels(columnName, true, 2, null);
        if (type is KeyDataViewType key && key.RawType == typeof(uint))
        {
            ectx.Check(key.Count >= 2 && key.Count <= int.MaxValue, $"Label column '{columnName}' has {key.Count} classes; a classifier needs at least 2.");
            string[]? names = null;
            if (column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues)?.Type is VectorDataViewType { ItemType: TextDataViewType })
            {
                VBuffer<ReadOnlyMemory<char>> values = default;
                column.GetKeyValues(ref values);
                names = values.DenseValues().Select(v => v.ToString()).ToArray();
                if (names.Length != (int)key.Count)
                    names = null;
            }
            return new ClassLabels(columnName, false, (int)key.Count, names);
        }
        throw ectx.ExceptSchemaMismatch(nameof(schema), "label", columnName,
            "Boolean (binary) or a UInt32 key (multiclass: map values to keys with MapValueToKey)", type.ToString());
    }

    /// <summary>Checks that another data set (validation, evaluation) has the same label column type.</summary>
    public void CheckCompatible(IExceptionContext ectx, DataViewSchema schema)
    {
        var other = FromColumn(ectx, schema, ColumnName);
        if (other.IsBinary != IsBinary || other.ClassCount != ClassCount)
            throw ectx.ExceptSchemaMismatch(nameof(schema), "label", ColumnName, Describe(), other.Describe());
    }

    /// <summary>A readable name of class <paramref name="index"/> (0-based): false/true, the key value, or the key.</summary>
    public string NameOf(int index) => IsBinary ? (index == 1 ? "true" : "false") : Names?[index] ?? $"key {index + 1}";

    public string Describe() => IsBinary ? "Boolean" : $"Key<UInt32, 0-{ClassCount - 1}>";

    /// <summary>A getter returning the class of the current row: 0/1, or the key minus one; -1 where missing.</summary>
    public Func<int> MakeGetter(DataViewRow row, DataViewSchema.Column column)
    {
        if (IsBinary)
        {
            var getBool = row.GetGetter<bool>(column);
            bool b = false;
            return () =>
            {
                getBool(ref b);
                return b ? 1 : 0;
            };
        }
        var getKey = row.GetGetter<uint>(column);
        uint k = 0;
        int count = ClassCount;
        return () =>
        {
            getKey(ref k);
            return k == 0 || k > count ? -1 : (int)k - 1;
        };
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(ColumnName);
        writer.Write(IsBinary);
        writer.Write(ClassCount);
        writer.Write(Names != null);
        if (Names != null)
            writer.WriteStrings(Names);
    }

    public static ClassLabels Read(BinaryReader reader)
    {
        string name = reader.ReadString();
        bool binary = reader.ReadBoolean();
        int count = reader.ReadInt32();
        Contracts.CheckDecode(count >= 2, "Bad class count in the model.");
        string[]? names = reader.ReadBoolean() ? reader.ReadStrings("class names") : null;
        Contracts.CheckDecode(names == null || names.Length == count, "The model's class names do not match its class count.");
        return new ClassLabels(name, binary, count, names);
    }
}
