using System.Globalization;
using System.Text;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch.Decoding;

namespace MLNet.Sequence.Torch.Translation;

/// <summary>Who is at fault for a wrong translation, by the curriculum's rule.</summary>
public enum BeamVerdict
{
    /// <summary>The output is the reference: nobody.</summary>
    Correct = 0,

    /// <summary>The model prefers the reference (its objective is higher for y* than for ŷ): the search missed it.</summary>
    SearchError = 1,

    /// <summary>The model prefers its wrong output: more search would not help; the model must improve.</summary>
    ModelError = 2,
}

/// <summary>One dev pair of the analysis.</summary>
/// <param name="Source">The source sentence x.</param>
/// <param name="Reference">The reference y*.</param>
/// <param name="Output">The beam search output ŷ.</param>
/// <param name="ReferenceLogProbability">log P(y* | x) under the model.</param>
/// <param name="OutputLogProbability">log P(ŷ | x) under the model.</param>
/// <param name="ReferenceScore">The search's objective for y*: log P with the length penalty.</param>
/// <param name="OutputScore">The search's objective for ŷ.</param>
/// <param name="Verdict">Correct, search error or model error.</param>
/// <param name="UnknownReferenceTokens">Reference tokens outside the target vocabulary (scored as the unknown token; such a reference cannot be produced).</param>
public sealed record BeamAnalysisRow(string Source, string Reference, string Output, double ReferenceLogProbability, double OutputLogProbability,
    double ReferenceScore, double OutputScore, BeamVerdict Verdict, int UnknownReferenceTokens);

/// <summary>The analysis of one search setting over the dev pairs.</summary>
public sealed class BeamAnalysisReport
{
    internal BeamAnalysisReport(DecodingOptions search, IReadOnlyList<BeamAnalysisRow> rows, BleuScore bleu)
    {
        Search = search;
        Rows = rows;
        Bleu = bleu;
        Errors = rows.Count(r => r.Verdict != BeamVerdict.Correct);
        SearchErrors = rows.Count(r => r.Verdict == BeamVerdict.SearchError);
    }

    /// <summary>The search analysed (beam size, length penalty, alpha).</summary>
    public DecodingOptions Search { get; }

    /// <summary>Every pair.</summary>
    public IReadOnlyList<BeamAnalysisRow> Rows { get; }

    /// <summary>Corpus BLEU of the outputs against the references.</summary>
    public BleuScore Bleu { get; }

    /// <summary>Pairs whose output is not the reference.</summary>
    public int Errors { get; }

    /// <summary>Wrong pairs the search is blamed for.</summary>
    public int SearchErrors { get; }

    /// <summary>Wrong pairs the model is blamed for.</summary>
    public int ModelErrors => Errors - SearchErrors;

    /// <summary>The share of the errors that are search errors (0 when there are none).</summary>
    public double SearchErrorFraction => Errors == 0 ? 0 : (double)SearchErrors / Errors;

    /// <summary>The share of the errors that are model errors (0 when there are none).</summary>
    public double ModelErrorFraction => Errors == 0 ? 0 : (double)ModelErrors / Errors;
}

