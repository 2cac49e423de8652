using System.Numerics.Tensors;

namespace MLNet.Sequence.Embeddings.Projection;

/// <summary>Settings of a t-SNE run (van der Maaten and Hinton 2008; Barnes–Hut, van der Maaten 2014).</summary>
public sealed class TsneOptions
{
    /// <summary>Output dimensions: 2 or 3.</summary>
    public int Dimensions = 2;

    /// <summary>Effective number of neighbours each point's Gaussian is fitted to.</summary>
    public double Perplexity = 30;

    /// <summary>Barnes–Hut accuracy (0: exact gradient, O(N²)); 0.5 is the usual trade-off.</summary>
    public double Theta = 0.5;

    /// <summary>Gradient-descent iterations in all.</summary>
    public int Iterations = 1000;

    /// <summary>Factor on P during the first <see cref="ExaggerationIterations"/> iterations.</summary>
    public double EarlyExaggeration = 12;

    /// <summary>Iterations with exaggerated P and momentum 0.5 (then 0.8).</summary>
    public int ExaggerationIterations = 250;

    /// <summary>Learning rate; 0 means 'auto': max(N / early exaggeration / 4, 50), as scikit-learn does.</summary>
    public double LearningRate;

    /// <summary>Seed of the PCA initialisation's power iteration and of the neighbour tree's vantage points.</summary>
    public int Seed = 1;
}

/// <summary>A finished t-SNE map.</summary>
/// <param name="Embedding">N x Dimensions coordinates, row-major.</param>
/// <param name="KullbackLeibler">KL(P || Q) of the final map (exact for theta 0; Barnes–Hut estimate otherwise).</param>
public sealed record TsneResult(float[] Embedding, double KullbackLeibler);

