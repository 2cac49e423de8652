using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Training;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch;

/// <summary>
/// Base of the TorchSharp model transformers: the network and its device, the model-zip layout (the derived
/// class's state, then the weights as an entry of their own) and <see cref="Transform"/>, which scores rows in
/// batches as cursors reach them. A PredictionEngine scores one row per call. Each derived class keeps its
/// static Create, as ML.NET's transformers do, and loads through <see cref="Load"/> and <see cref="LoadWeights"/>.
/// </summary>
public abstract class SequenceModelTransformerBase : RowToRowTransformerBase, ITransformer
{
    private protected SequenceModelTransformerBase(IHost host, nn.Module module, Device device)
        : base(host)
    {
        Module = module;
        Device = device;
        module.eval();
    }

    /// <summary>The network, in evaluation mode.</summary>
    private protected nn.Module Module { get; }

    /// <summary>Where the network runs.</summary>
    internal Device Device { get; }

    /// <summary>
    /// Adds the model's output columns to <paramref name="input"/>. Rows are scored lazily, as cursors reach
    /// them, in blocks of consecutive rows read on the cursor's own pass over <paramref name="input"/>.
    /// </summary>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        return ((IBatchScoringMapper)MakeRowMapper(input.Schema)).ScoreInBatches(input);
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    /// <summary>The model signature and versions of the derived class.</summary>
    private protected abstract VersionInfo GetVersionInfoCore();

    /// <summary>Writes the derived class's settings and vocabularies, which its loader reads back.</summary>
    private protected abstract void SaveState(BinaryWriter writer);

    /// <inheritdoc/>
    public sealed override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfoCore());
        SaveState(ctx.Writer);
        TorchModelIO.Save(ctx, Module);
    }

    /// <summary>Runs a loader after the checks every loader starts with (arguments, version, the zip's CRCs); its failures name <paramref name="what"/>.</summary>
    private protected static T Load<T>(IHostEnvironment env, ModelLoadContext ctx, string registrationName, VersionInfo version, string what, Func<IHost, T> load)
    {
        TorchRuntime.EnsureReady();
        return LoaderChecks.Load(env, ctx, registrationName, version, what, load);
    }

    /// <summary>Loads the saved weights into <paramref name="module"/>, built from the saved state.</summary>
    private protected static void LoadWeights(ModelLoadContext ctx, nn.Module module) => TorchModelIO.Load(ctx, module);
}
