using MLNet.Sequence.Embeddings.Training;

namespace MLNet.Sequence.Embeddings.Tests;

/// <summary>The pieces of Word2Vec training on cases small enough to check by hand.</summary>
public class TrainingMathTests
{
    [Fact]
    public void HuffmanCodesMatchHandBuiltTree()
    {
        // Counts 4,2,1,1: merge (1,1)->2, then (2,2)->4, then (4,4)->8; word2vec.c marks the second pick of each merge with 1.
        var tree = new HuffmanTree(new long[] { 4, 2, 1, 1 });
        Assert.Equal(3, tree.InnerNodeCount);
        Assert.Equal(new byte[] { 1 }, tree.GetCode(0).ToArray());
        Assert.Equal(new[] { 2 }, tree.GetPoints(0).ToArray());
        Assert.Equal(new byte[] { 0, 1 }, tree.GetCode(1).ToArray());
        Assert.Equal(new[] { 2, 1 }, tree.GetPoints(1).ToArray());
        Assert.Equal(new byte[] { 0, 0, 1 }, tree.GetCode(2).ToArray());
        Assert.Equal(new[] { 2, 1, 0 }, tree.GetPoints(2).ToArray());
        Assert.Equal(new byte[] { 0, 0, 0 }, tree.GetCode(3).ToArray());
        Assert.Equal(new[] { 2, 1, 0 }, tree.GetPoints(3).ToArray());
    }

    [Fact]
    public void HuffmanCodesArePrefixFreeAndFrequentWordsAreShorter()
    {
        var counts = Enumerable.Range(1, 200).Select(i => (long)(100_000 / i)).ToArray();
        var tree = new HuffmanTree(counts);
        var codes = Enumerable.Range(0, counts.Length).Select(w => string.Concat(tree.GetCode(w).ToArray().Select(b => (char)('0' + b)))).ToArray();
        Assert.Equal(codes.Length, codes.Distinct().Count());
        for (int a = 0; a < codes.Length; a++)
        {
            for (int b = 0; b < codes.Length; b++)
                Assert.False(a != b && codes[b].StartsWith(codes[a], StringComparison.Ordinal), $"code of {a} is a prefix of code of {b}");
        }
        Assert.True(codes[0].Length < codes[^1].Length);
        // Kraft equality for a full binary tree.
        Assert.Equal(1.0, codes.Sum(c => Math.Pow(2, -c.Length)), 10);
        // Every path starts at the root, which is inner node V-2.
        Assert.All(Enumerable.Range(0, counts.Length), w => Assert.Equal(counts.Length - 2, tree.GetPoints(w)[0]));
    }

    [Fact]
    public void HuffmanTreeRejectsUnsortedCountsAndSingleWord()
    {
        Assert.Throws<ArgumentException>(() => new HuffmanTree(new long[] { 1, 5 }));
        Assert.Throws<ArgumentException>(() => new HuffmanTree(new long[] { 5 }));
    }

    [Fact]
    public void NegativeSamplerDrawsFromUnigramToThePowerThreeQuarters()
    {
        long[] counts = { 1000, 100, 10, 1 };
        var sampler = new NegativeSampler(counts, 0.75);
        double[] expected = counts.Select(c => Math.Pow(c, 0.75)).ToArray();
        double total = expected.Sum();
        for (int i = 0; i < counts.Length; i++)
            Assert.Equal(expected[i] / total, sampler.Probabilities[i], 12);

        var rng = new FastRandom(42);
        var hits = new int[counts.Length];
        const int draws = 2_000_000;
        for (int i = 0; i < draws; i++)
            hits[sampler.Sample(rng.Next())]++;
        for (int i = 0; i < counts.Length; i++)
        {
            double p = expected[i] / total;
            double sd = Math.Sqrt(p * (1 - p) / draws);
            Assert.InRange((double)hits[i] / draws, p - 5 * sd, p + 5 * sd);
        }
    }

    [Fact]
    public void SubSamplingKeepsRareWordsAndThinsFrequentOnes()
    {
        // t = 1e-3, N = 1,000,000: threshold t*N = 1000. A word seen 10,000 times is kept with
        // probability (sqrt(10) + 1) * 1000 / 10000 = 0.41623; one seen 500 times always.
        var keep = SubSampling.KeepProbabilities(new long[] { 10_000, 500 }, 1_000_000, 1e-3);
        Assert.Equal((Math.Sqrt(10) + 1) / 10, keep[0], 5);
        Assert.Equal(1f, keep[1]);
        Assert.All(SubSampling.KeepProbabilities(new long[] { 10_000, 500 }, 1_000_000, 0), k => Assert.Equal(1f, k));
    }

