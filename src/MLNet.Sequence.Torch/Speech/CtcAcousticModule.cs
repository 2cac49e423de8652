using MLNet.Sequence.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Speech;

/// <summary>
/// The acoustic model of <see cref="CtcSpeechTrainer"/>: a convolutional front end (Conv1d + BatchNorm + ReLU, the
/// first layer striding through time), a stack of (bi)GRU or LSTM layers, and a linear layer to log-probabilities
/// over the units, blank included.
/// </summary>
internal sealed class CtcAcousticModule : nn.Module<Tensor, Tensor, (Tensor LogProbs, Tensor Lengths)>
{
    private readonly ModuleList<Conv1d> _convolutions = new();
    private readonly ModuleList<BatchNorm1d> _norms = new();
    private readonly RecurrentEncoder _rnn;
    private readonly Linear _output;
    private readonly Dropout _dropout;
    private readonly CtcNetworkShape _shape;

    public CtcAcousticModule(CtcNetworkShape shape) : base(nameof(CtcAcousticModule))
    {
        _shape = shape;
        int input = shape.FeatureCount;
        for (int layer = 0; layer < shape.ConvolutionLayers; layer++)
        {
            _convolutions.Add(nn.Conv1d(input, shape.ConvolutionChannels, shape.KernelSize, stride: layer == 0 ? shape.Stride : 1,
                padding: shape.KernelSize / 2, bias: false));
            _norms.Add(nn.BatchNorm1d(shape.ConvolutionChannels));
            input = shape.ConvolutionChannels;
        }
        _rnn = new RecurrentEncoder(input, shape.Encoder);
        _output = nn.Linear(_rnn.OutputSize, shape.Units);
        _dropout = nn.Dropout(shape.Dropout);
        RegisterComponents();
    }

    /// <summary>Frames out for <paramref name="frames"/> frames in: the first convolution's stride shortens time.</summary>
    public static long OutputFrames(long frames, CtcNetworkShape shape) =>
        shape.ConvolutionLayers == 0 ? frames : (frames + 2 * (shape.KernelSize / 2) - shape.KernelSize) / shape.Stride + 1;

    /// <summary>
    /// Log-probabilities [batch, time', units] of features [batch, time, features] whose rows have <paramref name="lengths"/>
    /// frames (int64 on the CPU), and the output lengths.
    /// </summary>
    public override (Tensor LogProbs, Tensor Lengths) forward(Tensor features, Tensor lengths)
    {
        var x = features.transpose(1, 2);
        for (int i = 0; i < _convolutions.Count; i++)
            x = nn.functional.relu(_norms[i].call(_convolutions[i].call(x)));
        x = _dropout.call(x.transpose(1, 2));
        var outLengths = _shape.ConvolutionLayers == 0 ? lengths : (lengths + 2 * (_shape.KernelSize / 2) - _shape.KernelSize).div(_shape.Stride, rounding_mode: RoundingMode.floor) + 1;
        var (hidden, _) = _rnn.call(x, outLengths);
        var logits = _output.call(_dropout.call(hidden));
        return (nn.functional.log_softmax(logits, -1), outLengths);
    }
}
