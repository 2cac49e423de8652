using System.Numerics.Tensors;

namespace MLNet.Sequence.Embeddings.Debias;

/// <summary>How the bias direction is found from the definitional pairs.</summary>
public enum BiasDirectionMethod
{
    /// <summary>Principal components of the pair members centred on their pair means (Bolukbasi et al. 2016).</summary>
    PrincipalComponents = 0,

    /// <summary>The normalised mean of the differences a - b over the pairs (one direction).</summary>
    MeanDifference = 1,
}

/// <summary>An orthonormal bias subspace and how much of the pairs' variance each direction explains.</summary>
/// <param name="Directions">Unit vectors, orthogonal to each other.</param>
/// <param name="ExplainedVarianceRatio">For principal components, each direction's share of the centred pairs' variance; for the mean difference, 1.</param>
public sealed record BiasSubspace(IReadOnlyList<float[]> Directions, IReadOnlyList<double> ExplainedVarianceRatio)
{
    /// <summary>The first (main) direction.</summary>
    public float[] Direction => Directions[0];

    /// <summary>The projection of <paramref name="vector"/> onto the subspace, written to <paramref name="destination"/>.</summary>
    public void Project(ReadOnlySpan<float> vector, Span<float> destination)
    {
        destination.Clear();
        foreach (var d in Directions)
            TensorPrimitives.MultiplyAdd(d, TensorPrimitives.Dot(vector, d), destination, destination);
    }
}

/// <summary>Linear algebra for debiasing: the bias subspace by power iteration with deflation.</summary>
internal static class BiasMath
{
    /// <summary>Top <paramref name="k"/> principal directions of the rows (already centred), and the variance ratio of each.</summary>
    public static BiasSubspace PrincipalComponents(IReadOnlyList<float[]> rows, int k, int seed)
    {
        int dim = rows[0].Length;
        // Covariance C = R^T R / n, small (d x d) and symmetric.
        var cov = new double[dim, dim];
        foreach (var r in rows)
        {
            for (int i = 0; i < dim; i++)
            {
                double ri = r[i];
                for (int j = i; j < dim; j++)
                    cov[i, j] += ri * r[j];
            }
        }
        double trace = 0;
        for (int i = 0; i < dim; i++)
        {
            for (int j = i; j < dim; j++)
            {
                cov[i, j] /= rows.Count;
                cov[j, i] = cov[i, j];
            }
            trace += cov[i, i];
        }

        var rng = new Random(seed);
        var directions = new List<float[]>();
        var ratios = new List<double>();
        for (int c = 0; c < k; c++)
        {
            var v = Enumerable.Range(0, dim).Select(_ => rng.NextDouble() - 0.5).ToArray();
            double lambda = 0;
            for (int it = 0; it < 1000; it++)
            {
                var next = new double[dim];
                for (int i = 0; i < dim; i++)
                {
                    double sum = 0;
                    for (int j = 0; j < dim; j++)
                        sum += cov[i, j] * v[j];
                    next[i] = sum;
                }
                // Stay orthogonal to the directions already found (deflation by projection).
                foreach (var d in directions)
                {
                    double dot = 0;
                    for (int i = 0; i < dim; i++)
                        dot += next[i] * d[i];
                    for (int i = 0; i < dim; i++)
                        next[i] -= dot * d[i];
                }
                double norm = Math.Sqrt(next.Sum(x => x * x));
                if (norm == 0)
                    break;
                double change = 0;
                for (int i = 0; i < dim; i++)
                {
                    next[i] /= norm;
                    change = Math.Max(change, Math.Abs(next[i] - v[i]));
                }
                v = next;
                lambda = norm;
                if (change < 1e-10)
                    break;
            }
            directions.Add(v.Select(x => (float)x).ToArray());
            ratios.Add(trace > 0 ? lambda / trace : 0);
        }
        return new BiasSubspace(directions, ratios);
    }

    /// <summary>Unit-length copy of a vector (zero stays zero).</summary>
    public static float[] Unit(ReadOnlySpan<float> v)
    {
        var u = v.ToArray();
        float n = TensorPrimitives.Norm(u);
        if (n > 0)
            TensorPrimitives.Divide(u, n, u);
        return u;
    }
}
