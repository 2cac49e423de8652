using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Metrics;

namespace MLNet.Sequence.Core.Tests.Metrics;

public class TranslationEvaluationTests
{
    private sealed class Pair
    {
        public string Label { get; set; } = "";
        public string Translation { get; set; } = "";
    }

    private sealed class MultiReference
    {
        [VectorType]
        public string[] References { get; set; } = [];
        public string Output { get; set; } = "";
        public float Number { get; set; }
    }

    private static readonly string[] s_system = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];

    [Fact]
    public void EvaluateGivesCorpusBleuAndChrFOfTheColumns()
    {
        var ml = new MLContext(seed: 1);
        string[] refs = ["The dog bit the man.", "It was not unexpected.", "The man bit him first."];
        var data = ml.Data.LoadFromEnumerable(s_system.Zip(refs, (s, r) => new Pair { Label = r, Translation = s }));

        var metrics = ml.Translation().Evaluate(data);

        var bleu = Bleu.CorpusScore(s_system, refs);
        Assert.Equal(bleu.Score, metrics.Bleu, 12);
        Assert.Equal(bleu.Precisions, metrics.Precisions);
        Assert.Equal(bleu.BrevityPenalty, metrics.BrevityPenalty, 12);
        Assert.Equal(bleu.LengthRatio, metrics.LengthRatio, 12);
        Assert.Equal(17, metrics.TranslationLength);
        Assert.Equal(bleu.ReferenceLength, metrics.ReferenceLength);
        Assert.Equal(ChrF.CorpusScore(s_system, refs).Score, metrics.ChrF, 12);
        Assert.Equal(3, metrics.RowCount);
        Assert.Equal("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", metrics.BleuScore.Signature);
        Assert.Contains("BLEU = ", metrics.ToString());
    }

    [Fact]
    public void AVectorLabelHoldsSeveralReferencesAndEmptyOnesAreDropped()
    {
        var ml = new MLContext(seed: 1);
        IReadOnlyList<string?>[] refs =
        [
            ["The dog bit the man.", "The dog had bit the man."],
            ["It was not unexpected.", "No one was surprised."],
            ["The man bit him first.", "The man had bitten the dog."],
        ];
        var rows = s_system.Select((s, i) => new MultiReference { Output = s, References = refs[i].Select(r => r!).ToArray() }).ToList();
        var metrics = ml.Translation().Evaluate(ml.Data.LoadFromEnumerable(rows), "References", "Output");
        Assert.Equal(48.530827, metrics.Bleu, 6); // sacreBLEU's README example
        Assert.Equal(59.73, Math.Round(metrics.ChrF, 2));
        Assert.StartsWith("nrefs:2|", metrics.BleuScore.Signature);

        rows[0].References = ["The dog bit the man.", ""];
        var variable = ml.Translation().Evaluate(ml.Data.LoadFromEnumerable(rows), "References", "Output");
        Assert.StartsWith("nrefs:var|", variable.BleuScore.Signature);
        Assert.StartsWith("nrefs:var|", variable.ChrFScore.Signature);
    }

    [Fact]
    public void OptionsReachTheScores()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new Pair { Label = "THE CAT SAT", Translation = "the cat sat" }]);
        var exact = ml.Translation().Evaluate(data, bleuOptions: new BleuOptions { Lowercase = true, EffectiveOrder = true }, chrFOptions: new ChrFOptions { Lowercase = true });
        Assert.Equal(100.0, exact.Bleu, 10);
        Assert.Equal(100.0, exact.ChrF, 10);
        Assert.Equal(0.0, ml.Translation().Evaluate(data).Bleu);
    }

    [Fact]
    public void BadColumnsAndRowsAreNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable([new MultiReference { References = ["a b"], Output = "a b", Number = 1 }]);
        var translation = ml.Translation();

        Assert.Contains("'Label'", Assert.Throws<ArgumentOutOfRangeException>(() => translation.Evaluate(data, scoreColumnName: "Output")).Message);
        Assert.Contains("'Translation'", Assert.Throws<ArgumentOutOfRangeException>(() => translation.Evaluate(data, "References")).Message);
        var wrongType = Assert.Throws<ArgumentOutOfRangeException>(() => translation.Evaluate(data, "References", "Number"));
        Assert.Contains("'Number'", wrongType.Message);
        Assert.Contains("Text", wrongType.Message);
        Assert.Contains("'Number'", Assert.Throws<ArgumentOutOfRangeException>(() => translation.Evaluate(data, "Number", "Output")).Message);

        var emptyReference = ml.Data.LoadFromEnumerable([new Pair { Label = "a", Translation = "a" }, new Pair { Label = "", Translation = "b" }]);
        Assert.Contains("Row 1 has no reference: its 'Label' is empty", Assert.Throws<InvalidOperationException>(() => translation.Evaluate(emptyReference)).Message);
        Assert.Contains("no rows", Assert.Throws<InvalidOperationException>(() => translation.Evaluate(ml.Data.LoadFromEnumerable(Array.Empty<Pair>()))).Message);
        Assert.Contains("MaxNgramOrder", Assert.Throws<ArgumentOutOfRangeException>(() => translation.Evaluate(emptyReference, bleuOptions: new BleuOptions { MaxNgramOrder = -1 })).Message);
    }
}
