using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Torch.Training;

/// <summary>The optimiser that updates a model's weights.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba), with the usual β = (0.9, 0.999).</summary>
    Adam = 0,
    /// <summary>Stochastic gradient descent, with <see cref="TorchTrainerOptions.Momentum"/>.</summary>
    Sgd = 1,
}

/// <summary>How the learning rate changes over the epochs.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant = 0,
    /// <summary>Multiplied by <see cref="TorchTrainerOptions.DecayFactor"/> after every epoch.</summary>
    ExponentialDecay = 1,
    /// <summary>Falls linearly, batch by batch, to 0 at the end of the last epoch.</summary>
    LinearDecay = 2,
    /// <summary>Falls along half a cosine, batch by batch, to 0 at the end of the last epoch.</summary>
    Cosine = 3,
}

/// <summary>Settings every TorchSharp trainer of this library shares: the optimisation loop.</summary>
public abstract class TorchTrainerOptions
{
    /// <summary>Passes over the training data (fewer if early stopping ends training).</summary>
    public int Epochs = 10;

    /// <summary>Rows per batch. Rows of similar length are batched together, so little is padded.</summary>
    public int BatchSize = 32;

    /// <summary>The optimiser.</summary>
    public OptimizerKind Optimizer = OptimizerKind.Adam;

    /// <summary>Starting learning rate.</summary>
    public double LearningRate = 1e-3;

    /// <summary>How the learning rate changes over training.</summary>
    public LearningRateSchedule Schedule = LearningRateSchedule.Constant;

    /// <summary>The factor of <see cref="LearningRateSchedule.ExponentialDecay"/>.</summary>
    public double DecayFactor = 0.9;

    /// <summary>Momentum of <see cref="OptimizerKind.Sgd"/>.</summary>
    public double Momentum = 0.9;

    /// <summary>L2 penalty on the weights (decoupled for neither optimiser: added to the gradient, as torch does).</summary>
    public double WeightDecay;

    /// <summary>Rescales the gradient when its global L2 norm exceeds this (the usual cure for exploding gradients); 0: off.</summary>
    public double GradientClipNorm = 5;

    /// <summary>Clamps every gradient value to ±this; 0: off.</summary>
    public double GradientClipValue;

    /// <summary>
    /// Rows to measure the validation loss on after every epoch; with <see cref="EarlyStoppingPatience"/>,
    /// the weights of the best epoch are kept. The trainers' Fit(train, validation) sets it too.
    /// </summary>
    public IDataView? ValidationSet;

    /// <summary>Stop after this many epochs without a lower validation loss, and keep the best epoch's weights; 0: off.</summary>
    public int EarlyStoppingPatience;

    /// <summary>The torch device: "cpu" (default), "cuda" or "cuda:N" where the CUDA build of libtorch is installed.</summary>
    public string Device = "cpu";

    /// <summary>Seed of weights, dropout and batch order; null: drawn from the MLContext's seed, so a seeded MLContext gives the same model on the CPU.</summary>
    public int? Seed;

    /// <summary>Threads libtorch may use on the CPU (a process-wide torch setting); null: leave it as it is.</summary>
    public int? NumberOfThreads;

    /// <summary>Checks, when training starts, that early stopping has validation rows.</summary>
    internal void CheckValidation(IExceptionContext ectx, IDataView? validation) =>
        ectx.CheckUserArg(EarlyStoppingPatience == 0 || validation != null, nameof(EarlyStoppingPatience),
            "Early stopping needs a ValidationSet (or Fit(train, validation)).");

    internal virtual void Validate(IExceptionContext ectx)
    {
        ectx.CheckUserArg(Epochs > 0, nameof(Epochs), "Must be positive.");
        ectx.CheckUserArg(BatchSize > 0, nameof(BatchSize), "Must be positive.");
        ectx.CheckUserArg(Enum.IsDefined(Optimizer), nameof(Optimizer), "Unknown optimizer.");
        ectx.CheckUserArg(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), "Must be positive and finite.");
        ectx.CheckUserArg(Enum.IsDefined(Schedule), nameof(Schedule), "Unknown learning-rate schedule.");
        ectx.CheckUserArg(DecayFactor > 0 && DecayFactor <= 1, nameof(DecayFactor), "Must be in (0, 1].");
        ectx.CheckUserArg(Momentum >= 0 && Momentum < 1, nameof(Momentum), "Must be in [0, 1).");
        ectx.CheckUserArg(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), "Must be non-negative.");
        ectx.CheckUserArg(GradientClipNorm >= 0 && double.IsFinite(GradientClipNorm), nameof(GradientClipNorm), "Must be non-negative (0: off).");
        ectx.CheckUserArg(GradientClipValue >= 0 && double.IsFinite(GradientClipValue), nameof(GradientClipValue), "Must be non-negative (0: off).");
        ectx.CheckUserArg(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), "Must be non-negative (0: off).");
        ectx.CheckUserArg(NumberOfThreads is null or > 0, nameof(NumberOfThreads), "Must be positive.");
        ectx.CheckUserArg(!string.IsNullOrWhiteSpace(Device), nameof(Device), "Name a torch device, such as \"cpu\" or \"cuda\".");
    }
}
