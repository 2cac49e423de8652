using System.Globalization;
using System.Text;

namespace MLNet.Sequence.Audio;

/// <summary>
/// A back-off n-gram language model in the ARPA format (what KenLM and SRILM write):
/// log10 probabilities with back-off weights, up to order 6. Scores are natural logs, ready to add to a CTC score.
/// </summary>
public sealed class ArpaLanguageModel
{
    /// <summary>The sentence-start token.</summary>
    public const string SentenceStart = "<s>";

    /// <summary>The sentence-end token.</summary>
    public const string SentenceEnd = "</s>";

    /// <summary>The unknown-word token.</summary>
    public const string Unknown = "<unk>";

    internal const int MaxOrder = 6;
    private static readonly double Ln10 = Math.Log(10);

    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<NgramKey, (float LogProb, float Backoff)>[] _grams; // by order - 1

    private ArpaLanguageModel(Dictionary<string, int> ids, Dictionary<NgramKey, (float, float)>[] grams)
    {
        _ids = ids;
        _grams = grams;
        UnknownId = ids.GetValueOrDefault(Unknown, -1);
    }

    /// <summary>The model's order (the longest n-grams it holds).</summary>
    public int Order => _grams.Length;

    /// <summary>Words in the vocabulary, including &lt;s&gt; and &lt;/s&gt;.</summary>
    public int VocabularySize => _ids.Count;

    /// <summary>The n-grams of each order, from unigrams up.</summary>
    public IReadOnlyList<int> NgramCounts => _grams.Select(g => g.Count).ToArray();

    /// <summary>The id of &lt;unk&gt;, or -1 when the model has none.</summary>
    public int UnknownId { get; }

    /// <summary>The id of a word; an out-of-vocabulary word gets <see cref="UnknownId"/>.</summary>
    public int IdOf(string word) => _ids.TryGetValue(word, out int id) ? id : UnknownId;

    /// <summary>The vocabulary, &lt;s&gt;, &lt;/s&gt; and &lt;unk&gt; included.</summary>
    public IEnumerable<string> Words => _ids.Keys;

    /// <summary>Whether the vocabulary holds <paramref name="word"/>.</summary>
    public bool Contains(string word) => _ids.ContainsKey(word);

    /// <summary>
    /// ln P(word | context), backing off through shorter contexts; <paramref name="context"/> holds word ids, oldest
    /// first (only the last Order - 1 are used). A word with no probability at all (out of vocabulary and no
    /// &lt;unk&gt;) gets <paramref name="unknownLogProbability"/>.
    /// </summary>
    public double LogProbability(ReadOnlySpan<int> context, int word, double unknownLogProbability = -10 * 2.302585092994046)
    {
        if (word < 0)
            return unknownLogProbability;
        if (context.Length > Order - 1)
            context = context[^(Order - 1)..];
        double backoff = 0; // log10
        for (int start = 0; start <= context.Length; start++)
        {
            var history = context[start..];
            if (_grams[history.Length].TryGetValue(NgramKey.Of(history, word), out var gram))
                return (backoff + gram.LogProb) * Ln10;
            if (history.Length > 0 && _grams[history.Length - 1].TryGetValue(NgramKey.Of(history[..^1], history[^1]), out var h))
                backoff += h.Backoff;
        }
        return unknownLogProbability;
    }

    /// <summary>ln P of a whole sentence of words, from &lt;s&gt; to &lt;/s&gt;.</summary>
    public double SentenceLogProbability(IEnumerable<string> words)
    {
        var context = new List<int> { IdOf(SentenceStart) };
        double total = 0;
        foreach (string w in words.Append(SentenceEnd))
        {
            int id = IdOf(w);
            total += LogProbability(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(context), id);
            context.Add(id);
        }
        return total;
    }

