using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Embeddings.Projection;
using MLNet.Sequence.Internal;

[assembly: LoadableClass(typeof(TsneTransformer), null, typeof(SignatureLoadModel), TsneTransformer.UserName, TsneTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(TsneTransformer), null, typeof(SignatureLoadRowMapper), TsneTransformer.UserName, TsneTransformer.LoaderSignature)]

namespace MLNet.Sequence.Embeddings;

/// <summary>
/// Fits a t-SNE map of a known-size float vector column (all rows are read into memory, as t-SNE needs)
/// and returns a <see cref="TsneTransformer"/> that places rows on that map: new rows are optimised
/// against the fixed reference map, as openTSNE does. Create it with
/// <see cref="EmbeddingsCatalog.Tsne(TransformsCatalog, string, string?, TsneOptions?)"/>.
/// </summary>
public sealed class TsneEstimator : IEstimator<TsneTransformer>
{
    private readonly IHost _host;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly TsneOptions _options;

    internal TsneEstimator(IHostEnvironment env, string outputColumnName, string? inputColumnName, TsneOptions? options)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(TsneEstimator));
        _host.CheckNonWhiteSpace(outputColumnName, nameof(outputColumnName));
        _outputColumnName = outputColumnName;
        _inputColumnName = string.IsNullOrWhiteSpace(inputColumnName) ? outputColumnName : inputColumnName;
        _options = options ?? new TsneOptions();
        _host.CheckUserArg(_options.Dimensions is 2 or 3, nameof(_options.Dimensions), "t-SNE maps to 2 or 3 dimensions.");
        _host.CheckUserArg(_options.Perplexity > 0, nameof(_options.Perplexity), "Must be positive.");
        _host.CheckUserArg(_options.Theta >= 0, nameof(_options.Theta), "Must be 0 (exact) or positive.");
        _host.CheckUserArg(_options.Iterations >= 1, nameof(_options.Iterations), "Must be at least 1.");
    }

    /// <summary>Reads the column, fits the map and returns the transformer holding it.</summary>
    public TsneTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        var column = input.Schema.GetColumnOrNull(_inputColumnName)
            ?? throw _host.ExceptSchemaMismatch(nameof(input), "input", _inputColumnName);
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType, IsKnownSize: true } vt || vt.ItemType != NumberDataViewType.Single)
            throw _host.ExceptSchemaMismatch(nameof(input), "input", _inputColumnName, "known-size vector of Single", column.Type.ToString());
        int dim = vt.Size;
        var rows = new List<float>();
        int n = 0;
        using (var cursor = input.GetRowCursor(new[] { column }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                int start = rows.Count;
                rows.AddRange(new float[dim]);
                value.CopyTo(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows).Slice(start, dim));
                n++;
            }
        }
        var data = rows.ToArray();
        TsneResult result;
        try
        {
            result = Projection.Tsne.Fit(data, n, dim, _options);
        }
        catch (ArgumentException e)
        {
            throw _host.Except(e, $"Column '{_inputColumnName}': {e.Message}");
        }
        using (var ch = _host.Start("t-SNE"))
            ch.Info(FormattableString.Invariant($"t-SNE map of {n:N0} rows: KL divergence {result.KullbackLeibler:F4}."));
        return new TsneTransformer(_host, data, dim, result, _options, (_outputColumnName, _inputColumnName));
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        if (!inputSchema.TryFindColumn(_inputColumnName, out var col))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "input", _inputColumnName);
        if (col.Kind != SchemaShape.Column.VectorKind.Vector || col.ItemType != NumberDataViewType.Single)
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "input", _inputColumnName, "known-size vector of Single", col.GetTypeString());
        var result = inputSchema.ToDictionary(c => c.Name);
        result[_outputColumnName] = new SchemaShape.Column(_outputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(result.Values);
    }
}

/// <summary>
/// A fitted t-SNE map. Rows of the data it was fitted on get their map positions back; any other row is
/// placed by optimising its position alone against the fixed map (attraction to its perplexity-calibrated
/// nearest reference points, repulsion from all of them). Saved in the model zip with its reference points.
/// </summary>
public sealed class TsneTransformer : OneToOneTransformerBase
{
    internal const string UserName = "t-SNE Transformer";
    internal const string LoaderSignature = "MLSeqTsneTransform";
    private const int PlacementIterations = 200;

