using Microsoft.ML.Runtime;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch.Translation;

namespace MLNet.Sequence.Torch.Speech;

/// <summary>What a CTC speech model spells.</summary>
public enum CtcUnitKind
{
    /// <summary>The characters of the normalised transcripts, with a space between words.</summary>
    Characters,

    /// <summary>Byte-pair-encoding pieces learned from the training transcripts' words; a piece that begins a word carries "▁".</summary>
    Subwords,

    /// <summary>ARPAbet phonemes (without stress) from a pronouncing dictionary, with "|" between words, decoded to words through its lexicon.</summary>
    Phonemes,
}

/// <summary>
/// Turns normalised transcripts into the unit ids a CTC model is trained on, and builds those units from the training
/// transcripts: their characters; their characters and the byte-pair pieces learned from their words; or the phonemes
/// of their words' first pronunciations in a pronouncing dictionary, whose whole lexicon the model keeps for decoding.
/// </summary>
internal sealed class CtcTranscriptEncoder
{
    /// <summary>The phoneme units' word separator.</summary>
    public const string PhonemeSeparator = "|";

    /// <summary>The subword units' word-start marker (SentencePiece's).</summary>
    public const string WordStart = "\u2581";

    private readonly IExceptionContext _ectx;
    private readonly string _column;
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<(string, string), int>? _mergeRanks;

    private CtcTranscriptEncoder(IExceptionContext ectx, string column, CtcUnits units, Dictionary<(string, string), int>? mergeRanks)
    {
        _ectx = ectx;
        _column = column;
        Units = units;
        _index = units.Units.Select((u, i) => (u, i)).Where(p => p.i != units.Blank).ToDictionary(p => p.u, p => p.i, StringComparer.Ordinal);
        _mergeRanks = mergeRanks;
    }

    /// <summary>The units, blank first.</summary>
    public CtcUnits Units { get; }

