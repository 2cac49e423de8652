namespace MLNet.Sequence.Audio;

/// <summary>
/// The language-model and hotword terms of a CTC prefix: each word is scored by the n-gram model when it is complete
/// (alpha ln P + beta), a word still being spelled that no vocabulary word begins with is charged the unknown-word
/// score, and hotwords earn their weight when completed and a proportional share while the prefix is inside one.
/// With phoneme units and a lexicon, a word is a pronunciation: one that no lexicon pronunciation begins with is charged
/// the unknown-word score, and a complete one becomes the homophone the language model likes best after the words
/// before it (without a model, the one most frequent in training), which the prefix keeps for its transcript.
/// </summary>
internal sealed class PrefixScorer
{
    private readonly CtcUnits _units;
    private readonly CtcDecoderOptions _options;
    private readonly ArpaLanguageModel? _lm;
    private readonly HashSet<string>? _wordPrefixes;
    private readonly CtcLexicon? _lexicon;
    private readonly string[][] _hotwords;
    private readonly string[][] _hotwordSpellings;
    private readonly int _historyLength;

    public PrefixScorer(CtcUnits units, CtcDecoderOptions options)
    {
        _units = units;
        _options = options;
        _lm = options.LanguageModel;
        _lexicon = units.Lexicon;
        _hotwords = options.Hotwords.Select(h => h.Phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        // How the search spells a hotword's words while inside them: their letters, or their first pronunciation.
        _hotwordSpellings = _hotwords.Select(p => p.Select(w => _lexicon == null ? w : _lexicon.PronunciationsOf(w).FirstOrDefault() ?? w).ToArray()).ToArray();
        _historyLength = Math.Max(1, _hotwords.Length == 0 ? 1 : _hotwords.Max(h => h.Length));
        if (_lm != null && _lexicon == null)
            _wordPrefixes = WordPrefixes(_lm);
        Root = new State(_lm == null ? [] : [_lm.IdOf(ArpaLanguageModel.SentenceStart)], [], "", 0, 0, null);
    }

    /// <summary>The terms of a prefix: the committed part (complete words) and the provisional part (the word being spelled).</summary>
    public sealed record State(int[] Context, string[] Recent, string Partial, double Committed, double Provisional, ChosenWord? Chosen)
    {
        public double Score => Committed + Provisional;
    }

    /// <summary>With a lexicon, the words a prefix chose for its pronunciations, last first; Word is null for a pronunciation the lexicon lacks.</summary>
    public sealed record ChosenWord(string? Word, string Pronunciation, ChosenWord? Previous);

    public State Root { get; }

    public State Extend(State state, int unit)
    {
        if (unit == _units.SeparatorIndex || _units.StartsWord(unit))
            state = Complete(state);
        string partial = _units.Append(state.Partial, unit);
        return state with { Partial = partial, Provisional = Provisional(state.Recent, partial) };
    }

    /// <summary>
    /// The terms of a finished transcript (its last word completed and the end of the sentence scored) and, with a
    /// lexicon, the words it chose, first to last.
    /// </summary>
    public (double Score, string?[]? Words) Final(State state)
    {
        state = Complete(state);
        string?[]? words = null;
        if (_lexicon != null)
        {
            var chosen = new List<string?>();
            for (var c = state.Chosen; c != null; c = c.Previous)
                chosen.Add(c.Word);
            chosen.Reverse();
            words = chosen.ToArray();
        }
        if (_lm == null)
            return (state.Committed, words);
        return (state.Committed + _options.LanguageModelWeight * _lm.LogProbability(state.Context, _lm.IdOf(ArpaLanguageModel.SentenceEnd), _options.UnknownWordLogProbability), words);
    }

    private State Complete(State state)
    {
        if (state.Partial.Length == 0)
            return state;
        string word = state.Partial;
        double committed = state.Committed + _options.WordInsertionBonus;
        int[] context = state.Context;
        ChosenWord? chosen = null;
        if (_lexicon != null)
        {
            string? spelled = Homophone(context, _lexicon.WordsFor(word));
            if (spelled == null && _lm == null)
                committed += _options.LanguageModelWeight * _options.UnknownWordLogProbability;
            chosen = new ChosenWord(spelled, word, state.Chosen);
            word = spelled ?? word;
        }
        if (_lm != null)
        {
            int id = _lm.IdOf(word);
            committed += _options.LanguageModelWeight * _lm.LogProbability(context, id, _options.UnknownWordLogProbability);
            context = context.Length < _lm.Order - 1 ? [.. context, id] : [.. context[1..], id];
            if (_lm.Order == 1)
                context = [];
        }
        string[] recent = state.Recent.Length < _historyLength ? [.. state.Recent, word] : [.. state.Recent[1..], word];
        foreach (var phrase in _hotwords.Where((p, i) => EndsWith(recent, p)).Select(p => Array.IndexOf(_hotwords, p)).Distinct())
            committed += _options.Hotwords[phrase].Weight;
        return new State(context, recent, "", committed, 0, chosen);
    }

    // The homophone the language model gives the highest probability after the context; without a model, the first
    // (the most frequent in training); null when no word has this pronunciation.
    private string? Homophone(int[] context, IReadOnlyList<string> words)
    {
        if (words.Count <= 1 || _lm == null)
            return words.Count == 0 ? null : words[0];
        string best = words[0];
        double bestLogProbability = double.NegativeInfinity;
        foreach (string w in words)
        {
            double lp = _lm.LogProbability(context, _lm.IdOf(w), _options.UnknownWordLogProbability);
            if (lp > bestLogProbability)
                (best, bestLogProbability) = (w, lp);
        }
        return best;
    }

    private double Provisional(string[] recent, string partial)
    {
        double provisional = 0;
        bool unknown = _lexicon != null ? !_lexicon.IsPrefix(partial) : _wordPrefixes != null && !_wordPrefixes.Contains(partial);
        if (partial.Length > 0 && unknown)
            provisional += _options.LanguageModelWeight * _options.UnknownWordLogProbability;
        double bonus = 0;
        for (int h = 0; h < _hotwords.Length; h++)
        {
            double progress = Progress(_hotwords[h], _hotwordSpellings[h], recent, partial, _lexicon != null);
            if (progress > 0 && progress < 1)
                bonus = Math.Max(bonus, progress * _options.Hotwords[h].Weight);
        }
        return provisional + bonus;
    }

    // How much of a phrase (by the length of its words' spellings) the last complete words and the word being spelled
    // cover, 0 to 1. A pronunciation being spelled matches only at whole phonemes.
    private static double Progress(string[] phrase, string[] spellings, string[] recent, string partial, bool phonemes)
    {
        int total = spellings.Sum(w => w.Length);
        double best = 0;
        for (int k = 0; k < phrase.Length; k++)
        {
            // k complete words of the phrase end the recent words, then the partial word begins phrase word k.
            if (k > recent.Length || !recent.AsSpan(recent.Length - k).SequenceEqual(phrase.AsSpan(0, k)))
                continue;
            if (partial.Length == 0 && k == 0)
                continue;
            if (!spellings[k].StartsWith(partial, StringComparison.Ordinal)
                || (phonemes && partial.Length < spellings[k].Length && spellings[k][partial.Length] != ' '))
                continue;
            int covered = spellings.Take(k).Sum(w => w.Length) + partial.Length;
            best = Math.Max(best, (double)covered / total);
        }
        return best;
    }

    private static bool EndsWith(string[] recent, string[] phrase) =>
        recent.Length >= phrase.Length && recent.AsSpan(recent.Length - phrase.Length).SequenceEqual(phrase);

    private static HashSet<string> WordPrefixes(ArpaLanguageModel lm)
    {
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (string word in lm.Words)
            for (int i = 1; i <= word.Length; i++)
                prefixes.Add(word[..i]);
        return prefixes;
    }
}