    /// <summary>Writes the model as ARPA text, which <see cref="Read"/> reads back to the same model.</summary>
    public void Write(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var words = new string[_ids.Count];
        foreach (var (word, id) in _ids)
            words[id] = word;
        var c = System.Globalization.CultureInfo.InvariantCulture;
        output.Write("\n\\data\\\n");
        for (int n = 1; n <= Order; n++)
            output.Write($"ngram {n}={_grams[n - 1].Count}\n");
        for (int n = 1; n <= Order; n++)
        {
            output.Write($"\n\\{n}-grams:\n");
            foreach (var (key, (logProb, backoff)) in _grams[n - 1])
            {
                output.Write(logProb.ToString("R", c));
                output.Write('\t');
                for (int i = 0; i < key.Length; i++)
                {
                    if (i > 0)
                        output.Write(' ');
                    output.Write(words[key[i]]);
                }
                if (backoff != 0)
                {
                    output.Write('\t');
                    output.Write(backoff.ToString("R", c));
                }
                output.Write('\n');
            }
        }
        output.Write("\n\\end\\\n");
    }

    /// <summary>Reads an ARPA file.</summary>
    /// <exception cref="InvalidDataException">The file is not ARPA, or its counts do not match its sections; the message names the file and line.</exception>
    public static ArpaLanguageModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"the ARPA file '{path}' does not exist", path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path);
    }

    /// <summary>Reads ARPA text; <paramref name="name"/> names the input in errors.</summary>
    public static ArpaLanguageModel Read(TextReader reader, string name = "the ARPA text")
    {
        ArgumentNullException.ThrowIfNull(reader);
        int lineNumber = 0;
        string? line;
        InvalidDataException Bad(string what) => new($"'{name}' line {lineNumber}: {what}");
        string? Next()
        {
            string? l;
            do
            {
                l = reader.ReadLine();
                lineNumber++;
            }
            while (l != null && l.Trim().Length == 0);
            return l?.Trim();
        }

        do
        {
            line = reader.ReadLine();
            lineNumber++;
            if (line == null)
                throw new InvalidDataException($"'{name}' is not an ARPA language model: it has no \\data\\ section");
        }
        while (line.Trim() != "\\data\\");

        var counts = new List<long>();
        while ((line = Next()) != null && line.StartsWith("ngram ", StringComparison.Ordinal))
        {
            var parts = line[6..].Split('=');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int order) || order != counts.Count + 1
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                throw Bad($"expected 'ngram {counts.Count + 1}=COUNT', found '{line}'");
            counts.Add(count);
        }
        if (counts.Count == 0)
            throw Bad("the \\data\\ section lists no n-gram counts");
        if (counts.Count > MaxOrder)
            throw Bad($"the model is of order {counts.Count}; at most {MaxOrder} is read");

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var grams = new Dictionary<NgramKey, (float, float)>[counts.Count];
        var key = new int[MaxOrder];
        for (int n = 1; n <= counts.Count; n++)
        {
            if (line != $"\\{n}-grams:")
                throw Bad($"expected '\\{n}-grams:', found '{line}'");
            // Capacity from the header, bounded: a lying header must not allocate more than the file can hold.
            grams[n - 1] = new Dictionary<NgramKey, (float, float)>((int)Math.Min(counts[n - 1], 1 << 20));
            long seen = 0;
            while ((line = Next()) != null && !line.StartsWith('\\'))
            {
                var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length != n + 1 && fields.Length != n + 2)
                    throw Bad($"a {n}-gram line has a log probability, {n} words and an optional back-off; found '{line}'");
                if (!float.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float logProb) || float.IsNaN(logProb) || logProb > 0)
                    throw Bad($"'{fields[0]}' is not a log10 probability");
                float backoff = 0;
                if (fields.Length == n + 2 && (!float.TryParse(fields[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out backoff) || !float.IsFinite(backoff)))
                    throw Bad($"'{fields[^1]}' is not a back-off weight");
                for (int i = 0; i < n; i++)
                {
                    string word = fields[1 + i];
                    if (!ids.TryGetValue(word, out int id))
                    {
                        if (n > 1)
                            throw Bad($"the word '{word}' is not among the unigrams");
                        id = ids.Count;
                        ids.Add(word, id);
                    }
                    key[i] = id;
                }
                grams[n - 1][NgramKey.Of(key.AsSpan(0, n - 1), key[n - 1])] = (logProb, backoff);
                seen++;
            }
            if (seen != counts[n - 1])
                throw Bad($"the header says {counts[n - 1]:N0} {n}-grams, the section has {seen:N0}");
        }
        if (line != "\\end\\")
            throw Bad($"expected '\\end\\', found '{line ?? "the end of the file"}'");
        return new ArpaLanguageModel(ids, grams);
    }
}
