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

/// <summary>What the encoder gives the decoder for a batch of sources.</summary>
/// <param name="Memory">The encoder's outputs a(t'), [batch, source, memory].</param>
/// <param name="Keys">The memory projected for attention, [batch, source, hidden].</param>
/// <param name="Mask">True at real source positions, [batch, source].</param>
/// <param name="State">The decoder's first state (null: zeros).</param>
internal sealed record EncodedSource(Tensor Memory, Tensor Keys, Tensor Mask, RecurrentState? State);

/// <summary>The decoder's state between steps: the recurrent stack's, and the last attentional vector (input feeding).</summary>
internal sealed record DecoderState(RecurrentState? Recurrent, Tensor? Feed);

/// <summary>
/// An encoder-decoder with attention. Source embeddings feed a (bi)directional recurrent encoder whose outputs are
/// the memory; a unidirectional recurrent decoder, started by the bridge, attends over the memory at every step
/// (Bahdanau: from its state before the step; Luong: after it, with input feeding) and combines its state with
/// the context into the attentional vector h̃ = tanh(W [s; c]) from which the next token's logits come.
/// </summary>
internal sealed class Seq2SeqModule : nn.Module
{
    private readonly Embedding sourceEmbedding;
    private readonly RecurrentEncoder encoder;
    private readonly Embedding targetEmbedding;
    private readonly RecurrentEncoder decoder;
    private readonly AttentionLayer attention;
    private readonly Linear combine;
    private readonly Linear output;
    private readonly Dropout dropout;
    private readonly Linear? bridgeHidden;
    private readonly Linear? bridgeCell;

