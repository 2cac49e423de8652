using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Training;

/// <summary>The summed loss of a batch and the number of items (rows or tokens) it was summed over.</summary>
internal delegate (Tensor Sum, long Count) BatchLoss(int[] rows);

/// <summary>A score measured on the validation rows after every epoch, higher being better (such as BLEU);
/// early stopping follows it instead of the validation loss.</summary>
/// <param name="Name">What it is, for the log.</param>
/// <param name="Measure">Measures it; called in evaluation mode without gradients.</param>
internal sealed record ValidationScore(string Name, Func<double> Measure);

/// <summary>
/// The optimisation loop every TorchSharp trainer here shares: batches by length, optimiser and schedule,
/// gradient clipping, validation and early stopping with the best weights restored, progress and per-epoch
/// metrics through ML.NET's channels, and cancellation through the host. Every batch runs in its own
/// dispose scope, so native memory does not grow with the number of batches.
/// </summary>
internal sealed class TorchTrainingLoop
{
    private readonly IHost _host;
    private readonly TorchTrainerOptions _options;

    public TorchTrainingLoop(IHost host, TorchTrainerOptions options)
    {
        TorchRuntime.EnsureReady();
        _host = host;
        _options = options;
        Device = ResolveDevice(host, options.Device);
        Seed = options.Seed ?? host.Rand.Next();
    }

    /// <summary>Where the model and its batches live.</summary>
    public Device Device { get; }

    /// <summary>The seed of this run (weights, dropout, batch order).</summary>
    public int Seed { get; }

    /// <summary>Seeds torch and sets its threads; call before the model is created, so its weights follow the seed.</summary>
    public void Prepare()
    {
        if (_options.NumberOfThreads is int threads)
            torch.set_num_threads(threads);
        torch.manual_seed(Seed);
        if (Device.type == DeviceType.CUDA)
            torch.cuda.manual_seed_all(Seed);
    }

