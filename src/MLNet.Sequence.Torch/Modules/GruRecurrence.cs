using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Modules;

/// <summary>
/// The recurrence of a trained one-layer forward GRU over one sequence, stepped on the CPU with System.Numerics.Tensors.
/// Given each step's input gates W_ih x + b_ih (which libtorch computes for a whole chunk in one product), a step is
/// PyTorch's: r = σ(i_r + W_hr h + b_hr), z = σ(i_z + W_hz h + b_hz), n = tanh(i_n + r ⊙ (W_hn h + b_hn)),
/// h' = n + z ⊙ (h − n). For a batch of one, a libtorch call per step costs more than the step's arithmetic.
/// </summary>
internal sealed class GruRecurrence
{
    private readonly float[] _weights; // W_hh: 3H rows of H, the gates r, z, n in PyTorch's order
    private readonly float[] _bias; // b_hh: 3H

    /// <summary>Copies the recurrent weights of <paramref name="gru"/>'s first layer.</summary>
    public GruRecurrence(GRU gru)
    {
        using var scope = NewDisposeScope();
        var weights = gru.get_parameter("weight_hh_l0") ?? throw new ArgumentException("the GRU has no weight_hh_l0", nameof(gru));
        // Only a one-layer forward GRU is one recurrence; a deeper or bidirectional one would be stepped wrongly.
        if (gru.get_parameter("weight_hh_l1") is not null || gru.get_parameter("weight_hh_l0_reverse") is not null)
            throw new ArgumentException("GruRecurrence steps a one-layer forward GRU; this one is deeper or bidirectional", nameof(gru));
        var bias = gru.get_parameter("bias_hh_l0");
        HiddenSize = (int)weights.shape[1];
        _weights = weights.detach().cpu().contiguous().data<float>().ToArray();
        _bias = bias is null ? new float[3 * HiddenSize] : bias.detach().cpu().contiguous().data<float>().ToArray();
    }

    /// <summary>The state's size H.</summary>
    public int HiddenSize { get; }

    /// <summary>
    /// Runs the steps whose input gates <paramref name="inputGates"/> holds (steps x 3H, gates r, z, n), from and into
    /// <paramref name="state"/> (H), writing each step's state to <paramref name="output"/> (steps x H).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first chunk, not after tiering
    public void Run(ReadOnlySpan<float> inputGates, Span<float> state, Span<float> output)
    {
        int h = HiddenSize, steps = inputGates.Length / (3 * h);
        if (inputGates.Length != steps * 3 * h || state.Length != h || output.Length != steps * h)
            throw new ArgumentException($"a GRU of {h} takes steps x {3 * h} gates, a state of {h} and steps x {h} outputs");
        Span<float> hidden = stackalloc float[3 * h]; // W_hh h + b_hh
        var r = hidden[..h];
        var z = hidden.Slice(h, h);
        var n = hidden.Slice(2 * h, h);
        for (int t = 0; t < steps; t++)
        {
            var gates = inputGates.Slice(t * 3 * h, 3 * h);
            MultiplyHidden(state, hidden);
            TensorPrimitives.Add(r, gates[..h], r);
            TensorPrimitives.Sigmoid(r, r);
            TensorPrimitives.Add(z, gates.Slice(h, h), z);
            TensorPrimitives.Sigmoid(z, z);
            TensorPrimitives.Multiply(n, r, n);
            TensorPrimitives.Add(n, gates.Slice(2 * h, h), n);
            TensorPrimitives.Tanh(n, n);
            TensorPrimitives.Subtract(state, n, state);
            TensorPrimitives.Multiply(state, z, state);
            TensorPrimitives.Add(state, n, state);
            state.CopyTo(output.Slice(t * h, h));
        }
    }

    // hidden = W_hh state + b_hh. Four rows at a time share each load of the state; with H not a multiple of the
    // vector width, a dot product per row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MultiplyHidden(ReadOnlySpan<float> state, Span<float> hidden)
    {
        int h = HiddenSize, width = Vector<float>.Count;
        if (h % width != 0)
        {
            for (int row = 0; row < 3 * h; row++)
                hidden[row] = TensorPrimitives.Dot(_weights.AsSpan(row * h, h), state) + _bias[row];
            return;
        }
        var x = MemoryMarshal.Cast<float, Vector<float>>(state);
        var w = MemoryMarshal.Cast<float, Vector<float>>(_weights.AsSpan());
        int per = h / width, row4 = 3 * h / 4 * 4;
        for (int row = 0; row < row4; row += 4)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            int at = row * per;
            for (int c = 0; c < per; c++)
            {
                var v = x[c];
                a0 = Vector.FusedMultiplyAdd(w[at + c], v, a0);
                a1 = Vector.FusedMultiplyAdd(w[at + per + c], v, a1);
                a2 = Vector.FusedMultiplyAdd(w[at + 2 * per + c], v, a2);
                a3 = Vector.FusedMultiplyAdd(w[at + 3 * per + c], v, a3);
            }
            hidden[row] = Vector.Sum(a0) + _bias[row];
            hidden[row + 1] = Vector.Sum(a1) + _bias[row + 1];
            hidden[row + 2] = Vector.Sum(a2) + _bias[row + 2];
            hidden[row + 3] = Vector.Sum(a3) + _bias[row + 3];
        }
        for (int row = row4; row < 3 * h; row++)
            hidden[row] = TensorPrimitives.Dot(_weights.AsSpan(row * h, h), state) + _bias[row];
    }
}
