using Microsoft.ML;

namespace MLNet.Sequence.Torch.Tests;

public sealed class TextRow
{
    public string Text { get; set; } = "";
    public string Topic { get; set; } = "";
    public bool Positive { get; set; }
}

/// <summary>Small seeded data sets whose answer is known: each row holds one keyword of its class among filler words.</summary>
public static class ToyData
{
    public static readonly string[] Topics = { "sport", "music", "food" };
    private static readonly string[][] Keywords =
    {
        new[] { "goal", "match", "team" },
        new[] { "song", "guitar", "band" },
        new[] { "bread", "soup", "cheese" },
    };
    private static readonly string[] Filler = "the a of and to in is it that was for on with as at by this from".Split(' ');

    public static List<TextRow> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<TextRow>();
        for (int i = 0; i < count; i++)
        {
            int topic = random.Next(Topics.Length);
            int length = 3 + random.Next(10);
            var words = Enumerable.Range(0, length).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
            words.Insert(random.Next(words.Count + 1), Keywords[topic][random.Next(3)]);
            rows.Add(new TextRow { Text = string.Join(' ', words), Topic = Topics[topic], Positive = topic == 0 });
        }
        return rows;
    }

    public static IDataView Load(MLContext ml, IEnumerable<TextRow> rows) => ml.Data.LoadFromEnumerable(rows);
}
