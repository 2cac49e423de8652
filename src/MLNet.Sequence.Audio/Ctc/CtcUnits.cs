namespace MLNet.Sequence.Audio;

/// <summary>
/// The output units of a CTC model and how they spell words: characters with a word separator (" " or "|"), subword
/// pieces that mark the start of a word (SentencePiece's "▁"), or phonemes with a word separator whose pronunciations
/// a <see cref="CtcLexicon"/> turns into words. Unit <see cref="Blank"/> is CTC's blank.
/// </summary>
public sealed class CtcUnits
{
    private readonly string[] _units;

    /// <summary>Describes the units.</summary>
    /// <param name="units">Every unit's text, by index; the blank's text is not used.</param>
    /// <param name="blank">The blank's index.</param>
    /// <param name="wordSeparator">The unit that separates words (characters); null when units mark word starts instead.</param>
    /// <param name="wordStartMarker">The prefix that marks a unit beginning a word (subwords); null for separated units.</param>
    /// <param name="lexicon">For phoneme units: the pronunciations (units joined by spaces) and their words; needs a word separator.</param>
    public CtcUnits(IReadOnlyList<string> units, int blank = 0, string? wordSeparator = " ", string? wordStartMarker = null, CtcLexicon? lexicon = null)
    {
        ArgumentNullException.ThrowIfNull(units);
        if (units.Count < 2)
            throw new ArgumentException("CTC needs the blank and at least one other unit", nameof(units));
        if (blank < 0 || blank >= units.Count)
            throw new ArgumentOutOfRangeException(nameof(blank), blank, $"the blank must be one of the {units.Count} units");
        if ((wordSeparator == null) == (wordStartMarker == null))
            throw new ArgumentException("give either a word separator (character units) or a word-start marker (subword units)", nameof(wordSeparator));
        _units = units.ToArray();
        Blank = blank;
        WordSeparator = wordSeparator;
        WordStartMarker = wordStartMarker;
        SeparatorIndex = wordSeparator == null ? -1 : Array.IndexOf(_units, wordSeparator);
        if (wordSeparator != null && SeparatorIndex < 0)
            throw new ArgumentException($"the word separator '{wordSeparator}' is not one of the units", nameof(wordSeparator));
        if (lexicon != null && wordSeparator == null)
            throw new ArgumentException("phoneme units with a lexicon need a word separator", nameof(lexicon));
        if (lexicon != null && _units.Where((u, i) => i != blank && i != SeparatorIndex).FirstOrDefault(u => u.Contains(' ')) is string spaced)
            throw new ArgumentException($"the phoneme unit '{spaced}' holds a space, which joins a pronunciation's phonemes", nameof(units));
        Lexicon = lexicon;
    }

    /// <summary>The lexicon that spells phoneme units' pronunciations as words, or null when the units spell words themselves.</summary>
    public CtcLexicon? Lexicon { get; }

    /// <summary>The units' texts.</summary>
    public IReadOnlyList<string> Units => _units;

    /// <summary>The blank's index.</summary>
    public int Blank { get; }

    /// <summary>The word-separating unit, or null.</summary>
    public string? WordSeparator { get; }

    /// <summary>The word-start prefix, or null.</summary>
    public string? WordStartMarker { get; }

    /// <summary>The index of <see cref="WordSeparator"/>, or -1.</summary>
    public int SeparatorIndex { get; }

    /// <summary>The number of units, the blank included.</summary>
    public int Count => Units.Count;

    /// <summary>Whether unit <paramref name="unit"/> begins a new word (after which the previous one is complete).</summary>
    internal bool StartsWord(int unit) => WordStartMarker != null && Units[unit].StartsWith(WordStartMarker, StringComparison.Ordinal);

    /// <summary>The letters unit <paramref name="unit"/> adds to the word it is in (no separator, no marker).</summary>
    internal string Letters(int unit) =>
        unit == SeparatorIndex ? "" : StartsWord(unit) ? Units[unit][WordStartMarker!.Length..] : Units[unit];

    /// <summary>A word's spelling so far with unit <paramref name="unit"/> added: its letters, or with a lexicon, its phoneme after a space.</summary>
    internal string Append(string spelling, int unit)
    {
        string letters = Letters(unit);
        return Lexicon != null && spelling.Length > 0 && letters.Length > 0 ? spelling + " " + letters : spelling + letters;
    }

    /// <summary>The word a spelling stands for: itself, or with a lexicon, the word of that pronunciation (or of the nearest one).</summary>
    internal string Word(string spelling) => Lexicon?.Spell(spelling) ?? spelling;

    /// <summary>The spellings of a unit sequence's words (pronunciations with a lexicon), with the index of each word's first and last unit in it.</summary>
    internal List<(string Word, int First, int Last)> Words(IReadOnlyList<int> sequence)
    {
        var words = new List<(string, int, int)>();
        string current = "";
        int first = -1, last = -1;
        for (int i = 0; i < sequence.Count; i++)
        {
            int u = sequence[i];
            if (u == SeparatorIndex || StartsWord(u))
            {
                if (current.Length > 0)
                    words.Add((current, first, last));
                current = "";
                first = -1;
                if (u == SeparatorIndex)
                    continue;
            }
            string letters = Letters(u);
            if (letters.Length == 0)
                continue;
            if (first < 0)
                first = i;
            last = i;
            current = Append(current, u);
        }
        if (current.Length > 0)
            words.Add((current, first, last));
        return words;
    }
}
