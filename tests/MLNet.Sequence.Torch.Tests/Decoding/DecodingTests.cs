using MLNet.Sequence.Torch.Decoding;

namespace MLNet.Sequence.Torch.Tests.Decoding;

/// <summary>Greedy search, sampling and beam search on hand-built step decoders whose best outputs are known.</summary>
public class DecodingTests
{
    private const long A = 4, B = 5;

    // From the start: A 0.6, B 0.4. After A: end 0.4, A 0.3, B 0.3. After B: end 0.9, A 0.05, B 0.05.
    // Greedy takes A then end (0.24); the best output is B then end (0.36).
    private static double[] GreedyTrap(int sentence, IReadOnlyList<long> output) => output.Count switch
    {
        0 => TableDecoder.Distribution(0, 0.6, 0.4),
        1 when output[0] == A => TableDecoder.Distribution(0.4, 0.3, 0.3),
        1 => TableDecoder.Distribution(0.9, 0.05, 0.05),
        _ => TableDecoder.Distribution(1, 0, 0),
    };

    private static DecodingOptions Beam(int size, LengthPenalty penalty = LengthPenalty.None, double alpha = 0, int nBest = 1) =>
        new() { Strategy = DecodingStrategy.BeamSearch, BeamSize = size, LengthPenalty = penalty, Alpha = alpha, NBest = nBest };

    [Fact]
    public void BeamSearchFindsTheBestSequenceThatGreedyMisses()
    {
        using var greedyDecoder = new TableDecoder(1, GreedyTrap);
        var greedy = GreedySearch.Decode(greedyDecoder, [2L], new DecodingOptions())[0];
        Assert.Equal([A], greedy.Tokens);
        Assert.Equal(Math.Log(0.24), greedy.LogProbability, 5);
        Assert.True(greedy.Ended);

        using var beamDecoder = new TableDecoder(1, GreedyTrap);
        var beam = BeamSearch.Decode(beamDecoder, [2L], Beam(2))[0][0];
        Assert.Equal([B], beam.Tokens);
        Assert.Equal(Math.Log(0.36), beam.LogProbability, 5);
        Assert.Equal(beam.LogProbability, beam.Score);
    }

    [Fact]
    public void EarlyEndsOfAConfidentModelDoNotCutTheBestHypothesisShort()
    {
        // "A A A" then end is nearly certain; an early end is the second likeliest candidate at every step. Stopping
        // once B hypotheses have finished (fairseq's rule) would return one of those early ends.
        static double[] Confident(int s, IReadOnlyList<long> o) => o.Count < 3
            ? TableDecoder.Distribution(1e-4, 1 - 1e-4 - 2e-6, 1e-6, 1e-6)
            : TableDecoder.Distribution(1 - 2e-6, 1e-6, 1e-6, 0);
        using var decoder = new TableDecoder(1, Confident);
        var list = BeamSearch.Decode(decoder, [2L], Beam(3, LengthPenalty.Average, 0.7, nBest: 3))[0];
        Assert.Equal([A, A, A], list[0].Tokens);
        Assert.True(list[0].Ended);
        Assert.Equal(3, list.Count);
    }

