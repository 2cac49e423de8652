using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Decoding;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Translation;

/// <summary>
/// An attention decoder as a search sees it, for a batch of encoded inputs (sentences, images): each row's memory,
/// keys and mask, and its decoder state, reordered together when beams are chosen.
/// </summary>
internal sealed class AttentionStepDecoder : IStepDecoder
{
    private static readonly long[] s_neverEmitted = [TokenIndex.Padding, TokenIndex.Start];
    private readonly AttentionDecoder _module;
    private EncodedSource _source;
    private DecoderState _state;
    private Tensor? _attention;

    public AttentionStepDecoder(AttentionDecoder module, EncodedSource source, Device device)
    {
        _module = module;
        Device = device;
        _source = Detach(source);
        _state = Detach(new DecoderState(source.State, null));
        Rows = source.Memory.shape[0];
    }

    public Device Device { get; }

    public long Rows { get; private set; }

    public long EndToken => TokenIndex.End;

    public IReadOnlyList<long> NeverEmitted => s_neverEmitted;

    public Tensor? LastAttention => _attention;

    public Tensor Step(Tensor tokens)
    {
        var (logits, state, weights) = _module.Step(tokens, _state, _source);
        Replace(ref _state, Detach(state));
        _attention?.Dispose();
        _attention = weights.DetachFromDisposeScope();
        return logits.log_softmax(1);
    }

    public void Select(Tensor rows)
    {
        var source = new EncodedSource(_source.Memory.index_select(0, rows), _source.Keys.index_select(0, rows),
            _source.Mask.index_select(0, rows), null);
        var old = _source;
        _source = Detach(source);
        old.Memory.Dispose();
        old.Keys.Dispose();
        old.Mask.Dispose();
        var state = new DecoderState(_state.Recurrent?.Select(rows), _state.Feed?.index_select(0, rows));
        Replace(ref _state, Detach(state));
        if (_attention is not null)
        {
            var kept = _attention.index_select(0, rows).DetachFromDisposeScope();
            _attention.Dispose();
            _attention = kept;
        }
        Rows = rows.shape[0];
    }

    public void Dispose()
    {
        _source.Memory.Dispose();
        _source.Keys.Dispose();
        _source.Mask.Dispose();
        Replace(ref _state, new DecoderState(null, null));
        _attention?.Dispose();
    }

    private static EncodedSource Detach(EncodedSource s) =>
        new(s.Memory.DetachFromDisposeScope(), s.Keys.DetachFromDisposeScope(), s.Mask.DetachFromDisposeScope(), null);

    private static DecoderState Detach(DecoderState s)
    {
        s.Recurrent?.Hidden.DetachFromDisposeScope();
        s.Recurrent?.Cell?.DetachFromDisposeScope();
        s.Feed?.DetachFromDisposeScope();
        return s;
    }

    // The state a step or a selection replaces is freed; the first one (the bridge's) may belong to the caller's scope.
    private void Replace(ref DecoderState state, DecoderState next)
    {
        var old = state;
        state = next;
        DisposeIfOwned(old.Recurrent?.Hidden, next);
        DisposeIfOwned(old.Recurrent?.Cell, next);
        DisposeIfOwned(old.Feed, next);
    }

    private static void DisposeIfOwned(Tensor? t, DecoderState next)
    {
        if (t is null || ReferenceEquals(t, next.Recurrent?.Hidden) || ReferenceEquals(t, next.Recurrent?.Cell) || ReferenceEquals(t, next.Feed))
            return;
        t.Dispose();
    }
}
