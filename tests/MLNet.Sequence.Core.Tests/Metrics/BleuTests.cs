using MLNet.Sequence.Metrics;

namespace MLNet.Sequence.Core.Tests.Metrics;

/// <summary>
/// Bleu against sacreBLEU 2: the values its README and test suite document (to the digits they give), and cases
/// computed here by hand from Papineni et al.'s definitions.
/// </summary>
public class BleuTests
{
    // sacreBLEU's README example: three segments, two reference streams.
    private static readonly string[] s_system = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
    private static readonly IReadOnlyList<string?>[] s_references =
    [
        ["The dog bit the man.", "The dog had bit the man."],
        ["It was not unexpected.", "No one was surprised."],
        ["The man bit him first.", "The man had bitten the dog."],
    ];

    [Fact]
    public void ReadmeExampleGivesSacreBleusReport()
    {
        var score = Bleu.CorpusScore(s_system, s_references);
        Assert.Equal(48.530827, score.Score, 6);
        Assert.Equal("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", score.ToString());
        Assert.Equal("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", score.Signature);
        Assert.Equal(17, score.HypothesisLength);
        Assert.Equal(18, score.ReferenceLength);
        // Precision 1 is 14 of 17 unigrams, and so on: the report's percentages are these fractions.
        Assert.Equal([14.0, 7, 5, 3], score.Counts);
        Assert.Equal([17.0, 14, 11, 8], score.Totals);
        Assert.Equal(100.0 * 14 / 17, score.Precisions[0], 12);
        Assert.Equal(Math.Exp(1 - 18.0 / 17), score.BrevityPenalty, 12);
    }

    [Theory]
    [InlineData(BleuTokenization.Mteval13a, BleuSmoothing.Exponential, 48.530827)]
    [InlineData(BleuTokenization.None, BleuSmoothing.Exponential, 49.1919566)]
    [InlineData(BleuTokenization.International, BleuSmoothing.Exponential, 43.91623493)]
    [InlineData(BleuTokenization.Mteval13a, BleuSmoothing.None, 48.530827)]
    public void ReadmeExampleUnderOtherSettingsMatchesSacreBleusTests(BleuTokenization tokenization, BleuSmoothing smoothing, double expected)
    {
        var score = Bleu.CorpusScore(s_system, s_references, new BleuOptions { Tokenization = tokenization, Smoothing = smoothing });
        Assert.Equal(expected, score.Score, 6);
    }

    [Fact]
    public void EmptyHypothesesScoreZeroAndAreNotDropped()
    {
        var score = Bleu.CorpusScore(["", "", ""], s_references);
        Assert.Equal(0.0, score.Score);
        Assert.Equal(0, score.HypothesisLength);
        Assert.Equal(0.0, score.BrevityPenalty);
        Assert.True(score.ReferenceLength > 0);
    }

    [Fact]
    public void AVariableNumberOfReferencesGivesNrefsVar()
    {
        // sacreBLEU README: the first segment's references removed (empty or null).
        IReadOnlyList<string?>[] refs =
        [
            ["", null],
            ["It was not unexpected.", "No one was surprised."],
            ["The man bit him first.", "The man had bitten the dog."],
        ];
        // With no reference at all, the first segment is an error naming it.
        Assert.Contains("Segment 0 has no reference", Assert.Throws<ArgumentException>(() => Bleu.CorpusScore(s_system, refs)).Message);

        IReadOnlyList<string?>[] fewer =
        [
            ["The dog bit the man.", ""],
            ["It was not unexpected.", "No one was surprised."],
            ["The man bit him first.", "The man had bitten the dog."],
        ];
        var score = Bleu.CorpusScore(s_system, fewer);
        Assert.StartsWith("nrefs:var|", score.Signature);
        Assert.Equal(Bleu.CorpusScore(s_system, s_references).Score, score.Score, 10); // the dropped reference was never the best
    }

