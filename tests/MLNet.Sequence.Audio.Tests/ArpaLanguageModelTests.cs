using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class ArpaLanguageModelTests
{
    private const string HandWritten = """

        \data\
        ngram 1=4
        ngram 2=2

        \1-grams:
        -99	<s>	-0.5
        -0.5	a	-0.3
        -0.7	b
        -0.9	</s>

        \2-grams:
        -0.2	<s> a
        -0.1	a b

        \end\
        """;

    private static readonly double Ln10 = Math.Log(10);

    [Fact]
    public void ScoresSeenNgramsAndBacksOffThroughTheContextsWeights()
    {
        var lm = ArpaLanguageModel.Read(new StringReader(HandWritten));
        int s = lm.IdOf("<s>"), a = lm.IdOf("a"), b = lm.IdOf("b"), end = lm.IdOf("</s>");

        Assert.Equal(2, lm.Order);
        Assert.Equal([4, 2], lm.NgramCounts);
        Assert.Equal(-0.1 * Ln10, lm.LogProbability([a], b), 5);
        Assert.Equal((-0.3 - 0.9) * Ln10, lm.LogProbability([a], end), 5); // bo(a) + p(</s>)
        Assert.Equal(-0.5 * Ln10, lm.LogProbability([b], a), 5); // b has no back-off weight: 0
        Assert.Equal((-0.5 - 0.7) * Ln10, lm.LogProbability([s], b), 5);
        Assert.Equal((-0.2 - 0.1 - 0.9) * Ln10, lm.SentenceLogProbability(["a", "b"]), 5);
        Assert.Equal(-1, lm.UnknownId);
        Assert.Equal(-23.0, lm.LogProbability([a], lm.IdOf("zebra"), unknownLogProbability: -23.0));
    }

    [Theory]
    [InlineData("hello\n", "'x.arpa' is not an ARPA language model: it has no \\data\\ section")]
    [InlineData("\\data\\\nngram 1=2\n\n\\1-grams:\n-1\ta\n\n\\end\\\n", "'x.arpa' line 7: the header says 2 1-grams, the section has 1")]
    [InlineData("\\data\\\nngram 1=1\nngram 2=1\n\\1-grams:\n-1\ta\n\\2-grams:\n-1\ta q\n\\end\\\n", "'x.arpa' line 7: the word 'q' is not among the unigrams")]
    [InlineData("\\data\\\nngram 1=1\n\\1-grams:\n0.5\ta\n\\end\\\n", "'x.arpa' line 4: '0.5' is not a log10 probability")]
    [InlineData("\\data\\\nngram 1=1\n\\1-grams:\n-1\ta\n", "'x.arpa' line 5: expected '\\end\\', found 'the end of the file'")]
    [InlineData("\\data\\\nngram 2=1\n", "'x.arpa' line 2: expected 'ngram 1=COUNT', found 'ngram 2=1'")]
    public void MalformedFilesAreRefusedWithTheLine(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<InvalidDataException>(() => ArpaLanguageModel.Read(new StringReader(text), "x.arpa")).Message);
    }

    private static readonly string[][] Tiny = [["a", "b"], ["a", "c"], ["a", "b"]];

    [Fact]
    public void KneserNeyMatchesTheHandComputedBigramModel()
    {
        // By hand: continuation counts a 1, b 1, c 1, </s> 2; too few
        // n-grams to estimate discounts, so 0.5 / 1 / 1.5; gamma 0.5 for every context; V = {</s>, <unk>, a, b, c}.
        var lm = ArpaModelBuilder.Build(Tiny, order: 2);
        int s = lm.IdOf("<s>"), a = lm.IdOf("a"), b = lm.IdOf("b"), end = lm.IdOf("</s>");

        Assert.Equal(Math.Log(0.2), lm.LogProbability([], a), 5);
        Assert.Equal(Math.Log(0.3), lm.LogProbability([], end), 5);
        Assert.Equal(Math.Log(0.1), lm.LogProbability([], lm.UnknownId), 5);
        Assert.Equal(Math.Log(0.6), lm.LogProbability([s], a), 5);
        Assert.Equal(Math.Log(1 / 3.0 + 0.1), lm.LogProbability([a], b), 5);
        Assert.Equal(Math.Log(0.5 / 3 + 0.1), lm.LogProbability([a], lm.IdOf("c")), 5);
        Assert.Equal(Math.Log(0.15), lm.LogProbability([a], end), 5); // unseen after a: gamma(a) p(</s>)
        Assert.Equal(Math.Log(0.65), lm.LogProbability([b], end), 5);
        Assert.Equal(Math.Log(0.05), lm.LogProbability([a], lm.IdOf("zebra")), 5); // out of vocabulary: <unk>
    }

    public static TheoryData<int> Orders() => new(1, 2, 3, 4);

    [Theory]
    [MemberData(nameof(Orders))]
    public void EveryContextsDistributionSumsToOne(int order)
    {
        var random = new Random(7);
        string[] vocabulary = ["the", "cat", "dog", "sat", "ran", "on", "a", "mat", "log", "and"];
        var corpus = Enumerable.Range(0, 300).Select(_ => Enumerable.Range(0, random.Next(1, 9)).Select(_ => vocabulary[random.Next(vocabulary.Length)]).ToArray()).ToArray();
        var lm = ArpaModelBuilder.Build(corpus, order);
        var predicted = vocabulary.Append("</s>").Append("<unk>").Select(lm.IdOf).ToArray();
        int s = lm.IdOf("<s>");
        int[][] contexts = [[], [s], [lm.IdOf("the")], [s, lm.IdOf("the")], [lm.IdOf("cat"), lm.IdOf("sat")], [lm.IdOf("mat"), lm.IdOf("mat"), lm.IdOf("mat")]];

        foreach (var context in contexts)
        {
            double total = predicted.Sum(w => Math.Exp(lm.LogProbability(context, w)));
            Assert.True(Math.Abs(total - 1) < 1e-4, $"order {order}, context [{string.Join(' ', context)}]: the probabilities sum to {total}");
        }
    }

    [Fact]
    public void TheBuiltTextIsArpaThatReadsBack()
    {
        string arpa = ArpaModelBuilder.BuildArpa(Tiny, order: 2);

        Assert.StartsWith("\n\\data\\\nngram 1=6\nngram 2=5\n\n\\1-grams:\n", arpa);
        Assert.Contains("-99\t<s>\t", arpa);
        Assert.EndsWith("\\end\\\n", arpa);
        Assert.Equal([6, 5], ArpaLanguageModel.Read(new StringReader(arpa)).NgramCounts);
    }

    [Fact]
    public void BadInputIsRefusedByName()
    {
        Assert.Equal("order", Assert.Throws<ArgumentOutOfRangeException>(() => ArpaModelBuilder.BuildArpa(Tiny, 7)).ParamName);
        Assert.StartsWith("token 'a b' is empty or holds white space", Assert.Throws<ArgumentException>(() => ArpaModelBuilder.BuildArpa([["a b"]], 2)).Message);
        Assert.StartsWith("there are no tokens", Assert.Throws<ArgumentException>(() => ArpaModelBuilder.BuildArpa([[]], 2)).Message);
    }
}
