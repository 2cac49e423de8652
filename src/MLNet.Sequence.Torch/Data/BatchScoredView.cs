using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Sequence.Torch.Data;

/// <summary>
/// The view a TorchSharp transformer returns from Transform: ML.NET's row-mapper view, with cursors that are
/// never split across threads. ML.NET splits a mapper's rows between threads; here one thread scoring batches of
/// consecutive rows (with TorchSharp's own threads inside each run) is several times faster than two threads
/// scoring a row each, and a batch needs consecutive rows.
/// </summary>
internal sealed class BatchScoredView : IDataView
{
    private readonly RowToRowMapperTransform _mapped;

    public BatchScoredView(RowToRowMapperTransform mapped) => _mapped = mapped;

    public bool CanShuffle => _mapped.CanShuffle;

    public DataViewSchema Schema => _mapped.OutputSchema;

    public long? GetRowCount() => _mapped.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        _mapped.GetRowCursorCore(columnsNeeded, rand);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };
}