    [Fact]
    public void StatisticsOfSacreBleusTestCase()
    {
        // test_bleu.py: "am I am a character sequence" against "I am a symbol string sequence a a".
        var options = new BleuOptions { Tokenization = BleuTokenization.None, Smoothing = BleuSmoothing.Floor, EffectiveOrder = true };
        var score = Bleu.CorpusScore(["am I am a character sequence"], ["I am a symbol string sequence a a"], options);
        Assert.Equal([4.0, 2, 1, 0], score.Counts);
        Assert.Equal([6.0, 5, 4, 3], score.Totals);
        Assert.True(Math.Abs(score.Score / 100 - 0.1555722182) < 1e-8); // floor 0.1 by default; the 1e-8 sacreBLEU checks
        Assert.Equal("nrefs:1|case:mixed|eff:yes|tok:none|smooth:floor[0.10]|version:2.6.0", score.Signature);
        options.SmoothingValue = 0;
        Assert.Equal(0.0, Bleu.CorpusScore(["am I am a character sequence"], ["I am a symbol string sequence a a"], options).Score);
    }

    [Theory]
    [InlineData("this is a test", "this is a test", 1.0)]
    [InlineData("this is a fest", "this is a test", 0.223606797749979)] // (3/4 * 2/3 * 1/2 * 0.01)^(1/4)
    [InlineData("test", "a test", 0.3678794411714425)]                  // one order; BP = exp(1 - 2)
    [InlineData("a test", "a test", 1.0)]
    [InlineData("a little test", "a test", 0.03218297948685433)]       // (2/3 * 0.01/2 * 0.01/1)^(1/3)
    public void RawBleuWithEffectiveOrderMatchesSacreBleusTests(string hypothesis, string reference, double expected)
    {
        // sacreBLEU's raw_corpus_bleu: no tokenisation, floor 0.01, effective order.
        var options = new BleuOptions { Tokenization = BleuTokenization.None, Smoothing = BleuSmoothing.Floor, SmoothingValue = 0.01, EffectiveOrder = true };
        Assert.Equal(expected, Bleu.CorpusScore([hypothesis], [reference], options).Score / 100, 12);
    }

