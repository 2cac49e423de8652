using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Text;

[assembly: LoadableClass(typeof(Word2VecTransformer), null, typeof(SignatureLoadModel),
    Word2VecTransformer.UserName, Word2VecTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(Word2VecTransformer), null, typeof(SignatureLoadRowMapper),
    Word2VecTransformer.UserName, Word2VecTransformer.LoaderSignature)]

namespace MLNet.Sequence.Embeddings;

/// <summary>
/// Word vectors trained by <see cref="Word2VecEstimator"/>, applied to token or text columns. Exposes the
/// trained table (<see cref="WordVectorsTransformerBase.Vectors"/>) and saves it in the ML.NET model zip.
/// </summary>
public sealed class Word2VecTransformer : WordVectorsTransformerBase
{
    internal const string UserName = "Word2Vec Transformer";
    internal const string LoaderSignature = "MLSeqWord2VecTransform";
    private const string RegistrationName = "Word2Vec";

    internal Word2VecTransformer(IHostEnvironment env, WordVectors vectors, EmbeddingPooling pooling, TokenSplitting splitting,
        Word2VecTrainingSummary? summary, params (string outputColumnName, string inputColumnName)[] columns)
        : base(Contracts.CheckRef(env, nameof(env)).Register(RegistrationName), vectors, pooling, splitting, columns)
    {
        TrainingSummary = summary;
    }

    private Word2VecTransformer(IHost host, ModelLoadContext ctx)
        : base(host, ctx)
    {
    }

    /// <summary>What training did and how fast; null for a transformer loaded from a model file.</summary>
    public Word2VecTrainingSummary? TrainingSummary { get; }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQW2VT",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(Word2VecTransformer).Assembly.FullName);

    // Factory for SignatureLoadModel.
    private static Word2VecTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        var host = env.Register(RegistrationName);
        host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        return new Word2VecTransformer(host, ctx);
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();
}
