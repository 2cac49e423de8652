using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Decoding;

/// <summary>
/// One token per row and step: the most probable one (greedy), or one drawn from the model's distribution with
/// temperature, top-k and top-p (sampling). All rows run in one batch; a finished row leaves it.
/// </summary>
public static class GreedySearch
{
    /// <summary>
    /// Decodes every row of <paramref name="decoder"/>, each starting from its <paramref name="firstTokens"/> entry.
    /// Returns one hypothesis per row.
    /// </summary>
    /// <param name="decoder">The model, holding one row per sentence.</param>
    /// <param name="firstTokens">Each row's first input (the start token, or a prompt's last token).</param>
    /// <param name="options">Greedy or sampling, lengths, blocking.</param>
    /// <param name="sourceLengths">Each row's source length, for the length ratios; null: none.</param>
    public static Hypothesis[] Decode(IStepDecoder decoder, IReadOnlyList<long> firstTokens, DecodingOptions options, IReadOnlyList<int>? sourceLengths = null)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(firstTokens);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(null);
        if (firstTokens.Count != decoder.Rows)
            throw new ArgumentException($"The decoder holds {decoder.Rows} rows but {firstTokens.Count} first tokens were given.", nameof(firstTokens));
        if (sourceLengths != null && sourceLengths.Count != firstTokens.Count)
            throw new ArgumentException($"{sourceLengths.Count} source lengths were given for {firstTokens.Count} rows.", nameof(sourceLengths));

        int n = firstTokens.Count;
        var results = new Hypothesis[n];
        var histories = Enumerable.Range(0, n).Select(_ => new List<long>()).ToList();
        var attention = options.KeepAttention ? Enumerable.Range(0, n).Select(_ => new List<float[]>()).ToList() : null;
        var logProbability = new double[n];
        var minimum = Enumerable.Range(0, n).Select(i => options.MinimumLengthFor(sourceLengths?[i])).ToArray();
        var maximum = Enumerable.Range(0, n).Select(i => options.MaximumLengthFor(sourceLengths?[i])).ToArray();
        // active[r]: the sentence in decoder row r.
        var active = Enumerable.Range(0, n).ToList();
        var last = firstTokens.ToArray();
        bool sampling = options.Strategy == DecodingStrategy.Sampling;
        using var generator = sampling ? new Generator((ulong)options.Seed, CPU) : null;
        using var constraints = new StepConstraints(decoder, options.BlockRepeatedNgrams, CPU);
        using var noGrad = no_grad();

        while (active.Count > 0)
        {
            using var scope = NewDisposeScope();
            var logp = decoder.Step(tensor(last, device: decoder.Device)).to(float32);
            var cpuLogp = logp.device_type == DeviceType.CPU ? logp : logp.cpu();
            var stuck = constraints.Apply(cpuLogp, active.Select(s => histories[s]).ToList(), active.Select(s => minimum[s]).ToList(), active.Select(s => maximum[s]).ToList());
            var chosen = sampling ? Sample(cpuLogp, options, generator!) : cpuLogp.argmax(1);
            var chosenIds = chosen.data<long>().ToArray();
            var chosenLogp = cpuLogp.gather(1, chosen.unsqueeze(1)).squeeze(1).data<float>().ToArray();
            float[]? weights = attention != null && decoder.LastAttention is Tensor a ? a.to(float32).cpu().data<float>().ToArray() : null;
            long sourceWidth = decoder.LastAttention?.shape[1] ?? 0;

            var keep = new List<long>();
            var next = new List<long>();
            for (int r = 0; r < active.Count; r++)
            {
                int s = active[r];
                long token = chosenIds[r];
                logProbability[s] += chosenLogp[r];
                if (weights != null)
                    attention![s].Add(weights.AsSpan((int)(r * sourceWidth), (int)sourceWidth).ToArray());
                if (token == decoder.EndToken)
                {
                    bool ended = histories[s].Count < maximum[s] && !stuck[r];
                    results[s] = new Hypothesis(histories[s].ToArray(), logProbability[s],
                        LengthNormalization.Score(logProbability[s], histories[s].Count + 1, options.LengthPenalty, options.Alpha),
                        ended, attention?[s].ToArray());
                }
                else
                {
                    histories[s].Add(token);
                    keep.Add(r);
                    next.Add(token);
                }
            }
            if (keep.Count < active.Count && keep.Count > 0)
                decoder.Select(tensor(keep.ToArray(), device: decoder.Device));
            active = keep.Select(r => active[(int)r]).ToList();
            last = next.ToArray();
        }
        return results;
    }

    /// <summary>
    /// Draws one token per row from softmax(logp / T), after keeping only the top-k tokens and the top-p nucleus.
    /// Banned tokens are already -infinity and are never drawn.
    /// </summary>
    internal static Tensor Sample(Tensor logp, DecodingOptions options, Generator generator)
    {
        var scaled = logp / options.Temperature;
        long vocabulary = scaled.shape[1];
        if (options.TopK > 0 && options.TopK < vocabulary)
        {
            var kth = scaled.topk(options.TopK, 1).values[.., (options.TopK - 1)..options.TopK];
            scaled = scaled.masked_fill(scaled.lt(kth), float.NegativeInfinity);
        }
        if (options.TopP < 1)
        {
            var (sorted, order) = scaled.sort(1, descending: true);
            var probabilities = sorted.softmax(1);
            // A token is outside the nucleus when the tokens before it already reach p; the first always stays.
            var before = probabilities.cumsum(1) - probabilities;
            var outside = before.ge(options.TopP);
            var mask = zeros_like(outside).scatter_(1, order, outside);
            scaled = scaled.masked_fill(mask, float.NegativeInfinity);
        }
        return scaled.softmax(1).multinomial(1, generator: generator).squeeze(1);
    }
}
