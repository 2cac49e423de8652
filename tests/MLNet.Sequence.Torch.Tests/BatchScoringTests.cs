using System.Collections;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Torch.Data;

namespace MLNet.Sequence.Torch.Tests;

/// <summary>
/// The batch-scoring view and the mapper behind every TorchSharp transformer, driven by real ML.NET cursors, with
/// a counting stand-in for the network whose "score" of a row is its tokens joined, so a result shows whose it is.
/// </summary>
public class BatchScoringTests
{
    public sealed class Item
    {
        public int Id { get; set; }
        public string Text { get; set; } = "";

        [VectorType(2)]
        public float[] Pair { get; set; } = new float[2];
    }

    private sealed class CountingMapper : ScoringMapper<string[], string>
    {
        private readonly DataViewSchema.Column _text;

        public CountingMapper(DataViewSchema schema)
            : base(((IHostEnvironment)new MLContext(1)).Register("test"), schema, null!)
        {
            _text = schema["Text"];
        }

        public int BatchRuns;
        public int SingleRuns;

        public override IReadOnlyList<DataViewSchema.Column> InputColumns => new[] { _text };

        public override Func<string[]> MakeInputGetter(DataViewRow row)
        {
            var getText = row.GetGetter<ReadOnlyMemory<char>>(row.Schema["Text"]);
            return () =>
            {
                ReadOnlyMemory<char> text = default;
                getText(ref text);
                return text.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            };
        }

        public override bool CanBatch(string[] input) => input.Length > 0;

        public override string[] ScoreBatch(IReadOnlyList<string[]> inputs)
        {
            BatchRuns++;
            return inputs.Select(r => string.Join(' ', r)).ToArray();
        }

        public override string ScoreOne(long position, string[] input)
        {
            SingleRuns++;
            return input.Length > 0 ? string.Join(' ', input) : throw new InvalidOperationException($"Row {position} has no tokens.");
        }

        public override Delegate MakeOutputGetter(int iinfo, Func<string> result) =>
            (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = result().AsMemory());

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() => new[] { new DataViewSchema.DetachedColumn("Scored", TextDataViewType.Instance) };

        public override void SaveModel(ModelSaveContext ctx) => throw new NotSupportedException();
    }

    private static List<Item> Items(int count) =>
        Enumerable.Range(0, count).Select(i => new Item { Id = i, Text = $"row {i}", Pair = new float[] { i, -i } }).ToList();

    private static (IDataView View, CountingMapper Mapper) Scored(IDataView data, int blockRows = 64)
    {
        var mapper = new CountingMapper(data.Schema);
        return (new BatchScoredView<string[], string>(((IHostEnvironment)new MLContext(1)).Register("view"), data, mapper, blockRows), mapper);
    }

