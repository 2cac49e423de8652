using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Torch.Captioning;
using MLNet.Sequence.Torch.Classification;
using MLNet.Sequence.Torch.LanguageModel;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch.Speech;
using MLNet.Sequence.Torch.Tagging;
using MLNet.Sequence.Torch.Translation;

namespace MLNet.Sequence.Torch;

/// <summary>Catalog methods that add the TorchSharp sequence models to an MLContext's catalogs.</summary>
public static class SequenceCatalog
{
    /// <summary>A binary sequence classifier (Boolean label) on a text or token column.</summary>
    /// <param name="catalog">The binary classification trainers.</param>
    /// <param name="options">Columns, architecture and training settings.</param>
    public static SequenceClassifierTrainer SequenceClassifier(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        SequenceClassifierTrainer.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>A multiclass sequence classifier (key label) on a text or token column.</summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="options">Columns, architecture and training settings.</param>
    public static SequenceClassifierTrainer SequenceClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        SequenceClassifierTrainer.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>A multiclass sequence classifier with the usual settings given directly.</summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="featureColumnName">The text or token column.</param>
    /// <param name="architecture">Mean of embeddings or recurrent encoder.</param>
    /// <param name="epochs">Passes over the data.</param>
    public static SequenceClassifierTrainer SequenceClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = "Text",
        SequenceClassifierArchitecture architecture = SequenceClassifierArchitecture.Recurrent, int epochs = 10) =>
        new(CatalogUtils.GetEnvironment(catalog), new SequenceClassifierTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Architecture = architecture,
            Epochs = epochs,
        });

    /// <summary>A sequence tagger (one tag per token, such as parts of speech) on aligned token and tag columns.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">Columns, network and training settings.</param>
    public static SequenceTaggerTrainer SequenceTagger(this TransformsCatalog.TextTransforms catalog, SequenceTaggerTrainer.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>A recurrent language model (characters or words) on a text column, which scores rows and generates text.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">Column, unit, network and training settings.</param>
    public static LanguageModelTrainer LanguageModel(this TransformsCatalog.TextTransforms catalog, LanguageModelTrainer.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>An encoder-decoder with attention that translates a source text column (see <see cref="Seq2SeqAttentionTrainer"/>).</summary>
    /// <param name="catalog">The translation trainers (<c>mlContext.Translation().Trainers</c>).</param>
    /// <param name="options">Columns, tokenisers, network, training and decoding settings.</param>
    public static Seq2SeqAttentionTrainer Seq2SeqAttention(this TranslationCatalog.TranslationTrainers catalog, Seq2SeqAttentionTrainer.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>An encoder-decoder with attention with the usual settings given directly.</summary>
    /// <param name="catalog">The translation trainers.</param>
    /// <param name="sourceColumnName">The source text column.</param>
    /// <param name="targetColumnName">The target text column.</param>
    /// <param name="translationColumnName">The translation column to create.</param>
    /// <param name="epochs">Passes over the data.</param>
    public static Seq2SeqAttentionTrainer Seq2SeqAttention(this TranslationCatalog.TranslationTrainers catalog, string sourceColumnName = "Source",
        string targetColumnName = "Target", string translationColumnName = "Translation", int epochs = 10) =>
        new(CatalogUtils.GetEnvironment(catalog), new Seq2SeqAttentionTrainer.Options
        {
            SourceColumnName = sourceColumnName,
            TargetColumnName = targetColumnName,
            TranslationColumnName = translationColumnName,
            Epochs = epochs,
        });

    /// <summary>An image captioner on a pixels column (ExtractPixels), a global features column (DnnFeaturizeImage's ResNet18) or both,
    /// and a caption column (see <see cref="ImageCaptioningTrainer"/>).</summary>
    /// <param name="catalog">The transforms catalog, beside ML.NET's image transforms.</param>
    /// <param name="options">Columns, encoder, decoder, training and decoding settings.</param>
    public static ImageCaptioningTrainer ImageCaptioning(this TransformsCatalog catalog, ImageCaptioningTrainer.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>A CTC speech recogniser on a features column (frames x features) and a transcript column.</summary>
    /// <param name="catalog">The speech trainers (<c>mlContext.Speech().Trainers</c>).</param>
    /// <param name="options">Columns, architecture, augmentation, decoding and training settings.</param>
    public static CtcSpeechTrainer CtcSpeech(this SpeechCatalog.SpeechTrainers catalog, CtcSpeechTrainer.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>A trigger-word detector (the curriculum's Conv1d + two GRUs) on a features column and a per-step labels column.</summary>
    /// <param name="catalog">The speech trainers (<c>mlContext.Speech().Trainers</c>).</param>
    /// <param name="options">Columns, network, detection and training settings.</param>
    public static TriggerWords.TriggerWordTrainer TriggerWord(this SpeechCatalog.SpeechTrainers catalog, TriggerWords.TriggerWordTrainer.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);
}
