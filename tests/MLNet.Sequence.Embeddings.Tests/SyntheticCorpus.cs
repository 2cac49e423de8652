namespace MLNet.Sequence.Embeddings.Tests;

/// <summary>
/// A seeded toy corpus with three topics. Each topic's nouns appear with that topic's context words, so
/// a working Word2Vec must place nouns of one topic closer to each other than to other topics' nouns.
/// </summary>
internal static class SyntheticCorpus
{
    public static readonly string[][] Nouns =
    {
        new[] { "cat", "dog", "horse", "cow", "sheep", "goat" },
        new[] { "apple", "banana", "cherry", "grape", "melon", "peach" },
        new[] { "car", "truck", "bus", "train", "bike", "plane" },
    };

    private static readonly string[][] Contexts =
    {
        new[] { "barks", "sleeps", "farm", "field", "runs", "fur", "feeds", "tail" },
        new[] { "sweet", "ripe", "juice", "tree", "fresh", "peel", "pie", "seeds" },
        new[] { "drives", "road", "fast", "engine", "wheels", "parks", "fuel", "ticket" },
    };

    private static readonly string[] Fillers = { "the", "a", "and", "then", "very" };

    public static IEnumerable<string> Sentences(int count, int seed = 1)
    {
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int topic = rng.Next(Nouns.Length);
            var words = new List<string> { Fillers[rng.Next(Fillers.Length)], Nouns[topic][rng.Next(6)] };
            for (int k = 0; k < 4; k++)
            {
                words.Add(Contexts[topic][rng.Next(Contexts[topic].Length)]);
                if (rng.Next(3) == 0)
                    words.Add(Fillers[rng.Next(Fillers.Length)]);
            }
            words.Add(Nouns[topic][rng.Next(6)]);
            yield return string.Join(' ', words);
        }
    }

    /// <summary>Share of nouns whose most similar other noun is of the same topic.</summary>
    public static double TopicPurity(WordVectors vectors)
    {
        var all = Nouns.SelectMany((ns, t) => ns.Select(n => (Noun: n, Topic: t))).ToArray();
        int right = 0;
        foreach (var (noun, topic) in all)
        {
            var best = all.Where(o => o.Noun != noun).MaxBy(o => vectors.Similarity(noun, o.Noun));
            if (best.Topic == topic)
                right++;
        }
        return (double)right / all.Length;
    }
}

/// <summary>A row with a text column, for LoadFromEnumerable.</summary>
public sealed class TextRow
{
    public string? Text { get; set; }
}
