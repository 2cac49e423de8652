using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Translation;

/// <summary>What early stopping watches on the validation rows.</summary>
public enum TranslationEarlyStopping
{
    /// <summary>The validation loss (per target token).</summary>
    Loss = 0,

    /// <summary>Corpus BLEU of greedy translations of the validation sources (sacreBLEU's 13a).</summary>
    Bleu = 1,
}

/// <summary>
/// Trains an encoder-decoder with attention on pairs of text columns (source → target): embeddings, a
/// (bi)directional GRU/LSTM encoder of any depth, a bridge, and a GRU/LSTM decoder with additive (Bahdanau),
/// dot or general (Luong) or the curriculum's concatenation attention, by teacher forcing with optional label
/// smoothing and scheduled sampling. The transformer translates a text column, with greedy or beam search.
/// </summary>
public sealed class Seq2SeqAttentionTrainer : IEstimator<Seq2SeqAttentionTransformer>
{
    /// <summary>Settings of <see cref="Seq2SeqAttentionTrainer"/>.</summary>
    public sealed class Options : TorchTrainerOptions
    {
        /// <summary>Creates the defaults: words on both sides, 256-wide embeddings, a 1-layer biLSTM encoder of 256 per
        /// direction, a 1-layer LSTM decoder of 256 with additive attention, a dense bridge, dropout 0.2, greedy decoding.</summary>
        public Options()
        {
            SourceEmbedding = new EmbeddingOptions { Dimension = 256 };
            TargetEmbedding = new EmbeddingOptions { Dimension = 256 };
        }

        /// <summary>The source text column.</summary>
        public string SourceColumnName = "Source";

        /// <summary>The target (reference) text column, read for training and validation.</summary>
        public string TargetColumnName = "Target";

        /// <summary>The translation column to create.</summary>
        public string TranslationColumnName = "Translation";

        /// <summary>The column of log P(translation | source) to create.</summary>
        public string LogProbabilityColumnName = "LogProbability";

        /// <summary>With a name: a vector-of-Text column of the n-best translations (Decoding.NBest of them), and a
        /// column of their scores named the same plus "Scores".</summary>
        public string? NBestColumnName;

        /// <summary>With a name: the attention matrix, target steps (tokens and end) × source tokens, row by row as one
        /// vector, with vector-of-Text columns SourceTokens and TranslationTokens beside it.</summary>
        public string? AttentionColumnName;

        /// <summary>How the source text becomes tokens.</summary>
        public TranslationTokenizerOptions SourceTokenizer = new();

        /// <summary>How the target text becomes tokens, and the output back into text.</summary>
        public TranslationTokenizerOptions TargetTokenizer = new();

        /// <summary>Tokens seen fewer times in training share the unknown id (each side).</summary>
        public int MinimumTokenCount = 1;

        /// <summary>Keep at most this many of each side's most frequent tokens; 0: all.</summary>
        public int MaximumVocabularySize;

        /// <summary>Training pairs with a longer source (in tokens) are left out.</summary>
        public int MaximumSourceLength = 100;

        /// <summary>Training pairs with a longer target (in tokens) are left out.</summary>
        public int MaximumTargetLength = 100;

        /// <summary>The source embedding: width, or a pre-trained table (frozen or fine-tuned).</summary>
        public EmbeddingOptions SourceEmbedding;

        /// <summary>The target embedding.</summary>
        public EmbeddingOptions TargetEmbedding;

        /// <summary>The encoder: cell, width per direction, layers, bidirectional.</summary>
        public RecurrentEncoderOptions Encoder = new() { Bidirectional = true, HiddenSize = 256 };

        /// <summary>The decoder's cell.</summary>
        public RecurrentCellType DecoderCell = RecurrentCellType.Lstm;

        /// <summary>The decoder's state width.</summary>
        public int DecoderHiddenSize = 256;

        /// <summary>The decoder's layers.</summary>
        public int DecoderLayers = 1;

        /// <summary>How the decoder scores source positions.</summary>
        public AttentionType Attention = AttentionType.Additive;

        /// <summary>Width of the additive or concatenation attention's hidden layer.</summary>
        public int AttentionHiddenSize = 256;

        /// <summary>Luong attention: feed the previous attentional vector back into the decoder.</summary>
        public bool InputFeeding = true;

        /// <summary>Feed the previous output token into the decoder (false: the curriculum's date model, whose
        /// post-attention LSTM reads only the context).</summary>
        public bool FeedPreviousToken = true;

        /// <summary>How the decoder starts from the encoder's final states.</summary>
        public BridgeType Bridge = BridgeType.Dense;

        /// <summary>Dropout on embeddings and attentional vectors (and between stacked layers).</summary>
        public double Dropout = 0.2;

        /// <summary>Label smoothing of the loss (0: none).</summary>
        public double LabelSmoothing;

