using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Torch.Data;

namespace MLNet.Sequence.Torch;

/// <summary>
/// Base of the TorchSharp sequence-model transformers. <see cref="Transform"/> scores rows lazily, as cursors
/// reach them, in batches read ahead from its input; a PredictionEngine scores one row per call.
/// </summary>
public abstract class SequenceModelTransformerBase : RowToRowTransformerBase, ITransformer
{
    private protected SequenceModelTransformerBase(IHost host)
        : base(host)
    {
    }

    /// <summary>
    /// Adds the model's output columns to <paramref name="input"/>. Rows are scored lazily, as cursors reach
    /// them, and in batches read ahead from <paramref name="input"/>.
    /// </summary>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        return new BatchScoredView(new RowToRowMapperTransform(Host, input, MakeRowMapper(input.Schema, input), MakeRowMapper));
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => MakeRowMapper(schema, null);

    /// <summary>A mapper for <paramref name="schema"/>; with <paramref name="source"/>, it reads rows ahead from it and scores them in batches.</summary>
    private protected abstract IRowMapper MakeRowMapper(DataViewSchema schema, IDataView? source);

    /// <summary>A mapper whose output columns all come from one <see cref="RowScorer{T}"/> result per row.</summary>
    private protected abstract class ScoringMapper<T> : MapperBase
        where T : class
    {
        protected ScoringMapper(IHost host, DataViewSchema inputSchema, RowToRowTransformerBase parent)
            : base(host, inputSchema, parent)
        {
        }

        /// <summary>Set by the derived constructor, once it knows its columns.</summary>
        protected RowScorer<T> Scores { get; set; } = null!;

        // MapperBase would call every getter's disposer, also the null ones of inactive columns; the scorer's
        // one disposer closes the read-ahead cursor.
        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
        {
            var getters = base.CreateGetters(input, activeOutput, out _);
            disposer = Scores.DisposerFor(input)!;
            return getters;
        }
    }
}
