namespace MLNet.Sequence.Metrics;

/// <summary>An n-gram: a slice of a token-id array. Equal when the ids are, whatever array they sit in.</summary>
internal readonly struct Ngram : IEquatable<Ngram>
{
    private readonly int[] _ids;
    private readonly int _start;

    public Ngram(int[] ids, int start, int length)
    {
        _ids = ids;
        _start = start;
        Length = length;
    }

    public int Length { get; }

    private ReadOnlySpan<int> Ids => _ids.AsSpan(_start, Length);

    public bool Equals(Ngram other) => Ids.SequenceEqual(other.Ids);

    public override bool Equals(object? obj) => obj is Ngram other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int id in Ids)
            hash.Add(id);
        return hash.ToHashCode();
    }
}

/// <summary>Token ids for the hypothesis and references of one segment, so that their n-grams compare as integers.</summary>
internal sealed class TokenIds
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public int[] Of(IReadOnlyList<string> tokens)
    {
        var ids = new int[tokens.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            if (!_ids.TryGetValue(tokens[i], out int id))
                _ids.Add(tokens[i], id = _ids.Count);
            ids[i] = id;
        }
        return ids;
    }
}

/// <summary>Counts of the n-grams of one order (or of several) in a token sequence.</summary>
internal static class NgramCounts
{
    /// <summary>The counts of every n-gram of order <paramref name="n"/>.</summary>
    public static Dictionary<Ngram, int> Of(int[] ids, int n)
    {
        var counts = new Dictionary<Ngram, int>();
        for (int i = 0; i + n <= ids.Length; i++)
        {
            var gram = new Ngram(ids, i, n);
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }

    /// <summary>The n-grams the hypothesis shares with the reference, each clipped to the reference's count.</summary>
    public static int Matches(Dictionary<Ngram, int> hypothesis, Dictionary<Ngram, int> reference)
    {
        int matches = 0;
        foreach (var (gram, count) in hypothesis)
            if (reference.TryGetValue(gram, out int available))
                matches += Math.Min(count, available);
        return matches;
    }

    /// <summary>The total of the counts.</summary>
    public static int Total(Dictionary<Ngram, int> counts)
    {
        int total = 0;
        foreach (int c in counts.Values)
            total += c;
        return total;
    }

    /// <summary>For each n-gram, the largest count any of the references has (BLEU's clipping bound).</summary>
    public static Dictionary<Ngram, int> MaximumOver(IEnumerable<Dictionary<Ngram, int>> references)
    {
        var max = new Dictionary<Ngram, int>();
        foreach (var counts in references)
            foreach (var (gram, count) in counts)
                if (count > max.GetValueOrDefault(gram))
                    max[gram] = count;
        return max;
    }
}
