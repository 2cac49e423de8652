using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings.Debias;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings.Tests;

public class DebiasTests
{
    private static readonly (string, string)[] Definitional = { ("she", "he"), ("woman", "man"), ("girl", "boy") };
    private static readonly (string, string)[] Equality = { ("grandmother", "grandfather"), ("woman", "man") };
    private static readonly string[] Specific = { "mother", "woman", "man", "grandmother", "grandfather", "she", "he", "girl", "boy" };

    /// <summary>A table with a planted bias along axis 0: neutral words lean one way or the other.</summary>
    internal static WordVectors BiasedTable(int neutralWords = 60, int dim = 8, int seed = 3)
    {
        var rng = new Random(seed);
        float[] Random() => Enumerable.Range(0, dim).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var words = new List<string>();
        var rows = new List<float[]>();
        void Add(string w, float[] v)
        {
            words.Add(w);
            rows.Add(v);
        }
        foreach (var (f, m) in Definitional.Concat(new[] { ("grandmother", "grandfather") }))
        {
            var shared = Random();
            var fv = (float[])shared.Clone();
            var mv = (float[])shared.Clone();
            fv[0] += 1f;
            mv[0] -= 1f;
            if (!words.Contains(f))
            {
                Add(f, fv);
                Add(m, mv);
            }
        }
        var mother = Random();
        mother[0] += 0.9f;
        Add("mother", mother);
        for (int i = 0; i < neutralWords; i++)
        {
            var v = Random();
            v[0] += (i % 2 == 0 ? 0.6f : -0.6f) * (float)rng.NextDouble(); // "nurse"-like and "engineer"-like words
            Add("n" + i, v);
        }
        return new WordVectors(new Vocabulary(words), rows.SelectMany(r => r).ToArray(), dim);
    }

    private static IEnumerable<string> Neutral(WordVectors t) => t.Vocabulary.Words.Where(w => w.StartsWith('n'));

