using System.Runtime.ExceptionServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Torch.Data;

/// <summary>
/// The view a TorchSharp transformer's Transform returns: its input with the model's columns added, scored in
/// batches on a single pass. Each cursor reads a block of consecutive rows from one cursor over the input,
/// keeps the values of the input columns its consumer asked for, and scores the block's model inputs in one
/// network run the first time a result is read; then it serves the rows one by one.
/// <list type="bullet">
/// <item>A row's result is always its own: it is scored from the row the consumer is on, never from a second
/// pass that might see other data. Shuffled cursors shuffle the input cursor, and the same holds.</item>
/// <item>An input the model cannot batch (a row without tokens) is scored alone when its result is read, and a
/// row the input cursor fails to give is served straight from that cursor, so errors surface at their own
/// row.</item>
/// <item>A consumer that reads the results of few rows (a filter downstream) makes batching cost more than
/// it saves; then the cursor scores only the rows asked for.</item>
/// <item>Cursors are never split across threads, as ML.NET splits a mapper's rows: one thread scoring a batch,
/// with libtorch's threads inside each run, is several times faster than two threads scoring a row each.</item>
/// </list>
/// </summary>
internal sealed class BatchScoredView<TInput, TResult> : IDataView
    where TResult : class
{
    private readonly IHost _host;
    private readonly IDataView _input;
    private readonly ScoringMapper<TInput, TResult> _mapper;
    private readonly int _blockRows;

    public BatchScoredView(IHost host, IDataView input, ScoringMapper<TInput, TResult> mapper, int blockRows = 256)
    {
        _host = host;
        _input = input;
        _mapper = mapper;
        _blockRows = blockRows;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input.Schema);
        foreach (var column in mapper.GetOutputColumnsCore())
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded, rand);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchScoredView<TInput, TResult> _view;
        private readonly ScoringMapper<TInput, TResult> _mapper;
        private readonly DataViewRowCursor _upstream;
        private readonly bool[] _active;
        private readonly int _inputCount;
        private readonly bool _scoring;
        private readonly Dictionary<int, ColumnCache> _caches = new();
        private readonly ValueGetter<DataViewRowId> _upstreamId;
        private readonly Func<TInput>? _upstreamInput;

        // The block: rows [0, _count) were read; _index is the consumer's.
        private readonly long[] _positions;
        private readonly DataViewRowId[] _ids;
        private readonly TInput[] _inputs;
        private readonly TResult?[] _results;
        private readonly bool[] _read;
        private int _count, _index = -1;
        private bool _scored;

        // The row the input cursor stands on could not be read into the block: it is served straight from that cursor.
        private bool _upstreamAhead, _live;
        private TResult? _liveResult;
        private ExceptionDispatchInfo? _pendingMoveError;

        private long _used, _wasted;
        private bool _oneByOne;
        private long _position = -1;

        public Cursor(BatchScoredView<TInput, TResult> view, IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand)
        {
            _view = view;
            _mapper = view._mapper;
            _inputCount = view._input.Schema.Count;
            _active = new bool[view.Schema.Count];
            foreach (var column in columnsNeeded)
                _active[column.Index] = true;
            _scoring = _active.Skip(_inputCount).Any(a => a);
            var upstreamColumns = Enumerable.Range(0, _inputCount).Where(i => _active[i]).Select(i => view._input.Schema[i]).ToList();
            if (_scoring)
                upstreamColumns.AddRange(_mapper.InputColumns);
            _upstream = view._input.GetRowCursor(upstreamColumns.Distinct(), rand);
            int rows = view._blockRows;
            for (int i = 0; i < _inputCount; i++)
            {
                if (_active[i])
                    _caches[i] = ColumnCache.Create(_upstream, view._input.Schema[i], rows);
            }
            _upstreamId = _upstream.GetIdGetter();
            _upstreamInput = _scoring ? _mapper.MakeInputGetter(_upstream) : null;
            _positions = new long[rows];
            _ids = new DataViewRowId[rows];
            _inputs = new TInput[rows];
            _results = new TResult?[rows];
            _read = new bool[rows];
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) =>
        {
            if (_live)
                _upstreamId(ref id);
            else
                id = _ids[_index];
        };

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            _view._host.Check(IsColumnActive(column), $"Column '{column.Name}' was not asked for when the cursor was made.");
            if (column.Index >= _inputCount)
                return (ValueGetter<TValue>)_mapper.MakeOutputGetter(column.Index - _inputCount, CurrentResult);
            var cached = (ValueGetter<TValue>)_caches[column.Index].MakeGetter(() => _index);
            var live = _upstream.GetGetter<TValue>(_view._input.Schema[column.Index]);
            return (ref TValue value) =>
            {
                if (_live)
                    live(ref value);
                else
                    cached(ref value);
            };
        }

        public override bool MoveNext()
        {
            _live = false;
            _liveResult = null;
            if (_index + 1 < _count)
            {
                _index++;
                _position = _positions[_index];
                return true;
            }
            _pendingMoveError?.Throw();
            // The row that could not be read into the last block is served by the input cursor itself.
            if (_upstreamAhead)
                return MoveToLiveRow();
            if (!Fill())
                return false;
            if (_count == 0)
                return MoveToLiveRow();
            _index = 0;
            _position = _positions[0];
            return true;
        }

        /// <summary>Reads the next block of rows; false at the end of the input.</summary>
        private bool Fill()
        {
            CountWaste();
            _count = 0;
            _scored = false;
            int capacity = _oneByOne ? 1 : _positions.Length;
            while (_count < capacity)
            {
                try
                {
                    if (!_upstream.MoveNext())
                        break;
                }
                catch (Exception e) when (_count > 0)
                {
                    // Rows before the failing one are served first; the error comes at the consumer's move to it.
                    _pendingMoveError = ExceptionDispatchInfo.Capture(e);
                    break;
                }
                int slot = _count;
                try
                {
                    foreach (var (_, cache) in _caches)
                        cache.Fill(slot);
                    _upstreamId(ref _ids[slot]);
                    if (_upstreamInput != null)
                        _inputs[slot] = _upstreamInput();
                }
                catch (Exception)
                {
                    // Its getters will raise the error again, at its own row.
                    _upstreamAhead = true;
                    break;
                }
                _positions[slot] = _upstream.Position;
                _results[slot] = null;
                _read[slot] = false;
                _count++;
            }
            return _count > 0 || _upstreamAhead;
        }

        private bool MoveToLiveRow()
        {
            _upstreamAhead = false;
            _live = true;
            _scored = false;
            _count = 0;
            _index = -1;
            _position = _upstream.Position;
            return true;
        }

        private TResult CurrentResult()
        {
            if (_live)
                return _liveResult ??= _mapper.ScoreOne(_position, _upstreamInput!());
            if (!_scored)
                ScoreBlock();
            _read[_index] = true;
            return _results[_index] ??= _mapper.ScoreOne(_position, _inputs[_index]);
        }

        private void ScoreBlock()
        {
            _scored = true;
            if (_oneByOne)
                return;
            var batch = Enumerable.Range(0, _count).Where(i => _mapper.CanBatch(_inputs[i])).ToArray();
            if (batch.Length == 0)
                return;
            var results = _mapper.ScoreBatch(batch.Select(i => _inputs[i]).ToArray());
            for (int k = 0; k < batch.Length; k++)
                _results[batch[k]] = results[k];
        }

        /// <summary>Once scored blocks are mostly left unread, batching costs more than it saves: score rows as they are asked for.</summary>
        private void CountWaste()
        {
            if (!_scored || _oneByOne)
                return;
            int read = 0;
            for (int i = 0; i < _count; i++)
                read += _read[i] ? 1 : 0;
            _used += read;
            _wasted += _count - read;
            if (_wasted > _used + _positions.Length)
                _oneByOne = true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _upstream.Dispose();
            base.Dispose(disposing);
        }
    }
}
