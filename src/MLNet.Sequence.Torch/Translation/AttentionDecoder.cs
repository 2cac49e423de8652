using MLNet.Sequence.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Translation;

/// <summary>The shape of an attention decoder over a memory of <paramref name="MemorySize"/>-wide positions.</summary>
internal sealed record AttentionDecoderShape(
    int Vocabulary, int Embedding, int MemorySize, RecurrentCellType Cell, int HiddenSize, int Layers,
    AttentionType Attention, int AttentionHiddenSize, bool InputFeeding, bool FeedPreviousToken, double Dropout);

/// <summary>What an encoder gives the decoder for a batch: a translation's source sentences, a caption's image regions.</summary>
/// <param name="Memory">The encoder's outputs a(t'), [batch, positions, memory].</param>
/// <param name="Keys">The memory projected for attention, [batch, positions, hidden].</param>
/// <param name="Mask">True at real positions, [batch, positions].</param>
/// <param name="State">The decoder's first state (null: zeros).</param>
internal sealed record EncodedSource(Tensor Memory, Tensor Keys, Tensor Mask, RecurrentState? State);

/// <summary>The decoder's state between steps: the recurrent stack's, and the last attentional vector (input feeding).</summary>
internal sealed record DecoderState(RecurrentState? Recurrent, Tensor? Feed);

/// <summary>
/// A unidirectional recurrent decoder that attends over an encoder's memory at every step (Bahdanau: from its state
/// before the step; Luong: after it, with input feeding) and combines its state with the context into the
/// attentional vector h̃ = tanh(W [s; c]) from which the next token's logits come. Translation and captioning
/// share it; what fills the memory is the encoder's business.
/// </summary>
internal sealed class AttentionDecoder : nn.Module
{
    private readonly Embedding embedding;
    private readonly RecurrentEncoder recurrent;
    private readonly AttentionLayer attention;
    private readonly Linear combine;
    private readonly Linear output;
    private readonly Dropout dropout;

    public AttentionDecoder(AttentionDecoderShape shape, Embedding embedding) : base(nameof(AttentionDecoder))
    {
        Shape = shape;
        this.embedding = embedding;
        int memory = shape.MemorySize;
        attention = new AttentionLayer(shape.Attention, shape.HiddenSize, memory, shape.AttentionHiddenSize);
        int input = (shape.FeedPreviousToken ? shape.Embedding : 0)
            + (attention.QueriesPreviousState ? memory : shape.InputFeeding ? shape.HiddenSize : 0);
        if (input == 0)
            throw new ArgumentException("The decoder would have no input: feed it the previous token, or use input feeding.");
        recurrent = new RecurrentEncoder(input, new RecurrentEncoderOptions
        {
            CellType = shape.Cell,
            HiddenSize = shape.HiddenSize,
            Layers = shape.Layers,
            Dropout = shape.Dropout,
        });
        combine = nn.Linear(shape.HiddenSize + memory, shape.HiddenSize);
        output = nn.Linear(shape.HiddenSize, shape.Vocabulary);
        dropout = nn.Dropout(shape.Dropout);
        RegisterComponents();
    }

    public AttentionDecoderShape Shape { get; }

    /// <summary>Whether training can run the decoder over the whole target at once (Luong attention without input feeding).</summary>
    public bool DecodesWholeTargets => !attention.QueriesPreviousState && !Shape.InputFeeding;

    /// <summary>The memory [batch, positions, memory] projected once for all steps.</summary>
    public Tensor Keys(Tensor memory) => attention.Keys(memory);

    /// <summary>
    /// One step for every row: the previous tokens [batch] (int64) → logits [batch, vocabulary], the new state, and
    /// the attention weights [batch, positions].
    /// </summary>
    public (Tensor Logits, DecoderState State, Tensor Weights) Step(Tensor previous, DecoderState state, EncodedSource source)
    {
        var embedded = Shape.FeedPreviousToken ? dropout.call(embedding.call(previous)) : null;
        var (feed, next, weights) = StepCore(embedded, state, source);
        return (output.call(dropout.call(feed)), next, weights);
    }

    // The step on an embedded input: attentional vector [batch, hidden], new state, weights [batch, positions].
    private (Tensor Feed, DecoderState State, Tensor Weights) StepCore(Tensor? embedded, DecoderState state, EncodedSource source)
    {
        long batch = source.Memory.shape[0];
        if (attention.QueriesPreviousState)
        {
            // Bahdanau: attend from s(t-1), then step on [y(t-1); c(t)].
            var query = state.Recurrent is null
                ? zeros(batch, 1, Shape.HiddenSize, device: source.Memory.device)
                : state.Recurrent.Hidden[-1].unsqueeze(1);
            var (context, weights) = attention.Attend(query, source.Keys, source.Memory, source.Mask);
            var input = embedded is null ? context : cat([embedded.unsqueeze(1), context], 2);
            var (outputs, recurrentState) = recurrent.Step(input, state.Recurrent);
            var feed = combine.call(cat([outputs, context], 2)).tanh().squeeze(1);
            return (feed, new DecoderState(recurrentState, null), weights.squeeze(1));
        }
        else
        {
            // Luong: step on [y(t-1); h̃(t-1)], then attend from s(t).
            Tensor input;
            if (Shape.InputFeeding)
            {
                var previousFeed = state.Feed ?? zeros(batch, Shape.HiddenSize, device: source.Memory.device);
                input = embedded is null ? previousFeed : cat([embedded, previousFeed], 1);
            }
            else
                input = embedded!;
            var (outputs, recurrentState) = recurrent.Step(input.unsqueeze(1), state.Recurrent);
            var (context, weights) = attention.Attend(outputs, source.Keys, source.Memory, source.Mask);
            var feed = combine.call(cat([outputs, context], 2)).tanh().squeeze(1);
            return (feed, new DecoderState(recurrentState, feed), weights.squeeze(1));
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
            var embedded = dropout.call(embedding.call(inputs));
            var (outputs, _) = recurrent.Step(embedded, source.State);
            var (context, _) = attention.Attend(outputs, source.Keys, source.Memory, source.Mask);
            return output.call(dropout.call(combine.call(cat([outputs, context], 2)).tanh()));
        }

        // Embeddings of every reference input at once; the loop only runs the recurrence and attention.
        var all = Shape.FeedPreviousToken ? dropout.call(embedding.call(inputs)) : null;
        var state = new DecoderState(source.State, null);
        var feeds = new List<Tensor>((int)steps);
        Tensor? previousLogits = null;
        for (long t = 0; t < steps; t++)
        {
            Tensor? embedded = all?[.., t];
            if (all is not null && previousLogits is not null && teacherForcing < 1 && random!.NextDouble() >= teacherForcing)
                embedded = dropout.call(embedding.call(previousLogits.argmax(1)));
            var (feed, next, _) = StepCore(embedded, state, source);
            state = next;
            feeds.Add(feed);
            if (teacherForcing < 1)
                previousLogits = output.call(feed).detach();
        }
        return output.call(dropout.call(stack(feeds, 1)));
    }
}
