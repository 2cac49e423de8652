using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Decoding;

/// <summary>
/// A model seen by a search: it holds the state of some rows (sentences, or sentences times beams) and gives,
/// one step at a time, the log-probabilities of each row's next token. A model makes one for a batch of
/// inputs, started from what it has encoded (an encoder's memory and final states, an image's features, a
/// prompt); <see cref="GreedySearch"/>, <see cref="BeamSearch"/> and the samplers drive it. Its state is its
/// own: tensors it keeps across steps are not in the caller's dispose scopes, and <see cref="IDisposable.Dispose"/>
/// frees them.
/// </summary>
public interface IStepDecoder : IDisposable
{
    /// <summary>The device the decoder's inputs go to.</summary>
    Device Device { get; }

    /// <summary>The rows whose state the decoder holds.</summary>
    long Rows { get; }

    /// <summary>The token that ends a sequence.</summary>
    long EndToken { get; }

    /// <summary>Tokens a search never emits (padding, the start marker).</summary>
    IReadOnlyList<long> NeverEmitted { get; }

    /// <summary>
    /// Feeds each row its last token (<paramref name="tokens"/>, int64 [Rows]) and returns the log-probabilities
    /// of the next one, float32 [Rows, vocabulary]; every row's state moves one step on.
    /// </summary>
    Tensor Step(Tensor tokens);

    /// <summary>Keeps the rows at <paramref name="rows"/> (int64, any order, repeats allowed): row i becomes old row rows[i].
    /// A beam search reorders and repeats its hypotheses so; a finished sentence's rows are dropped so.</summary>
    void Select(Tensor rows);

    /// <summary>The attention weights of the last step over the source positions, float32 [Rows, source length];
    /// null for a model without attention.</summary>
    Tensor? LastAttention { get; }
}
