using Microsoft.ML.Runtime;
using MLNet.Sequence.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Translation;

/// <summary>How the decoder's first state is made from the encoder's final one.</summary>
public enum BridgeType
{
    /// <summary>A dense layer with tanh from the encoder's top-layer final states (both directions) to every decoder layer.</summary>
    Dense = 0,

    /// <summary>The decoder starts from zeros (the curriculum's date model).</summary>
    Zeros = 1,
}

/// <summary>The shape of a translation network: everything needed to rebuild it before its weights are loaded.</summary>
internal sealed record Seq2SeqShape(
    int SourceVocabulary, int SourceEmbedding, int TargetVocabulary, int TargetEmbedding,
    RecurrentEncoderOptions Encoder, RecurrentCellType DecoderCell, int DecoderHiddenSize, int DecoderLayers,
    AttentionType Attention, int AttentionHiddenSize, bool InputFeeding, bool FeedPreviousToken, BridgeType Bridge, double Dropout)
{
    public void Write(BinaryWriter w)
    {
        w.Write(SourceVocabulary);
        w.Write(SourceEmbedding);
        w.Write(TargetVocabulary);
        w.Write(TargetEmbedding);
        Encoder.Write(w);
        w.Write((int)DecoderCell);
        w.Write(DecoderHiddenSize);
        w.Write(DecoderLayers);
        w.Write((int)Attention);
        w.Write(AttentionHiddenSize);
        w.Write(InputFeeding);
        w.Write(FeedPreviousToken);
        w.Write((int)Bridge);
        w.Write(Dropout);
    }

    public static Seq2SeqShape Read(IExceptionContext ectx, BinaryReader r)
    {
        var shape = new Seq2SeqShape(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), RecurrentEncoderOptions.Read(r),
            (RecurrentCellType)r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), (AttentionType)r.ReadInt32(), r.ReadInt32(),
            r.ReadBoolean(), r.ReadBoolean(), (BridgeType)r.ReadInt32(), r.ReadDouble());
        ectx.CheckDecode(shape.SourceVocabulary > 0 && shape.TargetVocabulary > 0 && shape.SourceEmbedding > 0 && shape.TargetEmbedding > 0,
            "Bad vocabulary or embedding size in the translation model.");
        ectx.CheckDecode(Enum.IsDefined(shape.DecoderCell) && shape.DecoderHiddenSize > 0 && shape.DecoderLayers > 0,
            "Bad decoder shape in the translation model.");
        ectx.CheckDecode(Enum.IsDefined(shape.Attention) && shape.AttentionHiddenSize > 0 && Enum.IsDefined(shape.Bridge)
            && shape.Dropout >= 0 && shape.Dropout < 1, "Bad attention, bridge or dropout in the translation model.");
        return shape;
    }
}

/// <summary>
/// An encoder-decoder with attention. Source embeddings feed a (bi)directional recurrent encoder whose outputs are
/// the memory; the <see cref="AttentionDecoder"/>, started by the bridge, attends over it at every step.
/// </summary>
internal sealed class Seq2SeqModule : nn.Module
{
    private readonly Embedding sourceEmbedding;
    private readonly RecurrentEncoder encoder;
    private readonly AttentionDecoder decoding;
    private readonly Dropout dropout;
    private readonly Linear? bridgeHidden;
    private readonly Linear? bridgeCell;

    public Seq2SeqModule(Seq2SeqShape shape, Embedding source, Embedding target) : base(nameof(Seq2SeqModule))
    {
        Shape = shape;
        sourceEmbedding = source;
        encoder = new RecurrentEncoder(shape.SourceEmbedding, shape.Encoder);
        int memory = encoder.OutputSize;
        decoding = new AttentionDecoder(new AttentionDecoderShape(shape.TargetVocabulary, shape.TargetEmbedding, memory,
            shape.DecoderCell, shape.DecoderHiddenSize, shape.DecoderLayers, shape.Attention, shape.AttentionHiddenSize,
            shape.InputFeeding, shape.FeedPreviousToken, shape.Dropout), target);
        dropout = nn.Dropout(shape.Dropout);
        if (shape.Bridge == BridgeType.Dense)
        {
            bridgeHidden = nn.Linear(memory, shape.DecoderLayers * shape.DecoderHiddenSize);
            if (shape.DecoderCell == RecurrentCellType.Lstm)
                bridgeCell = nn.Linear(memory, shape.DecoderLayers * shape.DecoderHiddenSize);
        }
        RegisterComponents();
    }

    public Seq2SeqShape Shape { get; }

    /// <summary>The decoder, which a search drives step by step.</summary>
    public AttentionDecoder Decoder => decoding;

    /// <summary>Encodes sources [batch, source] with <paramref name="lengths"/> (int64 on the CPU, each at least 1).</summary>
    public EncodedSource Encode(Tensor sources, Tensor lengths)
    {
        var (memory, final) = encoder.call(dropout.call(sourceEmbedding.call(sources)), lengths);
        long time = sources.shape[1];
        var mask = arange(time, device: sources.device).unsqueeze(0).lt(lengths.to(sources.device).unsqueeze(1));
        return new EncodedSource(memory, decoding.Keys(memory), mask, Bridge(final));
    }

    // The decoder's first state: every layer from the encoder's top-layer final states through a dense layer.
    private RecurrentState? Bridge(RecurrentState final)
    {
        if (bridgeHidden is null)
            return null;
        long batch = final.Hidden.shape[1];
        Tensor Layers(Linear layer, Tensor top) =>
            layer.call(top).tanh().view(batch, Shape.DecoderLayers, Shape.DecoderHiddenSize).permute(1, 0, 2).contiguous();
        var top = encoder.TopLayer(final);
        var hidden = Layers(bridgeHidden, top);
        Tensor? cell = null;
        if (bridgeCell is not null)
            cell = Layers(bridgeCell, final.Cell is null ? top : encoder.TopLayer(new RecurrentState(final.Cell, null)));
        return new RecurrentState(hidden, cell);
    }

    /// <summary>Training logits [batch, target, vocabulary] for decoder inputs [batch, target] (start token first); see <see cref="AttentionDecoder.Logits"/>.</summary>
    public Tensor Logits(EncodedSource source, Tensor inputs, double teacherForcing = 1.0, Random? random = null) =>
        decoding.Logits(source, inputs, teacherForcing, random);
}