    [Fact]
    public void BeamOfOneIsGreedyOnRandomModels()
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var table = RandomModel(seed, words: 6);
            using var greedyDecoder = new TableDecoder(8, table);
            var greedy = GreedySearch.Decode(greedyDecoder, Enumerable.Repeat(2L, 8).ToList(), new DecodingOptions { MaximumLength = 12 });
            using var beamDecoder = new TableDecoder(8, table);
            var beam = BeamSearch.Decode(beamDecoder, Enumerable.Repeat(2L, 8).ToList(), With(Beam(1, LengthPenalty.Average, 0.7), maximumLength: 12));
            for (int s = 0; s < 8; s++)
            {
                Assert.Equal(greedy[s].Tokens, beam[s][0].Tokens);
                Assert.Equal(greedy[s].LogProbability, beam[s][0].LogProbability, tolerance: 1e-4); // not rounding to 4 places: two values 5e-7 apart can round apart
                Assert.Equal(greedy[s].Ended, beam[s][0].Ended);
            }
        }
    }

    [Fact]
    public void BatchedDecodingEqualsOneSentenceAtATime()
    {
        var table = RandomModel(11, words: 8);
        var options = With(Beam(4, LengthPenalty.Gnmt, 0.6, nBest: 3), maximumLength: 10);
        using var batched = new TableDecoder(6, table);
        var together = BeamSearch.Decode(batched, Enumerable.Repeat(2L, 6).ToList(), options);
        for (int s = 0; s < 6; s++)
        {
            // A one-sentence decoder for sentence s: the table is keyed by sentence.
            using var alone = new TableDecoder(1, (_, output) => table(s, output));
            var one = BeamSearch.Decode(alone, [2L], options)[0];
            Assert.Equal(one.Count, together[s].Count);
            for (int h = 0; h < one.Count; h++)
            {
                Assert.Equal(one[h].Tokens, together[s][h].Tokens);
                Assert.Equal(one[h].Score, together[s][h].Score, 6);
            }
        }
        // Sentences that finish leave the batch: later steps run fewer rows than the first.
        Assert.True(batched.RowsPerStep[^1] < batched.RowsPerStep[0]);
    }

    [Fact]
    public void NBestListIsSortedScoredAndHonest()
    {
        var table = RandomModel(3, words: 5);
        using var decoder = new TableDecoder(1, table);
        var options = With(Beam(5, LengthPenalty.Average, 1.0, nBest: 5), maximumLength: 8);
        var list = BeamSearch.Decode(decoder, [2L], options)[0];
        Assert.Equal(5, list.Count);
        for (int i = 1; i < list.Count; i++)
            Assert.True(list[i - 1].Score >= list[i].Score);
        Assert.Equal(list.Count, list.Select(h => string.Join(',', h.Tokens)).Distinct().Count());
        using var reference = new TableDecoder(1, table);
        foreach (var h in list)
        {
            Assert.Equal(reference.LogProbability(0, h.Tokens), h.LogProbability, 4);
            Assert.Equal(h.LogProbability / h.PenaltyLength, h.Score, 6);
        }
    }

    [Fact]
    public void LengthPenaltyFormulasOnHandCases()
    {
        Assert.Equal(-6 / Math.Sqrt(3), LengthNormalization.Score(-6, 3, LengthPenalty.Average, 0.5), 12);
        Assert.Equal(-2.0, LengthNormalization.Score(-6, 3, LengthPenalty.Average, 1), 12);
        Assert.Equal(-6 / Math.Pow(8.0 / 6, 0.7), LengthNormalization.Score(-6, 3, LengthPenalty.Gnmt, 0.7), 12);
        Assert.Equal(-6.0, LengthNormalization.Score(-6, 1, LengthPenalty.Gnmt, 2), 12); // ((5 + 1) / 6)^a = 1
        Assert.Equal(-6.0, LengthNormalization.Score(-6, 9, LengthPenalty.Average, 0), 12);
        Assert.Equal(-6.0, LengthNormalization.Score(-6, 9, LengthPenalty.None, 0.7), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthNormalization.Score(-1, 0, LengthPenalty.Average, 1));
    }

    [Fact]
    public void LengthNormalisationChangesWhichHypothesisWins()
    {
        // Ending at once: log 0.5 over 1 step. "A" then end: log 0.45 over 2 steps, better per step.
        static double[] Table(int s, IReadOnlyList<long> o) => o.Count == 0
            ? TableDecoder.Distribution(0.5, 0.5, 0)
            : TableDecoder.Distribution(0.9, 0.1, 0);
        using var raw = new TableDecoder(1, Table);
        Assert.Empty(BeamSearch.Decode(raw, [2L], Beam(3))[0][0].Tokens);
        using var normalised = new TableDecoder(1, Table);
        var best = BeamSearch.Decode(normalised, [2L], Beam(3, LengthPenalty.Average, 1.0))[0][0];
        Assert.Equal([A], best.Tokens);
        Assert.Equal(Math.Log(0.45) / 2, best.Score, 5);
    }

    [Fact]
    public void LengthBoundsHoldAbsoluteAndAsRatios()
    {
        // A model that never stops by itself (end has probability 0), and one that always wants to.
        static double[] Talker(int s, IReadOnlyList<long> o) => TableDecoder.Distribution(0, 1, 0);
        static double[] Quiet(int s, IReadOnlyList<long> o) => TableDecoder.Distribution(0.99, 0.01, 0);
        foreach (var strategy in new[] { DecodingStrategy.Greedy, DecodingStrategy.BeamSearch })
        {
            var options = new DecodingOptions { Strategy = strategy, BeamSize = 3, MaximumLength = 7 };
            var stopped = Decode(new TableDecoder(1, Talker), options, null)[0];
            Assert.Equal(7, stopped.Tokens.Count);
            Assert.False(stopped.Ended);

            options.MaximumLengthRatio = 1.5;
            var byRatio = Decode(new TableDecoder(2, Talker), options, [2, 10]);
            Assert.Equal(3, byRatio[0].Tokens.Count); // ceil(1.5 x 2)
            Assert.Equal(7, byRatio[1].Tokens.Count); // the absolute bound is lower than 15

            var atLeast = Decode(new TableDecoder(2, Quiet), new DecodingOptions { Strategy = strategy, BeamSize = 3, MinimumLength = 2, MinimumLengthRatio = 0.5 }, [2, 10]);
            Assert.Equal(2, atLeast[0].Tokens.Count);
            Assert.Equal(5, atLeast[1].Tokens.Count); // floor(0.5 x 10)
            Assert.True(atLeast[1].Ended);
        }
    }

    [Fact]
    public void RepeatedNgramsAreBlocked()
    {
        // The model loves "A B A B ..."; with bigrams blocked no bigram may appear twice.
        static double[] Table(int s, IReadOnlyList<long> o) => o.Count > 0 && o[^1] == A
            ? TableDecoder.Distribution(0.01, 0.01, 0.9, 0.08)
            : TableDecoder.Distribution(0.01, 0.9, 0.01, 0.08);
        foreach (var strategy in new[] { DecodingStrategy.Greedy, DecodingStrategy.BeamSearch })
        {
            var free = Decode(new TableDecoder(1, Table), new DecodingOptions { Strategy = strategy, BeamSize = 2, MaximumLength = 12 }, null)[0];
            Assert.Equal(12, free.Tokens.Count);
            var blocked = Decode(new TableDecoder(1, Table), new DecodingOptions { Strategy = strategy, BeamSize = 2, MaximumLength = 12, BlockRepeatedNgrams = 2 }, null)[0];
            var bigrams = blocked.Tokens.Zip(blocked.Tokens.Skip(1), (x, y) => (x, y)).ToList();
            Assert.Equal(bigrams.Count, bigrams.Distinct().Count());
            Assert.True(blocked.Tokens.Count >= 3);
        }
    }

    [Fact]
    public void AttentionIsKeptForTheChosenPath()
    {
        using var decoder = new TableDecoder(1, GreedyTrap, sourceWidth: 4);
        var best = BeamSearch.Decode(decoder, [2L], With(Beam(2), keepAttention: true))[0][0];
        Assert.NotNull(best.Attention);
        Assert.Equal(best.Tokens.Count + 1, best.Attention!.Count);
        // Step t of the table attends to position t.
        for (int t = 0; t < best.Attention.Count; t++)
            Assert.Equal(t % 4, Array.IndexOf(best.Attention[t], 1f));

        using var greedyDecoder = new TableDecoder(1, GreedyTrap, sourceWidth: 4);
        var greedy = GreedySearch.Decode(greedyDecoder, [2L], new DecodingOptions { KeepAttention = true })[0];
        Assert.Equal(2, greedy.Attention!.Count);
    }

    [Fact]
    public void SamplingIsSeededAndItsFiltersNarrowTheDraw()
    {
        var table = RandomModel(5, words: 12);
        var sampling = new DecodingOptions { Strategy = DecodingStrategy.Sampling, Seed = 42, MaximumLength = 15 };
        var first = Decode(new TableDecoder(4, table), sampling, null);
        var again = Decode(new TableDecoder(4, table), sampling, null);
        Assert.Equal(first.Select(h => h.Tokens), again.Select(h => h.Tokens));
        var greedy = Decode(new TableDecoder(4, table), new DecodingOptions { MaximumLength = 15 }, null);
        // Top-1 and a tiny nucleus leave only the most probable token: greedy.
        foreach (var narrow in new[] { new DecodingOptions { Strategy = DecodingStrategy.Sampling, TopK = 1, MaximumLength = 15 },
                     new DecodingOptions { Strategy = DecodingStrategy.Sampling, TopP = 1e-6, MaximumLength = 15 } })
            Assert.Equal(greedy.Select(h => h.Tokens), Decode(new TableDecoder(4, table), narrow, null).Select(h => h.Tokens));
        // Sampled log-probabilities are the model's, not the tempered ones.
        var hot = Decode(new TableDecoder(1, table), new DecodingOptions { Strategy = DecodingStrategy.Sampling, Temperature = 3, Seed = 1, MaximumLength = 15 }, null)[0];
        Assert.Equal(new TableDecoder(1, table).LogProbability(0, hot.Tokens, withEnd: hot.Ended), hot.LogProbability, 4);
    }

    [Fact]
    public void TopKAndTopPSamplesStayInsideTheirSets()
    {
        // Probabilities 0.5, 0.3, 0.15, 0.05 over A..D (no end at the first step).
        static double[] Table(int s, IReadOnlyList<long> o) => o.Count == 0
            ? TableDecoder.Distribution(0, 0.5, 0.3, 0.15, 0.05)
            : TableDecoder.Distribution(1, 0, 0, 0, 0);
        var topK = new HashSet<long>();
        var topP = new HashSet<long>();
        for (int seed = 0; seed < 200; seed++)
        {
            topK.Add(Decode(new TableDecoder(1, Table), new DecodingOptions { Strategy = DecodingStrategy.Sampling, TopK = 2, Seed = seed }, null)[0].Tokens[0]);
            topP.Add(Decode(new TableDecoder(1, Table), new DecodingOptions { Strategy = DecodingStrategy.Sampling, TopP = 0.9, Seed = seed }, null)[0].Tokens[0]);
        }
        Assert.Equal(new HashSet<long> { A, B }, topK);
        Assert.Equal(new HashSet<long> { A, B, 6 }, topP); // 0.5 + 0.3 < 0.9, so the third joins; the fourth never
    }

    [Theory]
    [InlineData("BeamSize", 0, double.NaN)]
    [InlineData("Alpha", 5, -0.5)]
    [InlineData("Alpha", 5, double.NaN)]
    [InlineData("Temperature", 5, double.NaN)]
    public void BadOptionsAreNamed(string name, int beam, double value)
    {
        var options = new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = beam };
        if (name == "Alpha")
            options.Alpha = value;
        if (name == "Temperature")
            options.Temperature = value;
        var error = Assert.ThrowsAny<ArgumentException>(() => BeamSearch.Decode(new TableDecoder(1, GreedyTrap), [2L], options));
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void AnNBestListNeedsABeam()
    {
        Assert.Contains("NBest", Assert.ThrowsAny<ArgumentException>(() => GreedySearch.Decode(new TableDecoder(1, GreedyTrap), [2L], new DecodingOptions { NBest = 2 })).Message);
        Assert.Contains("NBest", Assert.ThrowsAny<ArgumentException>(() => BeamSearch.Decode(new TableDecoder(1, GreedyTrap), [2L], Beam(2, nBest: 3))).Message);
        Assert.Contains("2 rows but 1 first tokens", Assert.Throws<ArgumentException>(() => GreedySearch.Decode(new TableDecoder(2, GreedyTrap), [2L], new DecodingOptions())).Message);
    }

    private static IReadOnlyList<Hypothesis> Decode(TableDecoder decoder, DecodingOptions options, int[]? sourceLengths)
    {
        using (decoder)
        {
            var first = Enumerable.Repeat(2L, (int)decoder.Rows).ToList();
            return options.Strategy == DecodingStrategy.BeamSearch
                ? BeamSearch.Decode(decoder, first, options, sourceLengths).Select(l => l[0]).ToList()
                : GreedySearch.Decode(decoder, first, options, sourceLengths);
        }
    }

    private static DecodingOptions With(DecodingOptions o, int? maximumLength = null, bool keepAttention = false)
    {
        if (maximumLength is int m)
            o.MaximumLength = m;
        o.KeepAttention = keepAttention;
        return o;
    }

    /// <summary>A random but fixed next-token distribution for every (sentence, output), with end more likely as outputs grow.</summary>
    private static Func<int, IReadOnlyList<long>, double[]> RandomModel(int seed, int words) => (sentence, output) =>
    {
        var hash = new HashCode();
        hash.Add(seed);
        hash.Add(sentence);
        foreach (var t in output)
            hash.Add(t);
        var rng = new Random(hash.ToHashCode() & 0x7fffffff);
        var weights = Enumerable.Range(0, words).Select(_ => Math.Pow(rng.NextDouble(), 3)).ToArray();
        double end = 0.05 + 0.08 * output.Count;
        double sum = weights.Sum() + end;
        return TableDecoder.Distribution(end / sum, weights.Select(w => w / sum).ToArray());
    };
}
