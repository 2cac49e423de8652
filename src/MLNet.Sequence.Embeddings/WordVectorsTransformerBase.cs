using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings;

/// <summary>
/// A fitted word-vector table applied to token or text columns: each row's tokens are looked up and
/// pooled (<see cref="EmbeddingPooling"/>) into one float vector. The table and settings are saved in
/// the ML.NET model zip. Word2Vec's and GloVe's transformers derive from this class.
/// </summary>
public abstract class WordVectorsTransformerBase : OneToOneTransformerBase
{
    private protected WordVectorsTransformerBase(IHost host, WordVectors vectors, EmbeddingPooling pooling, TokenSplitting splitting,
        params (string outputColumnName, string inputColumnName)[] columns)
        : base(host, columns)
    {
        Host.CheckValue(vectors, nameof(vectors));
        Host.CheckUserArg(Enum.IsDefined(pooling), nameof(pooling), "Unknown pooling.");
        Host.CheckUserArg(Enum.IsDefined(splitting), nameof(splitting), "Unknown token splitting.");
        Vectors = vectors;
        Pooling = pooling;
        TokenSplitting = splitting;
    }

    private protected WordVectorsTransformerBase(IHost host, ModelLoadContext ctx)
        : base(host, ctx)
    {
        // int: pooling
        // int: token splitting
        // table: see WordVectorsSerializer
        Pooling = (EmbeddingPooling)ctx.Reader.ReadInt32();
        Host.CheckDecode(Enum.IsDefined(Pooling), "Unknown pooling in the model.");
        TokenSplitting = (TokenSplitting)ctx.Reader.ReadInt32();
        Host.CheckDecode(Enum.IsDefined(TokenSplitting), "Unknown token splitting in the model.");
        Vectors = WordVectorsSerializer.Read(ctx.Reader);
    }

    /// <summary>The word-vector table: vocabulary, counts and the embedding matrix E.</summary>
    public WordVectors Vectors { get; }

    /// <summary>How token vectors combine into a row vector.</summary>
    public EmbeddingPooling Pooling { get; }

    /// <summary>How a text (not token-vector) input column is split into tokens.</summary>
    public TokenSplitting TokenSplitting { get; }

    /// <summary>The (output, input) column pairs this transformer maps.</summary>
    public IReadOnlyList<(string OutputColumnName, string InputColumnName)> Columns =>
        ColumnPairs.Select(p => (p.outputColumnName, p.inputColumnName)).ToArray();

    /// <summary>Size of each output vector.</summary>
    public int OutputSize => Pooling == EmbeddingPooling.MinMeanMax ? 3 * Vectors.Dimension : Vectors.Dimension;

    /// <summary>The model signature and versions of the derived class, written in front of the table.</summary>
    private protected abstract VersionInfo GetVersionInfoCore();

