using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Embeddings.Training;
using MLNet.Sequence.Internal;
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
        Word2VecTrainingSummary? summary, Word2VecWeights? trainingState, params (string outputColumnName, string inputColumnName)[] columns)
        : base(Contracts.CheckRef(env, nameof(env)).Register(RegistrationName), vectors, pooling, splitting, columns)
    {
        TrainingSummary = summary;
        TrainingState = trainingState;
    }

    private Word2VecTransformer(IHost host, ModelLoadContext ctx)
        : base(host, ctx)
    {
        // byte: has training state; then, if so, two optional float arrays (count -1: absent).
        if (ctx.Header.ModelVerWritten < 0x00010002 || ctx.Reader.ReadByte() == 0)
            return;
        int dim = Vectors.Dimension;
        var negative = ReadOptional(ctx, "negative-sampling output weights", Vectors.Count * dim);
        var tree = ReadOptional(ctx, "hierarchical-softmax weights", Math.Max(1, Vectors.Count - 1) * dim);
        TrainingState = new Word2VecWeights(null, negative, tree);
    }

    /// <summary>What training did and how fast; null for a transformer loaded from a model file.</summary>
    public Word2VecTrainingSummary? TrainingSummary { get; }

    /// <summary>Whether the output weights were kept (<see cref="Word2VecEstimator.Options.KeepTrainingState"/>), so training can resume exactly.</summary>
    public bool HasTrainingState => TrainingState != null;

    /// <summary>Output weights kept for resuming; the input weights are <see cref="WordVectorsTransformerBase.Vectors"/>.</summary>
    internal Word2VecWeights? TrainingState { get; }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQW2VT",
        verWrittenCur: 0x00010002, // training state
        verReadableCur: 0x00010002,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(Word2VecTransformer).Assembly.FullName);

    // Factory for SignatureLoadModel.
    private static Word2VecTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        return LoaderChecks.Load(env, ctx, RegistrationName, GetVersionInfo(), "the Word2Vec transformer", host => new Word2VecTransformer(host, ctx));
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
        WriteOptional(ctx, TrainingState.NegativeOutput);
        WriteOptional(ctx, TrainingState.TreeOutput);
    }

    private static void WriteOptional(ModelSaveContext ctx, float[]? values)
    {
        ctx.Writer.Write(values != null);
        if (values != null)
            ctx.Writer.WriteFloats(values);
    }

    private static float[]? ReadOptional(ModelLoadContext ctx, string what, int length) =>
        ctx.Reader.ReadBoolean() ? ctx.Reader.ReadFloats(what, length) : null;
}
