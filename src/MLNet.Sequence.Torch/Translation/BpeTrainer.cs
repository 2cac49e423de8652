namespace MLNet.Sequence.Torch.Translation;

/// <summary>
/// Learns byte-pair-encoding merges from word counts (Sennrich, Haddow and Birch 2016): every word starts as its
/// characters, the last marked with the end-of-word suffix; the most frequent adjacent pair of symbols is merged,
/// again and again, until the wanted number of merges is reached or no pair occurs twice. The result is what
/// Microsoft.ML.Tokenizers' <c>BpeTokenizer</c> encodes with (it cannot learn merges itself).
/// </summary>
internal static class BpeTrainer
{
    /// <summary>The suffix that marks a word's last symbol, so that subwords detokenise back into words.</summary>
    public const string EndOfWord = "</w>";

    /// <summary>The merges, in the order learned, and every symbol they and the characters make.</summary>
    public static (List<(string Left, string Right)> Merges, List<string> Symbols) Learn(IReadOnlyDictionary<string, long> wordCounts, int merges)
    {
        var words = new List<(List<string> Symbols, long Count)>(wordCounts.Count);
        // Sorted so that the result does not depend on the dictionary's order.
        foreach (var (word, count) in wordCounts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var chars = new List<string>();
            foreach (var rune in word.EnumerateRunes())
                chars.Add(rune.ToString());
            if (chars.Count == 0)
                continue;
            chars[^1] += EndOfWord;
            words.Add((chars, count));
        }

        var symbols = new SortedSet<string>(StringComparer.Ordinal);
        var pairs = new Dictionary<(string, string), long>();
        var where = new Dictionary<(string, string), HashSet<int>>();
        for (int w = 0; w < words.Count; w++)
        {
            foreach (var s in words[w].Symbols)
                symbols.Add(s);
            AddPairs(words[w].Symbols, words[w].Count, w, pairs, where);
        }

        var learned = new List<(string, string)>(merges);
        while (learned.Count < merges && pairs.Count > 0)
        {
            // The most frequent pair; ties go to the ordinally first, for a deterministic result.
            (string, string) best = default;
            long bestCount = 0;
            foreach (var (pair, count) in pairs)
            {
                if (count > bestCount || (count == bestCount && Compare(pair, best) < 0))
                {
                    best = pair;
                    bestCount = count;
                }
            }
            if (bestCount < 2)
                break;
            learned.Add(best);
            string merged = best.Item1 + best.Item2;
            symbols.Add(merged);
            foreach (int w in where[best].ToArray())
            {
                var (old, count) = words[w];
                RemovePairs(old, count, w, pairs, where);
                var next = new List<string>(old.Count);
                for (int i = 0; i < old.Count; i++)
                {
                    if (i + 1 < old.Count && old[i] == best.Item1 && old[i + 1] == best.Item2)
                    {
                        next.Add(merged);
                        i++;
                    }
                    else
                        next.Add(old[i]);
                }
                words[w] = (next, count);
                AddPairs(next, count, w, pairs, where);
            }
        }
        return (learned, symbols.ToList());
    }

    private static int Compare((string, string) a, (string, string) b)
    {
        int c = string.CompareOrdinal(a.Item1, b.Item1);
        return c != 0 ? c : string.CompareOrdinal(a.Item2, b.Item2);
    }

    private static void AddPairs(List<string> symbols, long count, int word, Dictionary<(string, string), long> pairs, Dictionary<(string, string), HashSet<int>> where)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            var pair = (symbols[i], symbols[i + 1]);
            pairs[pair] = pairs.GetValueOrDefault(pair) + count;
            if (!where.TryGetValue(pair, out var set))
                where[pair] = set = new HashSet<int>();
            set.Add(word);
        }
    }

    private static void RemovePairs(List<string> symbols, long count, int word, Dictionary<(string, string), long> pairs, Dictionary<(string, string), HashSet<int>> where)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            var pair = (symbols[i], symbols[i + 1]);
            long left = pairs[pair] - count;
            if (left <= 0)
            {
                pairs.Remove(pair);
                where.Remove(pair);
            }
            else
            {
                pairs[pair] = left;
                where[pair].Remove(word);
            }
        }
    }
}
