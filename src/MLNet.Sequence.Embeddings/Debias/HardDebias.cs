using System.Numerics.Tensors;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings.Debias;

/// <summary>What hard debiasing did to a table.</summary>
/// <param name="Vectors">The debiased table: same words, same order.</param>
/// <param name="Subspace">The bias subspace that was removed.</param>
/// <param name="DefinitionalPairsUsed">Definitional pairs with both words in the table.</param>
/// <param name="Neutralized">Words whose bias component was removed.</param>
/// <param name="EqualizedPairs">Equality pairs made equidistant from the neutral words.</param>
public sealed record DebiasResult(WordVectors Vectors, BiasSubspace Subspace, int DefinitionalPairsUsed, int Neutralized, int EqualizedPairs);

/// <summary>
/// Hard debiasing (Bolukbasi et al. 2016, "Man is to Computer Programmer as Woman is to Homemaker?"):
/// the bias subspace from definitional pairs, neutralize (every word outside the specific list loses its
/// component in the subspace and is re-normalised), equalize (each equality pair becomes symmetric about
/// the subspace, so both are equidistant from every neutral word). Specific words outside the equality
/// pairs are left exactly as they were. Words of the lists missing from the table are skipped.
/// </summary>
public static class HardDebias
{
    /// <summary>Debiases <paramref name="vectors"/>.</summary>
    /// <exception cref="ArgumentException">No definitional pair has both words in the table, or an option is out of range.</exception>
    public static DebiasResult Apply(WordVectors vectors, IReadOnlyList<(string, string)> definitionalPairs, IReadOnlyCollection<string> specificWords,
        IReadOnlyList<(string, string)> equalityPairs, BiasDirectionMethod method = BiasDirectionMethod.PrincipalComponents, int components = 1, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(definitionalPairs);
        ArgumentNullException.ThrowIfNull(specificWords);
        ArgumentNullException.ThrowIfNull(equalityPairs);
        if (components < 1 || components > vectors.Dimension)
            throw new ArgumentOutOfRangeException(nameof(components), components, $"Use 1 to {vectors.Dimension} bias components.");
        if (method == BiasDirectionMethod.MeanDifference && components != 1)
            throw new ArgumentException("The mean difference gives one direction; use PrincipalComponents for a subspace of several.", nameof(components));

        var subspace = FindSubspace(vectors, definitionalPairs, method, components, seed, out int used);
        int dim = vectors.Dimension;
        var rows = vectors.Rows.Clone();
        var specific = new HashSet<string>(specificWords, StringComparer.Ordinal);
        var projection = new float[dim];
        int neutralized = 0;
        for (int i = 0; i < vectors.Count; i++)
        {
            if (specific.Contains(vectors.Vocabulary[i]))
                continue;
            var row = rows.Row(i);
            subspace.Project(row, projection);
            TensorPrimitives.Subtract(row, projection, row);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0)
                TensorPrimitives.Divide(row, norm, row);
            neutralized++;
        }

