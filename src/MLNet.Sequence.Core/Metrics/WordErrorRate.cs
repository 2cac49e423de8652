namespace MLNet.Sequence.Metrics;

/// <summary>One utterance of a WER evaluation: its texts, word and character alignments.</summary>
/// <param name="Reference">The reference transcript as given.</param>
/// <param name="Hypothesis">The recognised transcript as given.</param>
/// <param name="Words">The word alignment (after <see cref="TranscriptNormalizer"/>).</param>
/// <param name="Characters">The character alignment.</param>
public sealed record UtteranceErrors(string Reference, string Hypothesis, EditAlignment Words, EditAlignment Characters);

/// <summary>
/// Corpus word and character error rates: sum(S + D + I) / sum(N) over all utterances, not the mean of per-utterance
/// rates, after <see cref="TranscriptNormalizer"/>.
/// </summary>
public sealed class WordErrorRate
{
    private readonly List<UtteranceErrors> _utterances = [];

    /// <summary>Word counts summed over the utterances.</summary>
    public ErrorCounts WordCounts { get; private set; }

    /// <summary>Character counts summed over the utterances (spaces between words count).</summary>
    public ErrorCounts CharacterCounts { get; private set; }

    /// <summary>Corpus WER: (S + D + I) / N over words.</summary>
    public double Wer => WordCounts.Rate;

    /// <summary>Corpus CER: (S + D + I) / N over characters.</summary>
    public double Cer => CharacterCounts.Rate;

    /// <summary>The utterances, in the order added.</summary>
    public IReadOnlyList<UtteranceErrors> Utterances => _utterances;

    /// <summary>Aligns one utterance and adds its counts.</summary>
    public UtteranceErrors Add(string reference, string hypothesis)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(hypothesis);
        var words = EditAlignment.Align(TranscriptNormalizer.Words(reference), TranscriptNormalizer.Words(hypothesis));
        var chars = EditAlignment.Align(TranscriptNormalizer.Characters(reference), TranscriptNormalizer.Characters(hypothesis));
        var utterance = new UtteranceErrors(reference, hypothesis, words, chars);
        _utterances.Add(utterance);
        WordCounts += words.Counts;
        CharacterCounts += chars.Counts;
        return utterance;
    }

    /// <summary>WER and CER of reference and hypothesis pairs.</summary>
    public static WordErrorRate Of(IEnumerable<(string Reference, string Hypothesis)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var wer = new WordErrorRate();
        foreach (var (r, h) in pairs)
            wer.Add(r, h);
        return wer;
    }

    /// <summary>"WER 12.50% (S 3, D 1, I 1 of 40 words), CER ..." with the normalisation named.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"WER {100 * Wer:F2}% (S {WordCounts.Substitutions}, D {WordCounts.Deletions}, I {WordCounts.Insertions} of {WordCounts.ReferenceLength} words), ") +
        FormattableString.Invariant($"CER {100 * Cer:F2}% (S {CharacterCounts.Substitutions}, D {CharacterCounts.Deletions}, I {CharacterCounts.Insertions} of {CharacterCounts.ReferenceLength} characters); ") +
        "lower-cased, punctuation removed";
}
