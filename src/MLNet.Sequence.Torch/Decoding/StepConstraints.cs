using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Decoding;

/// <summary>
/// What every search forbids at a step, applied to the log-probabilities in place: tokens never emitted, the end
/// token before a row's minimum length, anything but the end token at its maximum length, and the tokens that
/// would repeat an n-gram of the row's output.
/// </summary>
internal sealed class StepConstraints : IDisposable
{
    private readonly IStepDecoder _decoder;
    private readonly int _blockNgrams;
    private readonly Tensor? _neverEmitted;

    public StepConstraints(IStepDecoder decoder, int blockNgrams, Device device)
    {
        _decoder = decoder;
        _blockNgrams = blockNgrams;
        if (decoder.NeverEmitted.Count > 0)
            _neverEmitted = tensor(decoder.NeverEmitted.ToArray(), device: device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Applies the constraints to <paramref name="logProbabilities"/> [rows, vocabulary] for rows whose outputs so
    /// far are <paramref name="histories"/> (each history's length is the step), with their length bounds.
    /// Returns the rows left with no allowed token, which are given the end token (log-probability 0) to stop.
    /// </summary>
    public bool[] Apply(Tensor logProbabilities, IReadOnlyList<List<long>> histories, IReadOnlyList<int> minimumLengths, IReadOnlyList<int> maximumLengths)
    {
        if (_neverEmitted is not null)
            logProbabilities.index_fill_(1, _neverEmitted, float.NegativeInfinity);
        long end = _decoder.EndToken;
        int rows = histories.Count;
        var forced = new bool[rows];
        var tooShort = new bool[rows];
        bool anyForced = false, anyShort = false;
        for (int r = 0; r < rows; r++)
        {
            int length = histories[r].Count;
            forced[r] = length >= maximumLengths[r];
            tooShort[r] = length < minimumLengths[r];
            anyForced |= forced[r];
            anyShort |= tooShort[r];
        }
        var device = logProbabilities.device;
        if (anyForced)
        {
            using var endColumn = logProbabilities[.., end].clone();
            using var mask = tensor(forced, device: device).unsqueeze(1);
            logProbabilities.masked_fill_(mask, float.NegativeInfinity);
            logProbabilities[.., end].copy_(endColumn);
        }
        if (anyShort)
        {
            using var mask = tensor(tooShort, device: device);
            logProbabilities[.., end].masked_fill_(mask, float.NegativeInfinity);
        }
        if (_blockNgrams > 0)
            BlockRepeats(logProbabilities, histories);

        var stuck = new bool[rows];
        using var best = logProbabilities.max(1).values;
        using var none = best.isneginf();
        if (none.any().item<bool>())
        {
            stuck = none.cpu().data<bool>().ToArray();
            logProbabilities[.., end].masked_fill_(none, 0);
        }
        return stuck;
    }

    public void Dispose() => _neverEmitted?.Dispose();

    // A token is banned when it would end an n-gram the row has already produced.
    private void BlockRepeats(Tensor logProbabilities, IReadOnlyList<List<long>> histories)
    {
        int n = _blockNgrams;
        var rows = new List<long>();
        var tokens = new List<long>();
        for (int r = 0; r < histories.Count; r++)
        {
            var h = histories[r];
            int prefixStart = h.Count - (n - 1);
            if (prefixStart < 0)
                continue;
            for (int i = 0; i + n - 1 < h.Count; i++)
            {
                bool same = true;
                for (int j = 0; j < n - 1 && same; j++)
                    same = h[i + j] == h[prefixStart + j];
                if (same)
                {
                    rows.Add(r);
                    tokens.Add(h[i + n - 1]);
                }
            }
        }
        if (rows.Count == 0)
            return;
        var device = logProbabilities.device;
        using var rowIndex = tensor(rows.ToArray(), device: device);
        using var tokenIndex = tensor(tokens.ToArray(), device: device);
        logProbabilities.index_put_(float.NegativeInfinity, rowIndex, tokenIndex);
    }
}
