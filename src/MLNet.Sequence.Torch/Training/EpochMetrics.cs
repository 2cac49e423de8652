namespace MLNet.Sequence.Torch.Training;

/// <summary>What one training epoch did.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainingLoss">Mean loss per predicted item over the epoch's batches.</param>
/// <param name="ValidationLoss">Mean loss per predicted item on the validation set after the epoch; null without one.</param>
/// <param name="LearningRate">Learning rate at the end of the epoch.</param>
/// <param name="Seconds">Wall-clock time of the epoch's training (validation excluded).</param>
/// <param name="ValidationScore">A trainer's own validation score after the epoch (such as BLEU, higher is better); null when it has none.</param>
public readonly record struct EpochMetrics(int Epoch, double TrainingLoss, double? ValidationLoss, double LearningRate, double Seconds, double? ValidationScore = null);

/// <summary>What a training run did, epoch by epoch.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(IReadOnlyList<EpochMetrics> epochs, int bestEpoch, bool stoppedEarly)
    {
        Epochs = epochs;
        BestEpoch = bestEpoch;
        StoppedEarly = stoppedEarly;
    }

    /// <summary>Every epoch run.</summary>
    public IReadOnlyList<EpochMetrics> Epochs { get; }

    /// <summary>The epoch whose weights the model holds: the lowest validation loss (or highest validation score,
    /// when early stopping follows one), or the last epoch without validation.</summary>
    public int BestEpoch { get; }

    /// <summary>Whether early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly { get; }
}
