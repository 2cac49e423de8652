using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Training;

/// <summary>Stores TorchSharp weights as an entry of the ML.NET model zip, next to the transformer's settings.</summary>
internal static class TorchModelIO
{
    public const string WeightsEntry = "TorchWeights";

    public static void Save(ModelSaveContext ctx, nn.Module module)
    {
        using var stream = new MemoryStream();
        module.save(stream);
        ctx.SaveBlob(WeightsEntry, stream.ToArray());
    }

    /// <summary>Loads weights saved by <see cref="Save"/> into <paramref name="module"/>, which must have the saved shape.</summary>
    public static void Load(ModelLoadContext ctx, nn.Module module)
    {
        var bytes = ctx.LoadBlob(WeightsEntry);
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            module.load(stream, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException or ExternalException)
        {
            throw Contracts.ExceptDecode(e, $"The model's '{WeightsEntry}' entry does not match the saved network: {e.Message}");
        }
        foreach (var p in module.parameters())
        {
            using var finite = p.isfinite().all();
            Contracts.CheckDecode(finite.item<bool>(), $"The model's '{WeightsEntry}' entry holds NaN or infinite weights.");
        }
    }
}
