using Microsoft.ML;
using MLNet.Sequence.Torch.Data;

namespace MLNet.Sequence.Torch.Tests;

public class PerRowResultTests
{
    public sealed class Item
    {
        public string Text { get; set; } = "";
    }

    [Fact]
    public void GettersOfOneRowShareOneComputationAndCursorsKeepTheirOwn()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 5).Select(i => new Item { Text = $"row {i}" }).ToList());
        var results = new PerRowResult<string>();
        int runs = 0;
        Func<string> Reading(DataViewRow row)
        {
            var getText = row.GetGetter<ReadOnlyMemory<char>>(row.Schema["Text"]);
            return () =>
            {
                runs++;
                ReadOnlyMemory<char> text = default;
                getText(ref text);
                return text.ToString();
            };
        }

        using var cursor = data.GetRowCursor(data.Schema);
        using var other = data.GetRowCursor(data.Schema);
        // As ML.NET does for a mapper's output columns: one getter each, made separately on the same row.
        var scoreGetter = results.For(cursor, Reading(cursor));
        var labelGetter = results.For(cursor, Reading(cursor));
        var otherGetter = results.For(other, Reading(other));
        while (cursor.MoveNext())
        {
            Assert.Equal($"row {cursor.Position}", scoreGetter());
            Assert.Equal($"row {cursor.Position}", labelGetter());
            Assert.Equal($"row {cursor.Position}", scoreGetter());
        }
        Assert.Equal(5, runs);

        Assert.True(other.MoveNext());
        Assert.Equal("row 0", otherGetter());
        Assert.Equal(6, runs);
    }
}
