using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Torch.Data;

/// <summary>A mapper that can also score the rows of a whole view in batches.</summary>
internal interface IBatchScoringMapper
{
    /// <summary>A view of <paramref name="input"/> with the mapper's columns, scored in blocks of consecutive rows.</summary>
    IDataView ScoreInBatches(IDataView input);
}

/// <summary>
/// The mapper of a TorchSharp model, in the one place that knows how the model meets rows: which input it reads
/// from a row (<typeparamref name="TInput"/>: tokens now, audio frames and images next), how it scores inputs,
/// alone or many in one network run, and which columns a result (<typeparamref name="TResult"/>) fills.
/// <list type="bullet">
/// <item>As ML.NET's mapper (a PredictionEngine, a loaded row mapper) it scores one row at a time; the getters of
/// all its output columns share one run per row.</item>
/// <item><see cref="ScoreInBatches"/> gives the view the transformer's Transform returns, which scores blocks of
/// consecutive rows (<see cref="BatchScoredView{TInput, TResult}"/>).</item>
/// </list>
/// </summary>
internal abstract class ScoringMapper<TInput, TResult> : RowToRowTransformerBase.MapperBase, IBatchScoringMapper
    where TResult : class
{
    // Keyed by the input row, so that cursors scored in parallel each keep their own last result.
    private readonly ConditionalWeakTable<DataViewRow, RowResult> _rows = new();

    protected ScoringMapper(IHost host, DataViewSchema inputSchema, RowToRowTransformerBase parent)
        : base(host, inputSchema, parent)
    {
    }

    /// <summary>The input columns the model reads (found and checked by the derived constructor).</summary>
    public abstract IReadOnlyList<DataViewSchema.Column> InputColumns { get; }

    /// <summary>A getter of the current row's model input.</summary>
    public abstract Func<TInput> MakeInputGetter(DataViewRow row);

    /// <summary>Whether an input may join a batch; the others are scored alone, when their row's output is read, so that their errors surface at their row.</summary>
    public abstract bool CanBatch(TInput input);

    /// <summary>Scores inputs that can be batched, one result each, in one or a few network runs.</summary>
    public abstract TResult[] ScoreBatch(IReadOnlyList<TInput> inputs);

    /// <summary>Scores one input; <paramref name="position"/> is its row, for error messages.</summary>
    public abstract TResult ScoreOne(long position, TInput input);

    /// <summary>The getter of output column <paramref name="iinfo"/>, reading the current row's <paramref name="result"/>.</summary>
    public abstract Delegate MakeOutputGetter(int iinfo, Func<TResult> result);

    public IDataView ScoreInBatches(IDataView input) => new BatchScoredView<TInput, TResult>(Host, input, this);

    public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
    {
        bool any = Enumerable.Range(0, GetOutputColumnsCore().Length).Any(activeOutput);
        var inputs = InputColumns.Select(c => c.Index).ToHashSet();
        return col => any && inputs.Contains(col);
    }

    public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
    {
        disposer = null!;
        return MakeOutputGetter(iinfo, _rows.GetValue(input, row => new RowResult(this, row)).Current);
    }

    /// <summary>The result of a row's current position, computed once for all the row's getters.</summary>
    private sealed class RowResult
    {
        private readonly ScoringMapper<TInput, TResult> _mapper;
        private readonly DataViewRow _row;
        private readonly Func<TInput> _input;

        // Not -1: that is a cursor's position before its first MoveNext.
        private long _position = long.MinValue;
        private TResult? _value;

        public RowResult(ScoringMapper<TInput, TResult> mapper, DataViewRow row)
        {
            _mapper = mapper;
            _row = row;
            _input = mapper.MakeInputGetter(row);
        }

        public TResult Current()
        {
            long position = _row.Position;
            if (_position != position)
            {
                _value = _mapper.ScoreOne(position, _input());
                _position = position;
            }
            return _value!;
        }
    }
}
