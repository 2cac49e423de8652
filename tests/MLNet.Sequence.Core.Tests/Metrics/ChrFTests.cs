using MLNet.Sequence.Metrics;

namespace MLNet.Sequence.Core.Tests.Metrics;

/// <summary>ChrF against sacreBLEU 2's README and test_chrf.py (to the 1e-4 they check), and a chrF++ case by hand.</summary>
public class ChrFTests
{
    [Fact]
    public void ReadmeExampleIsChrF2Of59_73()
    {
        string[] system = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
        IReadOnlyList<string?>[] refs =
        [
            ["The dog bit the man.", "The dog had bit the man."],
            ["It was not unexpected.", "No one was surprised."],
            ["The man bit him first.", "The man had bitten the dog."],
        ];
        var score = ChrF.CorpusScore(system, refs);
        Assert.Equal("chrF2 = 59.73", score.ToString());
        Assert.Equal("nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0", score.Signature);
    }

    [Theory]
    [InlineData("abcdefg", "hijklmnop", 0.0)]
    [InlineData("a", "b", 0.0)]
    [InlineData("", "b", 0.0)]
    [InlineData("", "ref", 0.0)]
    [InlineData("", "reference", 0.0)]
    [InlineData("aa", "ab", 8.3333)]
    [InlineData("a", "a", 16.6667)]
    [InlineData("a b c", "a b c", 50.0)]
    [InlineData("a b c", "abc", 50.0)]
    [InlineData(" risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .",
        "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .", 63.361730)]
    [InlineData(" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. ",
        "Das Verh\u00E4ltnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.", 64.1302698)]
    [InlineData("Niemand hat die Absicht, eine Mauer zu errichten", "Niemand hat die Absicht, eine Mauer zu errichten", 100.0)]
    public void EpsilonSmoothingMatchesSacreBleu(string hypothesis, string reference, double expected)
    {
        var options = new ChrFOptions { Beta = 3, EpsilonSmoothing = true };
        Assert.True(Math.Abs(ChrF.CorpusScore([hypothesis], [reference], options).Score - expected) < 1e-4);
    }

    [Fact]
    public void EpsilonSmoothingOverTwoSegments()
    {
        var options = new ChrFOptions { Beta = 3, EpsilonSmoothing = true };
        Assert.True(Math.Abs(ChrF.CorpusScore(["a", "b"], ["a", "c"], options).Score - 8.3333) < 1e-4);
    }

    [Theory]
    [InlineData(new[] { "a" }, new[] { "a" }, 100.0)]
    [InlineData(new[] { "" }, new[] { "reference" }, 0.0)]
    [InlineData(new[] { "a b c" }, new[] { "a b c" }, 100.0)]
    [InlineData(new[] { "a b c" }, new[] { "abc" }, 100.0)]
    [InlineData(new[] { "" }, new[] { "c" }, 0.0)]
    [InlineData(new[] { "a", "b" }, new[] { "a", "c" }, 50.0)]
    [InlineData(new[] { "aa" }, new[] { "ab" }, 25.0)]
    public void EffectiveOrderMatchesSacreBleu(string[] hypotheses, string[] references, double expected)
    {
        Assert.Equal(expected, ChrF.CorpusScore(hypotheses, references, new ChrFOptions { Beta = 3 }).Score, 10);
    }

    [Theory]
    [InlineData("Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.",
        "Das Verh\u00E4ltnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.", 67.3481606)]
    [InlineData("risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .",
        "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .", 65.2414427)]
    public void KeepingWhitespaceMatchesSacreBleu(string hypothesis, string reference, double expected)
    {
        Assert.True(Math.Abs(ChrF.CorpusScore([hypothesis], [reference], new ChrFOptions { Beta = 3, Whitespace = true }).Score - expected) < 1e-4);
    }

    [Theory]
    [InlineData("Co n\u00E1s nejv\u00EDc tr\u00E1p\u00ED, proto\u017Ee l\u00E9ka\u0159i si vyb\u00EDraj\u00ED, kdo bude \u017E\u00EDt a kdo zem\u0159e.",
        "Nejv\u00EDce smutn\u00ED jsme z toho, \u017Ee mus\u00EDme rozhodovat o tom, kdo bude \u017E\u00EDt a kdo zem\u0159e.", 39.14078509)]
    [InlineData("Nebo prost\u011B nemaj\u00ED vybaven\u00ED, kter\u00E9 by jim pomohlo, uvedli l\u00E9ka\u0159i.",
        "A n\u011Bkdy nem\u00E1me ani pot\u0159ebn\u00FD materi\u00E1l, abychom jim pomohli, popsali l\u00E9ka\u0159i.", 31.22557079)]
    [InlineData("Lapali po dechu, jejich \u017Eivoty skon\u010Dily d\u0159\u00EDv, ne\u017E skute\u010Dn\u011B za\u010Daly.",
        "Lapali po dechu a pak jejich \u017Eivot skon\u010Dil - d\u0159\u00EDv, ne\u017E skute\u010Dn\u011B mohl za\u010D\u00EDt, p\u0159ipomn\u011Bli.", 57.15704367)]
    public void SentenceChrFMatchesSacreBleu(string hypothesis, string reference, double expected)
    {
        Assert.True(Math.Abs(ChrF.SentenceScore(hypothesis, [reference], new ChrFOptions { EpsilonSmoothing = true }).Score - expected) < 1e-4);
    }

    [Fact]
    public void ChrFPlusPlusSplitsPunctuationOffWordsAndAddsWordNgrams()
    {
        // Word orders only: hypothesis words [the, cat, .], reference [the, cat, sat, .].
        // Unigrams P 3/3, R 3/4; bigrams P 1/2, R 1/3; averages P 3/4, R 13/24; F2 = 5PR / (4P + R) = 195/340.
        var options = new ChrFOptions { CharOrder = 0, WordOrder = 2 };
        var score = ChrF.SentenceScore("the cat.", ["the cat sat."], options);
        Assert.Equal(100.0 * 195 / 340, score.Score, 10);
        Assert.Equal("chrF2++", score.Name);
        Assert.Equal("chrF2++", ChrF.SentenceScore("a", ["a"], new ChrFOptions { WordOrder = 2 }).Name);
    }

    [Fact]
    public void SeveralReferencesTakeTheBestPerSegment()
    {
        var one = ChrF.SentenceScore("the cat sat", ["the cat sat"]);
        var best = ChrF.SentenceScore("the cat sat", ["a dog ran", "the cat sat", ""]);
        Assert.Equal(100.0, one.Score, 10);
        Assert.Equal(100.0, best.Score, 10);
        Assert.StartsWith("nrefs:2|", best.Signature);
    }

    [Fact]
    public void BadOptionsAreRefusedWithTheirNames()
    {
        Assert.Contains("CharOrder and WordOrder are both 0", Assert.Throws<ArgumentException>(() => ChrF.SentenceScore("a", ["a"], new ChrFOptions { CharOrder = 0 })).Message);
        Assert.Contains("Beta", Assert.Throws<ArgumentOutOfRangeException>(() => ChrF.SentenceScore("a", ["a"], new ChrFOptions { Beta = -1 })).Message);
        Assert.Contains("Segment 0 has no reference", Assert.Throws<ArgumentException>(() => ChrF.SentenceScore("a", [""])).Message);
    }
}
