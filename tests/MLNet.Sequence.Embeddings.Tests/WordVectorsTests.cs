using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings.Tests;

public class WordVectorsTests
{
    /// <summary>A table in which king - man + woman is exactly queen.</summary>
    internal static WordVectors RoyalTable()
    {
        var rows = new Dictionary<string, float[]>
        {
            ["man"] = new[] { 1f, 0f, 0f, 0.1f },
            ["woman"] = new[] { 0f, 1f, 0f, 0.1f },
            ["king"] = new[] { 1f, 0f, 1f, 0.1f },
            ["queen"] = new[] { 0f, 1f, 1f, 0.1f },
            ["apple"] = new[] { 0f, 0f, 0f, 1f },
            ["banana"] = new[] { 0.1f, 0f, 0f, 1f },
            ["cherry"] = new[] { 0f, 0.1f, 0f, 1f },
        };
        return new WordVectors(new Vocabulary(rows.Keys.ToArray(), Enumerable.Range(0, rows.Count).Select(i => (long)(100 - i)).ToArray()),
            rows.Values.SelectMany(v => v).ToArray(), 4);
    }

    [Fact]
    public void CosineSimilarityMatchesHandComputation()
    {
        var t = RoyalTable();
        // man·king = 1.01, |man| = sqrt(1.01), |king| = sqrt(2.01)
        Assert.Equal(1.01 / Math.Sqrt(1.01 * 2.01), t.Similarity("man", "king"), 5);
        Assert.Equal(1.0, t.Similarity("apple", "apple"), 6);
    }

    [Fact]
    public void MostSimilarExcludesTheQueryAndGivenWords()
    {
        var t = RoyalTable();
        var top = t.MostSimilar("apple", 2);
        Assert.Equal(new[] { "banana", "cherry" }.OrderBy(x => x), top.Select(x => x.Word).OrderBy(x => x));
        Assert.DoesNotContain(top, x => x.Word == "apple");
        Assert.True(top[0].Similarity >= top[1].Similarity);
        var excluded = t.MostSimilar("apple", 2, exclude: new[] { "banana" });
        Assert.DoesNotContain(excluded, x => x.Word == "banana");
        // Only the 4 most frequent words: no fruit can come back.
        Assert.All(t.MostSimilar("man", 3, restrictVocabulary: 4), x => Assert.Contains(x.Word, new[] { "woman", "king", "queen" }));
    }

    [Theory]
    [InlineData(AnalogyMethod.CosAdd)]
    [InlineData(AnalogyMethod.CosMul)]
    public void AnalogyFindsQueen(AnalogyMethod method)
    {
        var t = RoyalTable();
        var answer = t.Analogy("man", "king", "woman", 1, method);
        Assert.Equal("queen", Assert.Single(answer).Word);
        Assert.Equal("king", t.Analogy("woman", "queen", "man", 1, method)[0].Word);
    }

    [Fact]
    public void DoesntMatchFindsTheOddOneOut()
    {
        Assert.Equal("king", RoyalTable().DoesntMatch(new[] { "apple", "banana", "king", "cherry" }));
    }

    [Fact]
    public void UnknownWordsAndBadArgumentsGiveClearErrors()
    {
        var t = RoyalTable();
        Assert.Contains("'zebra' is not in the word-vector table", Assert.Throws<KeyNotFoundException>(() => t.MostSimilar("zebra")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.MostSimilar("man", 0));
        Assert.Contains("has 3 values", Assert.Throws<ArgumentException>(() => t.MostSimilar(new float[3])).Message);
        Assert.Throws<ArgumentException>(() => t.DoesntMatch(new[] { "man" }));
        Assert.Contains("holds NaN", Assert.Throws<ArgumentException>(() =>
            new WordVectors(new Vocabulary(new[] { "a" }), new[] { 1f, float.NaN }, 2)).Message);
        Assert.Contains("need 4", Assert.Throws<ArgumentException>(() =>
            new WordVectors(new Vocabulary(new[] { "a", "b" }), new[] { 1f, 2f, 3f }, 2)).Message);
    }

    [Fact]
    public void EmbeddingMatrixIsRowMajorVocabularyByDimension()
    {
        var t = RoyalTable();
        Assert.Equal(t.Count * t.Dimension, t.EmbeddingMatrix.Length);
        Assert.Equal(t.GetVector("king").ToArray(), t.EmbeddingMatrix.Slice(t.Vocabulary.GetId("king") * 4, 4).ToArray());
    }
}