    /// <summary>The units of <paramref name="kind"/> for the training transcripts <paramref name="labels"/>.</summary>
    public static CtcTranscriptEncoder Create(IExceptionContext ectx, string column, CtcUnitKind kind, IReadOnlyList<string> labels, int subwordMerges,
        PronouncingDictionary? dictionary)
    {
        var texts = labels.Select((label, row) =>
        {
            string text = TranscriptNormalizer.Normalize(label);
            if (text.Length == 0)
                throw ectx.Except($"Column '{column}', training row {row}: the transcript '{label}' is empty after normalisation (lower case, no punctuation).");
            return text;
        }).ToList();
        var words = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string text in texts)
            foreach (string word in text.Split(' '))
                words[word] = words.GetValueOrDefault(word) + 1;
        var characters = new SortedSet<string>(texts.SelectMany(t => t.EnumerateRunes()).Where(r => r.Value != ' ').Select(r => r.ToString()), StringComparer.Ordinal);
        switch (kind)
        {
            case CtcUnitKind.Subwords:
            {
                var (merges, _) = BpeTrainer.Learn(words, subwordMerges);
                var ranks = merges.Select((m, i) => (m, i)).ToDictionary(p => p.m, p => p.i);
                // Every character in both positions, so that any word of them can be spelled, and the pieces the training words use.
                var pieces = new SortedSet<string>(characters.SelectMany(c => new[] { c, WordStart + c }), StringComparer.Ordinal);
                foreach (string word in words.Keys)
                    pieces.UnionWith(Pieces(word, ranks));
                var units = new CtcUnits(["<blank>", .. pieces], blank: 0, wordSeparator: null, wordStartMarker: WordStart);
                return new CtcTranscriptEncoder(ectx, column, units, ranks);
            }
            case CtcUnitKind.Phonemes:
            {
                ectx.CheckUserArg(dictionary != null, "PronouncingDictionary", "Phoneme units need a pronouncing dictionary (PronouncingDictionary.Load of the CMU dictionary).");
                var lexicon = CtcLexicon.FromDictionary(dictionary!, words);
                if (words.Keys.FirstOrDefault(w => lexicon.PronunciationsOf(w).Count == 0) is string missing)
                {
                    int row = texts.FindIndex(t => t.Split(' ').Contains(missing));
                    throw ectx.Except($"Column '{column}', training row {row}: the word '{missing}' is not in the pronouncing dictionary; add its pronunciation with PronouncingDictionary.Add.");
                }
                var phonemes = words.Keys.SelectMany(w => lexicon.PronunciationsOf(w)[0].Split(' ')).Distinct().Order(StringComparer.Ordinal);
                var units = new CtcUnits(["<blank>", PhonemeSeparator, .. phonemes], blank: 0, wordSeparator: PhonemeSeparator, lexicon: lexicon);
                return new CtcTranscriptEncoder(ectx, column, units, null);
            }
            default:
                return new CtcTranscriptEncoder(ectx, column, new CtcUnits(["<blank>", " ", .. characters], blank: 0, wordSeparator: " "), null);
        }
    }

    /// <summary>The unit ids of transcript <paramref name="label"/> (row <paramref name="row"/> of the <paramref name="what"/> data).</summary>
    public int[] Encode(string label, long row, string what)
    {
        string text = TranscriptNormalizer.Normalize(label);
        if (text.Length == 0)
            throw _ectx.Except($"Column '{_column}', {what} row {row}: the transcript '{label}' is empty after normalisation (lower case, no punctuation).");
        var ids = new List<int>();
        var words = text.Split(' ');
        for (int w = 0; w < words.Length; w++)
        {
            if (Units.Lexicon is CtcLexicon lexicon)
            {
                if (w > 0)
                    ids.Add(Units.SeparatorIndex);
                var pronunciations = lexicon.PronunciationsOf(words[w]);
                if (pronunciations.Count == 0)
                    throw _ectx.Except($"Column '{_column}', {what} row {row}: the word '{words[w]}' is not in the pronouncing dictionary.");
                ids.AddRange(pronunciations[0].Split(' ').Select(p => Id(p, row, what)));
            }
            else if (_mergeRanks != null)
            {
                var pieces = Pieces(words[w], _mergeRanks);
                // A word the merges split into a piece no training word used is spelled in characters.
                if (!pieces.All(_index.ContainsKey))
                    pieces = words[w].EnumerateRunes().Select((r, i) => i == 0 ? WordStart + r : r.ToString()).ToList();
                ids.AddRange(pieces.Select(p => Id(p, row, what)));
            }
            else
            {
                if (w > 0)
                    ids.Add(Units.SeparatorIndex);
                ids.AddRange(words[w].EnumerateRunes().Select(r => Id(r.ToString(), row, what)));
            }
        }
        return ids.ToArray();
    }

    private int Id(string unit, long row, string what) =>
        _index.TryGetValue(unit, out int id) ? id
            : throw _ectx.Except($"Column '{_column}', {what} row {row}: '{unit.TrimStart(WordStart[0])}' never occurs in the training transcripts.");

    // A word's byte-pair pieces: its characters merged pair by pair, the earliest-learned merge first, as BpeTrainer
    // learned them (the last character carrying the end-of-word suffix); then the first piece marked as a word start.
    private static List<string> Pieces(string word, Dictionary<(string, string), int> ranks)
    {
        var symbols = word.EnumerateRunes().Select(r => r.ToString()).ToList();
        symbols[^1] += BpeTrainer.EndOfWord;
        while (symbols.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < symbols.Count; i++)
                if (ranks.TryGetValue((symbols[i], symbols[i + 1]), out int rank) && rank < bestRank)
                    (best, bestRank) = (i, rank);
            if (best < 0)
                break;
            symbols[best] += symbols[best + 1];
            symbols.RemoveAt(best + 1);
        }
        symbols[^1] = symbols[^1][..^BpeTrainer.EndOfWord.Length];
        symbols[0] = WordStart + symbols[0];
        return symbols;
    }
}
