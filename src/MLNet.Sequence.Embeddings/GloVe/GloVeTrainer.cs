using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Embeddings.Training;

namespace MLNet.Sequence.Embeddings.GloVe;

/// <summary>
/// GloVe's weighted least squares (Pennington et al. 2014) trained with AdaGrad, as the reference
/// <c>glove</c> tool does: for each pair, J = f(X_ij) (w_i·w~_j + b_i + b~_j - log X_ij)^2 / 2, with
/// separate word and context vectors and biases, squared-gradient sums starting at 1, the shuffled
/// pairs split into one contiguous range per thread, Hogwild updates.
/// </summary>
internal sealed class GloVeTrainer
{
    private readonly int _vocabularySize;
    private readonly int _dim;
    private readonly float _eta;
    private readonly int _threads;

    /// <summary>Rows 0..V-1: word vectors W; rows V..2V-1: context vectors W~.</summary>
    public float[] Vectors { get; }

    /// <summary>b for 0..V-1, b~ for V..2V-1.</summary>
    public float[] Biases { get; }

    /// <summary>AdaGrad sums of squared gradients, laid out as <see cref="Vectors"/>.</summary>
    public float[] VectorGradSq { get; }

    /// <summary>AdaGrad sums of squared gradients, laid out as <see cref="Biases"/>.</summary>
    public float[] BiasGradSq { get; }

    public GloVeTrainer(int vocabularySize, int dimension, float eta, int threads, ulong seed, GloVeState? initial)
    {
        _vocabularySize = vocabularySize;
        _dim = dimension;
        _eta = eta;
        _threads = threads;
        if (initial != null)
        {
            Vectors = (float[])initial.Vectors.Clone();
            Biases = (float[])initial.Biases.Clone();
            VectorGradSq = (float[])initial.VectorGradSq.Clone();
            BiasGradSq = (float[])initial.BiasGradSq.Clone();
            return;
        }
        // Uniform in [-0.5/d, 0.5/d], squared gradients at 1, as the reference initialises them.
        var rng = new FastRandom(seed);
        Vectors = new float[2L * vocabularySize * dimension];
        for (int i = 0; i < Vectors.Length; i++)
            Vectors[i] = (rng.NextFloat() - 0.5f) / dimension;
        Biases = new float[2 * vocabularySize];
        for (int i = 0; i < Biases.Length; i++)
            Biases[i] = (rng.NextFloat() - 0.5f) / dimension;
        VectorGradSq = new float[Vectors.Length];
        Array.Fill(VectorGradSq, 1f);
        BiasGradSq = new float[Biases.Length];
        Array.Fill(BiasGradSq, 1f);
    }

    /// <summary>Runs <paramref name="iterations"/> passes over the pairs; returns the cost of each.</summary>
    public IReadOnlyList<double> Train(IHost host, ShuffledPairs pairs, int iterations, int firstIteration = 1)
    {
        using var ch = host.Start("Training GloVe");
        using var pch = host.StartProgressChannel("GloVe training");
        int done = 0;
        double lastCost = double.NaN;
        pch.SetHeader(new ProgressHeader(new[] { "cost" }, new[] { "iterations" }), e =>
        {
            e.SetProgress(0, done, iterations);
            e.SetMetric(0, lastCost);
        });
        var costs = new List<double>(iterations);
        for (int it = 0; it < iterations; it++)
        {
            host.CheckAlive();
            var clock = Stopwatch.StartNew();
            var partial = new double[_threads];
            long perThread = pairs.Count / _threads;
            Parallel.For(0, _threads, new ParallelOptions { MaxDegreeOfParallelism = _threads }, t =>
            {
                long start = t * perThread;
                long count = t == _threads - 1 ? pairs.Count - start : perThread;
                var buffer = pairs.OnDisk ? new GloVePair[1 << 15] : Array.Empty<GloVePair>();
                double cost = 0;
                pairs.ForEachBlock(start, count, buffer, block =>
                {
                    foreach (ref readonly var p in block)
                        cost += Step(p);
                });
                partial[t] = cost;
            });
            double total = partial.Sum();
            if (!double.IsFinite(total))
                throw ch.Except($"GloVe training diverged in iteration {firstIteration + it}: the cost is {total}. Lower LearningRate (eta) or XMax.");
            lastCost = total / Math.Max(1, pairs.Count);
            costs.Add(lastCost);
            done = it + 1;
            ch.Info(FormattableString.Invariant($"Iteration {firstIteration + it}: cost {lastCost:F6} ({clock.Elapsed.TotalSeconds:F2} s)"));
        }
        return costs;
    }