/// <summary>
/// The curriculum's beam-search error analysis: for every dev pair, the model scores the reference y* and the
/// beam output ŷ. When the model's objective (log-probability with the search's length penalty) is higher for
/// y* than for ŷ, beam search failed to find a better sentence the model would have chosen: a search error,
/// which a wider beam may fix. Otherwise the model itself prefers its wrong output: a model error. The fractions
/// say where effort pays; the sweep over beam sizes and alphas shows how BLEU and the fractions move.
/// </summary>
public static class BeamAnalysis
{
    /// <summary>Analyses one search setting (beam search with its size, penalty and alpha; greedy also works).</summary>
    /// <param name="model">The translation model.</param>
    /// <param name="sources">The dev sources.</param>
    /// <param name="references">Their references.</param>
    /// <param name="search">The search to analyse.</param>
    public static BeamAnalysisReport Analyze(Seq2SeqAttentionTransformer model, IReadOnlyList<string> sources, IReadOnlyList<string> references, DecodingOptions search)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(search);
        if (sources.Count != references.Count)
            throw new ArgumentException($"There are {sources.Count} sources but {references.Count} references.", nameof(references));
        if (sources.Count == 0)
            throw new ArgumentException("There are no dev pairs to analyse.", nameof(sources));
        var outputs = model.Translate(sources, search);
        var outputTexts = outputs.Select(o => o.Text).ToList();
        var referenceLogp = model.ScoreTranslations(sources, references, out var unknown);
        var rows = new BeamAnalysisRow[sources.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            var output = outputs[i];
            // Compare as the model sees them: the same tokens are the same sentence.
            bool correct = output.Tokens.SequenceEqual(model.TokenizeTarget(references[i]).Select(TranslationTokenizer.Display));
            int referenceLength = model.TokenizeTarget(references[i]).Count + 1;
            double referenceScore = LengthNormalization.Score(referenceLogp[i], referenceLength, search.LengthPenalty, search.Alpha);
            double outputScore = LengthNormalization.Score(output.LogProbability, output.Tokens.Count + 1, search.LengthPenalty, search.Alpha);
            var verdict = correct ? BeamVerdict.Correct : referenceScore > outputScore ? BeamVerdict.SearchError : BeamVerdict.ModelError;
            rows[i] = new BeamAnalysisRow(sources[i], references[i], output.Text, referenceLogp[i], output.LogProbability,
                referenceScore, outputScore, verdict, unknown[i]);
        }
        return new BeamAnalysisReport(search.Clone(), rows, Bleu.CorpusScore(outputTexts, references.ToList()));
    }

    /// <summary>Analyses beam search for every beam size and alpha (the curriculum's B = 1, 3, 5, 10 and alpha = 0, 0.5, 0.7, 1.0 by default).</summary>
    /// <param name="model">The translation model.</param>
    /// <param name="sources">The dev sources.</param>
    /// <param name="references">Their references.</param>
    /// <param name="beamSizes">Beam sizes B.</param>
    /// <param name="alphas">Length-penalty exponents.</param>
    /// <param name="penalty">The length penalty (the curriculum's log P / T^alpha by default).</param>
    /// <param name="maximumLength">The most output tokens.</param>
    public static IReadOnlyList<BeamAnalysisReport> Sweep(Seq2SeqAttentionTransformer model, IReadOnlyList<string> sources, IReadOnlyList<string> references,
        IReadOnlyList<int>? beamSizes = null, IReadOnlyList<double>? alphas = null, LengthPenalty penalty = LengthPenalty.Average, int maximumLength = 100)
    {
        var reports = new List<BeamAnalysisReport>();
        foreach (int b in beamSizes ?? [1, 3, 5, 10])
            foreach (double alpha in alphas ?? [0.0, 0.5, 0.7, 1.0])
                reports.Add(Analyze(model, sources, references, new DecodingOptions
                {
                    Strategy = DecodingStrategy.BeamSearch,
                    BeamSize = b,
                    LengthPenalty = penalty,
                    Alpha = alpha,
                    MaximumLength = maximumLength,
                }));
        return reports;
    }

    /// <summary>The sweep as a table: beam size, alpha, BLEU, errors, and the search and model fractions.</summary>
    /// <param name="reports">The reports of a sweep.</param>
    public static string Table(IEnumerable<BeamAnalysisReport> reports)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("| B | alpha | BLEU | wrong | search errors | model errors |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var r in reports)
            sb.AppendLine(string.Create(c, $"| {r.Search.BeamSize} | {r.Search.Alpha:0.0#} | {r.Bleu.Score:F2} | {r.Errors} of {r.Rows.Count} | {r.SearchErrors} ({r.SearchErrorFraction:P0}) | {r.ModelErrors} ({r.ModelErrorFraction:P0}) |"));
        return sb.ToString();
    }
}