/// <summary>
/// t-SNE: Gaussian affinities at the given perplexity (exact, or over the 3·perplexity nearest neighbours
/// for Barnes–Hut), symmetrised; a PCA start scaled to standard deviation 1e-4; gradient descent with
/// momentum and per-parameter gains, early exaggeration; the repulsive forces exact or by a Barnes–Hut
/// tree.
/// </summary>
public static class Tsne
{
    /// <summary>Projects <paramref name="n"/> points of <paramref name="dim"/> values (row-major) to a map.</summary>
    public static TsneResult Fit(ReadOnlySpan<float> data, int n, int dim, TsneOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new TsneOptions();
        if (options.Dimensions is < 2 or > 3)
            throw new ArgumentOutOfRangeException(nameof(options), options.Dimensions, "t-SNE maps to 2 or 3 dimensions.");
        if (!(options.Theta >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.Theta, "Theta must be 0 (exact) or positive.");
        if (options.Iterations < 1 || options.ExaggerationIterations < 0 || !(options.EarlyExaggeration > 0) || !(options.LearningRate >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), "Iterations must be at least 1, ExaggerationIterations at least 0, EarlyExaggeration positive and LearningRate 0 (auto) or positive.");
        if (data.Length != (long)n * dim)
            throw new ArgumentException($"{n} points of {dim} values need {(long)n * dim} numbers; got {data.Length}.", nameof(data));
        if (n < 4)
            throw new ArgumentException($"t-SNE needs at least 4 points; got {n}.", nameof(n));
        if (!(options.Perplexity > 0) || 3 * options.Perplexity >= n)
            throw new ArgumentOutOfRangeException(nameof(options), options.Perplexity, $"The perplexity must be positive and below N/3 = {n / 3.0:F1}.");
        int bad = Internal.ModelStateIO.IndexOfNonFinite(data);
        if (bad >= 0)
            throw new ArgumentException($"Point {bad / dim} holds {data[bad]} at position {bad % dim}; t-SNE needs finite values.", nameof(data));

        var p = options.Theta > 0 ? SparseAffinities(data, n, dim, options.Perplexity, options.Seed) : DenseAffinities(data, n, dim, options.Perplexity);
        var y = PcaInit(data, n, dim, options.Dimensions, options.Seed);
        double lr = options.LearningRate > 0 ? options.LearningRate : Math.Max(n / options.EarlyExaggeration / 4, 50);
        Optimize(p, y, n, options, lr, cancel);
        double kl = KullbackLeibler(p, y, n, options.Dimensions, options.Theta);
        return new TsneResult(y.Select(v => (float)v).ToArray(), kl);
    }

    /// <summary>Symmetric affinities P in compressed-row form (for exact runs every pair is a neighbour).</summary>
    internal sealed record Affinities(int[] RowStart, int[] Columns, double[] Values);

    private static Affinities DenseAffinities(ReadOnlySpan<float> data, int n, int dim, double perplexity)
    {
        var neighbours = new int[n][];
        var distances = new double[n][];
        for (int i = 0; i < n; i++)
        {
            neighbours[i] = new int[n - 1];
            distances[i] = new double[n - 1];
            for (int j = 0, m = 0; j < n; j++)
            {
                if (j == i)
                    continue;
                neighbours[i][m] = j;
                distances[i][m++] = SquaredDistance(data, dim, i, j);
            }
        }
        return Symmetrize(n, neighbours, ConditionalAffinities(distances, perplexity));
    }

    private static Affinities SparseAffinities(ReadOnlySpan<float> data, int n, int dim, double perplexity, int seed)
    {
        int k = Math.Min(n - 1, (int)(3 * perplexity));
        var neighbours = new int[n][];
        var distances = new double[n][];
        var copy = data.ToArray();
        // Exact k nearest neighbours from a vantage-point tree.
        var tree = new VantagePointTree(copy, n, dim, seed);
        Parallel.For(0, n, i => (neighbours[i], distances[i]) = tree.Nearest(i, k));
        return Symmetrize(n, neighbours, ConditionalAffinities(distances, perplexity));
    }

    private static float SquaredDistance(ReadOnlySpan<float> data, int dim, int i, int j)
    {
        float d = TensorPrimitives.Distance(data.Slice(i * dim, dim), data.Slice(j * dim, dim));
        return d * d;
    }

    /// <summary>p_j|i for each point by binary search on the Gaussian's precision to reach the perplexity.</summary>
    internal static double[][] ConditionalAffinities(double[][] distances, double perplexity)
    {
        double target = Math.Log(perplexity);
        var result = new double[distances.Length][];
        Parallel.For(0, distances.Length, i =>
        {
            var d = distances[i];
            var p = new double[d.Length];
            double beta = 1, lo = double.NegativeInfinity, hi = double.PositiveInfinity;
            double minD = d.Length == 0 ? 0 : d.Min();
            for (int it = 0; it < 200; it++)
            {
                double sum = 0, weighted = 0;
                for (int j = 0; j < d.Length; j++)
                {
                    p[j] = Math.Exp(-(d[j] - minD) * beta); // shifted for stability; cancels in the ratio
                    sum += p[j];
                    weighted += d[j] * p[j];
                }
                double entropy = Math.Log(sum) + beta * (weighted / sum - minD);
                for (int j = 0; j < d.Length; j++)
                    p[j] /= sum;
                double diff = entropy - target;
                if (Math.Abs(diff) < 1e-5)
                    break;
                if (diff > 0)
                {
                    lo = beta;
                    beta = double.IsPositiveInfinity(hi) ? beta * 2 : (beta + hi) / 2;
                }
                else
                {
                    hi = beta;
                    beta = double.IsNegativeInfinity(lo) ? beta / 2 : (beta + lo) / 2;
                }
            }
            result[i] = p;
        });
        return result;
    }

    /// <summary>P = (P_cond + P_condᵀ) / 2N over the union of the neighbour lists.</summary>
    private static Affinities Symmetrize(int n, int[][] neighbours, double[][] conditional)
    {
        var rows = new Dictionary<int, double>[n];
        for (int i = 0; i < n; i++)
            rows[i] = new Dictionary<int, double>(neighbours[i].Length * 2);
        for (int i = 0; i < n; i++)
        {
            for (int m = 0; m < neighbours[i].Length; m++)
            {
                int j = neighbours[i][m];
                double v = conditional[i][m] / (2.0 * n);
                rows[i][j] = rows[i].GetValueOrDefault(j) + v;
                rows[j][i] = rows[j].GetValueOrDefault(i) + v;
            }
        }
        var start = new int[n + 1];
        for (int i = 0; i < n; i++)
            start[i + 1] = start[i] + rows[i].Count;
        var cols = new int[start[n]];
        var vals = new double[start[n]];
        for (int i = 0; i < n; i++)
        {
            int k = start[i];
            foreach (var (j, v) in rows[i].OrderBy(e => e.Key))
            {
                cols[k] = j;
                vals[k++] = v;
            }
        }
        return new Affinities(start, cols, vals);
    }

    /// <summary>The first principal components of the data, scaled so the first has standard deviation 1e-4 (scikit-learn's 'pca' init).</summary>
    internal static double[] PcaInit(ReadOnlySpan<float> data, int n, int dim, int outDims, int seed)
    {
        var mean = new double[dim];
        for (int i = 0; i < n; i++)
        {
            for (int d = 0; d < dim; d++)
                mean[d] += data[i * dim + d];
        }
        for (int d = 0; d < dim; d++)
            mean[d] /= n;
        var centred = new float[n][];
        for (int i = 0; i < n; i++)
        {
            centred[i] = new float[dim];
            for (int d = 0; d < dim; d++)
                centred[i][d] = (float)(data[i * dim + d] - mean[d]);
        }
        var pcs = Debias.BiasMath.PrincipalComponents(centred, outDims, seed).Directions;
        var y = new double[n * outDims];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < outDims; c++)
                y[i * outDims + c] = TensorPrimitives.Dot(centred[i], pcs[c]);
        }
        double sd = Math.Sqrt(Enumerable.Range(0, n).Sum(i => y[i * outDims] * y[i * outDims]) / n);
        double scale = sd > 0 ? 1e-4 / sd : 1;
        for (int i = 0; i < y.Length; i++)
            y[i] *= scale;
        return y;
    }

    private static void Optimize(Affinities p, double[] y, int n, TsneOptions options, double learningRate, CancellationToken cancel)
    {
        int dims = options.Dimensions;
        var update = new double[y.Length];
        var gains = Enumerable.Repeat(1.0, y.Length).ToArray();
        var grad = new double[y.Length];
        var tree = options.Theta > 0 ? new SpaceTree(dims) : null;
        var repulsion = new double[y.Length];
        for (int it = 0; it < options.Iterations; it++)
        {
            cancel.ThrowIfCancellationRequested();
            bool early = it < options.ExaggerationIterations;
            double exaggeration = early ? options.EarlyExaggeration : 1;
            double momentum = early ? 0.5 : 0.8;
            Gradient(p, y, n, dims, options.Theta, exaggeration, grad, tree, repulsion);
            for (int k = 0; k < y.Length; k++)
            {
                gains[k] = Math.Sign(grad[k]) != Math.Sign(update[k]) ? gains[k] + 0.2 : gains[k] * 0.8;
                if (gains[k] < 0.01)
                    gains[k] = 0.01;
                update[k] = momentum * update[k] - learningRate * gains[k] * grad[k];
                y[k] += update[k];
            }
        }
    }

    /// <summary>dC/dy = 4 (exaggeration · attraction − repulsion / Z).</summary>
    private static void Gradient(Affinities p, double[] y, int n, int dims, double theta, double exaggeration, double[] grad,
        SpaceTree? tree, double[] repulsion)
    {
        Array.Clear(repulsion);
        double z = 0;
        if (tree != null)
        {
            tree.Build(y, n);
            var partial = new double[n];
            Parallel.For(0, n, i => partial[i] = tree.Repulsion(i, theta, repulsion.AsSpan(i * dims, dims)));
            z = partial.Sum();
        }
        else
        {
            var partial = new double[n];
            Parallel.For(0, n, i =>
            {
                double zi = 0;
                for (int j = 0; j < n; j++)
                {
                    if (j == i)
                        continue;
                    double d2 = 0;
                    for (int d = 0; d < dims; d++)
                    {
                        double diff = y[i * dims + d] - y[j * dims + d];
                        d2 += diff * diff;
                    }
                    double q = 1 / (1 + d2);
                    zi += q;
                    for (int d = 0; d < dims; d++)
                        repulsion[i * dims + d] += q * q * (y[i * dims + d] - y[j * dims + d]);
                }
                partial[i] = zi;
            });
            z = partial.Sum();
        }
        Parallel.For(0, n, i =>
        {
            Span<double> attraction = stackalloc double[3];
            attraction.Clear();
            for (int k = p.RowStart[i]; k < p.RowStart[i + 1]; k++)
            {
                int j = p.Columns[k];
                double d2 = 0;
                for (int d = 0; d < dims; d++)
                {
                    double diff = y[i * dims + d] - y[j * dims + d];
                    d2 += diff * diff;
                }
                double w = p.Values[k] / (1 + d2);
                for (int d = 0; d < dims; d++)
                    attraction[d] += w * (y[i * dims + d] - y[j * dims + d]);
            }
            for (int d = 0; d < dims; d++)
                grad[i * dims + d] = 4 * (exaggeration * attraction[d] - repulsion[i * dims + d] / z);
        });
    }

    /// <summary>KL(P || Q): exact over all pairs for theta 0; for Barnes–Hut, over P's pairs with Z from the tree.</summary>
    internal static double KullbackLeibler(Affinities p, double[] y, int n, int dims, double theta)
    {
        double z = 0;
        if (theta > 0)
        {
            var tree = new SpaceTree(dims);
            tree.Build(y, n);
            var scratch = new double[dims];
            for (int i = 0; i < n; i++)
                z += tree.Repulsion(i, theta, scratch);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    if (i != j)
                        z += 1 / (1 + Distance2(y, dims, i, j));
                }
            }
        }
        double kl = 0;
        for (int i = 0; i < n; i++)
        {
            for (int k = p.RowStart[i]; k < p.RowStart[i + 1]; k++)
            {
                double pij = p.Values[k];
                if (pij <= 0)
                    continue;
                double q = 1 / (1 + Distance2(y, dims, i, p.Columns[k])) / z;
                kl += pij * Math.Log(pij / Math.Max(q, 1e-300));
            }
        }
        return kl;
    }

    private static double Distance2(double[] y, int dims, int i, int j)
    {
        double d2 = 0;
        for (int d = 0; d < dims; d++)
        {
            double diff = y[i * dims + d] - y[j * dims + d];
            d2 += diff * diff;
        }
        return d2;
    }

    /// <summary>
    /// Trustworthiness T(k) (Venna and Kaski; scikit-learn's definition): 1 minus a penalty for points
    /// that are among the k nearest in the map but not in the data, weighted by their rank in the data.
    /// </summary>
    public static double Trustworthiness(ReadOnlySpan<float> data, int dim, ReadOnlySpan<float> embedding, int outDims, int n, int k = 10)
    {
        if (k >= n / 2.0)
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be below N/2.");
        var x = data.ToArray();
        var e = embedding.ToArray();
        double penalty = 0;
        var sync = new object();
        Parallel.For(0, n, i =>
        {
            var dataOrder = Enumerable.Range(0, n).Where(j => j != i).OrderBy(j => SquaredDistance(x, dim, i, j)).ToArray();
            var rank = new int[n];
            for (int r = 0; r < dataOrder.Length; r++)
                rank[dataOrder[r]] = r + 1;
            var mapNearest = Enumerable.Range(0, n).Where(j => j != i).OrderBy(j => SquaredDistance(e, outDims, i, j)).Take(k);
            double local = 0;
            foreach (int j in mapNearest)
                local += Math.Max(0, rank[j] - k);
            lock (sync)
                penalty += local;
        });
        return 1 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)) * penalty;
    }
}