    [Fact]
    public void SigmoidTableIsAccurateAndSaturates()
    {
        for (float x = -5.99f; x < 6f; x += 0.0137f)
            Assert.InRange(SigmoidTable.Sigmoid(x) - 1 / (1 + Math.Exp(-x)), -1e-3, 1e-3);
        Assert.Equal(1f, SigmoidTable.Sigmoid(7f));
        Assert.Equal(0f, SigmoidTable.Sigmoid(-7f));
    }

    [Fact]
    public void TableLookupsHoldAtEveryFloatNextToTheEdges()
    {
        // 5.9999995f once rounded to one bin past the table and crashed a training thread (CI, stop 8).
        for (float x = 5.999f; x < 6f; x = MathF.BitIncrement(x))
        {
            Assert.InRange(SigmoidTable.Sigmoid(x), 0.997f, 1f);
            Assert.InRange(SigmoidTable.Sigmoid(-x), 0f, 0.003f);
            Assert.Equal(Math.Log(1 + Math.Exp(-x)), SigmoidTable.NegativeLogSigmoid(x), 2e-3);
            Assert.Equal(Math.Log(1 + Math.Exp(x)), SigmoidTable.NegativeLogSigmoid(-x), 2e-3);
        }
    }

    [Fact]
    public void NegativeSamplingStepMatchesHandComputation()
    {
        // f = 0.1*0.3 + 0.2*(-0.1) = 0.01; g = (1 - sigmoid(0.01)) * 0.5 = 0.248750...
        float[] input = { 0.1f, 0.2f };
        float[] output = { 0.3f, -0.1f };
        float[] grad = { 0f, 0f };
        NegativeSampling.Step(input, output, label: 1f, alpha: 0.5f, grad);
        double g = (1 - 1 / (1 + Math.Exp(-0.01))) * 0.5;
        const double tol = 2e-4; // the sigmoid comes from a table
        Assert.Equal(g * 0.3, grad[0], tol);
        Assert.Equal(g * -0.1, grad[1], tol);
        Assert.Equal(0.3 + g * 0.1, output[0], tol);
        Assert.Equal(-0.1 + g * 0.2, output[1], tol);

        // A negative example (label 0) pushes the output away from the input.
        float[] out2 = { 0.3f, -0.1f };
        float[] grad2 = { 0f, 0f };
        NegativeSampling.Step(input, out2, label: 0f, alpha: 0.5f, grad2);
        double g0 = -1 / (1 + Math.Exp(-0.01)) * 0.5;
        Assert.Equal(0.3 + g0 * 0.1, out2[0], tol);
        Assert.Equal(g0 * 0.3, grad2[0], tol);
    }

    [Fact]
    public void HierarchicalSoftmaxStepMatchesHandComputationAndSkipsSaturatedNodes()
    {
        float[] input = { 0.5f, -0.5f };
        float[] node = { 0.2f, 0.4f };
        float[] grad = new float[2];
        // f = 0.1 - 0.2 = -0.1; code 1 => g = (1 - 1 - sigmoid(-0.1)) * 0.1
        HierarchicalSoftmax.Step(input, node, code: 1, alpha: 0.1f, grad);
        double g = -1 / (1 + Math.Exp(0.1)) * 0.1;
        Assert.Equal(g * 0.2, grad[0], 2e-4);
        Assert.Equal(0.4 + g * -0.5, node[1], 2e-4);

        float[] far = { 10f, -10f };
        float[] grad2 = new float[2];
        HierarchicalSoftmax.Step(input, far, code: 0, alpha: 0.1f, grad2);
        Assert.Equal(new[] { 10f, -10f }, far);
        Assert.Equal(new[] { 0f, 0f }, grad2);
    }
}

public class LossTests
{
    [Fact]
    public void NegativeLogSigmoidIsAccurateInsideAndOutsideTheTable()
    {
        foreach (float x in new[] { -20f, -6.5f, -3f, -0.01f, 0f, 0.7f, 5.99f, 6f, 30f })
            Assert.Equal(Math.Log(1 + Math.Exp(-x)), SigmoidTable.NegativeLogSigmoid(x), 2e-3);
    }

    [Fact]
    public void StepsReturnTheLossOfTheirDecisionBeforeTheUpdate()
    {
        float[] input = { 0.1f, 0.2f };
        float[] output = { 0.3f, -0.1f };
        // f = 0.01: the true word costs -log σ(0.01), a negative costs -log σ(-0.01).
        Assert.Equal(Math.Log(1 + Math.Exp(-0.01)), NegativeSampling.Step(input, (float[])output.Clone(), 1f, 0.1f, new float[2]), 2e-3);
        Assert.Equal(Math.Log(1 + Math.Exp(0.01)), NegativeSampling.Step(input, (float[])output.Clone(), 0f, 0.1f, new float[2]), 2e-3);
        Assert.Equal(Math.Log(1 + Math.Exp(0.01)), HierarchicalSoftmax.Step(input, (float[])output.Clone(), 1, 0.1f, new float[2]), 2e-3);
    }
}