    private readonly float[] _reference;   // n x dim, the fitted rows
    private readonly float[] _map;         // n x dims
    private readonly int _dim;

    internal TsneTransformer(IHostEnvironment env, float[] reference, int dim, TsneResult result, TsneOptions options,
        params (string outputColumnName, string inputColumnName)[] columns)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(TsneTransformer)), columns)
    {
        _reference = reference;
        _dim = dim;
        _map = result.Embedding;
        Dimensions = options.Dimensions;
        Perplexity = options.Perplexity;
        KullbackLeibler = result.KullbackLeibler;
    }

    private TsneTransformer(IHost host, ModelLoadContext ctx)
        : base(host, ctx)
    {
        // int: dims; int: input dim; double: perplexity; double: KL; floats: reference rows; floats: map.
        Dimensions = ctx.Reader.ReadInt32();
        Host.CheckDecode(Dimensions is 2 or 3, "Bad t-SNE map dimension.");
        _dim = ctx.Reader.ReadInt32();
        Host.CheckDecode(_dim > 0, "Bad input dimension.");
        Perplexity = ctx.Reader.ReadDouble();
        KullbackLeibler = ctx.Reader.ReadDouble();
        _reference = ctx.Reader.ReadFloats("t-SNE reference rows");
        Host.CheckDecode(_reference.Length > 0 && _reference.Length % _dim == 0, "t-SNE reference rows are missing or have the wrong size.");
        _map = ctx.Reader.ReadFloats("t-SNE map", _reference.Length / _dim * Dimensions);
    }

    /// <summary>Map dimensions (2 or 3).</summary>
    public int Dimensions { get; }

    /// <summary>Perplexity of the fit, also used to place new rows.</summary>
    public double Perplexity { get; }

    /// <summary>KL divergence of the fitted map.</summary>
    public double KullbackLeibler { get; }

    /// <summary>Number of rows the map was fitted on.</summary>
    public int ReferenceCount => _reference.Length / _dim;

    /// <summary>The fitted map: <see cref="ReferenceCount"/> rows of <see cref="Dimensions"/> coordinates.</summary>
    public ReadOnlyMemory<float> Map => _map;

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQTSNE",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(TsneTransformer).Assembly.FullName);

    private static TsneTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        return LoaderChecks.Load(env, ctx, nameof(TsneTransformer), GetVersionInfo(), "the t-SNE transformer", host => new TsneTransformer(host, ctx));
    }

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    /// <inheritdoc/>
    public override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        SaveColumns(ctx);
        ctx.Writer.Write(Dimensions);
        ctx.Writer.Write(_dim);
        ctx.Writer.Write(Perplexity);
        ctx.Writer.Write(KullbackLeibler);
        ctx.Writer.WriteFloats(_reference);
        ctx.Writer.WriteFloats(_map);
    }

    /// <inheritdoc/>
    public override void CheckInputColumn(DataViewSchema inputSchema, int col, int srcCol)
    {
        var type = inputSchema[srcCol].Type;
        if (type is not VectorDataViewType { IsKnownSize: true } vt || vt.ItemType != NumberDataViewType.Single || vt.Size != _dim)
            throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", ColumnPairs[col].inputColumnName, $"vector of {_dim} Single", type.ToString());
    }

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>
    /// The map position of <paramref name="point"/>: a fitted row's own position if it is one of them,
    /// otherwise the optimum of its cost against the fixed map, started at the affinity-weighted mean of
    /// its nearest reference points.
    /// </summary>
    public float[] Place(ReadOnlySpan<float> point)
    {
        if (point.Length != _dim)
            throw new ArgumentException($"The point has {point.Length} values; the map was fitted on vectors of {_dim}.", nameof(point));
        int bad = ModelStateIO.IndexOfNonFinite(point);
        if (bad >= 0)
            throw new ArgumentException($"The point holds {point[bad]} at position {bad}; only finite vectors can be placed on the map.", nameof(point));
        int n = ReferenceCount;
        var d2 = new double[n];
        var ids = new int[n];
        for (int j = 0; j < n; j++)
        {
            float d = TensorPrimitives.Distance(point, _reference.AsSpan(j * _dim, _dim));
            d2[j] = (double)d * d;
            ids[j] = j;
            if (d == 0)
                return _map.AsSpan(j * Dimensions, Dimensions).ToArray();
        }
        double perplexity = Math.Min(Perplexity, (n - 1) / 3.0);
        int k = Math.Max(1, Math.Min(n, (int)(3 * perplexity)));
        d2.AsSpan().Sort(ids.AsSpan());
        var p = Projection.Tsne.ConditionalAffinities(new[] { d2.AsSpan(0, k).ToArray() }, perplexity)[0];

        int dims = Dimensions;
        var y = new double[dims];
        for (int m = 0; m < k; m++)
        {
            for (int d = 0; d < dims; d++)
                y[d] += p[m] * _map[ids[m] * dims + d];
        }
        var update = new double[dims];
        var grad = new double[dims];
        var repulsion = new double[dims];
        var tree = MapTree();
        for (int it = 0; it < PlacementIterations; it++)
        {
            // Cost of the new point alone: its attraction to its neighbours, repulsion from the whole map
            // (Barnes–Hut over the fixed map, theta 0.5).
            Array.Clear(grad);
            Array.Clear(repulsion);
            double z = tree.Repulsion(y, 0.5, repulsion);
            for (int m = 0; m < k; m++)
            {
                int j = ids[m];
                double dist = 0;
                for (int d = 0; d < dims; d++)
                {
                    double diff = y[d] - _map[j * dims + d];
                    dist += diff * diff;
                }
                double w = p[m] / (1 + dist);
                for (int d = 0; d < dims; d++)
                    grad[d] += w * (y[d] - _map[j * dims + d]);
            }
            for (int d = 0; d < dims; d++)
            {
                double g = 4 * (grad[d] - repulsion[d] / z);
                update[d] = 0.5 * update[d] - 1.0 * g;
                y[d] += update[d];
            }
        }
        return y.Select(v => (float)v).ToArray();
    }

    private SpaceTree? _mapTree;

    /// <summary>A Barnes–Hut tree over the fixed map, built once on first use.</summary>
    private SpaceTree MapTree()
    {
        var tree = _mapTree;
        if (tree != null)
            return tree;
        tree = new SpaceTree(Dimensions);
        tree.Build(_map.Select(v => (double)v).ToArray(), ReferenceCount);
        Interlocked.CompareExchange(ref _mapTree, tree, null);
        return _mapTree!;
    }

    private sealed class Mapper : OneToOneMapperBase
    {
        private readonly TsneTransformer _owner;
        private readonly VectorDataViewType _type;

        public Mapper(TsneTransformer owner, DataViewSchema schema)
            : base(owner.Host.Register(nameof(Mapper)), owner, schema)
        {
            _owner = owner;
            _type = new VectorDataViewType(NumberDataViewType.Single, owner.Dimensions);
            for (int i = 0; i < owner.ColumnPairs.Length; i++)
                owner.CheckInputColumn(schema, i, ColMapNewToOld[i]);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            _owner.ColumnPairs.Select(p => new DataViewSchema.DetachedColumn(p.outputColumnName, _type)).ToArray();

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var column = input.Schema[ColMapNewToOld[iinfo]];
            var getter = input.GetGetter<VBuffer<float>>(column);
            VBuffer<float> source = default;
            var dense = new float[_owner._dim];
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                getter(ref source);
                source.CopyTo(dense);
                float[] position;
                try
                {
                    position = _owner.Place(dense);
                }
                catch (ArgumentException e)
                {
                    throw Host.Except(e, $"Column '{column.Name}': {e.Message}");
                }
                var editor = VBufferEditor.Create(ref dst, position.Length);
                position.CopyTo(editor.Values);
                dst = editor.Commit();
            });
        }
    }
}
