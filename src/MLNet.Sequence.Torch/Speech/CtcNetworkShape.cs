using Microsoft.ML.Runtime;
using MLNet.Sequence.Torch.Modules;

namespace MLNet.Sequence.Torch.Speech;

/// <summary>The sizes of a <see cref="CtcAcousticModule"/>, saved in the model zip so that it can be rebuilt before its weights load.</summary>
internal sealed record CtcNetworkShape(int FeatureCount, int ConvolutionLayers, int ConvolutionChannels, int KernelSize, int Stride,
    RecurrentEncoderOptions Encoder, double Dropout, int Units)
{
    public void Write(BinaryWriter w)
    {
        w.Write(FeatureCount);
        w.Write(ConvolutionLayers);
        w.Write(ConvolutionChannels);
        w.Write(KernelSize);
        w.Write(Stride);
        Encoder.Write(w);
        w.Write(Dropout);
        w.Write(Units);
    }

    public static CtcNetworkShape Read(IExceptionContext ectx, BinaryReader r)
    {
        var shape = new CtcNetworkShape(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
            RecurrentEncoderOptions.Read(r), r.ReadDouble(), r.ReadInt32());
        ectx.CheckDecode(shape.FeatureCount is > 0 and <= 1 << 16, "Bad feature count in the speech model.");
        ectx.CheckDecode(shape.ConvolutionLayers is >= 0 and <= 16 && shape.ConvolutionChannels is > 0 and <= 1 << 14, "Bad convolution sizes in the speech model.");
        ectx.CheckDecode(shape.KernelSize is > 0 and <= 255 && shape.Stride is > 0 and <= 16, "Bad kernel or stride in the speech model.");
        ectx.CheckDecode(shape.Dropout is >= 0 and < 1 && shape.Units is > 1 and <= 1 << 16, "Bad dropout or unit count in the speech model.");
        shape.Encoder.Validate(ectx);
        return shape;
    }
}