    [Fact]
    public void TheMappersGettersOfOneRowShareOneRunAndCursorsKeepTheirOwn()
    {
        var data = new MLContext(1).Data.LoadFromEnumerable(Items(5));
        var mapper = new CountingMapper(data.Schema);
        using var cursor = data.GetRowCursor(data.Schema);
        using var other = data.GetRowCursor(data.Schema);
        // As ML.NET does for a mapper's output columns: one getter each, made separately on the same row.
        var first = (ValueGetter<ReadOnlyMemory<char>>)mapper.MakeGetter(cursor, 0, _ => true, out _);
        var second = (ValueGetter<ReadOnlyMemory<char>>)mapper.MakeGetter(cursor, 0, _ => true, out _);
        var otherGetter = (ValueGetter<ReadOnlyMemory<char>>)mapper.MakeGetter(other, 0, _ => true, out _);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            first(ref value);
            Assert.Equal($"row {cursor.Position}", value.ToString());
            second(ref value);
            Assert.Equal($"row {cursor.Position}", value.ToString());
            first(ref value);
        }
        Assert.Equal(5, mapper.SingleRuns);
        Assert.True(other.MoveNext());
        otherGetter(ref value);
        Assert.Equal("row 0", value.ToString());
        Assert.Equal(6, mapper.SingleRuns);
    }

    [Fact]
    public void ConsecutiveRowsAreScoredInBlocksAndInputColumnsPassThrough()
    {
        var data = new MLContext(1).Data.LoadFromEnumerable(Items(1000));
        var (view, mapper) = Scored(data, blockRows: 64);
        Assert.Equal(new[] { "Id", "Text", "Pair", "Scored" }, view.Schema.Select(c => c.Name));
        using var cursor = view.GetRowCursor(view.Schema);
        var scored = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Scored"]);
        var id = cursor.GetGetter<int>(view.Schema["Id"]);
        var pair = cursor.GetGetter<VBuffer<float>>(view.Schema["Pair"]);
        var rowId = cursor.GetIdGetter();
        ReadOnlyMemory<char> s = default;
        VBuffer<float> p = default;
        int i = 0;
        DataViewRowId r = default;
        while (cursor.MoveNext())
        {
            scored(ref s);
            id(ref i);
            pair(ref p);
            rowId(ref r);
            Assert.Equal(cursor.Position, i);
            Assert.Equal($"row {i}", s.ToString());
            Assert.Equal(new float[] { i, -i }, p.DenseValues().ToArray());
            Assert.Equal((ulong)i, r.Low);
        }
        Assert.Equal(999, i);
        Assert.Equal(16, mapper.BatchRuns);
        Assert.Equal(0, mapper.SingleRuns);
    }

    [Fact]
    public void RowsWithoutTokensAreScoredAloneAndFailAtTheirOwnRow()
    {
        var items = Items(100);
        items[70].Text = "  ";
        var (view, mapper) = Scored(new MLContext(1).Data.LoadFromEnumerable(items), blockRows: 64);
        using var cursor = view.GetRowCursor(view.Schema);
        var scored = ScoreRowsBefore(view, cursor, 70);
        ReadOnlyMemory<char> s = default;
        Assert.Equal("Row 70 has no tokens.", Assert.Throws<InvalidOperationException>(() => scored(ref s)).Message);
        Assert.True(cursor.MoveNext());
        scored(ref s);
        Assert.Equal("row 71", s.ToString());
        Assert.Equal(2, mapper.BatchRuns);
    }

    [Fact]
    public void ASourceThatChangesBetweenPassesIsStillScoredRowByRowCorrectlyAndInBatches()
    {
        // Each enumeration yields other rows, as a one-pass stream re-read would. One pass serves both the
        // consumer and the batches, so every result is still its own row's.
        var data = new MLContext(1).Data.LoadFromEnumerable(new ChangingRows(50));
        var (view, mapper) = Scored(data, blockRows: 16);
        AssertEachRowGetsTheResultOfItsOwnText(view, view.GetRowCursor(view.Schema));
        AssertEachRowGetsTheResultOfItsOwnText(view, view.GetRowCursor(view.Schema));
        Assert.Equal(8, mapper.BatchRuns);
        Assert.Equal(0, mapper.SingleRuns);
    }

    [Fact]
    public void ShuffledCursorsAreBatchedAndSkippingConsumersStopBatching()
    {
        var ml = new MLContext(1);
        var shuffled = ml.Data.ShuffleRows(ml.Data.LoadFromEnumerable(Items(300)), seed: 3);
        var (view, mapper) = Scored(shuffled, blockRows: 32);
        AssertEachRowGetsTheResultOfItsOwnText(view, view.GetRowCursor(view.Schema, new Random(5)));
        Assert.Equal(10, mapper.BatchRuns);

        // A consumer that reads every seventh row's result only: blocks are mostly wasted, then rows are scored as asked.
        (view, mapper) = Scored(ml.Data.LoadFromEnumerable(Items(3000)), blockRows: 32);
        using var skipping = view.GetRowCursor(view.Schema);
        var scored = skipping.GetGetter<ReadOnlyMemory<char>>(view.Schema["Scored"]);
        ReadOnlyMemory<char> s = default;
        while (skipping.MoveNext())
        {
            if (skipping.Position % 7 != 0)
                continue;
            scored(ref s);
            Assert.Equal($"row {skipping.Position}", s.ToString());
        }
        Assert.InRange(mapper.BatchRuns, 1, 3);
        Assert.InRange(mapper.SingleRuns, 400, 429);
    }

    [Fact]
    public void AnInputThatFailsToReadFailsAtItsOwnRowNotAtTheStartOfItsBlock()
    {
        var items = Enumerable.Range(0, 100).Select(i => new FailingItem(i, failAt: 70)).ToList();
        var data = new MLContext(1).Data.LoadFromEnumerable(items);
        var (view, _) = Scored(data, blockRows: 64);
        using var cursor = view.GetRowCursor(view.Schema);
        var scored = ScoreRowsBefore(view, cursor, 70);
        Assert.Equal(70, cursor.Position);
        ReadOnlyMemory<char> s = default;
        var e = Assert.ThrowsAny<Exception>(() => scored(ref s));
        Assert.Contains("text of row 70 is unreadable", Flatten(e));
    }

    /// <summary>Checks that the first <paramref name="rows"/> rows get their own results, then moves to the next row; returns the result getter.</summary>
    private static ValueGetter<ReadOnlyMemory<char>> ScoreRowsBefore(IDataView view, DataViewRowCursor cursor, int rows)
    {
        var scored = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Scored"]);
        ReadOnlyMemory<char> s = default;
        for (int i = 0; i < rows; i++)
        {
            Assert.True(cursor.MoveNext());
            scored(ref s);
            Assert.Equal($"row {i}", s.ToString());
        }
        Assert.True(cursor.MoveNext());
        return scored;
    }

    private static string Flatten(Exception e) => e.InnerException == null ? e.Message : e.Message + " | " + Flatten(e.InnerException);

    private static void AssertEachRowGetsTheResultOfItsOwnText(IDataView view, DataViewRowCursor cursor)
    {
        using (cursor)
        {
            var scored = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Scored"]);
            var text = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Text"]);
            ReadOnlyMemory<char> s = default, t = default;
            int rows = 0;
            while (cursor.MoveNext())
            {
                scored(ref s);
                text(ref t);
                Assert.Equal(t.ToString(), s.ToString());
                rows++;
            }
            Assert.True(rows > 0);
        }
    }

    public sealed class FailingItem
    {
        private readonly int _row;
        private readonly int _failAt;

        public FailingItem() { }

        public FailingItem(int row, int failAt)
        {
            _row = row;
            _failAt = failAt;
        }

        public string Text => _row == _failAt ? throw new InvalidDataException($"The text of row {_row} is unreadable.") : $"row {_row}";
    }

    private sealed class ChangingRows(int count) : IEnumerable<Item>
    {
        private int _passes;

        public IEnumerator<Item> GetEnumerator()
        {
            int pass = _passes++;
            for (int i = 0; i < count; i++)
                yield return new Item { Id = i, Text = $"pass {pass} row {i}" };
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
