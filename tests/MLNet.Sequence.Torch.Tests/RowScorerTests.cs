using System.Collections;
using Microsoft.ML;
using MLNet.Sequence.Torch.Data;

namespace MLNet.Sequence.Torch.Tests;

/// <summary>The scoring helper of the TorchSharp mappers, driven by real ML.NET cursors with a counting stand-in for the network.</summary>
public class RowScorerTests
{
    public sealed class Item
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Counts network runs and "scores" a row as its tokens joined, so a result shows which row it belongs to.</summary>
    private sealed class CountingNetwork
    {
        public int BatchRuns;
        public int SingleRuns;

        public RowScorer<string> Scorer(IDataView? source, int readAheadRows = 64) => new(source, ReadTokens,
            rows => { BatchRuns++; return rows.Select(r => string.Join(' ', r)).ToArray(); },
            (position, tokens) =>
            {
                SingleRuns++;
                return tokens.Length > 0 ? string.Join(' ', tokens) : throw new InvalidOperationException($"Row {position} has no tokens.");
            },
            readAheadRows);

        private static Func<string[]> ReadTokens(DataViewRow row, DataViewSchema.Column column)
        {
            var getText = row.GetGetter<ReadOnlyMemory<char>>(column);
            return () =>
            {
                ReadOnlyMemory<char> text = default;
                getText(ref text);
                return text.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            };
        }
    }

    private static List<Item> Items(int count) => Enumerable.Range(0, count).Select(i => new Item { Text = $"row {i}" }).ToList();

    [Fact]
    public void GettersOfOneRowShareOneRunAndCursorsKeepTheirOwn()
    {
        var data = new MLContext(1).Data.LoadFromEnumerable(Items(5));
        var network = new CountingNetwork();
        var scorer = network.Scorer(source: null);
        using var cursor = data.GetRowCursor(data.Schema);
        using var other = data.GetRowCursor(data.Schema);
        // As ML.NET does for a mapper's output columns: one getter each, made separately on the same row.
        var scoreGetter = scorer.For(cursor, data.Schema["Text"]);
        var labelGetter = scorer.For(cursor, data.Schema["Text"]);
        var otherGetter = scorer.For(other, data.Schema["Text"]);
        while (cursor.MoveNext())
        {
            Assert.Equal($"row {cursor.Position}", scoreGetter());
            Assert.Equal($"row {cursor.Position}", labelGetter());
            Assert.Equal($"row {cursor.Position}", scoreGetter());
        }
        Assert.Equal(5, network.SingleRuns);

        Assert.True(other.MoveNext());
        Assert.Equal("row 0", otherGetter());
        Assert.Equal(6, network.SingleRuns);
        Assert.Null(scorer.DisposerFor(data.GetRowCursor(data.Schema)));
    }

    [Fact]
    public void ConsecutiveRowsAreScoredInBatchesReadAhead()
    {
        var data = new MLContext(1).Data.LoadFromEnumerable(Items(1000));
        var network = new CountingNetwork();
        var scorer = network.Scorer(data, readAheadRows: 64);
        using var cursor = data.GetRowCursor(data.Schema);
        var score = scorer.For(cursor, data.Schema["Text"]);
        while (cursor.MoveNext())
            Assert.Equal($"row {cursor.Position}", score());
        Assert.Equal(16, network.BatchRuns);
        Assert.Equal(0, network.SingleRuns);
        scorer.DisposerFor(cursor)!();
    }

    [Fact]
    public void RowsWithoutTokensAreScoredAloneAndFailAtTheirOwnRow()
    {
        var items = Items(100);
        items[70].Text = "  ";
        var data = new MLContext(1).Data.LoadFromEnumerable(items);
        var network = new CountingNetwork();
        var scorer = network.Scorer(data, readAheadRows: 64);
        using var cursor = data.GetRowCursor(data.Schema);
        var score = scorer.For(cursor, data.Schema["Text"]);
        for (int i = 0; i < 70; i++)
        {
            Assert.True(cursor.MoveNext());
            Assert.Equal($"row {i}", score());
        }
        Assert.True(cursor.MoveNext());
        var e = Assert.Throws<InvalidOperationException>(() => score());
        Assert.Equal("Row 70 has no tokens.", e.Message);
        Assert.Equal(2, network.BatchRuns);
    }

    [Fact]
    public void ASourceThatChangesBetweenPassesFallsBackToOneRowAtATime()
    {
        // Each enumeration yields other rows, as a one-pass stream re-read would: the read-ahead cursor sees
        // different tokens than the consumer's, so its results must not be used.
        var data = new MLContext(1).Data.LoadFromEnumerable(new ChangingRows(50));
        var network = new CountingNetwork();
        var scorer = network.Scorer(data, readAheadRows: 16);
        using (var cursor = data.GetRowCursor(data.Schema))
            AssertEachRowGetsTheResultOfItsOwnText(scorer, cursor);
        Assert.Equal(1, network.BatchRuns);
        Assert.Equal(50, network.SingleRuns);
    }

    [Fact]
    public void ShuffledAndSkippingConsumersGetTheResultsOfTheirOwnRows()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Items(300));
        var network = new CountingNetwork();
        var scorer = network.Scorer(ml.Data.ShuffleRows(data, seed: 3), readAheadRows: 32);
        var shuffled = ml.Data.ShuffleRows(data, seed: 3);
        using (var cursor = shuffled.GetRowCursor(shuffled.Schema, new Random(5)))
            AssertEachRowGetsTheResultOfItsOwnText(scorer, cursor);

        // A consumer that reads every seventh row only: batches are wasted, then the scorer stops reading ahead.
        network.BatchRuns = network.SingleRuns = 0;
        scorer = network.Scorer(data, readAheadRows: 32);
        using var skipping = data.GetRowCursor(data.Schema);
        var scoreSome = scorer.For(skipping, data.Schema["Text"]);
        while (skipping.MoveNext())
        {
            if (skipping.Position % 7 == 0)
                Assert.Equal($"row {skipping.Position}", scoreSome());
        }
        Assert.InRange(network.BatchRuns, 1, 3);
    }

    private static void AssertEachRowGetsTheResultOfItsOwnText(RowScorer<string> scorer, DataViewRowCursor cursor)
    {
        var score = scorer.For(cursor, cursor.Schema["Text"]);
        var getText = cursor.GetGetter<ReadOnlyMemory<char>>(cursor.Schema["Text"]);
        while (cursor.MoveNext())
        {
            ReadOnlyMemory<char> text = default;
            getText(ref text);
            Assert.Equal(text.ToString(), score());
        }
    }

    private sealed class ChangingRows(int count) : IEnumerable<Item>
    {
        private int _passes;

        public IEnumerator<Item> GetEnumerator()
        {
            int pass = _passes++;
            for (int i = 0; i < count; i++)
                yield return new Item { Text = $"pass {pass} row {i}" };
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
