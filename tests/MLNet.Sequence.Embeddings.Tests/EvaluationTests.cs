using MLNet.Sequence.Embeddings.Evaluation;

namespace MLNet.Sequence.Embeddings.Tests;

public class EvaluationTests
{
    [Fact]
    public void SpearmanAveragesTiedRanks()
    {
        // x ranks: 1, 2.5, 2.5, 4; y ranks: 1, 3, 2, 4. Pearson of the ranks by hand: 0.9486833.
        Assert.Equal(new[] { 1, 2.5, 2.5, 4 }, SimilarityEvaluation.Ranks(new double[] { 1, 2, 2, 3 }));
        Assert.Equal(0.9486833, SimilarityEvaluation.Spearman(new double[] { 1, 2, 2, 3 }, new double[] { 1, 3, 2, 4 }), 6);
        Assert.Equal(-1, SimilarityEvaluation.Spearman(new double[] { 1, 2, 3 }, new double[] { 9, 5, 1 }), 10);
    }

    [Fact]
    public void AnalogyEvaluationCountsSectionsCoverageAndCase()
    {
        var table = WordVectorsTests.RoyalTable();
        var lines = new[]
        {
            ": royalty",
            "man king woman queen",
            "MAN KING WOMAN QUEEN",      // case-insensitive by default
            "woman queen man king",
            "man king woman apple",      // wrong answer expected
            ": unknown",
            "man king zebra queen",      // out of vocabulary: skipped
        };
        var r = AnalogyEvaluation.Evaluate(table, lines);
        Assert.Equal(2, r.Sections.Count);
        Assert.Equal(new AnalogySection("royalty", 3, 4, 4), r.Sections[0]);
        Assert.Equal(new AnalogySection("unknown", 0, 0, 1), r.Sections[1]);
        Assert.Equal(0.75, r.Accuracy, 10);
        Assert.Equal(0.8, r.Coverage, 10);

        var strict = AnalogyEvaluation.Evaluate(table, lines, new AnalogyEvaluationOptions { CaseInsensitive = false });
        Assert.Equal(3, strict.Sections[0].Evaluated);

        // Restricting to the 3 most frequent words leaves queen out: nothing can be evaluated.
        var restricted = AnalogyEvaluation.Evaluate(table, lines, new AnalogyEvaluationOptions { RestrictVocabulary = 3 });
        Assert.Equal(0, restricted.Evaluated);
    }

    [Fact]
    public void MalformedAnalogyLineIsNamed()
    {
        var e = Assert.Throws<InvalidDataException>(() => AnalogyEvaluation.Evaluate(WordVectorsTests.RoyalTable(), new[] { ": s", "a b c" }));
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void SimilarityEvaluationSkipsUnknownPairsAndCorrelates()
    {
        var table = WordVectorsTests.RoyalTable();
        var lines = new[]
        {
            "# word1 word2 score",
            "apple\tbanana\t9.0",
            "apple\tcherry\t8.5",
            "man\tking\t6.0",
            "king\tapple\t1.0",
            "zebra\tapple\t3.0",
        };
        var r = SimilarityEvaluation.Evaluate(table, lines);
        Assert.Equal(4, r.Evaluated);
        Assert.Equal(1, r.OutOfVocabulary);
        Assert.Equal(0.2, r.OutOfVocabularyRatio, 10);
        var cos = new[] { table.Similarity("apple", "banana"), table.Similarity("apple", "cherry"), table.Similarity("man", "king"), table.Similarity("king", "apple") };
        Assert.Equal(SimilarityEvaluation.Spearman(new[] { 9.0, 8.5, 6.0, 1.0 }, cos.Select(c => (double)c).ToArray()), r.SpearmanRho, 10);
        Assert.Contains("line 2", Assert.Throws<InvalidDataException>(() => SimilarityEvaluation.Evaluate(table, new[] { "#", "a b" })).Message);
    }
}
