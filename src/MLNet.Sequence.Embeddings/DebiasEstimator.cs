using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Embeddings.Debias;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Text;

[assembly: LoadableClass(typeof(DebiasTransformer), null, typeof(SignatureLoadModel),
    DebiasTransformer.UserName, DebiasTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(DebiasTransformer), null, typeof(SignatureLoadRowMapper),
    DebiasTransformer.UserName, DebiasTransformer.LoaderSignature)]

namespace MLNet.Sequence.Embeddings;

/// <summary>
/// Removes a social bias (gender by default) from a word-vector table with hard debiasing (Bolukbasi et
/// al. 2016) and maps a token or text column to the debiased vectors, so that a classifier further down
/// the pipeline sees debiased features. Create it with <see cref="EmbeddingsCatalog.Debias"/>.
/// </summary>
public sealed class DebiasEstimator : IEstimator<DebiasTransformer>
{
    /// <summary>Word lists and method. The defaults are the built-in gender lists (<see cref="GenderWordLists"/>).</summary>
    public sealed class Options
    {
        /// <summary>Pairs whose differences define the bias direction (e.g. she–he).</summary>
        public IReadOnlyList<(string, string)> DefinitionalPairs = GenderWordLists.DefinitionalPairs;

        /// <summary>Words that keep their bias component (their meaning carries it, e.g. "mother").</summary>
        public IReadOnlyCollection<string> SpecificWords = GenderWordLists.SpecificWords;

        /// <summary>Pairs made equidistant from every neutral word (e.g. grandmother–grandfather).</summary>
        public IReadOnlyList<(string, string)> EqualityPairs = GenderWordLists.EqualityPairs;

        /// <summary>Principal components of the centred pairs (default), or the mean difference.</summary>
        public BiasDirectionMethod Method = BiasDirectionMethod.PrincipalComponents;

        /// <summary>Dimension of the bias subspace (1: a direction).</summary>
        public int Components = 1;

        /// <summary>How the transformer combines the vectors of a row's tokens.</summary>
        public EmbeddingPooling Pooling = EmbeddingPooling.Mean;

        /// <summary>How a text column (not a token vector) is split into tokens.</summary>
        public TokenSplitting TokenSplitting = TokenSplitting.WhiteSpace;
    }

    private readonly IHost _host;
    private readonly WordVectors _vectors;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly Options _options;

    internal DebiasEstimator(IHostEnvironment env, WordVectors vectors, string outputColumnName, string? inputColumnName, Options? options)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(DebiasEstimator));
        _host.CheckValue(vectors, nameof(vectors));
        _host.CheckNonWhiteSpace(outputColumnName, nameof(outputColumnName));
        _options = options ?? new Options();
        _host.CheckUserArg(_options.DefinitionalPairs is { Count: > 0 }, nameof(_options.DefinitionalPairs), "Give at least one definitional pair.");
        _host.CheckUserArg(_options.SpecificWords != null, nameof(_options.SpecificWords), "Give a list (it may be empty).");
        _host.CheckUserArg(_options.EqualityPairs != null, nameof(_options.EqualityPairs), "Give a list (it may be empty).");
        _host.CheckUserArg(_options.Components >= 1 && _options.Components <= vectors.Dimension, nameof(_options.Components),
            $"Use 1 to {vectors.Dimension} components.");
        _host.CheckUserArg(Enum.IsDefined(_options.Method), nameof(_options.Method), "Unknown method.");
        _host.CheckUserArg(_options.Method == BiasDirectionMethod.PrincipalComponents || _options.Components == 1, nameof(_options.Components),
            "The mean difference gives one direction; use PrincipalComponents for several.");
        _vectors = vectors;
        _outputColumnName = outputColumnName;
        _inputColumnName = string.IsNullOrWhiteSpace(inputColumnName) ? outputColumnName : inputColumnName;
    }

    /// <summary>Debiases the table (the data is only checked for the input column) and returns the transformer.</summary>
    public DebiasTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        DebiasResult result;
        try
        {
            result = HardDebias.Apply(_vectors, _options.DefinitionalPairs, _options.SpecificWords, _options.EqualityPairs, _options.Method, _options.Components);
        }
        catch (ArgumentException e)
        {
            throw _host.ExceptUserArg(nameof(Options.DefinitionalPairs), e.Message);
        }
        using (var ch = _host.Start("Debias"))
        {
            string ratios = string.Join(", ", result.Subspace.ExplainedVarianceRatio.Select(r => r.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
            ch.Info(FormattableString.Invariant(
                $"Bias subspace from {result.DefinitionalPairsUsed} definitional pairs; explained variance ratio {ratios}; {result.Neutralized:N0} words neutralized, {result.EqualizedPairs} pairs equalized."));
        }
        var transformer = new DebiasTransformer(_host, result, _options.Pooling, _options.TokenSplitting, (_outputColumnName, _inputColumnName));
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        WordVectorsTransformerBase.GetOutputSchema(_host, inputSchema, _outputColumnName, _inputColumnName);
}

/// <summary>A debiased word-vector table applied to token or text columns; the table and the bias subspace are saved in the model zip.</summary>
public sealed class DebiasTransformer : WordVectorsTransformerBase
{
    internal const string UserName = "Debias Transformer";
    internal const string LoaderSignature = "MLSeqDebiasTransform";
    private const string RegistrationName = "Debias";

    internal DebiasTransformer(IHostEnvironment env, DebiasResult result, EmbeddingPooling pooling, TokenSplitting splitting,
        params (string outputColumnName, string inputColumnName)[] columns)
        : base(Contracts.CheckRef(env, nameof(env)).Register(RegistrationName), result.Vectors, pooling, splitting, columns)
    {
        Subspace = result.Subspace;
        Result = result;
    }

    private DebiasTransformer(IHost host, ModelLoadContext ctx)
        : base(host, ctx)
    {
        // int: components; then each direction (floats) and its explained-variance ratio (double).
        int k = ctx.Reader.ReadCount("bias components", sizeof(float));
        Host.CheckDecode(k >= 1 && k <= Vectors.Dimension, "Bad number of bias components.");
        var directions = new float[k][];
        var ratios = new double[k];
        for (int i = 0; i < k; i++)
        {
            directions[i] = ctx.Reader.ReadFloats("bias direction", Vectors.Dimension);
            ratios[i] = ctx.Reader.ReadDouble();
        }
        Subspace = new BiasSubspace(directions, ratios);
    }

    /// <summary>The bias subspace that was removed.</summary>
    public BiasSubspace Subspace { get; }

    /// <summary>Counts of what debiasing did; null for a transformer loaded from a model file.</summary>
    public DebiasResult? Result { get; }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQDBST",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(DebiasTransformer).Assembly.FullName);

    // Factory for SignatureLoadModel.
    private static DebiasTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        return LoaderChecks.Load(env, ctx, RegistrationName, GetVersionInfo(), "the debias transformer", host => new DebiasTransformer(host, ctx));
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();

    private protected override void SaveExtra(ModelSaveContext ctx)
    {
        ctx.Writer.Write(Subspace.Directions.Count);
        for (int i = 0; i < Subspace.Directions.Count; i++)
        {
            ctx.Writer.WriteFloats(Subspace.Directions[i]);
            ctx.Writer.Write(Subspace.ExplainedVarianceRatio[i]);
        }
    }
}
