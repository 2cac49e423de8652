namespace MLNet.Sequence.Audio;

/// <summary>
/// The language-model and hotword terms of a CTC prefix: each word is scored by the n-gram model when it is complete
/// (alpha ln P + beta), a word still being spelled that no vocabulary word begins with is charged the unknown-word
/// score, and hotwords earn their weight when completed and a proportional share while the prefix is inside one.
/// </summary>
internal sealed class PrefixScorer
{
    private readonly CtcUnits _units;
    private readonly CtcDecoderOptions _options;
    private readonly ArpaLanguageModel? _lm;
    private readonly HashSet<string>? _wordPrefixes;
    private readonly string[][] _hotwords;
    private readonly int _historyLength;

    public PrefixScorer(CtcUnits units, CtcDecoderOptions options)
    {
        _units = units;
        _options = options;
        _lm = options.LanguageModel;
        _hotwords = options.Hotwords.Select(h => h.Phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        _historyLength = Math.Max(1, _hotwords.Length == 0 ? 1 : _hotwords.Max(h => h.Length));
        if (_lm != null)
            _wordPrefixes = WordPrefixes(_lm);
        Root = new State(_lm == null ? [] : [_lm.IdOf(ArpaLanguageModel.SentenceStart)], [], "", 0, 0);
    }

    /// <summary>The terms of a prefix: the committed part (complete words) and the provisional part (the word being spelled).</summary>
    public sealed record State(int[] Context, string[] Recent, string Partial, double Committed, double Provisional)
    {
        public double Score => Committed + Provisional;
    }

    public State Root { get; }

    public State Extend(State state, int unit)
    {
        if (unit == _units.SeparatorIndex || _units.StartsWord(unit))
            state = Complete(state);
        string partial = state.Partial + _units.Letters(unit);
        return state with { Partial = partial, Provisional = Provisional(state.Recent, partial) };
    }

    /// <summary>The terms of a finished transcript: its last word completed and the end of the sentence scored.</summary>
    public double Final(State state)
    {
        state = Complete(state);
        if (_lm == null)
            return state.Committed;
        return state.Committed + _options.LanguageModelWeight * _lm.LogProbability(state.Context, _lm.IdOf(ArpaLanguageModel.SentenceEnd), _options.UnknownWordLogProbability);
    }

    private State Complete(State state)
    {
        if (state.Partial.Length == 0)
            return state;
        string word = state.Partial;
        double committed = state.Committed + _options.WordInsertionBonus;
        int[] context = state.Context;
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
        return new State(context, recent, "", committed, 0);
    }

    private double Provisional(string[] recent, string partial)
    {
        double provisional = 0;
        if (_wordPrefixes != null && partial.Length > 0 && !_wordPrefixes.Contains(partial))
            provisional += _options.LanguageModelWeight * _options.UnknownWordLogProbability;
        double bonus = 0;
        for (int h = 0; h < _hotwords.Length; h++)
        {
            double progress = Progress(_hotwords[h], recent, partial);
            if (progress > 0 && progress < 1)
                bonus = Math.Max(bonus, progress * _options.Hotwords[h].Weight);
        }
        return provisional + bonus;
    }

    // How much of a phrase (by characters) the last complete words and the word being spelled cover, 0 to 1.
    private static double Progress(string[] phrase, string[] recent, string partial)
    {
        int total = phrase.Sum(w => w.Length);
        double best = 0;
        for (int k = 0; k < phrase.Length; k++)
        {
            // k complete words of the phrase end the recent words, then the partial word begins phrase word k.
            if (k > recent.Length || !recent.AsSpan(recent.Length - k).SequenceEqual(phrase.AsSpan(0, k)))
                continue;
            if (partial.Length == 0 && k == 0)
                continue;
            if (!phrase[k].StartsWith(partial, StringComparison.Ordinal))
                continue;
            int covered = phrase.Take(k).Sum(w => w.Length) + partial.Length;
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
