using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings.Projection;

namespace MLNet.Sequence.Embeddings.Tests;

public class TsneTransformerTests
{
    public sealed class PointRow
    {
        [VectorType(10)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public int Label { get; set; }
    }

    private static PointRow[] Rows(int seed)
    {
        var (data, labels) = TsneTests.Clusters(5, 40, 10, seed: 1);
        if (seed != 1)
        {
            // Same cluster centres, fresh noise: the first cluster set's centres come from seed 1.
            var rng = new Random(seed);
            data = data.Select(v => v + (float)(rng.NextDouble() - 0.5)).ToArray();
        }
        return labels.Select((l, i) => new PointRow { Features = data.AsSpan(i * 10, 10).ToArray(), Label = l }).ToArray();
    }

    [Fact]
    public void FitsAMapAndPlacesNewRowsNearTheirCluster()
    {
        using var dir = new TempDir();
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Rows(1));
        var model = ml.Transforms.Tsne("Map", "Features", new TsneOptions { Perplexity = 15, Iterations = 400 }).Fit(train);
        Assert.Equal(200, model.ReferenceCount);
        Assert.Equal(2, model.Dimensions);

        // Fitted rows come back at their own positions.
        var fitted = model.Transform(train).GetColumn<float[]>("Map").ToArray();
        Assert.Equal(model.Map.Slice(0, 2).ToArray(), fitted[0]);

        // New rows land next to reference points of their own cluster.
        var fresh = Rows(7);
        var placed = model.Transform(ml.Data.LoadFromEnumerable(fresh)).GetColumn<float[]>("Map").ToArray();
        var map = model.Map.ToArray();
        var trainLabels = Rows(1).Select(r => r.Label).ToArray();
        int right = 0;
        for (int i = 0; i < placed.Length; i++)
        {
            int nearest = Enumerable.Range(0, 200).MinBy(j => Math.Pow(placed[i][0] - map[2 * j], 2) + Math.Pow(placed[i][1] - map[2 * j + 1], 2));
            if (trainLabels[nearest] == fresh[i].Label)
                right++;
        }
        Assert.True(right >= 0.95 * placed.Length, $"{right} of {placed.Length}");

        string path = dir.File("tsne.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = Assert.IsType<TsneTransformer>(new MLContext().Model.Load(path, out _));
        Assert.Equal(placed[3], loaded.Transform(ml.Data.LoadFromEnumerable(fresh)).GetColumn<float[]>("Map").ElementAt(3));
    }

    [Fact]
    public void BadColumnsAndTooFewRowsAreNamed()
    {
        var ml = new MLContext(1);
        var few = ml.Data.LoadFromEnumerable(Rows(1).Take(3));
        var e = Assert.ThrowsAny<Exception>(() => ml.Transforms.Tsne("Map", "Features").Fit(few));
        Assert.Contains("'Features'", e.Message);
        var wrongType = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a" } });
        Assert.Contains("'Text'", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Tsne("Map", "Text").Fit(wrongType)).Message);
        Assert.Contains("Dimensions", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Tsne("Map", "Features", new TsneOptions { Dimensions = 5 })).Message);

        // A NaN in a row to place is refused with the column named, not mapped to NaN coordinates.
        var model = ml.Transforms.Tsne("Map", "Features", new TsneOptions { Perplexity = 10, Iterations = 50 }).Fit(ml.Data.LoadFromEnumerable(Rows(1)));
        var row = Rows(1)[0];
        row.Features[3] = float.NaN;
        var nan = Assert.ThrowsAny<InvalidOperationException>(() => model.Transform(ml.Data.LoadFromEnumerable(new[] { row })).GetColumn<float[]>("Map").ToArray());
        // ML.NET may wrap it in its cursor's own exception; the cause names the column and the value.
        var messages = string.Join(" | ", Chain(nan).Select(x => x.Message));
        Assert.Contains("'Features'", messages);
        Assert.Contains("NaN", messages);
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            yield return x;
    }
}
