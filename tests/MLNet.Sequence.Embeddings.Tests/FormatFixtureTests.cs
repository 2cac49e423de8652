using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings.Projection;

namespace MLNet.Sequence.Embeddings.Tests;

/// <summary>Model zips written by the first format version (tests/fixtures/v1) load and give the outputs they gave then.</summary>
public class FormatFixtureTests
{
    private static readonly JsonElement s_expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures/v1/expected.json"))).RootElement;

    private static string Zip(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures/v1", name + ".zip");

    private static float[][] Expected(string name) =>
        s_expected.GetProperty("outputs").GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    private static IDataView Rows(MLContext ml) =>
        ml.Data.LoadFromEnumerable(s_expected.GetProperty("rows").EnumerateArray().Select(r => new TextRow { Text = r.GetString() }).ToArray());

    [Theory]
    [InlineData("word2vec", typeof(Word2VecTransformer))]
    [InlineData("glove", typeof(GloVeTransformer))]
    [InlineData("wordvectors", typeof(WordVectorsTransformer))]
    [InlineData("debias", typeof(DebiasTransformer))]
    public void VersionOneZipsOfTheEmbeddingTransformersGiveTheSameVectors(string name, Type type)
    {
        var ml = new MLContext();
        var model = ml.Model.Load(Zip(name), out var schema);
        Assert.Equal("Text", schema.Single(c => !c.IsHidden && c.Name == "Text").Name);
        var last = model is IEnumerable<ITransformer> chain ? chain.Last() : model;
        Assert.IsType(type, last);
        var vectors = model.Transform(Rows(ml)).GetColumn<float[]>("Vec").ToArray();
        Assert.Equal(Expected(name), vectors);
    }

    [Fact]
    public void AVersionOneWord2VecZipKeepsItsTrainingState()
    {
        var chain = (IEnumerable<ITransformer>)new MLContext().Model.Load(Zip("word2vec"), out _);
        var w2v = Assert.IsType<Word2VecTransformer>(chain.Last());
        Assert.True(w2v.HasTrainingState);
        Assert.Equal(w2v.Vectors.Count * w2v.Vectors.Dimension, w2v.TrainingState!.NegativeOutput!.Length);
    }

    [Fact]
    public void AVersionOneTsneZipPlacesItsReferenceRowsWhereTheyWere()
    {
        var ml = new MLContext();
        var model = Assert.IsType<TsneTransformer>(ml.Model.Load(Zip("tsne"), out _));
        // The generator's 60 reference points; the first five positions were recorded.
        var points = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 60).Select(i => new Point
        {
            Features = Enumerable.Range(0, 4).Select(d => (float)((i % 3) * 5 + Math.Sin(i * 7 + d))).ToArray(),
        }));
        var map = model.Transform(points).GetColumn<float[]>("Map").Take(5).ToArray();
        Assert.Equal(Expected("tsne"), map);
    }

    public sealed class Point
    {
        [VectorType(4)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
