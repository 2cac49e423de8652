namespace MLNet.Sequence.Audio;

/// <summary>A word or phrase whose recognition is encouraged, and by how much (added to the log score when it is completed).</summary>
/// <param name="Phrase">One word or several separated by spaces, in the transcript's spelling.</param>
/// <param name="Weight">The bonus in natural-log units; partial matches earn a proportional share while the search is inside them.</param>
public sealed record Hotword(string Phrase, double Weight);

/// <summary>Settings of <see cref="CtcDecoder.BeamSearch"/>: the beam, token pruning, language-model fusion and hotwords.</summary>
public sealed class CtcDecoderOptions
{
    /// <summary>Prefixes kept after each frame.</summary>
    public int BeamWidth = 32;

    /// <summary>Units whose log-probability at a frame is below this are not tried there (the blank always is).</summary>
    public float TokenMinLogProbability = -12f;

    /// <summary>At most this many of each frame's most probable units are tried; 0 for no limit.</summary>
    public int TokensPerFrame = 0;

    /// <summary>A word n-gram model for shallow fusion; null decodes on the acoustic scores alone.</summary>
    public ArpaLanguageModel? LanguageModel;

    /// <summary>alpha: the weight of the language model's natural-log probability.</summary>
    public double LanguageModelWeight = 0.5;

    /// <summary>beta: added per word, against the language model's preference for short transcripts.</summary>
    public double WordInsertionBonus = 1.0;

    /// <summary>ln P given to a word the language model does not know (and has no &lt;unk&gt; for), before alpha.</summary>
    public double UnknownWordLogProbability = -10 * Math.Log(10);

    /// <summary>Words and phrases to boost.</summary>
    public IReadOnlyList<Hotword> Hotwords = [];

    /// <summary>Transcripts returned, best first.</summary>
    public int NBest = 1;

    /// <summary>Seconds per frame of the posteriors, for word timings.</summary>
    public double FrameSeconds = 0.02;

    internal void Check()
    {
        if (BeamWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(BeamWidth), BeamWidth, "BeamWidth must be at least 1");
        if (float.IsNaN(TokenMinLogProbability) || TokenMinLogProbability > 0)
            throw new ArgumentOutOfRangeException(nameof(TokenMinLogProbability), TokenMinLogProbability, "TokenMinLogProbability is a log-probability: at most 0");
        if (TokensPerFrame < 0)
            throw new ArgumentOutOfRangeException(nameof(TokensPerFrame), TokensPerFrame, "TokensPerFrame must be 0 (no limit) or positive");
        if (!double.IsFinite(LanguageModelWeight) || LanguageModelWeight < 0)
            throw new ArgumentOutOfRangeException(nameof(LanguageModelWeight), LanguageModelWeight, "LanguageModelWeight (alpha) must be finite and not negative");
        if (!double.IsFinite(WordInsertionBonus))
            throw new ArgumentOutOfRangeException(nameof(WordInsertionBonus), WordInsertionBonus, "WordInsertionBonus (beta) must be finite");
        if (!double.IsFinite(UnknownWordLogProbability) || UnknownWordLogProbability > 0)
            throw new ArgumentOutOfRangeException(nameof(UnknownWordLogProbability), UnknownWordLogProbability, "UnknownWordLogProbability must be finite and at most 0");
        if (NBest < 1 || NBest > BeamWidth)
            throw new ArgumentOutOfRangeException(nameof(NBest), NBest, $"NBest must be between 1 and BeamWidth ({BeamWidth})");
        if (!(FrameSeconds > 0) || !double.IsFinite(FrameSeconds))
            throw new ArgumentOutOfRangeException(nameof(FrameSeconds), FrameSeconds, "FrameSeconds must be positive");
        ArgumentNullException.ThrowIfNull(Hotwords, nameof(Hotwords));
        foreach (var h in Hotwords)
        {
            if (h == null || string.IsNullOrWhiteSpace(h.Phrase))
                throw new ArgumentException("a hotword's phrase is empty", nameof(Hotwords));
            if (!double.IsFinite(h.Weight))
                throw new ArgumentException($"the hotword '{h.Phrase}' has weight {h.Weight}; it must be finite", nameof(Hotwords));
        }
    }
}
