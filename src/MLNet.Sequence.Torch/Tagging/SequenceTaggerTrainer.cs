using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Tagging;

/// <summary>
/// Trains a sequence tagger (many-to-many, aligned): a tag for every token, such as a part of speech. The
/// tokens and the tags are Text columns split at white space, or vectors of Text; row by row they must
/// have the same length. The transformer adds a vector-of-Text column of predicted tags.
/// </summary>
public sealed class SequenceTaggerTrainer : IEstimator<SequenceTaggerTransformer>
{
    /// <summary>Settings of <see cref="SequenceTaggerTrainer"/>.</summary>
    public sealed class Options : SequenceModelOptions
    {
        /// <summary>Creates the default settings: a 1-layer biLSTM of 128 units per direction, dropout 0.3 on its input and output.</summary>
        public Options()
        {
            Encoder = new RecurrentEncoderOptions { Bidirectional = true };
            Dropout = 0.3;
        }

        /// <summary>The tokens, as written (case is a feature; the word embedding looks them up lower-cased).</summary>
        public string TokensColumnName = "Tokens";

        /// <summary>The gold tags, one per token.</summary>
        public string LabelColumnName = "Tags";

        /// <summary>The vector-of-Text column of predicted tags to create.</summary>
        public string PredictedTagsColumnName = "PredictedTags";

        /// <summary>Whether each token is also described by its last three letters and its shape (case, digits), which helps with unknown words.</summary>
        public bool UseWordFeatures = true;

        internal override void Validate(IExceptionContext ectx)
        {
            base.Validate(ectx);
            ectx.CheckNonEmpty(TokensColumnName, nameof(TokensColumnName));
            ectx.CheckNonEmpty(LabelColumnName, nameof(LabelColumnName));
            ectx.CheckNonEmpty(PredictedTagsColumnName, nameof(PredictedTagsColumnName));
        }
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal SequenceTaggerTrainer(IHostEnvironment env, Options options)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(nameof(SequenceTaggerTrainer));
        _host.CheckValue(options, nameof(options));
        options.Validate(_host);
        _options = options;
    }

    /// <summary>Trains on <paramref name="input"/>; validates on <see cref="TorchTrainerOptions.ValidationSet"/> if set.</summary>
    public SequenceTaggerTransformer Fit(IDataView input) => Fit(input, _options.ValidationSet);

    /// <summary>Trains on <paramref name="input"/>, measuring the loss on <paramref name="validation"/> after every epoch.</summary>
    public SequenceTaggerTransformer Fit(IDataView input, IDataView? validation)
    {
        _host.CheckValue(input, nameof(input));
        _options.CheckValidation(_host, validation);
        using var ch = _host.Start("Training sequence tagger");
        var (tokens, tags) = TaggedRows.Read(_host, input, _options.TokensColumnName, _options.LabelColumnName, "training");
        _host.CheckParam(tokens.Count > 0, nameof(input), "The training data has no rows.");
        var tagIndex = TokenIndex.Build(tags);
        List<string[]>? validTokens = null, validTags = null;
        if (validation != null)
            (validTokens, validTags) = TaggedRows.Read(_host, validation, _options.TokensColumnName, _options.LabelColumnName, "validation");

        var loop = new TorchTrainingLoop(_host, _options);
        loop.Prepare();
        var taggerInput = TaggerInput.Build(_options.TokensColumnName, tokens, _options.Embedding, _options.MinimumTokenCount, _options.UseWordFeatures);
        var embedding = TokenEmbedding.Create(_host, taggerInput.Words, _options.Embedding, out int pretrainedRows);
        if (_options.Embedding.Pretrained != null)
            ch.Info($"Embedding: {pretrainedRows:N0} of {taggerInput.Words.Count - TokenIndex.ReservedCount:N0} words start from the pre-trained table.");
        var settings = new SequenceTaggerTransformer.Settings(taggerInput, new NetworkShape(embedding.weight!.shape[1], _options.Encoder, _options.Dropout),
            tagIndex, _options.LabelColumnName, _options.PredictedTagsColumnName);
        var module = new SequenceTaggerModule(embedding, settings);
        module.to(loop.Device);

        var train = taggerInput.Encode(tokens);
        var trainTags = tags.Select(t => ToTagIds(tagIndex, t, "training")).ToList();
        var valid = validTokens == null ? null : taggerInput.Encode(validTokens);
        // Validation tags the training data lacks cannot be predicted; they are left out of the validation loss.
        var validTagIds = validTags?.Select(t => ToTagIds(tagIndex, t, null)).ToList();
        long unseen = validTagIds?.Sum(r => r.LongCount(id => id < 0)) ?? 0;
        if (unseen > 0)
            ch.Warning($"{unseen:N0} validation tokens have tags the training data lacks; the validation loss leaves them out.");
        var history = loop.Run(ch, module, "Sequence tagger", train.Words.Select(r => r.Length).ToList(),
            batch => Loss(module, train, trainTags, batch, loop.Device),
            valid?.Words.Select(r => r.Length).ToList(),
            valid == null ? null : batch => Loss(module, valid, validTagIds!, batch, loop.Device));
        return new SequenceTaggerTransformer(_host, settings, module, loop.Device, history);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        foreach (var (name, role) in new[] { (_options.TokensColumnName, "tokens"), (_options.LabelColumnName, "label") })
        {
            if (!inputSchema.TryFindColumn(name, out var column))
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), role, name);
            if (column.ItemType is not TextDataViewType)
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), role, name, "Text or vector of Text", column.GetTypeString());
        }
        var result = inputSchema.ToDictionary(c => c.Name);
        result[_options.PredictedTagsColumnName] = new SchemaShape.Column(_options.PredictedTagsColumnName,
            SchemaShape.Column.VectorKind.VariableVector, TextDataViewType.Instance, false);
        return new SchemaShape(result.Values);
    }

    /// <summary>Tag ids; an unknown tag is an error naming it, or -100 (ignored by the loss) when <paramref name="what"/> is null.</summary>
    private int[] ToTagIds(TokenIndex tagIndex, string[] tags, string? what)
    {
        var ids = new int[tags.Length];
        for (int i = 0; i < tags.Length; i++)
        {
            ids[i] = tagIndex.IdOf(tags[i]);
            if (ids[i] == TokenIndex.Unknown && what == null)
                ids[i] = -100;
            else if (ids[i] == TokenIndex.Unknown)
                throw _host.Except($"The {what} data has tag '{tags[i]}' in column '{_options.LabelColumnName}', which the training data never has.");
        }
        return ids;
    }

    private static (Tensor, long) Loss(SequenceTaggerModule module, EncodedRows rows, List<int[]> tags, int[] batch, Device device)
    {
        var (words, lengths) = PaddedBatch.Create(rows.Words, batch, device);
        long longest = words.shape[1];
        var suffixes = PaddedBatch.Ids(rows.Suffixes, batch, longest, device);
        var shapes = PaddedBatch.Ids(rows.Shapes, batch, longest, device);
        var target = PaddedBatch.Ids(tags, batch, longest, device, pad: -100);
        var logits = module.call(words, suffixes, shapes, lengths);
        long count = batch.Sum(r => tags[r].LongCount(id => id >= 0));
        return (nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), target.reshape(-1), ignore_index: -100, reduction: nn.Reduction.Sum), count);
    }
}
