using Microsoft.ML;
using MLNet.Sequence.Metrics;

namespace MLNet.Sequence.Core.Tests.Metrics;

public class WordErrorRateTests
{
    [Fact]
    public void CountsASubstitutionAndADeletion()
    {
        var u = new WordErrorRate().Add("the cat sat on the mat", "the cat sit on mat");

        Assert.Equal(new ErrorCounts(Substitutions: 1, Deletions: 1, Insertions: 0, Hits: 4), u.Words.Counts);
        Assert.Equal(2 / 6.0, u.Words.Counts.Rate, 12);
        Assert.Equal("REF: the cat sat on the mat\nHYP: the cat sit on *** mat\n             S      D", u.Words.ToDisplayString());
    }

    [Fact]
    public void InsertionsCanTakeWerAboveOne()
    {
        var wer = WordErrorRate.Of([("a b", "x a y b z")]);

        Assert.Equal(new ErrorCounts(0, 0, 3, 2), wer.WordCounts);
        Assert.Equal(1.5, wer.Wer, 12);
    }

    [Fact]
    public void TheCorpusRateIsTheSumOfErrorsOverTheSumOfReferenceWordsNotTheMeanOfRates()
    {
        // 100% on a one-word utterance and 0% on a nine-word one: 1 error in 10 words, not a mean of 50%.
        var wer = WordErrorRate.Of([("yes", "no"), ("one two three four five six seven eight nine", "one two three four five six seven eight nine")]);

        Assert.Equal(0.1, wer.Wer, 12);
        Assert.Equal(1.0, wer.Utterances[0].Words.Counts.Rate);
        Assert.Equal(10, wer.WordCounts.ReferenceLength);
        Assert.Equal("WER 10.00% (S 1, D 0, I 0 of 10 words), CER 6.38% (S 2, D 1, I 0 of 47 characters); lower-cased, punctuation removed", wer.ToString());
    }

    [Fact]
    public void AnEmptyHypothesisDeletesEveryWordAndAnEmptyReferenceOnlyInserts()
    {
        var wer = new WordErrorRate();
        var deleted = wer.Add("seven four two", "");
        var inserted = wer.Add("", "uh");

        Assert.Equal(new ErrorCounts(0, 3, 0, 0), deleted.Words.Counts);
        Assert.Equal(double.PositiveInfinity, inserted.Words.Counts.Rate);
        Assert.Equal(4 / 3.0, wer.Wer, 12); // the corpus rate stays finite: 4 errors over 3 reference words
        Assert.Equal(0, new ErrorCounts(0, 0, 0, 0).Rate);
    }

    [Theory]
    [InlineData("Hello, World!", "hello world")]
    [InlineData("Don't STOP", "don't stop")]
    [InlineData("don\u2019t", "don't")]
    [InlineData("rock-and-roll", "rock and roll")]
    [InlineData("  spaced\tout \n text ", "spaced out text")]
    [InlineData("'quoted'", "quoted")]
    [InlineData("Ｆｕｌｌ ｗｉｄｔｈ", "full width")] // NFKC
    [InlineData("Café naïve", "café naïve")]
    public void NormalisationLowerCasesAndDropsPunctuation(string text, string normalised)
    {
        Assert.Equal(normalised, TranscriptNormalizer.Normalize(text));
    }

    [Fact]
    public void CharacterErrorsCountTheSpacesBetweenWords()
    {
        var u = new WordErrorRate().Add("a b", "ab");

        Assert.Equal(new ErrorCounts(0, 1, 0, 2), u.Characters.Counts);
        Assert.Equal(new ErrorCounts(1, 1, 0, 0), u.Words.Counts);
    }

    [Fact]
    public void TiesAreBrokenTheSameWayEveryTime()
    {
        // "a a" against "a": either reference word may be the deleted one; the alignment keeps the last as the match.
        var steps = EditAlignment.Align(["a", "a"], ["a"]).Steps;

        Assert.Equal([EditOperation.Deletion, EditOperation.Match], steps.Select(s => s.Operation));
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public string Transcript { get; set; } = "";
        public int Number { get; set; }
    }

    [Fact]
    public void EvaluatesADataViewInMLNetsStyle()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new Row { Label = "Call me at seven.", Transcript = "call me at eleven" },
            new Row { Label = "Stop", Transcript = "stop stop" },
        });

        var metrics = ml.Speech().Evaluate(data);

        Assert.Equal(new ErrorCounts(1, 0, 1, 4), metrics.WordCounts);
        Assert.Equal(2 / 5.0, metrics.Wer, 12);
        Assert.Equal(2, metrics.Utterances.Count);
        Assert.Equal("Call me at seven.", metrics.Utterances[0].Reference);
    }

    [Fact]
    public void BadColumnsAndEmptyReferencesAreRefusedByName()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Label = "...", Transcript = "x" } });

        Assert.Contains("Missing", Assert.ThrowsAny<ArgumentException>(() => ml.Speech().Evaluate(data, "Label", "Missing")).Message);
        var wrongType = Assert.ThrowsAny<ArgumentException>(() => ml.Speech().Evaluate(data, "Number", "Transcript")).Message;
        Assert.Contains("Number", wrongType);
        Assert.Contains("Text", wrongType);
        var empty = Assert.ThrowsAny<InvalidOperationException>(() => ml.Speech().Evaluate(data));
        Assert.Equal("Every reference in 'Label' is empty after normalisation; WER is undefined.", empty.Message);
    }
}
