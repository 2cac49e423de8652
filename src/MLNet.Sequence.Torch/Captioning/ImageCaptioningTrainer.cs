using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Speech;
using MLNet.Sequence.Torch.Training;
using MLNet.Sequence.Torch.Translation;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Captioning;

/// <summary>
/// Trains an image captioner on an image column and a caption column (Text, or a vector of Text for several
/// captions per image, each a training pair). The image comes as pixels from ML.NET's ExtractPixels, which a
/// convolutional encoder turns into a grid of regions that the decoder attends over (show, attend and tell), as a
/// global feature vector such as ML.NET's pretrained ResNet18 featurizer gives (show and tell), or both (the
/// global vector then starts the decoder). The decoder is the translation model's attention decoder, trained by
/// teacher forcing; the transformer writes a caption with greedy or beam search.
/// </summary>
public sealed class ImageCaptioningTrainer : IEstimator<ImageCaptioningTransformer>
{
    /// <summary>Settings of <see cref="ImageCaptioningTrainer"/>.</summary>
    public sealed class Options : TorchTrainerOptions
    {
        /// <summary>The pixels column (ExtractPixels' output: a vector of Single with dimensions); null: the model reads no pixels.</summary>
        public string? PixelsColumnName = "Pixels";

        /// <summary>Whether the pixels are interleaved (height × width × channels, ExtractPixels' interleavePixelColors) rather than planar.</summary>
        public bool InterleavedPixels;

        /// <summary>A global feature column (a known-size vector of Single, such as DnnFeaturizeImage's ResNet18 output); null: none.</summary>
        public string? FeaturesColumnName;

        /// <summary>The reference caption column: Text, or a vector of Text for several captions per image.</summary>
        public string CaptionColumnName = "Caption";

        /// <summary>The caption column to create.</summary>
        public string PredictedCaptionColumnName = "PredictedCaption";

        /// <summary>The column of log P(caption | image) to create.</summary>
        public string LogProbabilityColumnName = "LogProbability";

        /// <summary>With a name: a vector-of-Text column of the n-best captions (Decoding.NBest of them), and their scores in a column named the same plus "Scores".</summary>
        public string? NBestColumnName;

        /// <summary>With a name: each word's attention over the image regions (words and end × regions, row by row as one vector),
        /// with a vector-of-Text column CaptionTokens beside it.</summary>
        public string? AttentionColumnName;

        /// <summary>How captions become words (lower-cased words by default) and the output back into text.</summary>
        public TranslationTokenizerOptions Tokenizer = new() { LowerCase = true };

        /// <summary>Words seen fewer times in training share the unknown id.</summary>
        public int MinimumTokenCount = 1;

        /// <summary>Training captions with more words are left out.</summary>
        public int MaximumCaptionLength = 40;

        /// <summary>Output planes of the convolutional encoder's blocks (each 3 × 3 convolution, batch norm, ReLU, 2 × 2 max pooling);
        /// a 64 × 64 image becomes an 8 × 8 grid of regions with the default three.</summary>
        public int[] ConvolutionChannels = [32, 64, 128];

        /// <summary>Width of the word embeddings.</summary>
        public int EmbeddingDimension = 128;

        /// <summary>The decoder's cell.</summary>
        public RecurrentCellType DecoderCell = RecurrentCellType.Lstm;

        /// <summary>The decoder's state width.</summary>
        public int DecoderHiddenSize = 256;

        /// <summary>The decoder's layers.</summary>
        public int DecoderLayers = 1;

        /// <summary>How the decoder scores regions (additive, as in show, attend and tell).</summary>
        public AttentionType Attention = AttentionType.Additive;

        /// <summary>Width of the additive attention's hidden layer.</summary>
        public int AttentionHiddenSize = 128;

        /// <summary>Dropout on regions, embeddings and attentional vectors.</summary>
        public double Dropout = 0.2;

        /// <summary>Label smoothing of the loss (0: none).</summary>
        public double LabelSmoothing;

        /// <summary>How the transformer decodes by default (greedy; set beam search here or later with WithDecoding).</summary>
        public DecodingOptions Decoding = new() { MaximumLength = 40 };

