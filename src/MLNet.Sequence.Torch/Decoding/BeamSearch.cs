using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Decoding;

/// <summary>
/// Beam search over every sentence of a batch at once: the decoder holds sentences × B rows, one batched step
/// scores them all, and the B best extensions of each sentence (by total log-probability) survive. A hypothesis
/// that chooses the end token among a sentence's B best candidates is finished and scored with the length
/// penalty. A sentence stops when its best candidate is the end token and n-best hypotheses have finished
/// (OpenNMT's rule: stopping once B have finished, as fairseq does, lets a confident model's early ends fill the
/// list before the best hypothesis ends), and its rows leave the batch. The n best finished hypotheses are
/// returned, best first.
/// </summary>
public static class BeamSearch
{
    /// <summary>Decodes every row of <paramref name="decoder"/> (one per sentence), each starting from its <paramref name="firstTokens"/> entry.</summary>
    /// <param name="decoder">The model, holding one row per sentence; it is expanded to B rows per sentence.</param>
    /// <param name="firstTokens">Each sentence's first input (the start token, or a prompt's last token).</param>
    /// <param name="options">Beam size, length penalty, n-best, lengths, blocking.</param>
    /// <param name="sourceLengths">Each sentence's source length, for the length ratios; null: none.</param>
    public static IReadOnlyList<Hypothesis>[] Decode(IStepDecoder decoder, IReadOnlyList<long> firstTokens, DecodingOptions options, IReadOnlyList<int>? sourceLengths = null)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(firstTokens);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(null);
        if (firstTokens.Count != decoder.Rows)
            throw new ArgumentException($"The decoder holds {decoder.Rows} rows but {firstTokens.Count} first tokens were given.", nameof(firstTokens));
        if (sourceLengths != null && sourceLengths.Count != firstTokens.Count)
            throw new ArgumentException($"{sourceLengths.Count} source lengths were given for {firstTokens.Count} rows.", nameof(sourceLengths));

        int n = firstTokens.Count, k = options.BeamSize;
        var finished = Enumerable.Range(0, n).Select(_ => new List<Hypothesis>()).ToArray();
        var minimum = Enumerable.Range(0, n).Select(i => options.MinimumLengthFor(sourceLengths?[i])).ToArray();
        var maximum = Enumerable.Range(0, n).Select(i => options.MaximumLengthFor(sourceLengths?[i])).ToArray();
        using var constraints = new StepConstraints(decoder, options.BlockRepeatedNgrams, CPU);
        using var noGrad = no_grad();

        // Row r of the decoder is beam r % B of sentence active[r / B]; only beam 0 starts alive.
        var active = Enumerable.Range(0, n).ToList();
        var beams = new List<Beam>(n * k);
        for (int s = 0; s < n; s++)
            for (int b = 0; b < k; b++)
                beams.Add(new Beam(new List<long>(), b == 0 ? 0.0 : double.NegativeInfinity, options.KeepAttention ? new List<float[]>() : null));
        var last = Enumerable.Range(0, n * k).Select(r => firstTokens[r / k]).ToArray();
        using (var scope = NewDisposeScope())
            decoder.Select(arange(n, dtype: int64, device: decoder.Device).repeat_interleave(k));

        while (active.Count > 0)
        {
            using var scope = NewDisposeScope();
            var logp = decoder.Step(tensor(last, device: decoder.Device)).to(float32);
            var cpuLogp = logp.device_type == TorchSharp.DeviceType.CPU ? logp : logp.cpu();
            var rowSentence = Enumerable.Range(0, beams.Count).Select(r => active[r / k]).ToList();
            var stuck = constraints.Apply(cpuLogp, beams.Select(b => b.Tokens).ToList(),
                rowSentence.Select(s => minimum[s]).ToList(), rowSentence.Select(s => maximum[s]).ToList());
            long vocabulary = cpuLogp.shape[1];
            using var totals = cpuLogp + tensor(beams.Select(b => (float)b.LogProbability).ToArray()).unsqueeze(1);
            int candidates = (int)Math.Min(2L * k, k * vocabulary);
            var (values, indices) = totals.view(active.Count, k * vocabulary).topk(candidates, 1);
            var score = values.data<float>().ToArray();
            var index = indices.data<long>().ToArray();
            float[]? weights = options.KeepAttention && decoder.LastAttention is Tensor a ? a.to(float32).cpu().data<float>().ToArray() : null;
            int sourceWidth = (int)(decoder.LastAttention?.shape[1] ?? 0);

            var nextActive = new List<int>();
            var nextBeams = new List<Beam>();
            var selection = new List<long>();
            var nextLast = new List<long>();
            for (int i = 0; i < active.Count; i++)
            {
                int s = active[i];
                var survivors = new List<(int Row, long Token, double LogProbability)>(k);
                bool bestEnds = false;
                for (int j = 0; j < candidates; j++)
                {
                    double total = score[i * candidates + j];
                    if (double.IsNegativeInfinity(total))
                        break;
                    long flat = index[i * candidates + j];
                    int row = i * k + (int)(flat / vocabulary);
                    long token = flat % vocabulary;
                    if (token == decoder.EndToken)
                    {
                        bestEnds |= j == 0;
                        // Only an end among the B best candidates finishes a hypothesis.
                        if (j < k)
                        {
                            var beam = beams[row];
                            bool ended = beam.Tokens.Count < maximum[s] && !stuck[row];
                            finished[s].Add(new Hypothesis(beam.Tokens.ToArray(), total,
                                LengthNormalization.Score(total, beam.Tokens.Count + 1, options.LengthPenalty, options.Alpha), ended,
                                beam.Attention == null ? null : [.. beam.Attention, Weights(weights, row, sourceWidth)]));
                        }
                    }
                    else if (survivors.Count < k)
                        survivors.Add((row, token, total));
                }

                if ((bestEnds && finished[s].Count >= options.NBest) || survivors.Count == 0)
                    continue;
                nextActive.Add(s);
                for (int b = 0; b < k; b++)
                {
                    // A sentence with fewer live extensions than B repeats its best one, dead (-infinity).
                    var (row, token, logProbability) = b < survivors.Count ? survivors[b] : (survivors[0].Row, survivors[0].Token, double.NegativeInfinity);
                    var parent = beams[row];
                    var tokens = new List<long>(parent.Tokens.Count + 1);
                    tokens.AddRange(parent.Tokens);
                    tokens.Add(token);
                    List<float[]>? attention = null;
                    if (parent.Attention != null)
                    {
                        attention = new List<float[]>(parent.Attention) { Weights(weights, row, sourceWidth) };
                    }
                    nextBeams.Add(new Beam(tokens, logProbability, attention));
                    selection.Add(row);
                    nextLast.Add(token);
                }
            }
            active = nextActive;
            beams = nextBeams;
            last = nextLast.ToArray();
            if (active.Count > 0)
                decoder.Select(tensor(selection.ToArray(), device: decoder.Device));
        }

        return finished.Select(list => (IReadOnlyList<Hypothesis>)list
            .OrderByDescending(h => h.Score)
            .Take(options.NBest)
            .ToArray()).ToArray();
    }

    private static float[] Weights(float[]? weights, int row, int width) =>
        weights == null ? [] : weights.AsSpan(row * width, width).ToArray();

    /// <summary>A live hypothesis: its tokens so far, their total log-probability and attention.</summary>
    private sealed record Beam(List<long> Tokens, double LogProbability, List<float[]>? Attention);
}
