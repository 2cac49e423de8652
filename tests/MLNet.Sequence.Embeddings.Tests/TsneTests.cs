using MLNet.Sequence.Embeddings.Projection;

namespace MLNet.Sequence.Embeddings.Tests;

public class TsneTests
{
    /// <summary>Seeded Gaussian clusters: centres far apart, unit spread.</summary>
    internal static (float[] Data, int[] Labels) Clusters(int clusters, int perCluster, int dim, int seed = 1)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var centres = Enumerable.Range(0, clusters).Select(_ => Enumerable.Range(0, dim).Select(_ => 10 * Normal()).ToArray()).ToArray();
        var data = new float[clusters * perCluster * dim];
        var labels = new int[clusters * perCluster];
        for (int c = 0, i = 0; c < clusters; c++)
        {
            for (int m = 0; m < perCluster; m++, i++)
            {
                labels[i] = c;
                for (int d = 0; d < dim; d++)
                    data[i * dim + d] = (float)(centres[c][d] + Normal());
            }
        }
        return (data, labels);
    }

    private static double NeighbourAgreement(float[] map, int[] labels)
    {
        int n = labels.Length, right = 0;
        for (int i = 0; i < n; i++)
        {
            int best = -1;
            double bestD = double.MaxValue;
            for (int j = 0; j < n; j++)
            {
                if (j == i)
                    continue;
                double d = Math.Pow(map[2 * i] - map[2 * j], 2) + Math.Pow(map[2 * i + 1] - map[2 * j + 1], 2);
                if (d < bestD)
                {
                    bestD = d;
                    best = j;
                }
            }
            if (labels[best] == labels[i])
                right++;
        }
        return (double)right / n;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void SeparatesGaussianClustersAndIsTrustworthy(double theta)
    {
        var (data, labels) = Clusters(5, 40, 10);
        var result = Tsne.Fit(data, 200, 10, new TsneOptions { Perplexity = 15, Theta = theta, Iterations = 500 });
        Assert.Equal(400, result.Embedding.Length);
        Assert.All(result.Embedding, v => Assert.True(float.IsFinite(v)));
        Assert.True(NeighbourAgreement(result.Embedding, labels) > 0.97);
        double t = Tsne.Trustworthiness(data, 10, result.Embedding, 2, 200, k: 10);
        Assert.True(t > 0.9, $"trustworthiness {t}");
        Assert.InRange(result.KullbackLeibler, 0.01, 3);
    }

    [Fact]
    public void BarnesHutKlIsCloseToTheExactOne()
    {
        var (data, _) = Clusters(4, 40, 8, seed: 2);
        var options = new TsneOptions { Perplexity = 10, Iterations = 400 };
        options.Theta = 0;
        var exact = Tsne.Fit(data, 160, 8, options);
        options.Theta = 0.5;
        var bh = Tsne.Fit(data, 160, 8, options);
        Assert.True(Math.Abs(bh.KullbackLeibler - exact.KullbackLeibler) / exact.KullbackLeibler < 0.25,
            $"exact {exact.KullbackLeibler}, Barnes-Hut {bh.KullbackLeibler}");
    }

    [Fact]
    public void ConditionalAffinitiesReachThePerplexity()
    {
        var rng = new Random(4);
        var distances = new[] { Enumerable.Range(0, 50).Select(_ => rng.NextDouble() * 10).ToArray() };
        var p = Tsne.ConditionalAffinities(distances, 8)[0];
        Assert.Equal(1, p.Sum(), 9);
        double entropy = -p.Where(v => v > 0).Sum(v => v * Math.Log(v));
        Assert.Equal(Math.Log(8), entropy, 4);
    }

    [Fact]
    public void TrustworthinessIsOneForTheIdentityMap()
    {
        var (data, _) = Clusters(2, 20, 2, seed: 5);
        Assert.Equal(1, Tsne.Trustworthiness(data, 2, data, 2, 40, k: 5), 10);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var (data, _) = Clusters(2, 10, 3);
        Assert.Throws<ArgumentException>(() => Tsne.Fit(data, 21, 3));
        Assert.Contains("perplexity", Assert.Throws<ArgumentOutOfRangeException>(() => Tsne.Fit(data, 20, 3, new TsneOptions { Perplexity = 30 })).Message);
        var nan = (float[])data.Clone();
        nan[7] = float.NaN;
        Assert.Contains("Point 2", Assert.Throws<ArgumentException>(() => Tsne.Fit(nan, 20, 3, new TsneOptions { Perplexity = 3 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tsne.Fit(data, 20, 3, new TsneOptions { Perplexity = 3, Dimensions = 4 }));
        Assert.Contains("Theta", Assert.Throws<ArgumentOutOfRangeException>(() => Tsne.Fit(data, 20, 3, new TsneOptions { Perplexity = 3, Theta = double.NaN })).Message);
        Assert.Contains("Iterations", Assert.Throws<ArgumentOutOfRangeException>(() => Tsne.Fit(data, 20, 3, new TsneOptions { Perplexity = 3, Iterations = 0 })).Message);
    }
}

public class VantagePointTreeTests
{
    [Fact]
    public void FindsTheSameNeighboursAsBruteForce()
    {
        var (data, _) = TsneTests.Clusters(6, 50, 12, seed: 9);
        int n = 300, dim = 12, k = 15;
        var tree = new VantagePointTree(data, n, dim, seed: 4);
        for (int i = 0; i < n; i += 7)
        {
            var expected = Enumerable.Range(0, n).Where(j => j != i)
                .OrderBy(j => System.Numerics.Tensors.TensorPrimitives.Distance(data.AsSpan(i * dim, dim), data.AsSpan(j * dim, dim)))
                .Take(k).ToArray();
            var (found, d2) = tree.Nearest(i, k);
            Assert.Equal(expected, found);
            Assert.True(d2.Zip(d2.Skip(1)).All(p => p.First <= p.Second));
        }
    }
}