        internal override void Validate(IExceptionContext ectx)
        {
            base.Validate(ectx);
            ectx.CheckUserArg(PixelsColumnName != null || FeaturesColumnName != null, nameof(PixelsColumnName),
                "Name a pixels column, a features column or both: the captioner needs to see the image.");
            ectx.CheckUserArg(PixelsColumnName == null || PixelsColumnName.Length > 0, nameof(PixelsColumnName), "Must not be empty (null: no pixels).");
            ectx.CheckUserArg(FeaturesColumnName == null || FeaturesColumnName.Length > 0, nameof(FeaturesColumnName), "Must not be empty (null: no features).");
            ectx.CheckNonEmpty(CaptionColumnName, nameof(CaptionColumnName));
            ectx.CheckNonEmpty(PredictedCaptionColumnName, nameof(PredictedCaptionColumnName));
            ectx.CheckNonEmpty(LogProbabilityColumnName, nameof(LogProbabilityColumnName));
            ectx.CheckValue(Tokenizer, nameof(Tokenizer));
            Tokenizer.Validate(ectx, nameof(Tokenizer));
            ectx.CheckUserArg(MinimumTokenCount > 0, nameof(MinimumTokenCount), "Must be positive.");
            ectx.CheckUserArg(MaximumCaptionLength > 0, nameof(MaximumCaptionLength), "Must be positive.");
            ectx.CheckUserArg(ConvolutionChannels is { Length: > 0 } && ConvolutionChannels.All(c => c > 0), nameof(ConvolutionChannels),
                "Needs at least one block, each with a positive number of planes.");
            ectx.CheckUserArg(EmbeddingDimension > 0, nameof(EmbeddingDimension), "Must be positive.");
            ectx.CheckUserArg(Enum.IsDefined(DecoderCell), nameof(DecoderCell), "Unknown recurrent cell type.");
            ectx.CheckUserArg(DecoderHiddenSize > 0, nameof(DecoderHiddenSize), "Must be positive.");
            ectx.CheckUserArg(DecoderLayers > 0, nameof(DecoderLayers), "Must be positive.");
            ectx.CheckUserArg(Enum.IsDefined(Attention), nameof(Attention), "Unknown attention type.");
            ectx.CheckUserArg(Attention != AttentionType.Dot, nameof(Attention), "Dot attention needs the regions as wide as the decoder; use Additive or General.");
            ectx.CheckUserArg(AttentionHiddenSize > 0, nameof(AttentionHiddenSize), "Must be positive.");
            ectx.CheckUserArg(Dropout >= 0 && Dropout < 1, nameof(Dropout), "Must be in [0, 1).");
            ectx.CheckUserArg(LabelSmoothing >= 0 && LabelSmoothing < 1, nameof(LabelSmoothing), "Must be in [0, 1).");
            ectx.CheckValue(Decoding, nameof(Decoding));
            Decoding.Validate(ectx);
        }
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal ImageCaptioningTrainer(IHostEnvironment env, Options options)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(nameof(ImageCaptioningTrainer));
        _host.CheckValue(options, nameof(options));
        options.Validate(_host);
        _options = options;
    }

    /// <summary>Trains on <paramref name="input"/>; validates on <see cref="TorchTrainerOptions.ValidationSet"/> if set.</summary>
    public ImageCaptioningTransformer Fit(IDataView input) => Fit(input, _options.ValidationSet);

