using System.Text.Json;
using MLNet.Sequence.Metrics;

namespace MLNet.Sequence.Core.Tests.Metrics;

/// <summary>NltkBleu against NLTK 3.8 itself: every case of tests/fixtures/bleu/nltk-cases.json, all eight methods.</summary>
public class NltkBleuTests
{
    private static readonly JsonElement s_fixture =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures/bleu/nltk-cases.json"))).RootElement;

    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < s_fixture.GetProperty("cases").GetArrayLength(); i++)
            data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void AgreesWithNltk(int index)
    {
        var c = s_fixture.GetProperty("cases")[index];
        var references = c.GetProperty("references").EnumerateArray()
            .Select(seg => (IReadOnlyList<IReadOnlyList<string>>)seg.EnumerateArray().Select(Tokens).ToList()).ToList();
        var hypotheses = c.GetProperty("hypotheses").EnumerateArray().Select(Tokens).ToList();
        var options = new NltkBleuOptions
        {
            Weights = c.GetProperty("weights").EnumerateArray().Select(w => w.GetDouble()).ToArray(),
            Smoothing = (NltkSmoothing)c.GetProperty("method").GetInt32(),
            AutoReweigh = c.GetProperty("autoReweigh").GetBoolean(),
        };
        string name = $"{c.GetProperty("name").GetString()} / method {(int)options.Smoothing}";

        if (c.GetProperty("error").ValueKind == JsonValueKind.String)
        {
            // NLTK stops (method 6 without a trigram match, or with fewer than three orders); so do we, with a reason.
            var error = Assert.Throws<ArgumentException>(() => NltkBleu.CorpusBleu(references, hypotheses, options));
            Assert.Contains("method 6", error.Message);
            return;
        }

        double expected = c.GetProperty("expected").GetDouble();
        double actual = NltkBleu.CorpusBleu(references, hypotheses, options);
        // Relative 1e-9, so that the tiny values method 0 returns (1e-77 and so on) are compared too; 0 must be 0.
        Assert.True(Math.Abs(actual - expected) <= 1e-9 * Math.Abs(expected), $"{name}: NLTK {expected:R}, ours {actual:R}");
    }

    [Fact]
    public void TheFixtureCoversEveryMethodAndTheSurprisingCases()
    {
        var cases = s_fixture.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal("3.8", s_fixture.GetProperty("nltk").GetString());
        Assert.Equal(Enumerable.Range(0, 8), cases.Select(c => c.GetProperty("method").GetInt32()).Distinct().Order());
        var names = cases.Select(c => c.GetProperty("name").GetString()).ToHashSet();
        Assert.Contains("empty hypothesis", names);
        Assert.Contains("no 4-gram match", names);
        Assert.Contains("three tokens exact", names);
        Assert.True(cases.Count > 600);
    }

    [Fact]
    public void SentenceBleuShowsTheEdgeCasesAsNltkDoes()
    {
        string[] cat = ["the", "cat", "sat"];
        // An empty hypothesis: exactly 0.
        Assert.Equal(0.0, NltkBleu.SentenceBleu([cat], []));
        // Three tokens, all matching, no smoothing: not 1 and not 0 but exp(0.25 ln(smallest normal double)).
        double tiny = NltkBleu.SentenceBleu([cat], cat);
        Assert.Equal(Math.Exp(0.25 * Math.Log(2.2250738585072014E-308)), tiny, 1e-90);
        Assert.InRange(tiny, 1e-78, 1e-76);
        // With the orders it has reweighed, a perfect match is 1.
        Assert.Equal(1.0, NltkBleu.SentenceBleu([cat], cat, new NltkBleuOptions { AutoReweigh = true }), 12);
        // Unigram-only weights on a hypothesis with one wrong token of four: 3/4.
        Assert.Equal(0.75, NltkBleu.SentenceBleu([["a", "b", "c", "d"]], ["a", "b", "c", "x"], new NltkBleuOptions { Weights = [1.0] }), 12);
    }

    [Fact]
    public void BadInputIsRefusedWithItsName()
    {
        Assert.Contains("Weights", Assert.Throws<ArgumentException>(() => NltkBleu.SentenceBleu([["a"]], ["a"], new NltkBleuOptions { Weights = [] })).Message);
        Assert.Contains("Weights", Assert.Throws<ArgumentOutOfRangeException>(() => NltkBleu.SentenceBleu([["a"]], ["a"], new NltkBleuOptions { Weights = [double.NaN] })).Message);
        Assert.Contains("Segment 0 has no reference", Assert.Throws<ArgumentException>(() => NltkBleu.SentenceBleu([], ["a"])).Message);
        Assert.Contains("2 hypotheses but 1 lists", Assert.Throws<ArgumentException>(() => NltkBleu.CorpusBleu([[["a"]]], [["a"], ["b"]])).Message);
    }

    private static IReadOnlyList<string> Tokens(JsonElement tokens) => tokens.EnumerateArray().Select(t => t.GetString()!).ToList();
}
