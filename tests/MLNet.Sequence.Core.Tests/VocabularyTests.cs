using MLNet.Sequence.Text;

namespace MLNet.Sequence.Core.Tests;

public class VocabularyTests
{
    [Fact]
    public void LooksUpWordsBySpanWithoutAllocatingAndKeepsCounts()
    {
        var v = new Vocabulary(new[] { "the", "cat", "sat" }, new long[] { 10, 3, 2 });
        Assert.Equal(3, v.Count);
        Assert.Equal(15, v.TotalCount);
        Assert.True(v.TryGetId("xx cat yy".AsSpan(3, 3), out int id));
        Assert.Equal(1, id);
        Assert.Equal("cat", v[id]);
        Assert.Equal(3, v.GetCount(id));
        Assert.False(v.TryGetId("dog".AsSpan(), out _));
        Assert.False(v.TryGetId((string?)null, out _));
    }

    [Fact]
    public void RejectsDuplicatesEmptyWordsAndBadCounts()
    {
        Assert.Contains("'a' appears twice", Assert.Throws<ArgumentException>(() => new Vocabulary(new[] { "a", "b", "a" })).Message);
        Assert.Contains("Word 1 is null or empty", Assert.Throws<ArgumentException>(() => new Vocabulary(new[] { "a", "" })).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => new Vocabulary(new[] { "a" }, new long[] { -1 })).Message);
        Assert.Contains("counts has 1", Assert.Throws<ArgumentException>(() => new Vocabulary(new[] { "a", "b" }, new long[] { 1 })).Message);
        Assert.Contains("'zebra' is not in the vocabulary", Assert.Throws<KeyNotFoundException>(() => new Vocabulary(new[] { "a" }).GetId("zebra")).Message);
    }
}

public class TokenSplitterTests
{
    private static List<string> Split(string text, TokenSplitting splitting)
    {
        var tokens = new List<string>();
        TokenSplitter.Split(text.AsSpan(), splitting, ref tokens, static (t, ref list) => list.Add(t.ToString()));
        return tokens;
    }

    [Fact]
    public void WhiteSpaceSplitsOnAnyWhiteSpaceAndDropsEmptyTokens()
    {
        Assert.Equal(new[] { "the", "cat's", "hat," }, Split("  the\tcat's \n hat,  ", TokenSplitting.WhiteSpace));
        Assert.Empty(Split("   ", TokenSplitting.WhiteSpace));
        Assert.Empty(Split("", TokenSplitting.WhiteSpace));
    }

    [Fact]
    public void TokenizerPreTokenizersSeparatePunctuation()
    {
        Assert.Equal(new[] { "Hello", ",", "world", "!" }, Split("Hello, world!", TokenSplitting.WordOrPunctuation));
        Assert.Equal(new[] { "a", "+=", "b" }, Split("a += b", TokenSplitting.WordOrNonWord));
    }
}
