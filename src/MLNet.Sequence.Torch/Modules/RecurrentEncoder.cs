using Microsoft.ML.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Modules;

/// <summary>The recurrent cell of a <see cref="RecurrentEncoder"/>.</summary>
public enum RecurrentCellType
{
    /// <summary>Elman RNN with tanh: h' = tanh(W x + U h + b).</summary>
    Rnn = 0,
    /// <summary>Elman RNN with ReLU instead of tanh.</summary>
    RnnRelu = 1,
    /// <summary>Gated recurrent unit (update and reset gates).</summary>
    Gru = 2,
    /// <summary>Long short-term memory (input, forget and output gates and a memory cell).</summary>
    Lstm = 3,
}

/// <summary>Shape of a recurrent encoder: cell, width, depth and direction.</summary>
public sealed class RecurrentEncoderOptions
{
    /// <summary>The recurrent cell.</summary>
    public RecurrentCellType CellType = RecurrentCellType.Lstm;

    /// <summary>Width of the hidden state of each direction.</summary>
    public int HiddenSize = 128;

    /// <summary>Number of stacked recurrent layers (a deep RNN when above 1).</summary>
    public int Layers = 1;

    /// <summary>Whether a second layer reads each sequence backwards and its states are concatenated.</summary>
    public bool Bidirectional;

    /// <summary>Dropout between stacked layers (ignored with one layer).</summary>
    public double Dropout;

    internal void Validate(IExceptionContext ectx)
    {
        ectx.CheckUserArg(Enum.IsDefined(CellType), nameof(CellType), "Unknown recurrent cell type.");
        ectx.CheckUserArg(HiddenSize > 0, nameof(HiddenSize), "Must be positive.");
        ectx.CheckUserArg(Layers > 0, nameof(Layers), "Must be positive.");
        ectx.CheckUserArg(Dropout >= 0 && Dropout < 1, nameof(Dropout), "Must be in [0, 1).");
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write((int)CellType);
        writer.Write(HiddenSize);
        writer.Write(Layers);
        writer.Write(Bidirectional);
        writer.Write(Dropout);
    }

    internal static RecurrentEncoderOptions Read(BinaryReader reader)
    {
        var options = new RecurrentEncoderOptions
        {
            CellType = (RecurrentCellType)reader.ReadInt32(),
            HiddenSize = reader.ReadInt32(),
            Layers = reader.ReadInt32(),
            Bidirectional = reader.ReadBoolean(),
            Dropout = reader.ReadDouble(),
        };
        Microsoft.ML.Runtime.Contracts.CheckDecode(Enum.IsDefined(options.CellType) && options.HiddenSize > 0 && options.Layers > 0,
            "Bad recurrent encoder shape in the model.");
        return options;
    }
}

/// <summary>
/// A stack of RNN, GRU or LSTM layers over padded batches. Sequences are packed by their lengths before
/// the recurrence (unless no row is padded), so padding never reaches a state: outputs at real positions and the final states do
/// not depend on how much a row was padded. The final state keeps every layer (and an LSTM's memory cells),
/// so that a decoder can start from all of it.
/// </summary>
public sealed class RecurrentEncoder : nn.Module<Tensor, Tensor, (Tensor Outputs, RecurrentState Final)>
{
    private readonly nn.Module _rnn;

    /// <summary>Creates the layers for inputs of width <paramref name="inputSize"/>.</summary>
    public RecurrentEncoder(int inputSize, RecurrentEncoderOptions options) : base(nameof(RecurrentEncoder))
    {
        Layers = options.Layers;
        Directions = options.Bidirectional ? 2 : 1;
        HiddenSize = options.HiddenSize;
        double dropout = options.Layers > 1 ? options.Dropout : 0;
        _rnn = options.CellType switch
        {
            RecurrentCellType.Lstm => nn.LSTM(inputSize, options.HiddenSize, options.Layers, batchFirst: true, dropout: dropout, bidirectional: options.Bidirectional),
            RecurrentCellType.Gru => nn.GRU(inputSize, options.HiddenSize, options.Layers, batchFirst: true, dropout: dropout, bidirectional: options.Bidirectional),
            _ => nn.RNN(inputSize, options.HiddenSize, options.Layers,
                options.CellType == RecurrentCellType.RnnRelu ? nn.NonLinearities.ReLU : nn.NonLinearities.Tanh,
                batchFirst: true, dropout: dropout, bidirectional: options.Bidirectional),
        };
        RegisterComponents();
    }

    /// <summary>Stacked layers.</summary>
    public int Layers { get; }

