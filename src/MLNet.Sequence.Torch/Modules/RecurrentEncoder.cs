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
    public RecurrentCellType CellType { get; set; } = RecurrentCellType.Lstm;

    /// <summary>Width of the hidden state of each direction.</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>Number of stacked recurrent layers (a deep RNN when above 1).</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Whether a second layer reads each sequence backwards and its states are concatenated.</summary>
    public bool Bidirectional { get; set; }

    /// <summary>Dropout between stacked layers (ignored with one layer).</summary>
    public double Dropout { get; set; }

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
/// the recurrence, so padding never reaches a state: outputs at real positions and the final states do
/// not depend on how much a row was padded.
/// </summary>
public sealed class RecurrentEncoder : nn.Module<Tensor, Tensor, (Tensor Outputs, Tensor Final)>
{
    private readonly nn.Module _rnn;
    private readonly RecurrentCellType _cellType;
    private readonly int _layers, _directions;

    /// <summary>Creates the layers for inputs of width <paramref name="inputSize"/>.</summary>
    public RecurrentEncoder(int inputSize, RecurrentEncoderOptions options) : base(nameof(RecurrentEncoder))
    {
        _cellType = options.CellType;
        _layers = options.Layers;
        _directions = options.Bidirectional ? 2 : 1;
        double dropout = options.Layers > 1 ? options.Dropout : 0;
        _rnn = options.CellType switch
        {
            RecurrentCellType.Lstm => nn.LSTM(inputSize, options.HiddenSize, options.Layers, batchFirst: true, dropout: dropout, bidirectional: options.Bidirectional),
            RecurrentCellType.Gru => nn.GRU(inputSize, options.HiddenSize, options.Layers, batchFirst: true, dropout: dropout, bidirectional: options.Bidirectional),
            _ => nn.RNN(inputSize, options.HiddenSize, options.Layers,
                options.CellType == RecurrentCellType.RnnRelu ? nn.NonLinearities.ReLU : nn.NonLinearities.Tanh,
                batchFirst: true, dropout: dropout, bidirectional: options.Bidirectional),
        };
        OutputSize = options.HiddenSize * _directions;
        RegisterComponents();
    }

    /// <summary>Width of each output step and of the final state: hidden size times directions.</summary>
    public int OutputSize { get; }

    /// <summary>
    /// Encodes <paramref name="input"/> [batch, time, features] whose rows have <paramref name="lengths"/>
    /// (int64 on the CPU, each at least 1). Returns the top layer's outputs [batch, time, OutputSize], zero
    /// at padded positions, and its final state [batch, OutputSize]: the last real step of the forward
    /// direction next to the first step of the backward one.
    /// </summary>
    public override (Tensor Outputs, Tensor Final) forward(Tensor input, Tensor lengths)
    {
        long time = input.shape[1];
        using var packed = nn.utils.rnn.pack_padded_sequence(input, lengths, batch_first: true, enforce_sorted: false);
        nn.utils.rnn.PackedSequence output;
        Tensor hidden;
        switch (_rnn)
        {
            case LSTM lstm:
                var (o, h, c) = lstm.call(packed);
                c.Dispose();
                (output, hidden) = (o, h);
                break;
            case GRU gru:
                (output, hidden) = gru.call(packed);
                break;
            default:
                (output, hidden) = ((RNN)_rnn).call(packed);
                break;
        }
        using (output)
        {
            var (padded, _) = nn.utils.rnn.pad_packed_sequence(output, batch_first: true, total_length: time);
            // hidden: [layers * directions, batch, hidden]; keep the top layer's directions side by side.
            var top = hidden.view(_layers, _directions, hidden.shape[1], hidden.shape[2])[_layers - 1];
            var final = top.permute(1, 0, 2).reshape(hidden.shape[1], OutputSize);
            return (padded, final);
        }
    }

    /// <summary>
    /// Runs unpadded rows [batch, time, features] from <paramref name="state"/> (null: zeros) and returns the
    /// outputs and the state after the last step, for step-by-step decoding. Unidirectional encoders only.
    /// </summary>
    public (Tensor Outputs, RecurrentState State) Step(Tensor input, RecurrentState? state)
    {
        if (_directions != 1)
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

/// <summary>The recurrent state between decoding steps: hidden states, and an LSTM's memory cells.</summary>
/// <param name="Hidden">[layers, batch, hidden].</param>
/// <param name="Cell">[layers, batch, hidden] for an LSTM, else null.</param>
public sealed record RecurrentState(Tensor Hidden, Tensor? Cell);