    /// <summary>Writes the version, columns, settings and table.</summary>
    public override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfoCore());
        SaveColumns(ctx);
        ctx.Writer.Write((int)Pooling);
        ctx.Writer.Write((int)TokenSplitting);
        WordVectorsSerializer.Write(ctx.Writer, Vectors);
        SaveExtra(ctx);
    }

    /// <summary>Writes what a derived class keeps beyond the table (read back by its loading constructor).</summary>
    private protected virtual void SaveExtra(ModelSaveContext ctx)
    {
    }

    /// <summary>The schema an estimator of this transformer produces: checks the input column, adds the vector column.</summary>
    internal static SchemaShape GetOutputSchema(IHost host, SchemaShape inputSchema, string outputColumnName, string inputColumnName)
    {
        host.CheckValue(inputSchema, nameof(inputSchema));
        if (!inputSchema.TryFindColumn(inputColumnName, out var column))
            throw host.ExceptSchemaMismatch(nameof(inputSchema), "input", inputColumnName);
        if (column.ItemType is not TextDataViewType)
            throw host.ExceptSchemaMismatch(nameof(inputSchema), "input", inputColumnName, "Text or vector of Text", column.GetTypeString());
        var result = inputSchema.ToDictionary(c => c.Name);
        result[outputColumnName] = new SchemaShape.Column(outputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(result.Values);
    }

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <inheritdoc/>
    public override void CheckInputColumn(DataViewSchema inputSchema, int col, int srcCol)
    {
        var type = inputSchema[srcCol].Type;
        if (!TokenColumn.IsTokenType(type))
            throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", ColumnPairs[col].inputColumnName, "Text or vector of Text", type.ToString());
    }

    /// <summary>Pools the vectors of one row's tokens.</summary>
    private sealed class Pooler
    {
        private readonly WordVectors _vectors;
        private readonly EmbeddingPooling _pooling;
        private readonly float[] _sum, _min, _max;
        private int _found;

        public Pooler(WordVectors vectors, EmbeddingPooling pooling)
        {
            _vectors = vectors;
            _pooling = pooling;
            _sum = new float[vectors.Dimension];
            _min = new float[vectors.Dimension];
            _max = new float[vectors.Dimension];
        }

        public void Reset()
        {
            _found = 0;
            Array.Clear(_sum);
        }

        public void Add(ReadOnlySpan<char> token)
        {
            if (!_vectors.TryGetVector(token, out var v))
                return;
            TensorPrimitives.Add(_sum, v, _sum);
            if (_pooling == EmbeddingPooling.MinMeanMax)
            {
                if (_found == 0)
                {
                    v.CopyTo(_min);
                    v.CopyTo(_max);
                }
                else
                {
                    TensorPrimitives.Min(_min, v, _min);
                    TensorPrimitives.Max(_max, v, _max);
                }
            }
            _found++;
        }

        public void Write(ref VBuffer<float> dst, int size)
        {
            var editor = VBufferEditor.Create(ref dst, size);
            var values = editor.Values;
            int dim = _vectors.Dimension;
            if (_found == 0)
            {
                values.Clear();
            }
            else if (_pooling == EmbeddingPooling.Sum)
            {
                _sum.CopyTo(values);
            }
            else if (_pooling == EmbeddingPooling.Mean)
            {
                TensorPrimitives.Divide(_sum, _found, values);
            }
            else
            {
                _min.CopyTo(values[..dim]);
                TensorPrimitives.Divide(_sum, _found, values.Slice(dim, dim));
                _max.CopyTo(values.Slice(2 * dim, dim));
            }
            dst = editor.Commit();
        }
    }

    private sealed class Mapper : OneToOneMapperBase
    {
        private readonly WordVectorsTransformerBase _parent;
        private readonly VectorDataViewType _outputType;

        public Mapper(WordVectorsTransformerBase parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), parent, inputSchema)
        {
            _parent = parent;
            _outputType = new VectorDataViewType(NumberDataViewType.Single, parent.OutputSize);
            for (int i = 0; i < parent.ColumnPairs.Length; i++)
                parent.CheckInputColumn(inputSchema, i, ColMapNewToOld[i]);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            _parent.ColumnPairs.Select(p => new DataViewSchema.DetachedColumn(p.outputColumnName, _outputType)).ToArray();

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var column = input.Schema[ColMapNewToOld[iinfo]];
            var pooler = new Pooler(_parent.Vectors, _parent.Pooling);
            int size = _parent.OutputSize;
            if (column.Type is TextDataViewType)
            {
                var getText = input.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> text = default;
                var splitting = _parent.TokenSplitting;
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                {
                    getText(ref text);
                    pooler.Reset();
                    TokenSplitter.Split(text.Span, splitting, ref pooler, static (token, ref p) => p.Add(token));
                    pooler.Write(ref dst, size);
                });
            }

            var getTokens = input.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
            VBuffer<ReadOnlyMemory<char>> tokens = default;
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                getTokens(ref tokens);
                pooler.Reset();
                foreach (var token in tokens.GetValues())
                    pooler.Add(token.Span.Trim());
                pooler.Write(ref dst, size);
            });
        }
    }
}