    /// <summary>1, or 2 for a bidirectional encoder.</summary>
    public int Directions { get; }

    /// <summary>Width of each direction's hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Width of each output step: hidden size times directions.</summary>
    public int OutputSize => HiddenSize * Directions;

    /// <summary>
    /// Encodes <paramref name="input"/> [batch, time, features] whose rows have <paramref name="lengths"/>
    /// (int64 on the CPU, each at least 1). Returns the top layer's outputs [batch, time, OutputSize], zero
    /// at padded positions, and the final state of every layer and direction at each row's last real step
    /// (see <see cref="RecurrentState"/>; <see cref="TopLayer"/> gives the top layer's, side by side).
    /// </summary>
    public override (Tensor Outputs, RecurrentState Final) forward(Tensor input, Tensor lengths)
    {
        long time = input.shape[1];
        // A batch without padding runs unpacked: the same outputs and states, and libtorch's packed recurrence
        // takes about 1.8x as long (a 3-layer biGRU of 256 over 16 x 150 steps, forward and backward).
        if (lengths.min().item<long>() == time)
            return Unpacked(input);
        using var packed = nn.utils.rnn.pack_padded_sequence(input, lengths, batch_first: true, enforce_sorted: false);
        nn.utils.rnn.PackedSequence output;
        RecurrentState final;
        switch (_rnn)
        {
            case LSTM lstm:
                var (o, h, c) = lstm.call(packed);
                (output, final) = (o, new RecurrentState(h, c));
                break;
            case GRU gru:
                var (go, gh) = gru.call(packed);
                (output, final) = (go, new RecurrentState(gh, null));
                break;
            default:
                var (ro, rh) = ((RNN)_rnn).call(packed);
                (output, final) = (ro, new RecurrentState(rh, null));
                break;
        }
        using (output)
        {
            var (padded, _) = nn.utils.rnn.pad_packed_sequence(output, batch_first: true, total_length: time);
            return (padded, final);
        }
    }

    private (Tensor Outputs, RecurrentState Final) Unpacked(Tensor input)
    {
        switch (_rnn)
        {
            case LSTM lstm:
                var (o, h, c) = lstm.call(input);
                return (o, new RecurrentState(h, c));
            case GRU gru:
                var (go, gh) = gru.call(input);
                return (go, new RecurrentState(gh, null));
            default:
                var (ro, rh) = ((RNN)_rnn).call(input);
                return (ro, new RecurrentState(rh, null));
        }
    }

    /// <summary>
    /// The top layer's final hidden states [batch, OutputSize]: the forward direction's last real step next to
    /// the backward direction's first step.
    /// </summary>
    public Tensor TopLayer(RecurrentState state)
    {
        var hidden = state.Hidden;
        var top = hidden.view(Layers, Directions, hidden.shape[1], hidden.shape[2])[Layers - 1];
        return top.permute(1, 0, 2).reshape(hidden.shape[1], OutputSize);
    }

    /// <summary>
    /// Runs unpadded rows [batch, time, features] from <paramref name="state"/> (null: zeros) and returns the
    /// outputs and the state after the last step, for step-by-step decoding. Unidirectional encoders only.
    /// </summary>
    public (Tensor Outputs, RecurrentState State) Step(Tensor input, RecurrentState? state)
    {
        if (Directions != 1)
            throw new InvalidOperationException("Step-by-step decoding needs a unidirectional encoder.");
        switch (_rnn)
        {
            case LSTM lstm:
                var (o, h, c) = lstm.call(input, state == null ? null : (state.Hidden, state.Cell!));
                return (o, new RecurrentState(h, c));
            case GRU gru:
                var (go, gh) = gru.call(input, state?.Hidden);
                return (go, new RecurrentState(gh, null));
            default:
                var (ro, rh) = ((RNN)_rnn).call(input, state?.Hidden);
                return (ro, new RecurrentState(rh, null));
        }
    }
}

/// <summary>
/// The state of a recurrent stack after a step: every layer's hidden state and, for an LSTM, its memory cells,
/// laid out as torch does: [layers x directions, batch, hidden], layer by layer, the forward direction first.
/// </summary>
/// <param name="Hidden">[layers x directions, batch, hidden].</param>
/// <param name="Cell">The same shape for an LSTM, else null.</param>
public sealed record RecurrentState(Tensor Hidden, Tensor? Cell)
{
    /// <summary>The state of the rows at <paramref name="indices"/> (int64), in that order: beam search reorders its hypotheses so.</summary>
    public RecurrentState Select(Tensor indices) => new(Hidden.index_select(1, indices), Cell?.index_select(1, indices));
}
