namespace MLNet.Sequence.Metrics;

/// <summary>
/// Corpus metrics of translations against references, as <see cref="TranslationCatalog.Evaluate"/> returns them:
/// sacreBLEU-compatible BLEU with its parts, and chrF.
/// </summary>
public sealed class TranslationMetrics
{
    internal TranslationMetrics(BleuScore bleu, ChrFScore chrF, long rowCount)
    {
        BleuScore = bleu;
        ChrFScore = chrF;
        RowCount = rowCount;
    }

    /// <summary>Corpus BLEU, 0 to 100.</summary>
    public double Bleu => BleuScore.Score;

    /// <summary>The n-gram precisions of orders 1-4, in percent.</summary>
    public IReadOnlyList<double> Precisions => BleuScore.Precisions;

    /// <summary>BLEU's brevity penalty.</summary>
    public double BrevityPenalty => BleuScore.BrevityPenalty;

    /// <summary>Translation length over reference length.</summary>
    public double LengthRatio => BleuScore.LengthRatio;

    /// <summary>Tokens in the translations (after BLEU's tokeniser).</summary>
    public long TranslationLength => BleuScore.HypothesisLength;

    /// <summary>Tokens in the closest references.</summary>
    public long ReferenceLength => BleuScore.ReferenceLength;

    /// <summary>Corpus chrF, 0 to 100.</summary>
    public double ChrF => ChrFScore.Score;

    /// <summary>Rows scored.</summary>
    public long RowCount { get; }

    /// <summary>The whole BLEU score, with its counts and sacreBLEU signature.</summary>
    public BleuScore BleuScore { get; }

    /// <summary>The whole chrF score, with its signature.</summary>
    public ChrFScore ChrFScore { get; }

    /// <summary>sacreBLEU's report lines for BLEU and chrF, with their signatures.</summary>
    public override string ToString() =>
        $"{BleuScore}  [{BleuScore.Signature}]{Environment.NewLine}{ChrFScore}  [{ChrFScore.Signature}]";
}
