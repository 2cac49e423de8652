using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class NgramLanguageModelTests
{
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class NumberRow
    {
        public float Text { get; set; }
    }

    private static IDataView Texts(MLContext ml, params string[] texts) => ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }));

    private static float[] Scores(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float>("LogProbability").ToArray();

    [Fact]
    public void FitsTheHandComputedBigramModelFromNormalisedTextAndScoresEveryRow()
    {
        var ml = new MLContext(seed: 1);
        // The sentences of ArpaLanguageModelTests' hand-computed model (a b, a c, a b) in other spellings; blank rows are skipped.
        var train = Texts(ml, "A b.", "", "a, C!", "   ", "a B");
        var model = ml.Transforms.NgramLanguageModel(order: 2).Fit(train);

        Assert.Equal(2, model.Model.Order);
        Assert.Equal(NgramUnits.Words, model.Units);
        var scores = Scores(model, Texts(ml, "a b", "A  C", "b", ""));
        Assert.Equal(Math.Log(0.6) + Math.Log(1 / 3.0 + 0.1) + Math.Log(0.65), scores[0], 5);
        Assert.Equal(Math.Log(0.6) + Math.Log(0.5 / 3 + 0.1) + Math.Log(0.65), scores[1], 5);
        Assert.Equal(Math.Log(0.5 * 0.2) + Math.Log(0.65), scores[2], 5); // b unseen after <s>: gamma(<s>) p(b)
        Assert.Equal(Math.Log(0.5 * 0.3), scores[3], 5); // nothing: </s> right after <s>
    }

    [Fact]
    public void CharacterModelsCountCharactersAndTheSpaceToken()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.NgramLanguageModel(order: 3, units: NgramUnits.Characters).Fit(Texts(ml, "ab ba", "Ab!"));

        Assert.Equal(["</s>", "<s>", NgramLanguageModelTransformer.SpaceToken, "<unk>", "a", "b"], model.Model.Words.Order(StringComparer.Ordinal));
        var scores = Scores(model, Texts(ml, "ab", "ab ba", "zz"));
        Assert.True(scores[0] > scores[1], $"a seen string scores {scores[0]}, a longer one {scores[1]}");
        Assert.True(scores[2] < scores[0] - 2, $"unseen characters score {scores[2]}");
    }

    [Fact]
    public void SavedAndLoadedInAFreshContextItScoresTheSameAndWritesTheSameArpa()
    {
        var ml = new MLContext(seed: 1);
        var data = Texts(ml, "the cat sat", "the dog sat down", "a cat ran", "the cat ran down");
        var model = ml.Transforms.NgramLanguageModel(order: 3).Fit(data);
        string dir = Directory.CreateTempSubdirectory("mlnet-seq-lm-").FullName;
        try
        {
            string zip = Path.Combine(dir, "lm.zip"), arpa = Path.Combine(dir, "lm.arpa");
            ml.Model.Save(model, data.Schema, zip);
            model.SaveArpa(arpa);
            var fresh = new MLContext();
            var loaded = fresh.Model.Load(zip, out _);
            var probe = Texts(fresh, "the cat sat down", "a dog", "zebra");
            Assert.Equal(Scores(model, probe), Scores(loaded, probe));
            var fromFile = ArpaLanguageModel.Load(arpa);
            Assert.Equal(model.Model.SentenceLogProbability(["the", "cat", "ran"]), fromFile.SentenceLogProbability(["the", "cat", "ran"]), 5);
            Assert.Equal(model.Model.NgramCounts, ((NgramLanguageModelTransformer)loaded).Model.NgramCounts);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void BadColumnsAndSettingsAreRefusedByName()
    {
        var ml = new MLContext(seed: 1);
        var texts = Texts(ml, "a b");
        var missing = Assert.ThrowsAny<Exception>(() => ml.Transforms.NgramLanguageModel(inputColumnName: "Sentence").Fit(texts));
        Assert.Contains("Sentence", missing.Message);
        var numbers = ml.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1 } });
        var wrongType = Assert.ThrowsAny<Exception>(() => ml.Transforms.NgramLanguageModel().Fit(numbers));
        Assert.Contains("Text", wrongType.Message);
        Assert.Contains("Single", wrongType.Message);
        var empty = Assert.ThrowsAny<Exception>(() => ml.Transforms.NgramLanguageModel().Fit(Texts(ml, "", "?!", " ")));
        Assert.Contains("Column 'Text' has no row with a word", empty.Message);
        var order = Assert.ThrowsAny<Exception>(() => ml.Transforms.NgramLanguageModel(order: 7));
        Assert.Contains("Order", order.Message);
        // Scoring a column of another type is refused too.
        var model = ml.Transforms.NgramLanguageModel().Fit(texts);
        var scoring = Assert.ThrowsAny<Exception>(() => model.Transform(numbers));
        Assert.Contains("Text", scoring.Message);
    }
}
