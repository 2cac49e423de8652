using System.Diagnostics.CodeAnalysis;

namespace MLNet.Sequence.Text;

/// <summary>
/// An ordered set of words with their corpus frequencies. Ids run from 0 to <see cref="Count"/> - 1; when
/// built from a corpus the words are ordered by descending frequency, as word2vec.c, gensim and GloVe
/// order them, so "the N most frequent words" are ids 0..N-1.
/// Look-ups accept <see cref="ReadOnlySpan{T}"/> of char, so mapping tokens allocates no strings.
/// </summary>
public sealed class Vocabulary
{
    private readonly string[] _words;
    private readonly long[] _counts;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;

    /// <summary>Creates a vocabulary from words in id order and their counts (0 where unknown).</summary>
    /// <exception cref="ArgumentException">A word is null, empty or repeated, or the two lists differ in length.</exception>
    public Vocabulary(IReadOnlyList<string> words, IReadOnlyList<long>? counts = null)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (counts != null && counts.Count != words.Count)
            throw new ArgumentException($"counts has {counts.Count} entries but words has {words.Count}.", nameof(counts));
        _words = new string[words.Count];
        _counts = new long[words.Count];
        _ids = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++)
        {
            string word = words[i];
            if (string.IsNullOrEmpty(word))
                throw new ArgumentException($"Word {i} is null or empty.", nameof(words));
            if (!_ids.TryAdd(word, i))
                throw new ArgumentException($"Word '{word}' appears twice (ids {_ids[word]} and {i}).", nameof(words));
            _words[i] = word;
            long count = counts?[i] ?? 0;
            if (count < 0)
                throw new ArgumentException($"Count of '{word}' is negative ({count}).", nameof(counts));
            _counts[i] = count;
        }
        _spanIds = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of words.</summary>
    public int Count => _words.Length;

    /// <summary>The words, in id order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>Corpus frequency of each word, in id order (0 where the source did not record it).</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>Sum of all counts.</summary>
    public long TotalCount => _counts.Sum();

    /// <summary>The word with id <paramref name="id"/>.</summary>
    public string this[int id] => _words[id];

    /// <summary>Finds the id of a word.</summary>
    public bool TryGetId(ReadOnlySpan<char> word, out int id) => _spanIds.TryGetValue(word, out id);

    /// <summary>Finds the id of a word.</summary>
    public bool TryGetId([NotNullWhen(true)] string? word, out int id)
    {
        if (word is null)
        {
            id = -1;
            return false;
        }
        return _ids.TryGetValue(word, out id);
    }

    /// <summary>Whether the vocabulary holds <paramref name="word"/>.</summary>
    public bool Contains(string word) => _ids.ContainsKey(word);

    /// <summary>The id of <paramref name="word"/>; throws naming the word if it is unknown.</summary>
    public int GetId(string word)
    {
        if (!TryGetId(word, out int id))
            throw new KeyNotFoundException($"'{word}' is not in the vocabulary.");
        return id;
    }

    /// <summary>Corpus frequency of the word with id <paramref name="id"/>.</summary>
    public long GetCount(int id) => _counts[id];
}
