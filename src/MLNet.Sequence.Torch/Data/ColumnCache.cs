using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Sequence.Torch.Data;

/// <summary>
/// The values of one column for a block of consecutive rows, copied from a cursor as it passes them, so that a
/// batch-scoring cursor can run ahead of its consumer on a single pass over its input.
/// </summary>
internal abstract class ColumnCache
{
    /// <summary>A cache of <paramref name="column"/> of <paramref name="cursor"/> for blocks of <paramref name="capacity"/> rows.</summary>
    public static ColumnCache Create(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity)
    {
        var raw = column.Type.RawType;
        var type = raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)
            ? typeof(VectorCache<>).MakeGenericType(raw.GetGenericArguments()[0])
            : typeof(ValueCache<>).MakeGenericType(raw);
        return (ColumnCache)Activator.CreateInstance(type, cursor, column, capacity)!;
    }

    /// <summary>Copies the cursor's current value into <paramref name="slot"/>.</summary>
    public abstract void Fill(int slot);

    /// <summary>A getter of the value in the slot <paramref name="slot"/> gives.</summary>
    public abstract Delegate MakeGetter(Func<int> slot);

    /// <summary>A value type or an immutable value (numbers, keys, text, row ids): copied as it is.</summary>
    private sealed class ValueCache<T> : ColumnCache
    {
        private readonly ValueGetter<T> _getter;
        private readonly T[] _values;

        public ValueCache(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity)
        {
            _getter = cursor.GetGetter<T>(column);
            _values = new T[capacity];
        }

        public override void Fill(int slot) => _getter(ref _values[slot]);

        public override Delegate MakeGetter(Func<int> slot) => (ValueGetter<T>)((ref T value) => value = _values[slot()]);
    }

    /// <summary>A vector: its values are copied in and out, since getters reuse their buffers.</summary>
    private sealed class VectorCache<T> : ColumnCache
    {
        private readonly ValueGetter<VBuffer<T>> _getter;
        private readonly VBuffer<T>[] _values;
        private VBuffer<T> _scratch;

        public VectorCache(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity)
        {
            _getter = cursor.GetGetter<VBuffer<T>>(column);
            _values = new VBuffer<T>[capacity];
        }

        public override void Fill(int slot)
        {
            _getter(ref _scratch);
            _scratch.CopyTo(ref _values[slot]);
        }

        public override Delegate MakeGetter(Func<int> slot) =>
            (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[slot()].CopyTo(ref value));
    }
}
