using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Classification;

/// <summary>
/// Trains a sequence classifier (many-to-one) on a text or token column: binary for a Boolean label,
/// multiclass for a key label (map strings with <c>MapValueToKey</c> first). The transformer adds
/// ML.NET's usual prediction columns, so <c>BinaryClassification.Evaluate</c> and
/// <c>MulticlassClassification.Evaluate</c> work on its output unchanged.
/// </summary>
public sealed class SequenceClassifierTrainer : IEstimator<SequenceClassifierTransformer>
{
    /// <summary>Settings of <see cref="SequenceClassifierTrainer"/>.</summary>
    public sealed class Options : SequenceModelOptions
    {
        /// <summary>Creates the default settings: a 1-layer biLSTM of 128 units per direction, dropout 0.2 in front of the output layer.</summary>
        public Options() => Encoder = new RecurrentEncoderOptions { Bidirectional = true };

        /// <summary>The label: Boolean (binary) or a key (multiclass).</summary>
        public string LabelColumnName = DefaultColumnNames.Label;

        /// <summary>The input: Text (split by <see cref="TokenSplitting"/>) or a vector of Text tokens.</summary>
        public string FeatureColumnName = "Text";

        /// <summary>The score column to create: a logit (binary) or a vector of class probabilities (multiclass).</summary>
        public string ScoreColumnName = DefaultColumnNames.Score;

        /// <summary>The probability column to create (binary only).</summary>
        public string ProbabilityColumnName = DefaultColumnNames.Probability;

        /// <summary>The predicted-label column to create: Boolean (binary) or the label's key type (multiclass).</summary>
        public string PredictedLabelColumnName = DefaultColumnNames.PredictedLabel;

        /// <summary>Mean of embeddings or a recurrent encoder.</summary>
        public SequenceClassifierArchitecture Architecture = SequenceClassifierArchitecture.Recurrent;

        /// <summary>How <see cref="SequenceClassifierArchitecture.Recurrent"/> pools the encoder's outputs into one vector.</summary>
        public RecurrentPooling Pooling = RecurrentPooling.Max;

        /// <summary>Words or characters.</summary>
        public SequenceUnit Unit = SequenceUnit.Word;

        /// <summary>How a Text input column is split into words.</summary>
        public TokenSplitting TokenSplitting = TokenSplitting.WhiteSpace;

        /// <summary>Whether tokens are lower-cased before they are looked up.</summary>
        public bool LowerCase = true;

        /// <summary>Keep at most this many of the most frequent tokens; 0: all.</summary>
        public int MaximumVocabularySize;

        /// <summary>Only the first this many tokens of a row are read, in training and at prediction; 0: all.</summary>
        public int MaximumLength = 400;

        internal override void Validate(IExceptionContext ectx)
        {
            base.Validate(ectx);
            ectx.CheckNonEmpty(LabelColumnName, nameof(LabelColumnName));
            ectx.CheckNonEmpty(FeatureColumnName, nameof(FeatureColumnName));
            ectx.CheckNonEmpty(ScoreColumnName, nameof(ScoreColumnName));
            ectx.CheckNonEmpty(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
            ectx.CheckUserArg(Enum.IsDefined(Architecture), nameof(Architecture), "Unknown architecture.");
            ectx.CheckUserArg(Enum.IsDefined(Unit), nameof(Unit), "Unknown sequence unit.");
            ectx.CheckUserArg(Enum.IsDefined(Pooling), nameof(Pooling), "Unknown pooling.");
            ectx.CheckUserArg(Enum.IsDefined(TokenSplitting), nameof(TokenSplitting), "Unknown token splitting.");
            ectx.CheckUserArg(MaximumVocabularySize >= 0, nameof(MaximumVocabularySize), "Must be non-negative (0: all).");
            ectx.CheckUserArg(MaximumLength >= 0, nameof(MaximumLength), "Must be non-negative (0: all).");
        }
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal SequenceClassifierTrainer(IHostEnvironment env, Options options)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(nameof(SequenceClassifierTrainer));
        _host.CheckValue(options, nameof(options));
        options.Validate(_host);
        _options = options;
    }

    /// <summary>Trains on <paramref name="input"/>; validates on <see cref="TorchTrainerOptions.ValidationSet"/> if set.</summary>
    public SequenceClassifierTransformer Fit(IDataView input) => Fit(input, _options.ValidationSet);

