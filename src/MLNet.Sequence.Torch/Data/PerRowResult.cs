using System.Runtime.CompilerServices;
using Microsoft.ML;

namespace MLNet.Sequence.Torch.Data;

/// <summary>
/// One network run per row, shared by the getters of all of a mapper's output columns. ML.NET asks for each
/// output column's getter separately (evaluation reads Score, Probability and PredictedLabel), and without
/// this each of them would run the model again on the same row.
/// </summary>
internal sealed class PerRowResult<T>
    where T : class
{
    private sealed class Entry
    {
        // Not -1: that is a cursor's position before its first MoveNext.
        public long Position = long.MinValue;
        public T? Value;
    }

    // Keyed by the input row, so that parallel cursors each keep their own result.
    private readonly ConditionalWeakTable<DataViewRow, Entry> _rows = new();

    /// <summary>A function giving the result for <paramref name="input"/>'s current row, computed once per row.</summary>
    public Func<T> For(DataViewRow input, Func<T> compute)
    {
        var entry = _rows.GetValue(input, _ => new Entry());
        return () =>
        {
            if (entry.Position != input.Position)
            {
                entry.Value = compute();
                entry.Position = input.Position;
            }
            return entry.Value!;
        };
    }
}
