using System.Runtime.CompilerServices;
using Microsoft.ML;

namespace MLNet.Sequence.Torch.Data;

/// <summary>
/// Runs a mapper's network for the rows a cursor visits.
/// <list type="bullet">
/// <item>One run per row, shared by the getters of all the mapper's output columns: ML.NET asks for each
/// output column's getter separately (evaluation reads Score, Probability and PredictedLabel), and each would
/// otherwise run the model again on the same row.</item>
/// <item>Batches, when the mapper knows the data view it transforms. A second cursor over that view reads
/// the tokens of the next rows ahead of the consumer, and they are scored in one network run, several times
/// faster than one row at a time. A batched result is used only for a row at the same position with the
/// same tokens. When they differ (a one-pass or randomly ordered source, a cursor of a split set) or the
/// read-ahead fails, the cursor falls back to scoring one row at a time, so a result always belongs to its
/// row and errors surface at the row that causes them.</item>
/// </list>
/// </summary>
internal sealed class RowScorer<T>
    where T : class
{
    private readonly IDataView? _source;
    private readonly Func<DataViewRow, DataViewSchema.Column, Func<string[]>> _makeTokenGetter;
    private readonly Func<IReadOnlyList<string[]>, T[]> _scoreBatch;
    private readonly Func<long, string[], T> _scoreOne;
    private readonly int _readAheadRows;

    // Keyed by the input row, so that parallel cursors each keep their own state.
    private readonly ConditionalWeakTable<DataViewRow, RowState> _rows = new();

    /// <param name="source">The view the mapper transforms, or null to score one row at a time.</param>
    /// <param name="makeTokenGetter">Reads a row's tokens from a column.</param>
    /// <param name="scoreBatch">Scores rows that each hold at least one token, one result per row.</param>
    /// <param name="scoreOne">Scores one row (given its position, for error messages); rows without tokens go here.</param>
    /// <param name="readAheadRows">Rows read ahead and scored together.</param>
    public RowScorer(IDataView? source, Func<DataViewRow, DataViewSchema.Column, Func<string[]>> makeTokenGetter,
        Func<IReadOnlyList<string[]>, T[]> scoreBatch, Func<long, string[], T> scoreOne, int readAheadRows = 256)
    {
        _source = source;
        _makeTokenGetter = makeTokenGetter;
        _scoreBatch = scoreBatch;
        _scoreOne = scoreOne;
        _readAheadRows = readAheadRows;
    }

    /// <summary>A function giving the result for <paramref name="input"/>'s current row, reading its tokens from <paramref name="column"/>.</summary>
    public Func<T> For(DataViewRow input, DataViewSchema.Column column) =>
        _rows.GetValue(input, row => new RowState(this, row, column)).Current;

    /// <summary>
    /// What closes <paramref name="input"/>'s read-ahead cursor, or null. Mappers return it from CreateGetters:
    /// ML.NET's MapperBase calls every getter's disposer, also the null ones of inactive columns.
    /// </summary>
    public Action? DisposerFor(DataViewRow input) => _rows.TryGetValue(input, out var state) ? state.Dispose : null;

    private sealed class RowState : IDisposable
    {
        private readonly DataViewRow _input;
        private readonly Func<string[]> _tokens;
        private readonly Func<long, string[], T> _scoreOne;
        private readonly ReadAhead? _ahead;

        // Not -1: that is a cursor's position before its first MoveNext.
        private long _position = long.MinValue;
        private T? _value;

        public RowState(RowScorer<T> owner, DataViewRow input, DataViewSchema.Column column)
        {
            _input = input;
            _tokens = owner._makeTokenGetter(input, column);
            _scoreOne = owner._scoreOne;
            if (owner._source != null)
                _ahead = new ReadAhead(owner, column);
        }

        public T Current()
        {
            long position = _input.Position;
            if (_position != position)
            {
                var tokens = _tokens();
                _value = _ahead?.Take(position, tokens) ?? _scoreOne(position, tokens);
                _position = position;
            }
            return _value!;
        }

        public void Dispose() => _ahead?.Dispose();
    }

    private sealed class ReadAhead : IDisposable
    {
        private readonly RowScorer<T> _owner;
        private readonly DataViewSchema.Column _column;
        private readonly Queue<(long Position, string[] Tokens, T? Result)> _ready = new();
        private DataViewRowCursor? _cursor;
        private Func<string[]>? _tokens;
        private long _used;
        private long _wasted;
        private bool _stopped;

        public ReadAhead(RowScorer<T> owner, DataViewSchema.Column column)
        {
            _owner = owner;
            _column = column;
        }

        /// <summary>The batched result of the row at <paramref name="position"/>, or null to score it alone.</summary>
        public T? Take(long position, string[] tokens)
        {
            if (_stopped)
                return null;
            while (_ready.Count > 0 && _ready.Peek().Position < position)
                _wasted += _ready.Dequeue().Result != null ? 1 : 0;
            // The consumer skips most of the rows scored ahead (a filter, a split cursor): reading ahead costs more than it saves.
            if (_wasted > _used + _owner._readAheadRows)
                return Stop();
            if (_ready.Count == 0 && !Fill(position))
                return Stop();
            var (at, ahead, result) = _ready.Peek();
            if (at != position || !ahead.AsSpan().SequenceEqual(tokens))
                return Stop();
            _ready.Dequeue();
            _used++;
            return result;
        }

        /// <summary>Reads and scores the rows from <paramref name="position"/> on; false when that fails.</summary>
        private bool Fill(long position)
        {
            try
            {
                if (_cursor == null)
                {
                    var column = _owner._source!.Schema[_column.Index];
                    _cursor = _owner._source.GetRowCursor(new[] { column });
                    _tokens = _owner._makeTokenGetter(_cursor, column);
                }
                var rows = new List<(long Position, string[] Tokens)>(_owner._readAheadRows);
                while (rows.Count < _owner._readAheadRows && _cursor.MoveNext())
                {
                    if (_cursor.Position >= position)
                        rows.Add((_cursor.Position, _tokens!()));
                }
                var scored = rows.Where(r => r.Tokens.Length > 0).Select(r => r.Tokens).ToList();
                var results = scored.Count > 0 ? _owner._scoreBatch(scored) : Array.Empty<T>();
                int next = 0;
                foreach (var (at, tokens) in rows)
                    _ready.Enqueue((at, tokens, tokens.Length > 0 ? results[next++] : null));
                return _ready.Count > 0;
            }
            catch (Exception)
            {
                // The consumer's own cursor reads the same rows and reports any real error at its row.
                return false;
            }
        }

        private T? Stop()
        {
            _stopped = true;
            _ready.Clear();
            Dispose();
            return null;
        }

        public void Dispose()
        {
            _cursor?.Dispose();
            _cursor = null;
        }
    }
}
