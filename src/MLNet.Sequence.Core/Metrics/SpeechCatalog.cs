using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Metrics;

/// <summary>
/// The speech catalog of an MLContext (<c>mlContext.Speech()</c>): WER and CER evaluation here, and the trainers
/// that the Torch package adds to <see cref="Trainers"/> as extension methods.
/// </summary>
public sealed class SpeechCatalog : IInternalCatalog
{
    internal SpeechCatalog(IHostEnvironment environment)
    {
        Environment = environment;
        Trainers = new SpeechTrainers(environment);
    }

    internal IHostEnvironment Environment { get; }

    IHostEnvironment IInternalCatalog.Environment => Environment;

    /// <summary>Speech trainers (see the MLNet.Sequence.Torch package).</summary>
    public SpeechTrainers Trainers { get; }

    /// <summary>
    /// Corpus WER and CER of a text column of transcripts against a column of references, with the S, D and I counts
    /// and every utterance's alignment; both texts pass through <see cref="TranscriptNormalizer"/> first.
    /// </summary>
    /// <param name="data">Rows with transcripts and references, such as a speech transformer's output.</param>
    /// <param name="labelColumnName">The reference column (Text).</param>
    /// <param name="scoreColumnName">The transcript column (Text).</param>
    public WordErrorRate Evaluate(IDataView data, string labelColumnName = DefaultColumnNames.Label, string scoreColumnName = "Transcript")
    {
        var host = Environment.Register("SpeechEvaluation");
        host.CheckValue(data, nameof(data));
        host.CheckNonEmpty(labelColumnName, nameof(labelColumnName));
        host.CheckNonEmpty(scoreColumnName, nameof(scoreColumnName));
        var label = TextColumn(host, data.Schema, labelColumnName, "label", nameof(labelColumnName));
        var score = TextColumn(host, data.Schema, scoreColumnName, "score", nameof(scoreColumnName));
        var result = new WordErrorRate();
        using var cursor = data.GetRowCursor([label, score]);
        var labelGetter = cursor.GetGetter<ReadOnlyMemory<char>>(label);
        var scoreGetter = cursor.GetGetter<ReadOnlyMemory<char>>(score);
        ReadOnlyMemory<char> reference = default, transcript = default;
        while (cursor.MoveNext())
        {
            labelGetter(ref reference);
            scoreGetter(ref transcript);
            result.Add(reference.ToString(), transcript.ToString());
        }
        if (result.Utterances.Count == 0)
            throw host.Except("The data has no rows to evaluate.");
        if (result.WordCounts.ReferenceLength == 0)
            throw host.Except($"Every reference in '{labelColumnName}' is empty after normalisation; WER is undefined.");
        return result;
    }

    private static DataViewSchema.Column TextColumn(IHost host, DataViewSchema schema, string name, string role, string parameter)
    {
        var column = schema.GetColumnOrNull(name) ?? throw host.ExceptSchemaMismatch(parameter, role, name);
        if (column.Type is not TextDataViewType)
            throw host.ExceptSchemaMismatch(parameter, role, name, "Text", column.Type.ToString());
        return column;
    }

    /// <summary>The trainers of the speech catalog; the Torch package adds them as extension methods.</summary>
    public sealed class SpeechTrainers : IInternalCatalog
    {
        internal SpeechTrainers(IHostEnvironment environment) => Environment = environment;

        internal IHostEnvironment Environment { get; }

        IHostEnvironment IInternalCatalog.Environment => Environment;
    }
}

/// <summary>Adds <c>Speech()</c> to MLContext.</summary>
public static class SpeechCatalogExtensions
{
    /// <summary>The speech catalog: WER and CER evaluation and (with the Torch package) trainers.</summary>
    /// <param name="mlContext">The context.</param>
    public static SpeechCatalog Speech(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new SpeechCatalog(mlContext);
    }
}
