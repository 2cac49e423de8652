using System.Runtime.InteropServices;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings;

/// <summary>
/// Counts words in one pass and turns the counts into a <see cref="Vocabulary"/> sorted by descending
/// frequency. With a size bound it prunes the rarest words whenever the table overflows, raising the
/// pruning threshold each time (word2vec.c's ReduceVocab), so memory stays bounded on any corpus.
/// </summary>
internal sealed class VocabularyBuilder
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _maxSize;
    private long _pruneBelowOrAt = 1;

    public VocabularyBuilder(int maxSize)
    {
        _maxSize = maxSize;
        _lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Tokens seen, pruned ones included.</summary>
    public long TokenCount { get; private set; }

    /// <summary>Rows seen.</summary>
    public long RowCount { get; private set; }

    /// <summary>Distinct words currently counted.</summary>
    public int DistinctCount => _counts.Count;

    /// <summary>Times the table was pruned for exceeding the size bound.</summary>
    public int Prunings { get; private set; }

    public void Add(ReadOnlySpan<char> token)
    {
        TokenCount++;
        ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, token, out bool exists);
        count++;
        if (!exists && _maxSize > 0 && _counts.Count > _maxSize)
            Prune();
    }

    public void EndRow() => RowCount++;

    private void Prune()
    {
        while (_counts.Count > _maxSize)
        {
            foreach (var (word, count) in _counts)
            {
                if (count <= _pruneBelowOrAt)
                    _counts.Remove(word);
            }
            _pruneBelowOrAt++;
            Prunings++;
        }
    }

    /// <summary>The words counted at least <paramref name="minCount"/> times, most frequent first (ties in ordinal order), at most <paramref name="maxWords"/> of them (0: all).</summary>
    public Vocabulary Build(int minCount, int maxWords = 0)
    {
        var kept = _counts.Where(kv => kv.Value >= minCount)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(maxWords > 0 ? maxWords : int.MaxValue)
            .ToArray();
        return new Vocabulary(kept.Select(kv => kv.Key).ToArray(), kept.Select(kv => kv.Value).ToArray());
    }

    /// <summary>
    /// For continued training: every word of <paramref name="existing"/> (count: old + new) plus the new
    /// words counted at least <paramref name="minCount"/> times, most frequent first (ties keep the old
    /// order, new words after old ones, then ordinal).
    /// </summary>
    /// <returns>The vocabulary, the in-vocabulary tokens of the new corpus, and for each word its id in <paramref name="existing"/> or -1.</returns>
    public (Vocabulary Vocabulary, long NewTokens, int[] OldIds) BuildOnto(Vocabulary existing, int minCount)
    {
        var entries = new List<(string Word, long Total, long Fresh, int OldId)>(existing.Count + _counts.Count);
        for (int i = 0; i < existing.Count; i++)
        {
            long fresh = _counts.GetValueOrDefault(existing[i]);
            entries.Add((existing[i], existing.GetCount(i) + fresh, fresh, i));
        }
        foreach (var (word, count) in _counts)
        {
            if (count >= minCount && !existing.Contains(word))
                entries.Add((word, count, count, int.MaxValue));
        }
        var sorted = entries.OrderByDescending(e => e.Total).ThenBy(e => e.OldId).ThenBy(e => e.Word, StringComparer.Ordinal).ToArray();
        var vocabulary = new Vocabulary(sorted.Select(e => e.Word).ToArray(), sorted.Select(e => e.Total).ToArray());
        return (vocabulary, sorted.Sum(e => e.Fresh), sorted.Select(e => e.OldId == int.MaxValue ? -1 : e.OldId).ToArray());
    }

    /// <summary>Counts the words of <paramref name="corpus"/>; throws naming the column when it holds no token.</summary>
    public static VocabularyBuilder Count(IHost host, TokenColumn corpus, string column, int maxSize, string method)
    {
        var builder = new VocabularyBuilder(maxSize);
        var visitor = new Visitor(builder);
        corpus.Read(ref visitor);
        if (builder.TokenCount == 0)
            throw host.Except($"Column '{column}' holds no tokens ({builder.RowCount} rows): there is nothing to train {method} on.");
        return builder;
    }

    /// <summary>The error for a corpus whose words all fall below the minimum count.</summary>
    public Exception NoFrequentWords(IHost host, string column, int minCount)
    {
        var (word, count) = MostFrequent();
        return host.Except(
            $"No word of column '{column}' occurs at least MinimumCount={minCount} times " +
            $"({DistinctCount} distinct words; the most frequent, '{word}', occurs {count} times). Lower MinimumCount or give more data.");
    }

    /// <summary>The most frequent word and its count, for error messages.</summary>
    public (string Word, long Count) MostFrequent() =>
        _counts.Count == 0 ? ("", 0) : _counts.MaxBy(kv => kv.Value) is var kv ? (kv.Key, kv.Value) : ("", 0);

    /// <summary>Adapts the builder to <see cref="TokenColumn.Read{TVisitor}"/>.</summary>
    public struct Visitor : ITokenVisitor
    {
        private readonly VocabularyBuilder _builder;

        public Visitor(VocabularyBuilder builder) => _builder = builder;

        public void OnToken(ReadOnlySpan<char> token) => _builder.Add(token);

        public void OnRowEnd() => _builder.EndRow();
    }
}
