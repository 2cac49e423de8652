using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings.Tests;

/// <summary>
/// Tables larger than one array are held in several blocks. A real one takes over 8 GB, so these tests build
/// small tables cut into blocks of a few rows and check that every path gives what the one-array table gives.
/// </summary>
public class TableBlocksTests
{
    /// <summary>The royal table again, its 7 rows in blocks of 3, 3 and 1.</summary>
    private static WordVectors Blocked(WordVectors table, int rowsPerBlock = 3)
    {
        var rows = VectorRows.Allocate(table.Count, table.Dimension, rowsPerBlock);
        for (int i = 0; i < table.Count; i++)
            table.GetVector(i).CopyTo(rows.Row(i));
        return new WordVectors(table.Vocabulary, rows);
    }

    [Fact]
    public void QueriesGiveWhatTheOneArrayTableGives()
    {
        var single = WordVectorsTests.RoyalTable();
        var blocked = Blocked(single);
        Assert.Equal(3, blocked.Rows.Blocks.Count);
        Assert.Equal(new[] { 12, 12, 4 }, blocked.Rows.Blocks.Select(b => b.Length));
        for (int i = 0; i < single.Count; i++)
            Assert.Equal(single.GetVector(i).ToArray(), blocked.GetVector(i).ToArray());
        Assert.Equal(single.MostSimilar("apple", 3), blocked.MostSimilar("apple", 3));
        Assert.Equal("queen", blocked.Analogy("man", "king", "woman")[0].Word);
        Assert.Equal(single.Analogy("man", "king", "woman", 3, AnalogyMethod.CosMul), blocked.Analogy("man", "king", "woman", 3, AnalogyMethod.CosMul));
        var words = new[] { "man", "woman", "king", "banana" };
        Assert.Equal(single.DoesntMatch(words), blocked.DoesntMatch(words));

        var copy = new float[5 * 4];
        blocked.CopyRows(1, 5, copy);
        Assert.Equal(single.EmbeddingMatrix.Slice(4, 20).ToArray(), copy);
        var e = Assert.Throws<InvalidOperationException>(() => blocked.EmbeddingMatrix);
        Assert.Contains("3 blocks", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => blocked.CopyRows(5, 3, new float[12]));
    }

    [Theory]
    [InlineData("b.txt")]
    [InlineData("b.bin")]
    public void FilesRoundTripBlockByBlock(string name)
    {
        using var dir = new TempDir();
        var blocked = Blocked(WordVectorsTests.RoyalTable());
        string path = dir.File(name);
        WordVectorFile.Save(blocked, path);
        var back = WordVectorFile.Load(path);
        Assert.Equal(blocked.Vocabulary.Words, back.Vocabulary.Words);
        for (int i = 0; i < blocked.Count; i++)
            Assert.Equal(blocked.GetVector(i).ToArray(), back.GetVector(i).ToArray());
    }

    [Fact]
    public void ABlockedTableGoesIntoTheModelZipAsOneArrayPerBlockAndComesBackWhole()
    {
        using var dir = new TempDir();
        var ml = new MLContext(1);
        var blocked = Blocked(WordVectorsTests.RoyalTable(), rowsPerBlock: 2);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "king queen" }, new TextRow { Text = "apple pear cherry" } });
        var model = ml.Transforms.Text.ApplyWordVectors(blocked, "V", "Text").Fit(data);
        string path = dir.File("blocked.zip");
        ml.Model.Save(model, data.Schema, path);

        var loaded = Assert.IsType<WordVectorsTransformer>(new MLContext().Model.Load(path, out _));
        Assert.Single(loaded.Vectors.Rows.Blocks);
        Assert.Equal(blocked.Vocabulary.Words, loaded.Vectors.Vocabulary.Words);
        var expected = new float[blocked.Count * blocked.Dimension];
        blocked.CopyRows(0, blocked.Count, expected);
        Assert.Equal(expected, loaded.Vectors.EmbeddingMatrix.ToArray());
        Assert.Equal(model.Transform(data).GetColumn<float[]>("V"), loaded.Transform(data).GetColumn<float[]>("V"));
        // king + queen = (1, 1, 2, 0.2) / 2; pear is unknown, so apple and cherry are averaged.
        Assert.Equal(new[] { 0.5f, 0.5f, 1f, 0.1f }, loaded.Transform(data).GetColumn<float[]>("V").First());
    }

    [Fact]
    public void NonFiniteValuesInAnyBlockAreNamed()
    {
        var rows = VectorRows.Allocate(5, 2, rowsPerBlock: 2);
        foreach (var block in rows.Blocks)
            Array.Fill(block, 1f);
        rows.Row(4)[1] = float.PositiveInfinity;
        var e = Assert.Throws<ArgumentException>(() => new WordVectors(new Vocabulary(new[] { "a", "b", "c", "d", "e" }), rows));
        Assert.Contains("'e'", e.Message);
        Assert.Contains("position 1", e.Message);
    }
}