    [Fact]
    public void ScoreFromStatisticsMatchesSacreBleusComputeBleu()
    {
        var stats = Statistics([9, 7, 5, 3], [10, 8, 6, 4], 11, 11);
        Assert.Equal(0.8375922397, Bleu.Score(stats, new BleuOptions { Smoothing = BleuSmoothing.None }).Score / 100, 10);

        // Degenerate statistics are 0 under floor smoothing, whatever the floor (test_degenerate_statistics).
        foreach (var (matches, totals, sys, reference, floor) in new (long[], long[], long, long, double)[]
                 {
                     ([0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0), ([0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0),
                     ([0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0), ([6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0),
                     ([0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1), ([0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01),
                 })
        {
            var options = new BleuOptions { Smoothing = BleuSmoothing.Floor, SmoothingValue = floor };
            Assert.Equal(0.0, Bleu.Score(Statistics(matches, totals, sys, reference), options).Score);
        }
    }

    // sacreBLEU's test_sentence_bleu.py (issue 98), quoted to the three decimals it checks.
    private const string SentenceReference = "produc\u0163ia de zah\u0103r brut se exprim\u0103 \u00EEn zah\u0103r alb;";
    private const string SentenceSystem = "Produc\u021Bia de zah\u0103r prim\u0103 va fi exprimat\u0103 \u00EEn ceea ce prive\u0219te zah\u0103rul alb;";

    [Theory]
    [InlineData(BleuSmoothing.Exponential, null, false, BleuTokenization.Mteval13a, 8.493)]
    [InlineData(BleuSmoothing.None, null, false, BleuTokenization.Mteval13a, 0.0)]
    [InlineData(BleuSmoothing.Floor, null, false, BleuTokenization.Mteval13a, 4.51688)]
    [InlineData(BleuSmoothing.Floor, 0.1, false, BleuTokenization.Mteval13a, 4.51688)]
    [InlineData(BleuSmoothing.Floor, 0.5, false, BleuTokenization.Mteval13a, 10.10)]
    [InlineData(BleuSmoothing.AddK, null, false, BleuTokenization.Mteval13a, 14.882)]
    [InlineData(BleuSmoothing.AddK, 1.0, false, BleuTokenization.Mteval13a, 14.882)]
    [InlineData(BleuSmoothing.AddK, 2.0, false, BleuTokenization.Mteval13a, 21.389)]
    [InlineData(BleuSmoothing.Exponential, null, false, BleuTokenization.None, 7.347)]
    [InlineData(BleuSmoothing.Exponential, null, false, BleuTokenization.International, 8.493)]
    [InlineData(BleuSmoothing.Exponential, null, false, BleuTokenization.Character, 40.8759)]
    [InlineData(BleuSmoothing.Exponential, null, true, BleuTokenization.Character, 42.0267)]
    public void SentenceBleuMatchesSacreBleusTests(BleuSmoothing smoothing, double? value, bool lowercase, BleuTokenization tokenization, double expected)
    {
        var options = new BleuOptions { Smoothing = smoothing, SmoothingValue = value, Lowercase = lowercase, Tokenization = tokenization, EffectiveOrder = true };
        Assert.True(Math.Abs(Bleu.SentenceScore(SentenceSystem, [SentenceReference], options).Score - expected) < 1e-3);
    }

    [Theory]
    [InlineData(BleuSmoothing.Exponential)]
    [InlineData(BleuSmoothing.None)]
    [InlineData(BleuSmoothing.Floor)]
    [InlineData(BleuSmoothing.AddK)]
    public void NoMatchingUnigramIsZeroWhateverTheSmoothing(BleuSmoothing smoothing)
    {
        // sacreBLEU issue 141: smoothing must not give points to a hypothesis that shares nothing with the reference.
        var score = Bleu.SentenceScore("this is a cat", ["okay thanks"], new BleuOptions { Smoothing = smoothing, EffectiveOrder = true });
        Assert.Equal(0.0, score.Score);
        Assert.All(score.Precisions, p => Assert.Equal(0.0, p));
    }

    [Fact]
    public void PapineniCandidatesHaveThePapersModifiedPrecisions()
    {
        // Papineni et al. 2002, section 2.1, example 1 (words only, as the paper counts them).
        string[] refs =
        [
            "It is a guide to action that ensures that the military will forever heed Party commands",
            "It is the guiding principle which guarantees the military forces always being under the command of the Party",
            "It is the practical guide for the army always to heed the directions of the party",
        ];
        var none = new BleuOptions { Tokenization = BleuTokenization.None };
        var candidate1 = Bleu.SentenceScore("It is a guide to action which ensures that the military always obeys the commands of the party", refs, none);
        Assert.Equal(17.0, candidate1.Counts[0]);
        Assert.Equal(18.0, candidate1.Totals[0]);
        Assert.Equal(10.0, candidate1.Counts[1]);
        Assert.Equal(17.0, candidate1.Totals[1]);
        var candidate2 = Bleu.SentenceScore("It is to insure the troops forever hearing the activity guidebook that party direct", refs, none);
        Assert.Equal([8.0, 1], candidate2.Counts.Take(2));
        Assert.Equal([14.0, 13], candidate2.Totals.Take(2));

        // Example 2: "the the the the the the the" is clipped to the most "the"s in one reference (2, lowercased).
        string[] cat = ["The cat is on the mat.", "There is a cat on the mat."];
        var the = Bleu.SentenceScore("the the the the the the the", cat, new BleuOptions { Lowercase = true, EffectiveOrder = true });
        Assert.Equal(2.0, the.Counts[0]);
        Assert.Equal(7.0, the.Totals[0]);
        Assert.Equal(1.0, Bleu.SentenceScore("the the the the the the the", cat).Counts[0]); // case-sensitive: one "the" each
    }

    [Fact]
    public void BrevityPenaltyUsesTheClosestReferenceAndTheShorterOnATie()
    {
        string twelve = string.Join(' ', Enumerable.Repeat("a", 12));
        var tie = Bleu.SentenceScore(twelve, [string.Join(' ', Enumerable.Repeat("a", 13)), string.Join(' ', Enumerable.Repeat("a", 11))]);
        Assert.Equal(11, tie.ReferenceLength);
        Assert.Equal(1.0, tie.BrevityPenalty);
        var shorter = Bleu.SentenceScore(string.Join(' ', Enumerable.Repeat("a", 7)), [string.Join(' ', Enumerable.Repeat("a", 11)), string.Join(' ', Enumerable.Repeat("a", 8))]);
        Assert.Equal(8, shorter.ReferenceLength);
        Assert.Equal(Math.Exp(1 - 8.0 / 7), shorter.BrevityPenalty, 14); // mteval-v13a's 0.8668...
    }

    [Fact]
    public void WithoutEffectiveOrderAShortHypothesisScoresZero()
    {
        // Three tokens have no 4-gram: corpus BLEU (effective order off) is 0 even for a perfect match, while
        // sentence BLEU's default settings average over the three orders the hypothesis has.
        Assert.Equal(0.0, Bleu.CorpusScore(["the cat sat"], ["the cat sat"]).Score);
        Assert.Equal(100.0, Bleu.SentenceScore("the cat sat", ["the cat sat"]).Score, 10);
        Assert.Equal("nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:2.6.0", Bleu.SentenceScore("the cat sat", ["the cat sat"]).Signature);
    }

    [Fact]
    public void SegmentStatisticsAddUpToTheCorpusScore()
    {
        var options = new BleuOptions();
        var total = new BleuStatistics();
        for (int i = 0; i < s_system.Length; i++)
            total.Add(Bleu.SegmentStatistics(s_system[i], s_references[i]!.Cast<string>().ToList(), options));
        Assert.Equal(Bleu.CorpusScore(s_system, s_references).Score, Bleu.Score(total, options, "2").Score, 12);
        Assert.Contains("orders up to 2", Assert.Throws<ArgumentException>(() => total.Add(new BleuStatistics(2))).Message);
    }

    [Fact]
    public void BadInputIsRefusedWithItsName()
    {
        Assert.Contains("2 hypotheses but 1 segments", Assert.Throws<ArgumentException>(() => Bleu.CorpusScore(["a", "b"], ["a"])).Message);
        Assert.Contains("no hypotheses", Assert.Throws<ArgumentException>(() => Bleu.CorpusScore([], Array.Empty<string>())).Message);
        Assert.Contains("Hypothesis 1 is null", Assert.Throws<ArgumentException>(() => Bleu.CorpusScore(["a", null!], ["a", "b"])).Message);
        Assert.Contains("MaxNgramOrder", Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.CorpusScore(["a"], ["a"], new BleuOptions { MaxNgramOrder = 0 })).Message);
        Assert.Contains("SmoothingValue", Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.CorpusScore(["a"], ["a"], new BleuOptions { SmoothingValue = double.NaN })).Message);
        Assert.Contains("SmoothingValue", Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.CorpusScore(["a"], ["a"], new BleuOptions { SmoothingValue = -1 })).Message);
        Assert.Contains("Smoothing", Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.CorpusScore(["a"], ["a"], new BleuOptions { Smoothing = (BleuSmoothing)7 })).Message);
        Assert.Contains("MaxNgramOrder is 4", Assert.Throws<ArgumentException>(() => Bleu.Score(new BleuStatistics(3))).Message);
    }

    private static BleuStatistics Statistics(long[] matches, long[] totals, long sys, long reference)
    {
        var s = new BleuStatistics(matches.Length) { HypothesisLength = sys, ReferenceLength = reference };
        matches.CopyTo(s.Matches);
        totals.CopyTo(s.Totals);
        return s;
    }
}