    /// <summary>Trains on <paramref name="input"/>, measuring the loss on <paramref name="validation"/> after every epoch (early stopping uses it).</summary>
    public SequenceClassifierTransformer Fit(IDataView input, IDataView? validation)
    {
        _host.CheckValue(input, nameof(input));
        _options.CheckValidation(_host, validation);
        var featureColumn = SequenceColumn.Find(_host, input.Schema, _options.FeatureColumnName, "feature");
        var label = ClassLabels.FromColumn(_host, input.Schema, _options.LabelColumnName);
        var reader = new SequenceColumn(_options.Unit, _options.TokenSplitting, _options.LowerCase, _options.MaximumLength);

        using var ch = _host.Start("Training sequence classifier");
        var (tokens, labels) = ReadRows(input, featureColumn, label, reader, "training");
        _host.CheckParam(tokens.Count > 0, nameof(input), "The training data has no rows.");
        // A single class would train a constant; binary and multiclass refuse it alike.
        if (labels.All(l => l == labels[0]))
            throw _host.Except($"Label column '{label.ColumnName}' holds one class only ({label.NameOf(labels[0])}, in all {labels.Length:N0} training rows); a classifier needs rows of at least two classes.");
        List<string[]>? validTokens = null;
        int[]? validLabels = null;
        if (validation != null)
        {
            var validFeature = SequenceColumn.Find(_host, validation.Schema, _options.FeatureColumnName, "feature");
            label.CheckCompatible(_host, validation.Schema);
            (validTokens, validLabels) = ReadRows(validation, validFeature, label, reader, "validation");
        }

        var loop = new TorchTrainingLoop(_host, _options);
        loop.Prepare();
        var index = TokenEmbedding.BuildIndex(tokens, _options.Embedding, _options.MinimumTokenCount, _options.MaximumVocabularySize);
        var embedding = TokenEmbedding.Create(_host, index, _options.Embedding, out int pretrainedRows);
        if (_options.Embedding.Pretrained != null)
            ch.Info($"Embedding: {pretrainedRows:N0} of {index.Count - TokenIndex.ReservedCount:N0} tokens start from the pre-trained table{(_options.Embedding.Freeze ? " (frozen)" : "")}.");
        var tokenInput = new TokenInput(_options.FeatureColumnName, reader, index);
        var settings = new SequenceClassifierTransformer.Settings(tokenInput, new NetworkShape(embedding.weight!.shape[1], _options.Encoder, _options.Dropout),
            _options.Architecture, _options.Pooling, label, _options.ScoreColumnName, _options.ProbabilityColumnName, _options.PredictedLabelColumnName);
        var module = new SequenceClassifierModule(embedding, settings);
        module.to(loop.Device);

        var ids = tokens.Select(tokenInput.Encode).ToList();
        var validIds = validTokens?.Select(tokenInput.Encode).ToList();
        var history = loop.Run(ch, module, "Sequence classifier", ids.Select(r => r.Length).ToList(),
            batch => Loss(module, ids, labels, batch, label.IsBinary, loop.Device),
            validIds?.Select(r => r.Length).ToList(),
            validIds == null ? null : batch => Loss(module, validIds, validLabels!, batch, label.IsBinary, loop.Device));
        return new SequenceClassifierTransformer(_host, settings, module, loop.Device, history);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        if (!inputSchema.TryFindColumn(_options.FeatureColumnName, out var feature))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "feature", _options.FeatureColumnName);
        if (feature.ItemType is not TextDataViewType)
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "feature", _options.FeatureColumnName, "Text or vector of Text", feature.GetTypeString());
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName);
        var result = inputSchema.ToDictionary(c => c.Name);
        if (label.ItemType is BooleanDataViewType && label.Kind == SchemaShape.Column.VectorKind.Scalar)
        {
            result[_options.ScoreColumnName] = new SchemaShape.Column(_options.ScoreColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
            result[_options.ProbabilityColumnName] = new SchemaShape.Column(_options.ProbabilityColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
            result[_options.PredictedLabelColumnName] = new SchemaShape.Column(_options.PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false);
        }
        else if (label.IsKey && label.Kind == SchemaShape.Column.VectorKind.Scalar)
        {
            // The label's key values become the predicted label's key values and the score's slot names.
            bool named = label.Annotations.TryFindColumn(AnnotationUtils.Kinds.KeyValues, out var keyValues);
            var slotNames = named
                ? new SchemaShape(new[] { new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, keyValues.ItemType, false) })
                : null;
            var keys = named ? new SchemaShape(new[] { keyValues }) : null;
            result[_options.ScoreColumnName] = new SchemaShape.Column(_options.ScoreColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, slotNames);
            result[_options.PredictedLabelColumnName] = new SchemaShape.Column(_options.PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, keys);
        }
        else
        {
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName, "Boolean or key (use MapValueToKey)", label.GetTypeString());
        }
        return new SchemaShape(result.Values);
    }

    private (List<string[]> Tokens, int[] Labels) ReadRows(IDataView data, DataViewSchema.Column featureColumn, ClassLabels label,
        SequenceColumn reader, string what)
    {
        var labelColumn = data.Schema[label.ColumnName];
        var tokens = new List<string[]>();
        var labels = new List<int>();
        using var cursor = data.GetRowCursor(new[] { featureColumn, labelColumn });
        var getTokens = reader.MakeGetter(cursor, featureColumn);
        var getLabel = label.MakeGetter(cursor, labelColumn);
        while (cursor.MoveNext())
        {
            if ((cursor.Position & 0x3FF) == 0)
                _host.CheckAlive();
            var row = getTokens();
            if (row.Length == 0)
                throw _host.Except($"Row {cursor.Position} of the {what} data has no tokens in column '{featureColumn.Name}'; remove empty rows or give them text.");
            int value = getLabel();
            if (value < 0)
                throw _host.Except($"Row {cursor.Position} of the {what} data has a missing label in column '{labelColumn.Name}'; remove such rows first.");
            tokens.Add(row);
            labels.Add(value);
        }
        return (tokens, labels.ToArray());
    }

    private static (Tensor, long) Loss(SequenceClassifierModule module, List<int[]> ids, int[] labels, int[] batch, bool binary, Device device)
    {
        var (x, lengths) = PaddedBatch.Create(ids, batch, device);
        var logits = module.call(x, lengths);
        if (binary)
        {
            var target = tensor(batch.Select(r => (float)labels[r]).ToArray()).to(device);
            return (nn.functional.binary_cross_entropy_with_logits(logits.squeeze(1), target, reduction: nn.Reduction.Sum), batch.Length);
        }
        var classes = tensor(batch.Select(r => (long)labels[r]).ToArray()).to(device);
        return (nn.functional.cross_entropy(logits, classes, reduction: nn.Reduction.Sum), batch.Length);
    }
}
