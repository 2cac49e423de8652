using System.Collections.Concurrent;

namespace MLNet.Sequence.Audio;

/// <summary>
/// The lexicon through which phoneme units spell words: each pronunciation (phonemes joined by single spaces, such as
/// "K AE T") with the words that sound like it, the most frequent in training first (homophones such as "two", "too"
/// and "to" are told apart by that count, or by the language model when the decoder has one). A pronunciation the
/// lexicon lacks is spelled as the word of the nearest pronunciation by phoneme edit distance.
/// </summary>
public sealed class CtcLexicon
{
    private readonly Dictionary<string, string[]> _wordsByPronunciation = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _pronunciationsByWord = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Lazy<HashSet<string>> _prefixes;
    private readonly Lazy<(int[][] Phonemes, string[] Keys, Dictionary<string, int> Ids)> _indexed;
    private readonly ConcurrentDictionary<string, string> _nearest = new(StringComparer.Ordinal);

    /// <summary>A lexicon of words and their pronunciations.</summary>
    /// <param name="entries">Each word with one pronunciation (a word may come several times); phonemes joined by single spaces.</param>
    /// <param name="wordCounts">How often each word occurred in training, which orders homophones; null or missing words count 0.</param>
    public CtcLexicon(IEnumerable<(string Word, string Pronunciation)> entries, IReadOnlyDictionary<string, long>? wordCounts = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var homophones = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (word, pronunciation) in entries)
        {
            if (string.IsNullOrWhiteSpace(word) || word.Contains(' '))
                throw new ArgumentException($"the lexicon word '{word}' is empty or holds a space", nameof(entries));
            string key = Key(pronunciation.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (key.Length == 0)
                throw new ArgumentException($"the lexicon word '{word}' has an empty pronunciation", nameof(entries));
            if (!homophones.TryGetValue(key, out var words))
                homophones[key] = words = [];
            if (!words.Contains(word))
                words.Add(word);
            if (!_pronunciationsByWord.TryGetValue(word, out var keys))
                _pronunciationsByWord[word] = keys = [];
            if (!keys.Contains(key))
                keys.Add(key);
        }
        if (homophones.Count == 0)
            throw new ArgumentException("the lexicon has no words", nameof(entries));
        if (wordCounts != null)
            foreach (var (word, count) in wordCounts)
                if (count > 0 && _pronunciationsByWord.ContainsKey(word))
                    _counts[word] = count;
        foreach (var (key, words) in homophones)
            _wordsByPronunciation[key] = words.OrderByDescending(w => _counts.GetValueOrDefault(w)).ThenBy(w => w, StringComparer.Ordinal).ToArray();
        _prefixes = new Lazy<HashSet<string>>(BuildPrefixes);
        _indexed = new Lazy<(int[][], string[], Dictionary<string, int>)>(Index);
    }

