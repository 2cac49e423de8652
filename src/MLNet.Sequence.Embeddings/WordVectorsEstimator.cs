using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Text;

[assembly: LoadableClass(typeof(WordVectorsTransformer), null, typeof(SignatureLoadModel),
    WordVectorsTransformer.UserName, WordVectorsTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(WordVectorsTransformer), null, typeof(SignatureLoadRowMapper),
    WordVectorsTransformer.UserName, WordVectorsTransformer.LoaderSignature)]

namespace MLNet.Sequence.Embeddings;

/// <summary>
/// Applies an existing <see cref="WordVectors"/> table (loaded from a word2vec, fastText or GloVe file, or
/// trained earlier) to a token or text column. Nothing is learned: <see cref="Fit"/> only checks the
/// schema. Create it with <see cref="EmbeddingsCatalog.ApplyWordVectors"/>.
/// </summary>
public sealed class WordVectorsEstimator : IEstimator<WordVectorsTransformer>
{
    private readonly IHost _host;
    private readonly WordVectors _vectors;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly EmbeddingPooling _pooling;
    private readonly TokenSplitting _splitting;

    internal WordVectorsEstimator(IHostEnvironment env, WordVectors vectors, string outputColumnName, string? inputColumnName,
        EmbeddingPooling pooling, TokenSplitting splitting)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(WordVectorsEstimator));
        _host.CheckValue(vectors, nameof(vectors));
        _host.CheckNonWhiteSpace(outputColumnName, nameof(outputColumnName));
        _host.CheckUserArg(Enum.IsDefined(pooling), nameof(pooling), "Unknown pooling.");
        _host.CheckUserArg(Enum.IsDefined(splitting), nameof(splitting), "Unknown token splitting.");
        _vectors = vectors;
        _outputColumnName = outputColumnName;
        _inputColumnName = string.IsNullOrWhiteSpace(inputColumnName) ? outputColumnName : inputColumnName;
        _pooling = pooling;
        _splitting = splitting;
    }

    /// <summary>Checks the input schema and returns the transformer.</summary>
    public WordVectorsTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        var transformer = new WordVectorsTransformer(_host, _vectors, _pooling, _splitting, (_outputColumnName, _inputColumnName));
        transformer.GetOutputSchema(input.Schema); // throws naming the column if it is missing or of the wrong type
        return transformer;
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        WordVectorsTransformerBase.GetOutputSchema(_host, inputSchema, _outputColumnName, _inputColumnName);
}

/// <summary>A given word-vector table applied to token or text columns; saved with its table in the model zip.</summary>
public sealed class WordVectorsTransformer : WordVectorsTransformerBase
{
    internal const string UserName = "Word Vectors Transformer";
    internal const string LoaderSignature = "MLSeqWordVectorsXf"; // ML.NET allows at most 23 characters
    private const string RegistrationName = "WordVectors";

    internal WordVectorsTransformer(IHostEnvironment env, WordVectors vectors, EmbeddingPooling pooling, TokenSplitting splitting,
        params (string outputColumnName, string inputColumnName)[] columns)
        : base(Contracts.CheckRef(env, nameof(env)).Register(RegistrationName), vectors, pooling, splitting, columns)
    {
    }

    private WordVectorsTransformer(IHost host, ModelLoadContext ctx)
        : base(host, ctx)
    {
    }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQWVTR",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(WordVectorsTransformer).Assembly.FullName);

    // Factory for SignatureLoadModel.
    private static WordVectorsTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        return LoaderChecks.Load(env, ctx, RegistrationName, GetVersionInfo(), "the word-vectors transformer", host => new WordVectorsTransformer(host, ctx));
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();
}