        /// <summary>The share of decoder steps fed the reference token; below 1, the others get the model's own
        /// previous prediction (scheduled sampling).</summary>
        public double TeacherForcingRatio = 1.0;

        /// <summary>What early stopping watches (with <see cref="TorchTrainerOptions.EarlyStoppingPatience"/>).</summary>
        public TranslationEarlyStopping EarlyStoppingMetric = TranslationEarlyStopping.Loss;

        /// <summary>Replace an unknown token in the output by the source token it attends to most (OpenNMT's replace_unk),
        /// so that names and numbers outside the target vocabulary are copied across.</summary>
        public bool ReplaceUnknownTokens = true;

        /// <summary>How the transformer decodes by default (greedy; set beam search here or later with WithDecoding).</summary>
        public DecodingOptions Decoding = new();

        internal override void Validate(IExceptionContext ectx)
        {
            base.Validate(ectx);
            ectx.CheckNonEmpty(SourceColumnName, nameof(SourceColumnName));
            ectx.CheckNonEmpty(TargetColumnName, nameof(TargetColumnName));
            ectx.CheckNonEmpty(TranslationColumnName, nameof(TranslationColumnName));
            ectx.CheckNonEmpty(LogProbabilityColumnName, nameof(LogProbabilityColumnName));
            ectx.CheckValue(SourceTokenizer, nameof(SourceTokenizer));
            ectx.CheckValue(TargetTokenizer, nameof(TargetTokenizer));
            SourceTokenizer.Validate(ectx, nameof(SourceTokenizer));
            TargetTokenizer.Validate(ectx, nameof(TargetTokenizer));
            ectx.CheckUserArg(MinimumTokenCount > 0, nameof(MinimumTokenCount), "Must be positive.");
            ectx.CheckUserArg(MaximumVocabularySize >= 0, nameof(MaximumVocabularySize), "Must be non-negative (0: all).");
            ectx.CheckUserArg(MaximumSourceLength > 0, nameof(MaximumSourceLength), "Must be positive.");
            ectx.CheckUserArg(MaximumTargetLength > 0, nameof(MaximumTargetLength), "Must be positive.");
            ectx.CheckValue(SourceEmbedding, nameof(SourceEmbedding));
            ectx.CheckValue(TargetEmbedding, nameof(TargetEmbedding));
            SourceEmbedding.Validate(ectx);
            TargetEmbedding.Validate(ectx);
            ectx.CheckValue(Encoder, nameof(Encoder));
            Encoder.Validate(ectx);
            ectx.CheckUserArg(Enum.IsDefined(DecoderCell), nameof(DecoderCell), "Unknown recurrent cell type.");
            ectx.CheckUserArg(DecoderHiddenSize > 0, nameof(DecoderHiddenSize), "Must be positive.");
            ectx.CheckUserArg(DecoderLayers > 0, nameof(DecoderLayers), "Must be positive.");
            ectx.CheckUserArg(Enum.IsDefined(Attention), nameof(Attention), "Unknown attention type.");
            ectx.CheckUserArg(AttentionHiddenSize > 0, nameof(AttentionHiddenSize), "Must be positive.");
            ectx.CheckUserArg(Attention != AttentionType.Dot || DecoderHiddenSize == Encoder.HiddenSize * (Encoder.Bidirectional ? 2 : 1),
                nameof(DecoderHiddenSize), $"Dot attention needs the decoder as wide as the encoder's output ({Encoder.HiddenSize * (Encoder.Bidirectional ? 2 : 1)}); use General attention otherwise.");
            ectx.CheckUserArg(FeedPreviousToken || Attention is AttentionType.Additive or AttentionType.Concat || InputFeeding,
                nameof(FeedPreviousToken), "Without the previous token, a Luong decoder needs InputFeeding: it would have no input.");
            ectx.CheckUserArg(Enum.IsDefined(Bridge), nameof(Bridge), "Unknown bridge.");
            ectx.CheckUserArg(Dropout >= 0 && Dropout < 1, nameof(Dropout), "Must be in [0, 1).");
            ectx.CheckUserArg(LabelSmoothing >= 0 && LabelSmoothing < 1, nameof(LabelSmoothing), "Must be in [0, 1).");
            ectx.CheckUserArg(TeacherForcingRatio > 0 && TeacherForcingRatio <= 1, nameof(TeacherForcingRatio), "Must be in (0, 1].");
            ectx.CheckUserArg(Enum.IsDefined(EarlyStoppingMetric), nameof(EarlyStoppingMetric), "Unknown early-stopping metric.");
            ectx.CheckValue(Decoding, nameof(Decoding));
            Decoding.Validate(ectx);
        }
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal Seq2SeqAttentionTrainer(IHostEnvironment env, Options options)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(nameof(Seq2SeqAttentionTrainer));
        _host.CheckValue(options, nameof(options));
        options.Validate(_host);
        _options = options;
    }