        int equalized = 0;
        var mu = new float[dim];
        var muB = new float[dim];
        var nu = new float[dim];
        foreach (var (a, b) in equalityPairs)
        {
            if (!vectors.Vocabulary.TryGetId(a, out int ia) || !vectors.Vocabulary.TryGetId(b, out int ib) || ia == ib)
                continue;
            var ua = BiasMath.Unit(vectors.GetVector(ia));
            var ub = BiasMath.Unit(vectors.GetVector(ib));
            TensorPrimitives.Add(ua, ub, mu);
            TensorPrimitives.Divide(mu, 2f, mu);
            subspace.Project(mu, muB);
            TensorPrimitives.Subtract(mu, muB, nu);
            float scale = MathF.Sqrt(MathF.Max(0f, 1f - TensorPrimitives.Dot(nu, nu)));
            var newA = EqualizedMember(ua, muB, nu, scale, subspace);
            var newB = EqualizedMember(ub, muB, nu, scale, subspace);
            if (newA == null || newB == null)
                continue; // the pair has no component in the subspace to mirror
            newA.CopyTo(rows.Row(ia));
            newB.CopyTo(rows.Row(ib));
            equalized++;
        }
        var result = new WordVectors(vectors.Vocabulary, rows);
        return new DebiasResult(result, subspace, used, neutralized, equalized);
    }

    /// <summary>ν + sqrt(1 - |ν|²) (w_B - μ_B) / |w_B - μ_B|: the pair's shared orthogonal part plus a mirrored bias part.</summary>
    private static float[]? EqualizedMember(float[] w, float[] muB, float[] nu, float scale, BiasSubspace subspace)
    {
        var wB = new float[w.Length];
        subspace.Project(w, wB);
        TensorPrimitives.Subtract(wB, muB, wB);
        float norm = TensorPrimitives.Norm(wB);
        if (norm < 1e-12f)
            return null;
        TensorPrimitives.Multiply(wB, scale / norm, wB);
        TensorPrimitives.Add(wB, nu, wB);
        return wB;
    }

    /// <summary>The bias subspace of <paramref name="vectors"/> from the definitional pairs found in it.</summary>
    public static BiasSubspace FindSubspace(WordVectors vectors, IReadOnlyList<(string, string)> definitionalPairs,
        BiasDirectionMethod method, int components, int seed, out int pairsUsed)
    {
        var pairs = new List<(float[] A, float[] B)>();
        foreach (var (a, b) in definitionalPairs)
        {
            if (vectors.Vocabulary.TryGetId(a, out int ia) && vectors.Vocabulary.TryGetId(b, out int ib) && ia != ib)
                pairs.Add((BiasMath.Unit(vectors.GetVector(ia)), BiasMath.Unit(vectors.GetVector(ib))));
        }
        pairsUsed = pairs.Count;
        if (pairs.Count == 0)
        {
            throw new ArgumentException(
                $"None of the {definitionalPairs.Count} definitional pairs has both words in the table ({vectors.Count} words), so no bias direction can be found; " +
                $"check the case of the words (e.g. '{definitionalPairs.FirstOrDefault().Item1}').", nameof(definitionalPairs));
        }
        int dim = vectors.Dimension;
        if (method == BiasDirectionMethod.MeanDifference)
        {
            var sum = new float[dim];
            foreach (var (a, b) in pairs)
            {
                TensorPrimitives.Add(sum, a, sum);
                TensorPrimitives.Subtract(sum, b, sum);
            }
            if (TensorPrimitives.Norm(sum) == 0)
                throw new ArgumentException("The definitional pairs' differences cancel out: there is no mean direction.", nameof(definitionalPairs));
            return new BiasSubspace(new[] { BiasMath.Unit(sum) }, new[] { 1.0 });
        }
        if (method != BiasDirectionMethod.PrincipalComponents)
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown bias direction method.");
        var rows = new List<float[]>(2 * pairs.Count);
        foreach (var (a, b) in pairs)
        {
            var center = new float[dim];
            TensorPrimitives.Add(a, b, center);
            TensorPrimitives.Divide(center, 2f, center);
            var ra = new float[dim];
            var rb = new float[dim];
            TensorPrimitives.Subtract(a, center, ra);
            TensorPrimitives.Subtract(b, center, rb);
            rows.Add(ra);
            rows.Add(rb);
        }
        var subspace = BiasMath.PrincipalComponents(rows, components, seed);
        // Orient the main direction from the second words towards the first ones (e.g. he -> she), so signs read the same way every time.
        var first = subspace.Directions[0];
        double orientation = pairs.Sum(p => TensorPrimitives.Dot(p.A, first) - TensorPrimitives.Dot(p.B, first));
        if (orientation < 0)
            TensorPrimitives.Negate(first, first);
        return subspace;
    }
}
