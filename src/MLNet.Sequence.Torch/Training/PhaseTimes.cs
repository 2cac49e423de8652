using System.Diagnostics;

namespace MLNet.Sequence.Torch.Training;

/// <summary>
/// Where a training epoch's time goes, phase by phase (on the CPU, libtorch runs each call to its end, so the
/// clock between calls is the calls' own time). The loop reports it at the Trace level after every epoch.
/// </summary>
internal sealed class PhaseTimes
{
    public enum Phase
    {
        /// <summary>The trainer's loss: building the batch's tensors and the forward pass.</summary>
        Forward,
        Backward,
        Clipping,
        Optimizer,
        /// <summary>Reading the loss back to .NET (and the divergence check).</summary>
        ReadBack,
    }

    private readonly long[] _ticks = new long[Enum.GetValues<Phase>().Length];
    private long _last;

    /// <summary>Starts timing the next phase from now.</summary>
    public void Start() => _last = Stopwatch.GetTimestamp();

    /// <summary>Adds the time since the last mark to <paramref name="phase"/>.</summary>
    public void End(Phase phase)
    {
        long now = Stopwatch.GetTimestamp();
        _ticks[(int)phase] += now - _last;
        _last = now;
    }

    public double Seconds(Phase phase) => (double)_ticks[(int)phase] / Stopwatch.Frequency;

    /// <summary>"forward 12.3 s, backward ..., the rest x s" of an epoch that took <paramref name="epochSeconds"/>.</summary>
    public string Describe(double epochSeconds)
    {
        double phases = Enum.GetValues<Phase>().Sum(Seconds);
        return string.Join(", ", Enum.GetValues<Phase>().Select(p => FormattableString.Invariant($"{Name(p)} {Seconds(p):F2} s")))
            + FormattableString.Invariant($", the rest (batch order, freeing tensors) {Math.Max(0, epochSeconds - phases):F2} s");
    }

    private static string Name(Phase phase) => phase switch
    {
        Phase.Forward => "batches and forward",
        Phase.Backward => "backward",
        Phase.Clipping => "clipping",
        Phase.Optimizer => "optimiser step",
        _ => "loss read-back",
    };
}
