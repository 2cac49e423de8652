using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.LanguageModel;

/// <summary>The language model as a step decoder: its recurrent state per row, primed with a prompt.</summary>
internal sealed class LanguageModelDecoder : IStepDecoder
{
    private static readonly long[] s_neverEmitted = [TokenIndex.Padding, TokenIndex.Unknown, TokenIndex.Start];
    private readonly LanguageModelModule _module;
    private RecurrentState? _state;

    /// <summary>One row per prompt; each prompt (start token first) but its last token is run through the model.</summary>
    public LanguageModelDecoder(LanguageModelModule module, Device device, IReadOnlyList<long[]> prompts)
    {
        _module = module;
        Device = device;
        Rows = prompts.Count;
        if (prompts.Any(p => p.Length > 1))
        {
            if (prompts.Select(p => p.Length).Distinct().Count() != 1)
                throw new ArgumentException("Prompts primed together must have the same length.", nameof(prompts));
            using var scope = NewDisposeScope();
            int length = prompts[0].Length - 1;
            var ids = tensor(prompts.SelectMany(p => p[..length]).ToArray(), [prompts.Count, length], device: device);
            var (_, state) = _module.Step(ids, null);
            Keep(state);
        }
    }

    public Device Device { get; }

    public long Rows { get; private set; }

    public long EndToken => TokenIndex.End;

    public IReadOnlyList<long> NeverEmitted => s_neverEmitted;

    public Tensor? LastAttention => null;

    public Tensor Step(Tensor tokens)
    {
        var (logits, state) = _module.Step(tokens.view(-1, 1), _state);
        Keep(state);
        return logits[.., -1].log_softmax(1);
    }

    public void Select(Tensor rows)
    {
        if (_state != null)
            Keep(_state.Select(rows));
        Rows = rows.shape[0];
    }

    public void Dispose() => Keep(null);

    // The state outlives the caller's per-step dispose scopes; the one it replaces is freed.
    private void Keep(RecurrentState? state)
    {
        var old = _state;
        state?.Hidden.DetachFromDisposeScope();
        state?.Cell?.DetachFromDisposeScope();
        _state = state;
        if (old != null && !ReferenceEquals(old.Hidden, state?.Hidden))
        {
            old.Hidden.Dispose();
            old.Cell?.Dispose();
        }
    }
}