    public Seq2SeqModule(Seq2SeqShape shape, Embedding source, Embedding target) : base(nameof(Seq2SeqModule))
    {
        Shape = shape;
        sourceEmbedding = source;
        targetEmbedding = target;
        encoder = new RecurrentEncoder(shape.SourceEmbedding, shape.Encoder);
        int memory = encoder.OutputSize;
        attention = new AttentionLayer(shape.Attention, shape.DecoderHiddenSize, memory, shape.AttentionHiddenSize);
        int input = (shape.FeedPreviousToken ? shape.TargetEmbedding : 0)
            + (attention.QueriesPreviousState ? memory : shape.InputFeeding ? shape.DecoderHiddenSize : 0);
        if (input == 0)
            throw new ArgumentException("The decoder would have no input: feed it the previous token, or use input feeding.");
        decoder = new RecurrentEncoder(input, new RecurrentEncoderOptions
        {
            CellType = shape.DecoderCell,
            HiddenSize = shape.DecoderHiddenSize,
            Layers = shape.DecoderLayers,
            Dropout = shape.Dropout,
        });
        combine = nn.Linear(shape.DecoderHiddenSize + memory, shape.DecoderHiddenSize);
        output = nn.Linear(shape.DecoderHiddenSize, shape.TargetVocabulary);
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

    /// <summary>Whether training can run the decoder over the whole target at once (Luong attention without input feeding).</summary>
    public bool DecodesWholeTargets => !attention.QueriesPreviousState && !Shape.InputFeeding;

    /// <summary>Encodes sources [batch, source] with <paramref name="lengths"/> (int64 on the CPU, each at least 1).</summary>
    public EncodedSource Encode(Tensor sources, Tensor lengths)
    {
        var (memory, final) = encoder.call(dropout.call(sourceEmbedding.call(sources)), lengths);
        long time = sources.shape[1];
        var mask = arange(time, device: sources.device).unsqueeze(0).lt(lengths.to(sources.device).unsqueeze(1));
        return new EncodedSource(memory, attention.Keys(memory), mask, Bridge(final));
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

    /// <summary>
    /// One decoder step for every row: the previous tokens [batch] (int64) → logits [batch, vocabulary], the new
    /// state, and the attention weights [batch, source].
    /// </summary>
    public (Tensor Logits, DecoderState State, Tensor Weights) Step(Tensor previous, DecoderState state, EncodedSource source)
    {
        var embedded = Shape.FeedPreviousToken ? dropout.call(targetEmbedding.call(previous)) : null;
        var (feed, next, weights) = StepCore(embedded, state, source);
        return (output.call(dropout.call(feed)), next, weights);
    }

    // The step on an embedded input: attentional vector [batch, hidden], new state, weights [batch, source].
    private (Tensor Feed, DecoderState State, Tensor Weights) StepCore(Tensor? embedded, DecoderState state, EncodedSource source)
    {
        long batch = source.Memory.shape[0];
        if (attention.QueriesPreviousState)
        {
            // Bahdanau: attend from s(t-1), then step on [y(t-1); c(t)].
            var query = state.Recurrent is null
                ? zeros(batch, 1, Shape.DecoderHiddenSize, device: source.Memory.device)
                : state.Recurrent.Hidden[-1].unsqueeze(1);
            var (context, weights) = attention.Attend(query, source.Keys, source.Memory, source.Mask);
            var input = embedded is null ? context : cat([embedded.unsqueeze(1), context], 2);
            var (outputs, recurrent) = decoder.Step(input, state.Recurrent);
            var feed = combine.call(cat([outputs, context], 2)).tanh().squeeze(1);
            return (feed, new DecoderState(recurrent, null), weights.squeeze(1));
        }
        else
        {
            // Luong: step on [y(t-1); h̃(t-1)], then attend from s(t).
            Tensor input;
            if (Shape.InputFeeding)
            {
                var previousFeed = state.Feed ?? zeros(batch, Shape.DecoderHiddenSize, device: source.Memory.device);
                input = embedded is null ? previousFeed : cat([embedded, previousFeed], 1);
            }
            else
                input = embedded!;
            var (outputs, recurrent) = decoder.Step(input.unsqueeze(1), state.Recurrent);
            var (context, weights) = attention.Attend(outputs, source.Keys, source.Memory, source.Mask);
            var feed = combine.call(cat([outputs, context], 2)).tanh().squeeze(1);
            return (feed, new DecoderState(recurrent, feed), weights.squeeze(1));
        }
    }

    /// <summary>
    /// Training logits [batch, target, vocabulary] for decoder inputs [batch, target] (start token first). With
    /// <paramref name="teacherForcing"/> below 1, each step feeds the model's own previous prediction instead of
    /// the reference token with probability 1 - ratio.
    /// </summary>
    public Tensor Logits(EncodedSource source, Tensor inputs, double teacherForcing = 1.0, Random? random = null)
    {
        long steps = inputs.shape[1];
        if (DecodesWholeTargets && teacherForcing >= 1)
        {
            var embedded = dropout.call(targetEmbedding.call(inputs));
            var (outputs, _) = decoder.Step(embedded, source.State);
            var (context, _) = attention.Attend(outputs, source.Keys, source.Memory, source.Mask);
            return output.call(dropout.call(combine.call(cat([outputs, context], 2)).tanh()));
        }

        // Embeddings of every reference input at once; the loop only runs the recurrence and attention.
        var all = Shape.FeedPreviousToken ? dropout.call(targetEmbedding.call(inputs)) : null;
        var state = new DecoderState(source.State, null);
        var feeds = new List<Tensor>((int)steps);
        Tensor? previousLogits = null;
        for (long t = 0; t < steps; t++)
        {
            Tensor? embedded = all?[.., t];
            if (all is not null && previousLogits is not null && teacherForcing < 1 && random!.NextDouble() >= teacherForcing)
                embedded = dropout.call(targetEmbedding.call(previousLogits.argmax(1)));
            var (feed, next, _) = StepCore(embedded, state, source);
            state = next;
            feeds.Add(feed);
            if (teacherForcing < 1)
                previousLogits = output.call(feed).detach();
        }
        return output.call(dropout.call(stack(feeds, 1)));
    }
}
