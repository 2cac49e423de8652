using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Embeddings.GloVe;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Text;

[assembly: LoadableClass(typeof(GloVeTransformer), null, typeof(SignatureLoadModel),
    GloVeTransformer.UserName, GloVeTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(GloVeTransformer), null, typeof(SignatureLoadRowMapper),
    GloVeTransformer.UserName, GloVeTransformer.LoaderSignature)]

namespace MLNet.Sequence.Embeddings;

/// <summary>
/// Word vectors trained by <see cref="GloVeEstimator"/>, applied to token or text columns. Exposes the
/// table (<see cref="WordVectorsTransformerBase.Vectors"/>) and saves it in the ML.NET model zip, with
/// the full training state when it was kept.
/// </summary>
public sealed class GloVeTransformer : WordVectorsTransformerBase
{
    internal const string UserName = "GloVe Transformer";
    internal const string LoaderSignature = "MLSeqGloVeTransform";
    private const string RegistrationName = "GloVe";

    internal GloVeTransformer(IHostEnvironment env, WordVectors vectors, EmbeddingPooling pooling, TokenSplitting splitting,
        GloVeTrainingSummary? summary, GloVeState? state, params (string outputColumnName, string inputColumnName)[] columns)
        : base(Contracts.CheckRef(env, nameof(env)).Register(RegistrationName), vectors, pooling, splitting, columns)
    {
        TrainingSummary = summary;
        TrainingState = state;
    }

    private GloVeTransformer(IHost host, ModelLoadContext ctx)
        : base(host, ctx)
    {
        // byte: has training state; then iterations done, word+context vectors, biases and their AdaGrad sums.
        if (ctx.Reader.ReadByte() == 0)
            return;
        int iterations = ctx.Reader.ReadInt32();
        Host.CheckDecode(iterations >= 0, "Negative iteration count in the GloVe training state.");
        int v = Vectors.Count, d = Vectors.Dimension;
        TrainingState = new GloVeState(
            ctx.Reader.ReadFloats("GloVe word and context vectors", checked(2 * v * d)),
            ctx.Reader.ReadFloats("GloVe biases", 2 * v),
            ctx.Reader.ReadFloats("GloVe AdaGrad sums of vectors", checked(2 * v * d)),
            ctx.Reader.ReadFloats("GloVe AdaGrad sums of biases", 2 * v),
            iterations);
    }

    /// <summary>Costs and timings of training; null for a transformer loaded from a model file.</summary>
    public GloVeTrainingSummary? TrainingSummary { get; }

    /// <summary>Whether vectors, biases and AdaGrad sums were kept, so that training can resume.</summary>
    public bool HasTrainingState => TrainingState != null;

    internal GloVeState? TrainingState { get; }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQGLVT",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(GloVeTransformer).Assembly.FullName);

    // Factory for SignatureLoadModel.
    private static GloVeTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        return LoaderChecks.Load(env, ctx, RegistrationName, GetVersionInfo(), "the GloVe transformer", host => new GloVeTransformer(host, ctx));
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();

    private protected override void SaveExtra(ModelSaveContext ctx)
    {
        ctx.Writer.Write((byte)(TrainingState == null ? 0 : 1));
        if (TrainingState == null)
            return;
        ctx.Writer.Write(TrainingState.CompletedIterations);
        ctx.Writer.WriteFloats(TrainingState.Vectors);
        ctx.Writer.WriteFloats(TrainingState.Biases);
        ctx.Writer.WriteFloats(TrainingState.VectorGradSq);
        ctx.Writer.WriteFloats(TrainingState.BiasGradSq);
    }
}