    internal static Device ResolveDevice(IExceptionContext ectx, string name)
    {
        // TorchSharp refuses "cuda" on a CPU-only libtorch as if it were no device at all, so CUDA is asked about first.
        string type = name.Split(':')[0].Trim().ToLowerInvariant();
        if (type == "cuda" && !torch.cuda.is_available())
            throw ectx.ExceptUserArg(nameof(TorchTrainerOptions.Device),
                $"Device '{name}' asks for CUDA, which this libtorch cannot use: reference the CUDA build of libtorch, or use \"cpu\".");
        try
        {
            return torch.device(name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw ectx.ExceptUserArg(nameof(TorchTrainerOptions.Device), $"'{name}' is not a torch device that this libtorch can use; use \"cpu\", \"cuda\" or \"cuda:N\".");
        }
    }

    /// <summary>
    /// Trains <paramref name="model"/> (already on <see cref="Device"/>) on rows of the given lengths.
    /// <paramref name="trainLoss"/> is called in training mode with gradients on, <paramref name="validationLoss"/>
    /// in evaluation mode without them. Leaves the model in evaluation mode.
    /// </summary>
    public TrainingHistory Run(IChannel ch, nn.Module model, string what, IReadOnlyList<int> trainLengths, BatchLoss trainLoss,
        IReadOnlyList<int>? validationLengths = null, BatchLoss? validationLoss = null, ValidationScore? validationScore = null)
    {
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        _host.Check(parameters.Count > 0, "The model has no trainable weights.");
        using var optimizer = _options.Optimizer == OptimizerKind.Adam
            ? (optim.Optimizer)optim.Adam(parameters, _options.LearningRate, weight_decay: _options.WeightDecay)
            : optim.SGD(parameters, _options.LearningRate, momentum: _options.Momentum, weight_decay: _options.WeightDecay);
        var random = new Random(Seed);
        int batchesPerEpoch = (trainLengths.Count + _options.BatchSize - 1) / _options.BatchSize;
        long totalSteps = (long)batchesPerEpoch * _options.Epochs;
        var epochs = new List<EpochMetrics>();
        Dictionary<string, Tensor>? best = null;
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        bool stoppedEarly = false;
        int epoch = 0, batchIndex = 0;
        double lastLoss = double.NaN;
        long step = 0;

        using var pch = _host.StartProgressChannel($"{what} training");
        pch.SetHeader(new ProgressHeader(new[] { "loss" }, new[] { "epochs", "batches" }), e =>
        {
            e.SetProgress(0, epoch, _options.Epochs);
            e.SetProgress(1, batchIndex, batchesPerEpoch);
            e.SetMetric(0, lastLoss);
        });
        ch.Info($"{what}: {trainLengths.Count:N0} training rows, {batchesPerEpoch:N0} batches per epoch, device {Device}, seed {Seed}.");

        try
        {
            for (epoch = 1; epoch <= _options.Epochs; epoch++)
            {
                model.train();
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var phases = new PhaseTimes();
                double lossSum = 0;
                long itemCount = 0;
                double lr = _options.LearningRate;
                batchIndex = 0;
                foreach (var batch in LengthBatches.ForTraining(trainLengths, _options.BatchSize, random))
                {
                    _host.CheckAlive();
                    lr = LearningRateAt(epoch, step, totalSteps);
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = lr;
                    using (var scope = torch.NewDisposeScope())
                    {
                        phases.Start();
                        optimizer.zero_grad();
                        var (sum, count) = trainLoss(batch);
                        phases.End(PhaseTimes.Phase.Forward);
                        if (count == 0)
                            continue;
                        var mean = sum / count;
                        mean.backward();
                        phases.End(PhaseTimes.Phase.Backward);
                        if (_options.GradientClipValue > 0)
                            nn.utils.clip_grad_value_(parameters, _options.GradientClipValue);
                        if (_options.GradientClipNorm > 0)
                            nn.utils.clip_grad_norm_(parameters, _options.GradientClipNorm);
                        phases.End(PhaseTimes.Phase.Clipping);
                        optimizer.step();
                        phases.End(PhaseTimes.Phase.Optimizer);
                        double batchSum = sum.item<float>();
                        phases.End(PhaseTimes.Phase.ReadBack);
                        if (!double.IsFinite(batchSum))
                            throw _host.Except($"{what} training diverged at epoch {epoch}, batch {batchIndex + 1}: the loss is {batchSum}. " +
                                $"Lower {nameof(TorchTrainerOptions.LearningRate)} or set {nameof(TorchTrainerOptions.GradientClipNorm)}.");
                        lossSum += batchSum;
                        itemCount += count;
                        lastLoss = batchSum / count;
                    }
                    batchIndex++;
                    step++;
                }
                watch.Stop();
                double trainMean = lossSum / Math.Max(1, itemCount);
                double? validMean = null;
                if (validationLengths != null && validationLoss != null && validationLengths.Count > 0)
                    validMean = Evaluate(model, validationLengths, validationLoss);
                double? validScore = null;
                if (validationScore != null && validMean != null)
                    validScore = Measure(model, validationScore);
                epochs.Add(new EpochMetrics(epoch, trainMean, validMean, lr, watch.Elapsed.TotalSeconds, validScore));
                ch.Info(FormattableString.Invariant(
                    $"{what} epoch {epoch}/{_options.Epochs}: loss {trainMean:F4}{(validMean is double v ? $", validation loss {v:F4}" : "")}{(validScore is double sc ? $", validation {validationScore!.Name} {sc:F2}" : "")}, lr {lr:G3}, {watch.Elapsed.TotalSeconds:F1} s"));
                ch.Trace($"{what} epoch {epoch} phases: {phases.Describe(watch.Elapsed.TotalSeconds)}");

                // Lower is better: the loss, or the negated score.
                double? criterion = validScore is double scored ? -scored : validMean;
                if (criterion is double current)
                {
                    if (current < bestLoss)
                    {
                        bestLoss = current;
                        bestEpoch = epoch;
                        sinceBest = 0;
                        if (_options.EarlyStoppingPatience > 0)
                            best = Snapshot(model, best);
                    }
                    else if (_options.EarlyStoppingPatience > 0 && ++sinceBest >= _options.EarlyStoppingPatience)
                    {
                        stoppedEarly = epoch < _options.Epochs;
                        ch.Info($"{what}: no better validation {validationScore?.Name ?? "loss"} for {sinceBest} epochs; stopping and keeping epoch {bestEpoch}.");
                        break;
                    }
                }
                else
                {
                    bestEpoch = epoch;
                }
            }
            if (best != null && bestEpoch != epochs[^1].Epoch)
                model.load_state_dict(best);
        }
        finally
        {
            if (best != null)
            {
                foreach (var t in best.Values)
                    t.Dispose();
            }
        }
        model.eval();
        return new TrainingHistory(epochs, bestEpoch, stoppedEarly);
    }

    /// <summary>Mean loss per item over all rows, in evaluation mode and without gradients.</summary>
    public double Evaluate(nn.Module model, IReadOnlyList<int> lengths, BatchLoss loss)
    {
        bool wasTraining = model.training;
        model.eval();
        double sum = 0;
        long count = 0;
        using (torch.no_grad())
        {
            foreach (var batch in LengthBatches.ForEvaluation(lengths, _options.BatchSize))
            {
                _host.CheckAlive();
                using var scope = torch.NewDisposeScope();
                var (s, c) = loss(batch);
                sum += s.item<float>();
                count += c;
            }
        }
        if (wasTraining)
            model.train();
        return sum / Math.Max(1, count);
    }

    // A validation score, in evaluation mode and without gradients.
    private static double Measure(nn.Module model, ValidationScore score)
    {
        model.eval();
        try
        {
            using (torch.no_grad())
                return score.Measure();
        }
        finally
        {
            model.train();
        }
    }

    private double LearningRateAt(int epoch, long step, long totalSteps) => _options.Schedule switch
    {
        LearningRateSchedule.ExponentialDecay => _options.LearningRate * Math.Pow(_options.DecayFactor, epoch - 1),
        LearningRateSchedule.LinearDecay => _options.LearningRate * Math.Max(1e-4, 1 - (double)step / totalSteps),
        LearningRateSchedule.Cosine => _options.LearningRate * Math.Max(1e-4, 0.5 * (1 + Math.Cos(Math.PI * step / totalSteps))),
        _ => _options.LearningRate,
    };

    private static Dictionary<string, Tensor> Snapshot(nn.Module model, Dictionary<string, Tensor>? previous)
    {
        if (previous != null)
        {
            foreach (var t in previous.Values)
                t.Dispose();
        }
        var copy = new Dictionary<string, Tensor>();
        using (torch.no_grad())
        {
            foreach (var (name, value) in model.state_dict())
                copy[name] = value.detach().clone();
        }
        return copy;
    }
}
