using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Translation;

/// <summary>How the decoder scores each source position against its state.</summary>
public enum AttentionType
{
    /// <summary>Bahdanau's additive attention, the curriculum's e(t, t') from s(t-1) and a(t'):
    /// e = vᵀ tanh(W s + U a); the query is the decoder state before the step.</summary>
    Additive = 0,

    /// <summary>Luong's dot product e = sᵀ a, with the state after the step (needs equal widths).</summary>
    Dot = 1,

    /// <summary>Luong's general form e = sᵀ W a, with the state after the step.</summary>
    General = 2,

    /// <summary>The curriculum's date model: a small dense network on the concatenation [s(t-1), a(t')],
    /// e = relu(vᵀ tanh(W [s; a] + b) + c); the query is the decoder state before the step.</summary>
    Concat = 3,
}

/// <summary>
/// Attention over an encoder's memory: energies per source position, a softmax over the real positions
/// (padding masked), and the context vector Σ α(t') a(t'). The memory's projection is computed once per batch
/// (<see cref="Keys"/>) and reused at every decoder step.
/// </summary>
internal sealed class AttentionLayer : nn.Module
{
    private readonly AttentionType _type;
    private readonly Linear? _query;
    private readonly Linear? _key;
    private readonly Linear? _energy;

    public AttentionLayer(AttentionType type, int querySize, int memorySize, int hiddenSize) : base(nameof(AttentionLayer))
    {
        _type = type;
        switch (type)
        {
            case AttentionType.Additive:
                _query = nn.Linear(querySize, hiddenSize, hasBias: false);
                _key = nn.Linear(memorySize, hiddenSize, hasBias: true);
                _energy = nn.Linear(hiddenSize, 1, hasBias: false);
                break;
            case AttentionType.Concat:
                _query = nn.Linear(querySize, hiddenSize, hasBias: false);
                _key = nn.Linear(memorySize, hiddenSize, hasBias: true);
                _energy = nn.Linear(hiddenSize, 1, hasBias: true);
                break;
            case AttentionType.General:
                _key = nn.Linear(memorySize, querySize, hasBias: false);
                break;
            case AttentionType.Dot:
                if (querySize != memorySize)
                    throw new ArgumentException($"Dot attention needs the decoder state ({querySize}) as wide as the encoder's output ({memorySize}).");
                break;
        }
        RegisterComponents();
    }

    /// <summary>Whether the query is the decoder state before the step (Bahdanau) rather than after it (Luong).</summary>
    public bool QueriesPreviousState => _type is AttentionType.Additive or AttentionType.Concat;

    /// <summary>The memory [batch, source, memory] projected once for all steps: [batch, source, hidden] (or the memory itself for dot).</summary>
    public Tensor Keys(Tensor memory) => _key is null ? memory.alias() : _key.call(memory);

    /// <summary>
    /// Context [batch, queries, memory] and weights [batch, queries, source] of queries [batch, queries, query size]
    /// over the memory, with <paramref name="mask"/> [batch, source] true at real positions.
    /// </summary>
    public (Tensor Context, Tensor Weights) Attend(Tensor queries, Tensor keys, Tensor memory, Tensor mask)
    {
        Tensor energies;
        if (_energy is null)
        {
            // Dot and general: a batched product of queries and keys.
            energies = queries.bmm(keys.transpose(1, 2));
        }
        else
        {
            // [batch, queries, 1, hidden] + [batch, 1, source, hidden] → [batch, queries, source]
            var q = _query!.call(queries).unsqueeze(2);
            energies = _energy.call((q + keys.unsqueeze(1)).tanh()).squeeze(3);
            if (_type == AttentionType.Concat)
                energies = nn.functional.relu(energies);
        }
        energies = energies.masked_fill(mask.logical_not().unsqueeze(1), float.NegativeInfinity);
        var weights = energies.softmax(2);
        return (weights.bmm(memory), weights);
    }
}