    /// <summary>Trains on <paramref name="input"/>, measuring the validation loss on <paramref name="validation"/> after every epoch.</summary>
    public ImageCaptioningTransformer Fit(IDataView input, IDataView? validation)
    {
        _host.CheckValue(input, nameof(input));
        _options.CheckValidation(_host, validation);
        using var ch = _host.Start("Training image captioner");
        var layout = _options.PixelsColumnName == null ? null : ImageRows.Layout(_host, input.Schema, _options.PixelsColumnName, _options.InterleavedPixels);
        int featureSize = _options.FeaturesColumnName == null ? 0 : ImageRows.FeatureSize(_host, input.Schema, _options.FeaturesColumnName);
        if (layout != null)
        {
            int h = layout.Height >> _options.ConvolutionChannels.Length, w = layout.Width >> _options.ConvolutionChannels.Length;
            _host.CheckUserArg(h > 0 && w > 0, nameof(Options.ConvolutionChannels),
                $"{_options.ConvolutionChannels.Length} pooling blocks halve a {layout.Height} × {layout.Width} image to nothing; use fewer blocks or larger images.");
        }
        var (images, captionTexts) = ImageRows.Read(_host, input, _options.PixelsColumnName, layout, _options.FeaturesColumnName, featureSize,
            _options.CaptionColumnName, "training");
        _host.CheckParam(images.Count > 0, nameof(input), "The training data has no rows.");
        var tokenizer = TranslationTokenizer.Create(_host, _options.Tokenizer, captionTexts.SelectMany(c => c));
        var (pairImages, pairTokens) = Pairs(ch, tokenizer, captionTexts, "training", filter: true);
        _host.CheckParam(pairTokens.Count > 0, nameof(input), $"No training caption has at most MaximumCaptionLength ({_options.MaximumCaptionLength}) words.");

        var loop = new TorchTrainingLoop(_host, _options);
        loop.Prepare();
        var vocabulary = TokenIndex.Build(pairTokens, _options.MinimumTokenCount);
        var (mean, scale) = layout == null ? ([], []) : ImageRows.PlaneStatistics(images.Select(i => i.Pixels!), layout);
        var featureNormalizer = featureSize > 0 ? FeatureNormalizer.Fit(images.Select(i => i.Features!).ToList(), featureSize) : null;
        var shape = new CaptioningShape(layout?.Channels ?? 0, layout?.Height ?? 0, layout?.Width ?? 0, _options.ConvolutionChannels.ToArray(), featureSize,
            vocabulary.Count, _options.EmbeddingDimension, _options.DecoderCell, _options.DecoderHiddenSize, _options.DecoderLayers,
            _options.Attention, _options.AttentionHiddenSize, _options.Dropout);
        var module = new CaptioningModule(shape);
        module.to(loop.Device);
        var (rows, columns) = shape.Regions;
        ch.Info($"Image captioner: {images.Count:N0} images, {pairTokens.Count:N0} captions, vocabulary {vocabulary.Count:N0}, " +
            (layout != null ? $"pixels {layout} → {rows} × {columns} regions" : "") + (featureSize > 0 ? $"{(layout != null ? ", " : "")}{featureSize} global features" : "") +
            $", {module.parameters().Sum(p => p.numel()):N0} weights.");

        var settings = new ImageCaptioningTransformer.Settings(_options.PixelsColumnName, _options.InterleavedPixels, _options.FeaturesColumnName,
            _options.CaptionColumnName, _options.PredictedCaptionColumnName, _options.LogProbabilityColumnName, _options.NBestColumnName,
            _options.AttentionColumnName, tokenizer, vocabulary, shape, mean, scale, featureNormalizer, _options.Decoding.Clone());
        var train = Prepare(settings, images, pairImages, pairTokens, vocabulary);

        CaptionBatches? valid = null;
        if (validation != null)
        {
            if (layout != null)
            {
                var validLayout = ImageRows.Layout(_host, validation.Schema, _options.PixelsColumnName!, _options.InterleavedPixels);
                _host.CheckParam(validLayout == layout, nameof(validation),
                    $"The validation images in column '{_options.PixelsColumnName}' are {validLayout}, the training images {layout}.");
            }
            var (vImages, vTexts) = ImageRows.Read(_host, validation, _options.PixelsColumnName, layout, _options.FeaturesColumnName, featureSize,
                _options.CaptionColumnName, "validation");
            var (vPairImages, vPairTokens) = Pairs(ch, tokenizer, vTexts, "validation", filter: false);
            valid = Prepare(settings, vImages, vPairImages, vPairTokens, vocabulary);
        }

        var history = loop.Run(ch, module, "Captioning", train.Lengths,
            batch => Loss(module, train, batch, loop.Device, _options.LabelSmoothing),
            valid?.Lengths, valid == null ? null : batch => Loss(module, valid, batch, loop.Device, 0));
        return new ImageCaptioningTransformer(_host, settings, module, loop.Device, history);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        foreach (var (name, role) in new[] { (_options.PixelsColumnName, "pixels"), (_options.FeaturesColumnName, "features") })
        {
            if (name == null)
                continue;
            if (!inputSchema.TryFindColumn(name, out var column))
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), role, name);
            if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), role, name, "known-size vector of Single", column.GetTypeString());
        }
        if (!inputSchema.TryFindColumn(_options.CaptionColumnName, out var caption))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "caption", _options.CaptionColumnName);
        if (caption.ItemType is not TextDataViewType)
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "caption", _options.CaptionColumnName, "Text or vector of Text", caption.GetTypeString());
        var result = inputSchema.ToDictionary(c => c.Name);
        foreach (var column in ImageCaptioningTransformer.OutputShape(_options.PredictedCaptionColumnName, _options.LogProbabilityColumnName,
                     _options.NBestColumnName, _options.AttentionColumnName))
            result[column.Name] = column;
        return new SchemaShape(result.Values);
    }

    // One (image, caption) pair per caption; training leaves out captions beyond the length bound, and says how many.
    private (List<int> Images, List<string[]> Tokens) Pairs(IChannel ch, TranslationTokenizer tokenizer, List<string[]> captions, string what, bool filter)
    {
        var images = new List<int>();
        var tokens = new List<string[]>();
        int tooLong = 0;
        for (int i = 0; i < captions.Count; i++)
        {
            foreach (var caption in captions[i])
            {
                var words = tokenizer.Tokenize(caption);
                _host.Check(words.Length > 0, $"The {what} data, row {i}: the caption \"{caption}\" in column '{_options.CaptionColumnName}' has no words.");
                if (filter && words.Length > _options.MaximumCaptionLength)
                {
                    tooLong++;
                    continue;
                }
                images.Add(i);
                tokens.Add(words);
            }
        }
        if (tooLong > 0)
            ch.Info($"{tooLong:N0} captions are longer than MaximumCaptionLength ({_options.MaximumCaptionLength}) words and are left out.");
        return (images, tokens);
    }

    /// <summary>The network's inputs of a set of images, prepared once, and the caption pairs over them.</summary>
    internal sealed record CaptionBatches(List<float[]?> Pixels, List<float[]?> Features, List<int> PairImages, List<int[]> PairTokens)
    {
        public List<int> Lengths => PairTokens.Select(t => t.Length).ToList();
    }

    private static CaptionBatches Prepare(ImageCaptioningTransformer.Settings settings, List<CaptionImage> images, List<int> pairImages,
        List<string[]> pairTokens, TokenIndex vocabulary)
    {
        var prepared = images.Select(settings.NetworkInput).ToList();
        return new CaptionBatches(prepared.Select(p => p.Pixels).ToList(), prepared.Select(p => p.Features).ToList(), pairImages,
            pairTokens.Select(t => t.Select(w => vocabulary.IdOf(w)).ToArray()).ToList());
    }

    // The summed cross-entropy of a batch's caption words (end included) under teacher forcing, and their count.
    private static (Tensor Sum, long Count) Loss(CaptioningModule module, CaptionBatches data, int[] batch, Device device, double labelSmoothing)
    {
        var imageRows = batch.Select(b => data.PairImages[b]).ToArray();
        var (pixels, features) = ImageCaptioningTransformer.ImageTensors(module.Shape, data.Pixels, data.Features, imageRows, device);
        var (inputs, outputs) = Seq2SeqAttentionTrainer.TeacherForcedTargets(data.PairTokens, batch, device);
        var logits = module.Decoder.Logits(module.Encode(pixels, features), inputs);
        long count = batch.Sum(r => (long)data.PairTokens[r].Length + 1);
        var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), outputs.reshape(-1),
            ignore_index: TokenIndex.Padding, reduction: nn.Reduction.Sum, label_smoothing: labelSmoothing);
        return (loss, count);
    }
}