    /// <summary>The lexicon of every word of a pronouncing dictionary, its phonemes without stress digits unless <paramref name="keepStress"/>.</summary>
    public static CtcLexicon FromDictionary(PronouncingDictionary dictionary, IReadOnlyDictionary<string, long>? wordCounts = null, bool keepStress = false)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        var entries = dictionary.Words.OrderBy(w => w, StringComparer.Ordinal).SelectMany(w => dictionary.Pronunciations(w)
            .Select(p => (w, string.Join(' ', keepStress ? p : p.Select(PronouncingDictionary.WithoutStress)))));
        return new CtcLexicon(entries, wordCounts);
    }

    /// <summary>The number of distinct pronunciations.</summary>
    public int PronunciationCount => _wordsByPronunciation.Count;

    /// <summary>The words, in no particular order.</summary>
    public IEnumerable<string> Words => _pronunciationsByWord.Keys;

    /// <summary>Every phoneme the pronunciations use, in ordinal order.</summary>
    public IReadOnlyList<string> Phonemes => _wordsByPronunciation.Keys.SelectMany(k => k.Split(' ')).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The words pronounced <paramref name="pronunciation"/>, the most frequent in training first; empty when none is.</summary>
    public IReadOnlyList<string> WordsFor(string pronunciation) =>
        _wordsByPronunciation.TryGetValue(pronunciation, out var words) ? words : [];

    /// <summary>The pronunciations of <paramref name="word"/>, the dictionary's first first; empty when the lexicon lacks the word.</summary>
    public IReadOnlyList<string> PronunciationsOf(string word) =>
        _pronunciationsByWord.TryGetValue(word, out var keys) ? keys : [];

    /// <summary>How often <paramref name="word"/> occurred in training (0 when it did not).</summary>
    public long CountOf(string word) => _counts.GetValueOrDefault(word);

    /// <summary>
    /// The word spelled by <paramref name="pronunciation"/>: its most frequent word, or when no word is pronounced so,
    /// the most frequent word of the nearest pronunciation by phoneme edit distance (the shorter difference in length first).
    /// </summary>
    public string Spell(string pronunciation)
    {
        ArgumentNullException.ThrowIfNull(pronunciation);
        if (_wordsByPronunciation.TryGetValue(pronunciation, out var words))
            return words[0];
        return _nearest.GetOrAdd(pronunciation, Nearest);
    }

    /// <summary>Whether some pronunciation begins with the phonemes of <paramref name="partial"/> (whole phonemes).</summary>
    internal bool IsPrefix(string partial) => _prefixes.Value.Contains(partial);

    /// <summary>Each entry with the training counts, for the model file.</summary>
    internal IEnumerable<(string Word, string Pronunciation, long Count)> Entries() =>
        _pronunciationsByWord.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.Select(k => (p.Key, k, _counts.GetValueOrDefault(p.Key))));

    private static string Key(IEnumerable<string> phonemes) => string.Join(' ', phonemes);

    private HashSet<string> BuildPrefixes()
    {
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (string key in _wordsByPronunciation.Keys)
            for (int i = key.IndexOf(' '); ; i = key.IndexOf(' ', i + 1))
            {
                prefixes.Add(i < 0 ? key : key[..i]);
                if (i < 0)
                    break;
            }
        return prefixes;
    }

    // Every pronunciation as phoneme ids, for the nearest-pronunciation search.
    private (int[][], string[], Dictionary<string, int>) Index()
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = _wordsByPronunciation.Keys.Order(StringComparer.Ordinal).ToArray();
        var phonemes = keys.Select(k => k.Split(' ').Select(p => ids.TryGetValue(p, out int id) ? id : ids[p] = ids.Count).ToArray()).ToArray();
        return (phonemes, keys, ids);
    }

    private string Nearest(string pronunciation)
    {
        var (phonemes, keys, ids) = _indexed.Value;
        var query = pronunciation.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => ids.TryGetValue(p, out int id) ? id : -1).ToArray();
        int best = -1, bestDistance = int.MaxValue, bestGap = int.MaxValue;
        var row = new int[64];
        var previous = new int[64];
        for (int k = 0; k < keys.Length; k++)
        {
            var candidate = phonemes[k];
            int gap = Math.Abs(candidate.Length - query.Length);
            if (gap > bestDistance)
                continue; // the distance is at least the difference in length
            int distance = EditDistance(query, candidate, bestDistance, ref row, ref previous);
            if (distance < bestDistance || (distance == bestDistance && gap < bestGap))
                (best, bestDistance, bestGap) = (k, distance, gap);
        }
        return _wordsByPronunciation[keys[best]][0];
    }

    // Levenshtein distance, abandoned (returning more than the limit) once every cell of a row exceeds the limit.
    private static int EditDistance(int[] a, int[] b, int limit, ref int[] row, ref int[] previous)
    {
        if (row.Length <= b.Length)
        {
            row = new int[b.Length + 1];
            previous = new int[b.Length + 1];
        }
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            row[0] = i;
            int rowMin = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                row[j] = Math.Min(Math.Min(row[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, row[j]);
            }
            if (rowMin > limit)
                return rowMin;
            (row, previous) = (previous, row);
        }
        return previous[b.Length];
    }
}