    /// <summary>One AdaGrad step on one pair; returns its cost f(X) (w·w~ + b + b~ - log X)^2 / 2 before the step.</summary>
    internal float Step(in GloVePair p)
    {
        int dim = _dim;
        int l1 = p.Word * dim, l2 = (p.Context + _vocabularySize) * dim;
        var w = Vectors.AsSpan(l1, dim);
        var c = Vectors.AsSpan(l2, dim);
        float diff = TensorPrimitives.Dot(w, c) + Biases[p.Word] + Biases[p.Context + _vocabularySize] - p.LogCount;
        float fdiff = p.Weight * diff;
        float cost = 0.5f * fdiff * diff;
        fdiff *= _eta;

        AdaGradUpdate(w, c, VectorGradSq.AsSpan(l1, dim), VectorGradSq.AsSpan(l2, dim), fdiff);

        int bw = p.Word, bc = p.Context + _vocabularySize;
        Biases[bw] -= fdiff / MathF.Sqrt(BiasGradSq[bw]);
        Biases[bc] -= fdiff / MathF.Sqrt(BiasGradSq[bc]);
        BiasGradSq[bw] += fdiff * fdiff;
        BiasGradSq[bc] += fdiff * fdiff;
        return cost;
    }

    /// <summary>
    /// The AdaGrad step of a word and a context vector in one pass over the four rows: with gradients
    /// g_w = fdiff·c and g_c = fdiff·w (both from the values before the step), w -= g_w / sqrt(G_w),
    /// c -= g_c / sqrt(G_c), then G += g². One fused loop instead of nine vector calls: this is the
    /// hottest loop of GloVe training.
    /// </summary>
    internal static void AdaGradUpdate(Span<float> w, Span<float> c, Span<float> sqW, Span<float> sqC, float fdiff)
    {
        int n = w.Length;
        if (c.Length != n || sqW.Length != n || sqC.Length != n)
            throw new ArgumentException("Vectors of different lengths.");
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float gwr = ref MemoryMarshal.GetReference(sqW);
        ref float gcr = ref MemoryMarshal.GetReference(sqC);
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var f = new Vector<float>(fdiff);
            for (; k <= n - Vector<float>.Count; k += Vector<float>.Count)
            {
                var wv = Vector.LoadUnsafe(ref wr, (nuint)k);
                var cv = Vector.LoadUnsafe(ref cr, (nuint)k);
                var gw = Vector.LoadUnsafe(ref gwr, (nuint)k);
                var gc = Vector.LoadUnsafe(ref gcr, (nuint)k);
                var t1 = f * cv;
                var t2 = f * wv;
                (wv - t1 / Vector.SquareRoot(gw)).StoreUnsafe(ref wr, (nuint)k);
                (cv - t2 / Vector.SquareRoot(gc)).StoreUnsafe(ref cr, (nuint)k);
                Vector.FusedMultiplyAdd(t1, t1, gw).StoreUnsafe(ref gwr, (nuint)k);
                Vector.FusedMultiplyAdd(t2, t2, gc).StoreUnsafe(ref gcr, (nuint)k);
            }
        }
        for (; k < n; k++)
        {
            float wv = Unsafe.Add(ref wr, k), cv = Unsafe.Add(ref cr, k);
            float t1 = fdiff * cv, t2 = fdiff * wv;
            Unsafe.Add(ref wr, k) = wv - t1 / MathF.Sqrt(Unsafe.Add(ref gwr, k));
            Unsafe.Add(ref cr, k) = cv - t2 / MathF.Sqrt(Unsafe.Add(ref gcr, k));
            Unsafe.Add(ref gwr, k) += t1 * t1;
            Unsafe.Add(ref gcr, k) += t2 * t2;
        }
    }

    /// <summary>The output table: W + W~ (GloVe's model 2) or W alone.</summary>
    public float[] OutputVectors(bool addContext)
    {
        int n = _vocabularySize * _dim;
        var result = Vectors.AsSpan(0, n).ToArray();
        if (addContext)
            TensorPrimitives.Add(result, Vectors.AsSpan(n, n), result);
        return result;
    }

    /// <summary>The state after <paramref name="completedIterations"/> iterations in all.</summary>
    public GloVeState State(int completedIterations) => new(Vectors, Biases, VectorGradSq, BiasGradSq, completedIterations);
}

/// <summary>Everything GloVe training needs to resume: vectors, biases and AdaGrad sums, for words and contexts, and the iterations done.</summary>
internal sealed record GloVeState(float[] Vectors, float[] Biases, float[] VectorGradSq, float[] BiasGradSq, int CompletedIterations);
