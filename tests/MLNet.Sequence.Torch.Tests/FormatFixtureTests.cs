using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Torch.Classification;
using MLNet.Sequence.Torch.LanguageModel;
using MLNet.Sequence.Torch.Tagging;

namespace MLNet.Sequence.Torch.Tests;

/// <summary>
/// Model zips written by the first format version (tests/fixtures/v1) load with the current layout's code and
/// give the outputs they gave then, on the same libtorch.
/// </summary>
public class FormatFixtureTests
{
    private static readonly JsonElement s_expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures/v1/expected.json"))).RootElement;

    private static string Zip(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures/v1", name + ".zip");

    private static JsonElement Expected(string name) => s_expected.GetProperty("outputs").GetProperty(name);

    private static IDataView Rows(MLContext ml) =>
        ml.Data.LoadFromEnumerable(s_expected.GetProperty("rows").EnumerateArray().Select(r => new TextRow { Text = r.GetString()! }).ToArray());

    [Fact]
    public void AVersionOneClassifierGivesTheSameScores()
    {
        var ml = new MLContext();
        var model = Assert.IsType<SequenceClassifierTransformer>(ml.Model.Load(Zip("classifier"), out _));
        Assert.True(model.IsBinary);
        var scores = model.Transform(Rows(ml)).GetColumn<float>("Score").ToArray();
        var expected = Expected("classifier").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(expected.Length, scores.Length);
        for (int i = 0; i < scores.Length; i++)
            Assert.Equal(expected[i], scores[i], 5);
    }

    [Fact]
    public void AVersionOneTaggerGivesTheSameTags()
    {
        var ml = new MLContext();
        var model = Assert.IsType<SequenceTaggerTransformer>(ml.Model.Load(Zip("tagger"), out _));
        var tags = model.Transform(Rows(ml)).GetColumn<string[]>("PredictedTags").ToArray();
        var expected = Expected("tagger").EnumerateArray().Select(r => r.EnumerateArray().Select(t => t.GetString()!).ToArray()).ToArray();
        Assert.Equal(expected, tags);
    }

    [Fact]
    public void AVersionOneLanguageModelGivesTheSameLogProbabilities()
    {
        var ml = new MLContext();
        var model = Assert.IsType<LanguageModelTransformer>(ml.Model.Load(Zip("languagemodel"), out _));
        var logps = model.Transform(Rows(ml)).GetColumn<float>("LogProbability").ToArray();
        var expected = Expected("languagemodel").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(expected.Length, logps.Length);
        for (int i = 0; i < logps.Length; i++)
            Assert.Equal(expected[i], logps[i], 4);
    }

    [Fact]
    public void ANewZipOfAVersionOneModelIsWrittenInTheNewLayoutAndLoadsToTheSameScores()
    {
        var ml = new MLContext();
        var model = ml.Model.Load(Zip("classifier"), out var schema);
        string path = Path.Combine(Path.GetTempPath(), $"mlnet-seq-fixture-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, schema, path);
            var again = new MLContext().Model.Load(path, out _);
            Assert.Equal(model.Transform(Rows(ml)).GetColumn<float>("Score"), again.Transform(Rows(ml)).GetColumn<float>("Score"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
