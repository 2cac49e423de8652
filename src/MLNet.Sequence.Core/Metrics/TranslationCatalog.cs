using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Metrics;

/// <summary>
/// The translation catalog of an MLContext (<c>mlContext.Translation()</c>): evaluation here, and the trainers
/// that the Torch package adds to <see cref="Trainers"/> as extension methods.
/// </summary>
public sealed class TranslationCatalog : IInternalCatalog
{
    internal TranslationCatalog(IHostEnvironment environment)
    {
        Environment = environment;
        Trainers = new TranslationTrainers(environment);
    }

    internal IHostEnvironment Environment { get; }

    IHostEnvironment IInternalCatalog.Environment => Environment;

    /// <summary>Translation trainers (see the MLNet.Sequence.Torch package).</summary>
    public TranslationTrainers Trainers { get; }

    /// <summary>
    /// Corpus BLEU and chrF of a text column of translations against a column of references: Text for one reference
    /// per row, or a vector of Text for several (empty entries are dropped, as sacreBLEU drops them).
    /// </summary>
    /// <param name="data">Rows with translations and references, such as a transformer's output.</param>
    /// <param name="labelColumnName">The reference column.</param>
    /// <param name="scoreColumnName">The translation column.</param>
    /// <param name="bleuOptions">BLEU's tokeniser and smoothing; sacreBLEU's corpus defaults when null.</param>
    /// <param name="chrFOptions">chrF's settings; chrF2 when null.</param>
    public TranslationMetrics Evaluate(IDataView data, string labelColumnName = DefaultColumnNames.Label, string scoreColumnName = "Translation",
        BleuOptions? bleuOptions = null, ChrFOptions? chrFOptions = null)
    {
        var host = Environment.Register("TranslationEvaluation");
        host.CheckValue(data, nameof(data));
        host.CheckNonEmpty(labelColumnName, nameof(labelColumnName));
        host.CheckNonEmpty(scoreColumnName, nameof(scoreColumnName));
        bleuOptions ??= new BleuOptions();
        chrFOptions ??= new ChrFOptions();
        bleuOptions.Check();
        chrFOptions.Check();

        var label = data.Schema.GetColumnOrNull(labelColumnName)
            ?? throw host.ExceptSchemaMismatch(nameof(labelColumnName), "label", labelColumnName);
        if (label.Type is not TextDataViewType && label.Type is not VectorDataViewType { ItemType: TextDataViewType })
            throw host.ExceptSchemaMismatch(nameof(labelColumnName), "label", labelColumnName, "Text or vector of Text", label.Type.ToString());
        var score = data.Schema.GetColumnOrNull(scoreColumnName)
            ?? throw host.ExceptSchemaMismatch(nameof(scoreColumnName), "score", scoreColumnName);
        if (score.Type is not TextDataViewType)
            throw host.ExceptSchemaMismatch(nameof(scoreColumnName), "score", scoreColumnName, "Text", score.Type.ToString());

        var bleu = new BleuStatistics(bleuOptions.MaxNgramOrder);
        var chrF = new long[3 * (chrFOptions.CharOrder + chrFOptions.WordOrder)];
        var referenceCounts = new Bleu.ReferenceCounts();
        long rows = 0;
        using (var cursor = data.GetRowCursor([label, score]))
        {
            var references = ReferenceGetter(cursor, label);
            var translationGetter = cursor.GetGetter<ReadOnlyMemory<char>>(score);
            ReadOnlyMemory<char> translation = default;
            while (cursor.MoveNext())
            {
                translationGetter(ref translation);
                var refs = references();
                if (refs.Count == 0)
                    throw host.Except($"Row {rows} has no reference: its '{labelColumnName}' is empty.");
                string hypothesis = translation.ToString();
                referenceCounts.Add(refs.Count);
                bleu.Add(Metrics.Bleu.SegmentStatistics(hypothesis, refs, bleuOptions));
                var segment = Metrics.ChrF.SegmentStatistics(hypothesis, refs, chrFOptions);
                for (int i = 0; i < chrF.Length; i++)
                    chrF[i] += segment[i];
                rows++;
            }
        }
        if (rows == 0)
            throw host.Except("There are no rows to evaluate.");

        string nrefs = referenceCounts.Signature;
        var chrFScore = new ChrFScore(Metrics.ChrF.FScore(chrF, chrFOptions), chrFOptions, Metrics.ChrF.Signature(chrFOptions, nrefs));
        return new TranslationMetrics(Metrics.Bleu.Score(bleu, bleuOptions, nrefs), chrFScore, rows);
    }

    // The non-empty references of the current row.
    private static Func<List<string>> ReferenceGetter(DataViewRowCursor cursor, DataViewSchema.Column label)
    {
        if (label.Type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(label);
            ReadOnlyMemory<char> text = default;
            return () =>
            {
                getter(ref text);
                return text.IsEmpty ? [] : [text.ToString()];
            };
        }
        var vectorGetter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(label);
        VBuffer<ReadOnlyMemory<char>> texts = default;
        return () =>
        {
            vectorGetter(ref texts);
            var refs = new List<string>();
            foreach (var t in texts.DenseValues())
                if (!t.IsEmpty)
                    refs.Add(t.ToString());
            return refs;
        };
    }

    /// <summary>The trainers of the translation catalog; the Torch package adds them as extension methods.</summary>
    public sealed class TranslationTrainers : IInternalCatalog
    {
        internal TranslationTrainers(IHostEnvironment environment) => Environment = environment;

        internal IHostEnvironment Environment { get; }

        IHostEnvironment IInternalCatalog.Environment => Environment;
    }
}

/// <summary>Adds <c>Translation()</c> to MLContext.</summary>
public static class TranslationCatalogExtensions
{
    /// <summary>The translation catalog: evaluation with BLEU and chrF, and (with the Torch package) trainers.</summary>
    /// <param name="mlContext">The context.</param>
    public static TranslationCatalog Translation(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new TranslationCatalog(mlContext);
    }
}
