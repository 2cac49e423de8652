using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.LanguageModel;

/// <summary>
/// Trains a recurrent language model (many-to-many) on a text column, by characters or by words: at every
/// step it predicts the next token, from a start marker to an end marker. The transformer scores rows
/// (log-probability and perplexity), generates text and measures held-out perplexity.
/// </summary>
public sealed class LanguageModelTrainer : IEstimator<LanguageModelTransformer>
{
    /// <summary>Settings of <see cref="LanguageModelTrainer"/>.</summary>
    public sealed class Options : SequenceModelOptions
    {
        /// <summary>
        /// Creates the default settings: a 1-layer LSTM of 256 units (it must stay unidirectional: a language
        /// model may not see the future), dropout 0.2 on its input and output, tokens seen at least twice.
        /// </summary>
        public Options()
        {
            Encoder = new RecurrentEncoderOptions { HiddenSize = 256 };
            MinimumTokenCount = 2;
        }

        /// <summary>The text (or token-vector) column to learn from and to score.</summary>
        public string TextColumnName = "Text";

        /// <summary>The column of natural-log probabilities of each row to create.</summary>
        public string LogProbabilityColumnName = "LogProbability";

        /// <summary>The column of per-token perplexities of each row to create.</summary>
        public string PerplexityColumnName = "Perplexity";

        /// <summary>Characters or words.</summary>
        public SequenceUnit Unit = SequenceUnit.Word;

        /// <summary>How a Text column is split into words.</summary>
        public TokenSplitting TokenSplitting = TokenSplitting.WhiteSpace;

        /// <summary>Whether text is lower-cased first.</summary>
        public bool LowerCase = true;

        /// <summary>Keep at most this many of the most frequent tokens; 0: all.</summary>
        public int MaximumVocabularySize = 10000;

        /// <summary>Training reads only the first this many tokens of a row (scoring reads all); 0: all.</summary>
        public int MaximumLength = 100;

        internal override void Validate(IExceptionContext ectx)
        {
            base.Validate(ectx);
            ectx.CheckNonEmpty(TextColumnName, nameof(TextColumnName));
            ectx.CheckNonEmpty(LogProbabilityColumnName, nameof(LogProbabilityColumnName));
            ectx.CheckNonEmpty(PerplexityColumnName, nameof(PerplexityColumnName));
            ectx.CheckUserArg(Enum.IsDefined(Unit), nameof(Unit), "Unknown sequence unit.");
            ectx.CheckUserArg(Enum.IsDefined(TokenSplitting), nameof(TokenSplitting), "Unknown token splitting.");
            ectx.CheckUserArg(MaximumVocabularySize >= 0, nameof(MaximumVocabularySize), "Must be non-negative (0: all).");
            ectx.CheckUserArg(MaximumLength >= 0, nameof(MaximumLength), "Must be non-negative (0: all).");
            ectx.CheckUserArg(!Encoder.Bidirectional, nameof(Encoder), "A language model's encoder must be unidirectional: a backward pass would see the tokens it predicts.");
        }
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal LanguageModelTrainer(IHostEnvironment env, Options options)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(nameof(LanguageModelTrainer));
        _host.CheckValue(options, nameof(options));
        options.Validate(_host);
        _options = options;
    }

    /// <summary>Trains on <paramref name="input"/>; validates on <see cref="TorchTrainerOptions.ValidationSet"/> if set.</summary>
    public LanguageModelTransformer Fit(IDataView input) => Fit(input, _options.ValidationSet);

    /// <summary>Trains on <paramref name="input"/>, measuring the loss (cross-entropy per token) on <paramref name="validation"/> after every epoch.</summary>
    public LanguageModelTransformer Fit(IDataView input, IDataView? validation)
    {
        _host.CheckValue(input, nameof(input));
        _options.CheckValidation(_host, validation);
        // Training reads at most MaximumLength tokens of a row; the model scores whole rows.
        var reader = new SequenceColumn(_options.Unit, _options.TokenSplitting, _options.LowerCase);
        using var ch = _host.Start("Training language model");
        var rows = ReadRows(ch, input, reader.WithMaximumLength(_options.MaximumLength), "training");
        _host.CheckParam(rows.Count > 0, nameof(input), $"The training data has no row with text in column '{_options.TextColumnName}'.");
        var validRows = validation == null ? null : ReadRows(ch, validation, reader.WithMaximumLength(_options.MaximumLength), "validation");

        var loop = new TorchTrainingLoop(_host, _options);
        loop.Prepare();
        var index = TokenEmbedding.BuildIndex(rows, _options.Embedding, _options.MinimumTokenCount, _options.MaximumVocabularySize);
        ch.Info($"Language model vocabulary: {index.Count - TokenIndex.ReservedCount:N0} {(_options.Unit == SequenceUnit.Word ? "words" : "characters")}.");
        var embedding = TokenEmbedding.Create(_host, index, _options.Embedding, out _);
        var settings = new LanguageModelTransformer.Settings(new TokenInput(_options.TextColumnName, reader, index),
            new NetworkShape(embedding.weight!.shape[1], _options.Encoder, _options.Dropout), _options.LogProbabilityColumnName, _options.PerplexityColumnName);
        var module = new LanguageModelModule(embedding, settings);
        module.to(loop.Device);

        var train = FramedRows.Of(index, rows);
        var valid = validRows == null ? null : FramedRows.Of(index, validRows);
        var history = loop.Run(ch, module, "Language model", train.Lengths,
            batch => Loss(module, train, batch, loop.Device),
            valid?.Lengths,
            valid == null ? null : batch => Loss(module, valid, batch, loop.Device));
        return new LanguageModelTransformer(_host, settings, module, loop.Device, history);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        if (!inputSchema.TryFindColumn(_options.TextColumnName, out var text))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "text", _options.TextColumnName);
        if (text.ItemType is not TextDataViewType)
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "text", _options.TextColumnName, "Text or vector of Text", text.GetTypeString());
        var result = inputSchema.ToDictionary(c => c.Name);
        foreach (var name in new[] { _options.LogProbabilityColumnName, _options.PerplexityColumnName })
            result[name] = new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        return new SchemaShape(result.Values);
    }

    /// <summary>Token rows, truncated for training; rows without tokens teach nothing and are skipped with a warning.</summary>
    private List<string[]> ReadRows(IChannel ch, IDataView data, SequenceColumn reader, string what)
    {
        var column = SequenceColumn.Find(_host, data.Schema, _options.TextColumnName, "text");
        var rows = reader.ReadAll(_host, data, column);
        int empty = rows.RemoveAll(r => r.Length == 0);
        if (empty > 0)
            ch.Warning($"{empty:N0} {what} rows have no text in column '{column.Name}'; they are skipped.");
        return rows;
    }

    /// <summary>Summed cross-entropy of the batch's next-token predictions, and the number of predictions.</summary>
    internal static (Tensor, long) Loss(LanguageModelModule module, FramedRows rows, int[] batch, Device device)
    {
        var (x, lengths) = PaddedBatch.Create(rows.Inputs, batch, device);
        var target = PaddedBatch.Ids(rows.Targets, batch, x.shape[1], device, pad: -100);
        var logits = module.call(x, lengths);
        long count = batch.Sum(r => (long)rows.Targets[r].Length);
        return (nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), target.reshape(-1), ignore_index: -100, reduction: nn.Reduction.Sum), count);
    }
}
