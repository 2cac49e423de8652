using Microsoft.ML.Runtime;
using TorchSharp;
using MLNet.Sequence.Torch.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.TriggerWords;

/// <summary>The sizes of a <see cref="TriggerWordModule"/>, saved in the model zip so that it can be rebuilt before its weights load.</summary>
internal sealed record TriggerWordShape(int FeatureCount, int ConvolutionChannels, int KernelSize, int Stride, int HiddenSize, double Dropout)
{
    /// <summary>Output steps for <paramref name="frames"/> input frames: the convolution is unpadded, as the course's.</summary>
    public long OutputSteps(long frames) => frames < KernelSize ? 0 : (frames - KernelSize) / Stride + 1;

    public void Write(BinaryWriter w)
    {
        w.Write(FeatureCount);
        w.Write(ConvolutionChannels);
        w.Write(KernelSize);
        w.Write(Stride);
        w.Write(HiddenSize);
        w.Write(Dropout);
    }

    public static TriggerWordShape Read(IExceptionContext ectx, BinaryReader r)
    {
        var shape = new TriggerWordShape(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadDouble());
        ectx.CheckDecode(shape.FeatureCount is > 0 and <= 1 << 16 && shape.ConvolutionChannels is > 0 and <= 1 << 14, "Bad feature or channel count in the trigger-word model.");
        ectx.CheckDecode(shape.KernelSize is > 0 and <= 255 && shape.Stride is > 0 and <= 64, "Bad kernel or stride in the trigger-word model.");
        ectx.CheckDecode(shape.HiddenSize is > 0 and <= 1 << 14 && shape.Dropout is >= 0 and < 1, "Bad hidden size or dropout in the trigger-word model.");
        return shape;
    }
}

/// <summary>
/// The curriculum's trigger-word network: Conv1d(features -> channels, kernel 15, stride 4) -> BatchNorm -> ReLU ->
/// dropout -> GRU -> dropout -> BatchNorm -> GRU -> dropout -> BatchNorm -> dropout -> a logit per output step.
/// Both GRUs run forward only, so that a step depends on the audio before it alone (what streaming needs).
/// </summary>
internal sealed class TriggerWordModule : nn.Module<Tensor, Tensor>
{
    private readonly Conv1d _convolution;
    private readonly BatchNorm1d _convolutionNorm, _firstNorm, _secondNorm;
    private readonly GRU _first, _second;
    private readonly Linear _output;
    private readonly Dropout _dropout;

    public TriggerWordModule(TriggerWordShape shape) : base(nameof(TriggerWordModule))
    {
        _convolution = nn.Conv1d(shape.FeatureCount, shape.ConvolutionChannels, shape.KernelSize, stride: shape.Stride);
        _convolutionNorm = nn.BatchNorm1d(shape.ConvolutionChannels);
        _first = nn.GRU(shape.ConvolutionChannels, shape.HiddenSize, batchFirst: true);
        _firstNorm = nn.BatchNorm1d(shape.HiddenSize);
        _second = nn.GRU(shape.HiddenSize, shape.HiddenSize, batchFirst: true);
        _secondNorm = nn.BatchNorm1d(shape.HiddenSize);
        _output = nn.Linear(shape.HiddenSize, 1);
        _dropout = nn.Dropout(shape.Dropout);
        RegisterComponents();
    }

    /// <summary>Logits [batch, output steps] of features [batch, frames, features].</summary>
    public override Tensor forward(Tensor features)
    {
        var x = _dropout.call(Convolve(features));
        var (first, _) = _first.call(x);
        x = Norm(_firstNorm, _dropout.call(first));
        var (second, _) = _second.call(x);
        x = _dropout.call(Norm(_secondNorm, _dropout.call(second)));
        return _output.call(x).squeeze(-1);
    }

    // Streaming (TriggerWordStream, eval mode) runs the forward pass in these pieces, with the GRUs' recurrences
    // stepped on the CPU by GruRecurrence between them; together they give the forward's values.

    /// <summary>The convolution block's output [batch, steps, channels] for frames [batch, frames, features].</summary>
    public Tensor Convolve(Tensor frames) =>
        nn.functional.relu(Normalize(_convolutionNorm, _convolution.call(frames.transpose(1, 2)))).transpose(1, 2);

    /// <summary>The first GRU's input gates W_ih x + b_ih [batch, steps, 3H] of the convolution's output.</summary>
    public Tensor FirstInputGates(Tensor convolved) => InputGates(_first, convolved);

    /// <summary>The second GRU's input gates of the first GRU's states [batch, steps, H], through the BatchNorm between them.</summary>
    public Tensor SecondInputGates(Tensor first) => InputGates(_second, Norm(_firstNorm, first));

    /// <summary>The logits [batch, steps] of the second GRU's states.</summary>
    public Tensor Logits(Tensor second) => _output.call(Norm(_secondNorm, second)).squeeze(-1);

    /// <summary>The first GRU's recurrence, for stepping on the CPU.</summary>
    public GruRecurrence FirstRecurrence() => new(_first);

    /// <summary>The second GRU's recurrence.</summary>
    public GruRecurrence SecondRecurrence() => new(_second);

    private static Tensor InputGates(GRU gru, Tensor x) => nn.functional.linear(x, gru.get_parameter("weight_ih_l0")!, gru.get_parameter("bias_ih_l0"));

    // BatchNorm over the channels of [batch, time, channels].
    private Tensor Norm(BatchNorm1d norm, Tensor x) => Normalize(norm, x.transpose(1, 2)).transpose(1, 2);

    // BatchNorm over [batch, channels, time] through the functional form with the module's parameters and running
    // statistics, as BatchNorm1d's forward computes it with its fixed momentum. BatchNorm1d's forward also counts
    // num_batches_tracked with an in-place add of a temporary Scalar, which the tests once saw freed under libtorch
    // ("Expected false to be true" in Scalar::toLong); the count is unused with a fixed momentum.
    private Tensor Normalize(BatchNorm1d norm, Tensor x) =>
        nn.functional.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias, training, norm.momentum ?? 0.1, norm.eps);
}