    [Fact]
    public void PrincipalDirectionFindsThePlantedAxisAndOrientsItFemaleward()
    {
        var s = HardDebias.FindSubspace(BiasedTable(), Definitional, BiasDirectionMethod.PrincipalComponents, 2, 1, out int used);
        Assert.Equal(3, used);
        Assert.True(s.Direction[0] > 0.95, $"g[0] = {s.Direction[0]}");
        Assert.True(s.ExplainedVarianceRatio[0] > 0.8, $"ratio {s.ExplainedVarianceRatio[0]}");
        Assert.Equal(0, TensorPrimitives.Dot(s.Directions[0], s.Directions[1]), 5);
        Assert.Equal(1, TensorPrimitives.Norm(s.Directions[1]), 5);
        var mean = HardDebias.FindSubspace(BiasedTable(), Definitional, BiasDirectionMethod.MeanDifference, 1, 1, out _);
        Assert.True(mean.Direction[0] > 0.95);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void NeutralizeEqualizeAndLeaveSpecificWordsAlone(int components)
    {
        var table = BiasedTable();
        var result = HardDebias.Apply(table, Definitional, Specific, Equality, BiasDirectionMethod.PrincipalComponents, components);
        var v = result.Vectors;
        var projection = new float[v.Dimension];
        foreach (var w in Neutral(v))
        {
            result.Subspace.Project(v.GetVector(w), projection);
            Assert.True(TensorPrimitives.Norm(projection) < 1e-6, $"{w}: {TensorPrimitives.Norm(projection)}");
            Assert.Equal(1, TensorPrimitives.Norm(v.GetVector(w)), 5);
        }
        Assert.Equal(table.GetVector("mother").ToArray(), v.GetVector("mother").ToArray());
        Assert.Equal(table.GetVector("she").ToArray(), v.GetVector("she").ToArray()); // specific, not an equality pair here

        foreach (var (a, b) in Equality)
        {
            foreach (var w in Neutral(v))
                Assert.Equal(v.Similarity(w, a), v.Similarity(w, b), 5);
            // Symmetric about the subspace: equal outside it, opposite inside it.
            var pa = new float[v.Dimension];
            var pb = new float[v.Dimension];
            result.Subspace.Project(v.GetVector(a), pa);
            result.Subspace.Project(v.GetVector(b), pb);
            var sum = new float[v.Dimension];
            TensorPrimitives.Add(pa, pb, sum);
            Assert.True(TensorPrimitives.Norm(sum) < 1e-5);
            var oa = v.GetVector(a).ToArray();
            var ob = v.GetVector(b).ToArray();
            TensorPrimitives.Subtract(oa, pa, oa);
            TensorPrimitives.Subtract(ob, pb, ob);
            Assert.Equal(oa, ob, (x, y) => Math.Abs(x - y) < 1e-5);
        }
        Assert.Equal(2, result.EqualizedPairs);
        Assert.Equal(60, result.Neutralized);
    }

    [Fact]
    public void ReportShowsDirectBiasGoneAndClusterPurity()
    {
        var table = BiasedTable(neutralWords: 200);
        var result = HardDebias.Apply(table, Definitional, Specific, Equality);
        var report = BiasMetrics.Compare(table, result.Vectors, result.Subspace, Specific, biasedWordsPerSide: 30);
        Assert.True(report.DirectBiasBefore > 0.1, report.ToString());
        Assert.True(report.DirectBiasAfter < 1e-5, report.ToString());
        Assert.True(report.ClusterPurityBefore > 0.9, report.ToString());
        // The planted bias lived only on the removed axis, so the biased words no longer separate.
        Assert.True(report.ClusterPurityAfter < report.ClusterPurityBefore, report.ToString());
        Assert.Equal(30, report.BiasedWordsPerSide);
        Assert.Contains("DirectBias", report.ToString());
    }

    [Fact]
    public void WeatMatchesHandComputation()
    {
        var table = new WordVectors(new Vocabulary(new[] { "x", "y", "a", "b" }), new float[] { 3, 4, 4, 3, 1, 0, 0, 1 }, 2);
        // s(x) = cos(x,a) - cos(x,b) = 0.6 - 0.8 = -0.2; s(y) = 0.2; sample std of {-0.2, 0.2} = 0.28284.
        var r = BiasMetrics.Weat(table, new[] { "x" }, new[] { "y" }, new[] { "a" }, new[] { "b" }, permutations: 2000, seed: 5);
        Assert.Equal(-0.4 / Math.Sqrt(0.08), r.EffectSize, 5);
        Assert.Equal(-0.4, r.Statistic, 5);
        Assert.InRange(r.PValue, 0.4, 0.6); // half of the re-partitions exceed the observed statistic
        Assert.Contains("None of the words of a", Assert.Throws<ArgumentException>(() =>
            BiasMetrics.Weat(table, new[] { "x" }, new[] { "y" }, new[] { "zzz" }, new[] { "b" })).Message);
    }

    [Fact]
    public void PipelineSavesAndLoadsTheDebiasedTable()
    {
        using var dir = new TempDir();
        var ml = new MLContext(1);
        var table = BiasedTable();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "n1 n2 mother" } });
        var options = new DebiasEstimator.Options { DefinitionalPairs = Definitional, SpecificWords = Specific, EqualityPairs = Equality };
        var model = ml.Transforms.Text.Debias(table, "Vec", "Text", options).Fit(data);
        Assert.Equal(60, model.Result!.Neutralized);
        string path = dir.File("debias.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = Assert.IsType<DebiasTransformer>(new MLContext().Model.Load(path, out _));
        Assert.Equal(model.Vectors.EmbeddingMatrix.ToArray(), loaded.Vectors.EmbeddingMatrix.ToArray());
        Assert.Equal(model.Subspace.Direction, loaded.Subspace.Direction);
        Assert.Equal(model.Transform(data).GetColumn<float[]>("Vec").Single(), loaded.Transform(data).GetColumn<float[]>("Vec").Single());
    }

    [Fact]
    public void BadListsAndOptionsAreNamed()
    {
        var ml = new MLContext(1);
        var table = BiasedTable();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "n1" } });
        var none = new DebiasEstimator.Options { DefinitionalPairs = new[] { ("She", "He") } };
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.Text.Debias(table, "Vec", "Text", none).Fit(data));
        Assert.Contains("DefinitionalPairs", e.Message);
        Assert.Contains("'She'", e.Message);
        var tooMany = new DebiasEstimator.Options { DefinitionalPairs = Definitional, Components = 99 };
        Assert.Contains("Components", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.Debias(table, "Vec", "Text", tooMany)).Message);
        var mean2 = new DebiasEstimator.Options { DefinitionalPairs = Definitional, Method = BiasDirectionMethod.MeanDifference, Components = 2 };
        Assert.Contains("Components", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.Debias(table, "Vec", "Text", mean2)).Message);
    }
}