    /// <summary>Trains on <paramref name="input"/>; validates on <see cref="TorchTrainerOptions.ValidationSet"/> if set.</summary>
    public Seq2SeqAttentionTransformer Fit(IDataView input) => Fit(input, _options.ValidationSet);

    /// <summary>Trains on <paramref name="input"/>, measuring the validation loss (and BLEU, if early stopping follows it) on <paramref name="validation"/>.</summary>
    public Seq2SeqAttentionTransformer Fit(IDataView input, IDataView? validation)
    {
        _host.CheckValue(input, nameof(input));
        _options.CheckValidation(_host, validation);
        using var ch = _host.Start("Training translation model");
        var (sourceTexts, targetTexts) = TranslationPairs.Read(_host, input, _options.SourceColumnName, _options.TargetColumnName);
        var sourceTokenizer = TranslationTokenizer.Create(_host, _options.SourceTokenizer, sourceTexts);
        var targetTokenizer = TranslationTokenizer.Create(_host, _options.TargetTokenizer, targetTexts!);
        var (sources, targets) = Tokenize(ch, sourceTokenizer, targetTokenizer, sourceTexts, targetTexts!, "training", filter: true);
        _host.CheckParam(sources.Count > 0, nameof(input), "The training data has no pairs with both a source and a target.");

        var loop = new TorchTrainingLoop(_host, _options);
        loop.Prepare();
        var sourceIndex = TokenEmbedding.BuildIndex(sources, _options.SourceEmbedding, _options.MinimumTokenCount, _options.MaximumVocabularySize);
        var targetIndex = TokenEmbedding.BuildIndex(targets, _options.TargetEmbedding, _options.MinimumTokenCount, _options.MaximumVocabularySize);
        var sourceEmbedding = TokenEmbedding.Create(_host, sourceIndex, _options.SourceEmbedding, out _);
        var targetEmbedding = TokenEmbedding.Create(_host, targetIndex, _options.TargetEmbedding, out _);
        var shape = new Seq2SeqShape(sourceIndex.Count, (int)sourceEmbedding.weight!.shape[1], targetIndex.Count, (int)targetEmbedding.weight!.shape[1],
            _options.Encoder, _options.DecoderCell, _options.DecoderHiddenSize, _options.DecoderLayers, _options.Attention, _options.AttentionHiddenSize,
            _options.InputFeeding, _options.FeedPreviousToken, _options.Bridge, _options.Dropout);
        var module = new Seq2SeqModule(shape, sourceEmbedding, targetEmbedding);
        module.to(loop.Device);
        ch.Info($"Translation model: {sources.Count:N0} pairs, source vocabulary {sourceIndex.Count:N0}, target vocabulary {targetIndex.Count:N0}, " +
            $"{module.parameters().Sum(p => p.numel()):N0} weights.");

        var settings = new Seq2SeqAttentionTransformer.Settings(
            _options.SourceColumnName, _options.TargetColumnName, _options.TranslationColumnName, _options.LogProbabilityColumnName,
            _options.NBestColumnName, _options.AttentionColumnName, sourceTokenizer, targetTokenizer, sourceIndex, targetIndex, shape,
            _options.Decoding.Clone(), _options.ReplaceUnknownTokens);
        var trainSource = Encode(sourceIndex, sources);
        var trainTarget = Encode(targetIndex, targets);
        var random = new Random(loop.Seed);

        List<int[]>? validSource = null, validTarget = null;
        List<string>? validSourceTexts = null, validReferences = null;
        if (validation != null)
        {
            var (vs, vt) = TranslationPairs.Read(_host, validation, _options.SourceColumnName, _options.TargetColumnName);
            var (vsTokens, vtTokens) = Tokenize(ch, sourceTokenizer, targetTokenizer, vs, vt!, "validation", filter: false);
            validSource = Encode(sourceIndex, vsTokens);
            validTarget = Encode(targetIndex, vtTokens);
            validSourceTexts = vs.Where((s, i) => s.Trim().Length > 0 && vt![i].Trim().Length > 0).ToList();
            validReferences = vt!.Where((t, i) => vs[i].Trim().Length > 0 && t.Trim().Length > 0).ToList();
        }

        ValidationScore? bleu = null;
        if (_options.EarlyStoppingMetric == TranslationEarlyStopping.Bleu && validSourceTexts != null)
        {
            var greedy = new DecodingOptions { MaximumLength = _options.MaximumTargetLength };
            bleu = new ValidationScore("BLEU", () =>
            {
                var translator = new Seq2SeqAttentionTransformer(_host, settings, module, loop.Device, null);
                var outputs = translator.Translate(validSourceTexts, greedy).Select(t => t.Text).ToList();
                return Bleu.CorpusScore(outputs, validReferences!).Score;
            });
        }

        var history = loop.Run(ch, module, "Translation", trainSource.Select(s => s.Length).ToList(),
            batch => Loss(module, trainSource, trainTarget, batch, loop.Device, _options.LabelSmoothing, _options.TeacherForcingRatio, random),
            validSource?.Select(s => s.Length).ToList(),
            validSource == null ? null : batch => Loss(module, validSource, validTarget!, batch, loop.Device, 0, 1.0, null),
            bleu);
        return new Seq2SeqAttentionTransformer(_host, settings, module, loop.Device, history);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        foreach (var (name, role) in new[] { (_options.SourceColumnName, "source"), (_options.TargetColumnName, "target") })
        {
            if (!inputSchema.TryFindColumn(name, out var column))
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), role, name);
            if (column.ItemType is not TextDataViewType || column.Kind != SchemaShape.Column.VectorKind.Scalar)
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), role, name, "Text", column.GetTypeString());
        }
        var result = inputSchema.ToDictionary(c => c.Name);
        foreach (var column in Seq2SeqAttentionTransformer.OutputShape(_options.TranslationColumnName, _options.LogProbabilityColumnName,
                     _options.NBestColumnName, _options.AttentionColumnName))
            result[column.Name] = column;
        return new SchemaShape(result.Values);
    }

    // Tokens of both sides; training leaves out pairs with an empty side or beyond the length bounds, and says how many.
    private (List<string[]> Sources, List<string[]> Targets) Tokenize(IChannel ch, TranslationTokenizer sourceTokenizer, TranslationTokenizer targetTokenizer,
        List<string> sourceTexts, List<string> targetTexts, string what, bool filter)
    {
        var sources = new List<string[]>();
        var targets = new List<string[]>();
        int empty = 0, tooLong = 0;
        for (int i = 0; i < sourceTexts.Count; i++)
        {
            var s = sourceTokenizer.Tokenize(sourceTexts[i]);
            var t = targetTokenizer.Tokenize(targetTexts[i]);
            if (s.Length == 0 || t.Length == 0)
            {
                empty++;
                continue;
            }
            if (filter && (s.Length > _options.MaximumSourceLength || t.Length > _options.MaximumTargetLength))
            {
                tooLong++;
                continue;
            }
            sources.Add(s);
            targets.Add(t);
        }
        if (empty > 0)
            ch.Warning($"{empty:N0} {what} pairs have an empty '{_options.SourceColumnName}' or '{_options.TargetColumnName}' and are left out.");
        if (tooLong > 0)
            ch.Info($"{tooLong:N0} {what} pairs are longer than MaximumSourceLength ({_options.MaximumSourceLength}) or MaximumTargetLength ({_options.MaximumTargetLength}) tokens and are left out.");
        return (sources, targets);
    }

    private static List<int[]> Encode(TokenIndex index, List<string[]> rows) =>
        rows.Select(r => r.Select(t => index.IdOf(t)).ToArray()).ToList();

    // The summed cross-entropy of a batch's target tokens (end included) under teacher forcing, and their count.
    internal static (Tensor Sum, long Count) Loss(Seq2SeqModule module, List<int[]> sources, List<int[]> targets, int[] batch, Device device,
        double labelSmoothing, double teacherForcing, Random? random)
    {
        var (sourceIds, sourceLengths) = PaddedBatch.Create(sources, batch, device);
        var (inputs, outputs) = TeacherForcedTargets(targets, batch, device);
        var encoded = module.Encode(sourceIds, sourceLengths);
        var logits = module.Logits(encoded, inputs, teacherForcing, random);
        long count = batch.Sum(r => (long)targets[r].Length + 1);
        var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), outputs.reshape(-1),
            ignore_index: TokenIndex.Padding, reduction: nn.Reduction.Sum, label_smoothing: labelSmoothing);
        return (loss, count);
    }

    /// <summary>Decoder inputs (start, y1..yn) and outputs (y1..yn, end), both [batch, longest + 1], padded with 0.</summary>
    internal static (Tensor Inputs, Tensor Outputs) TeacherForcedTargets(List<int[]> targets, int[] batch, Device device)
    {
        int longest = batch.Max(r => targets[r].Length) + 1;
        var inputs = new long[batch.Length * longest];
        var outputs = new long[batch.Length * longest];
        for (int b = 0; b < batch.Length; b++)
        {
            var t = targets[batch[b]];
            inputs[b * longest] = TokenIndex.Start;
            for (int i = 0; i < t.Length; i++)
            {
                inputs[b * longest + i + 1] = t[i];
                outputs[b * longest + i] = t[i];
            }
            outputs[b * longest + t.Length] = TokenIndex.End;
        }
        return (tensor(inputs, [batch.Length, longest], device: device), tensor(outputs, [batch.Length, longest], device: device));
    }
}
