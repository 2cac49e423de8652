using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Captioning;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.Speech;
using MLNet.Sequence.Torch.Training;
using MLNet.Sequence.Torch.Translation;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(ImageCaptioningTransformer), null, typeof(SignatureLoadModel),
    ImageCaptioningTransformer.UserName, ImageCaptioningTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ImageCaptioningTransformer), null, typeof(SignatureLoadRowMapper),
    ImageCaptioningTransformer.UserName, ImageCaptioningTransformer.LoaderSignature)]

namespace MLNet.Sequence.Torch.Captioning;

/// <summary>One candidate caption of an n-best list.</summary>
/// <param name="Text">The caption.</param>
/// <param name="Tokens">Its words.</param>
/// <param name="LogProbability">log P(caption | image), the end token included.</param>
/// <param name="Score">The score beam search ranked it by (after the length penalty).</param>
public sealed record CaptionCandidate(string Text, IReadOnlyList<string> Tokens, double LogProbability, double Score);

/// <summary>An image's caption: the best candidate, the n-best list and (when asked) each word's attention over the image regions.</summary>
public sealed class ImageCaption
{
    internal ImageCaption(IReadOnlyList<CaptionCandidate> nBest, bool ended, IReadOnlyList<float[]>? attention, int regionRows, int regionColumns)
    {
        NBest = nBest;
        Ended = ended;
        Attention = attention;
        RegionRows = regionRows;
        RegionColumns = regionColumns;
    }

    /// <summary>The best caption.</summary>
    public string Text => NBest[0].Text;

    /// <summary>The best caption's words.</summary>
    public IReadOnlyList<string> Tokens => NBest[0].Tokens;

    /// <summary>log P(caption | image) of the best caption.</summary>
    public double LogProbability => NBest[0].LogProbability;

    /// <summary>The candidates, best first (one unless beam search was asked for more).</summary>
    public IReadOnlyList<CaptionCandidate> NBest { get; }

    /// <summary>Whether the best caption ended by itself rather than at the maximum length.</summary>
    public bool Ended { get; }

    /// <summary>For each output step (the words, then the end), the weights over the regions, row by row of the
    /// <see cref="RegionRows"/> × <see cref="RegionColumns"/> grid, summing to 1; null unless asked for.</summary>
    public IReadOnlyList<float[]>? Attention { get; }

    /// <summary>Rows of the region grid (1 for a model of global features only).</summary>
    public int RegionRows { get; }

    /// <summary>Columns of the region grid.</summary>
    public int RegionColumns { get; }
}

/// <summary>
/// A trained image captioner: adds a caption of each row's image, its log-probability, and (when asked) the n-best
/// list and each word's attention over the image's regions. Saved in the ML.NET model zip with its vocabulary,
/// tokeniser, image normalisation, network shape and default decoding.
/// </summary>
public sealed class ImageCaptioningTransformer : SequenceModelTransformerBase
{
    internal const string UserName = "Image Captioner";
    internal const string LoaderSignature = "MLSeqCaptionXf";
    private const string RegistrationName = nameof(ImageCaptioningTransformer);
    private const int ImagesPerBatch = 64;

    /// <summary>What the captioner saves besides its weights.</summary>
    internal sealed record Settings(
        string? PixelsColumnName, bool InterleavedPixels, string? FeaturesColumnName, string CaptionColumnName, string PredictedCaptionColumnName,
        string LogProbabilityColumnName, string? NBestColumnName, string? AttentionColumnName, TranslationTokenizer Tokenizer, TokenIndex Vocabulary,
        CaptioningShape Shape, float[] PixelMean, float[] PixelScale, FeatureNormalizer? Features, DecodingOptions Decoding)
    {
        public PixelLayout? Layout => Shape.HasPixels ? new PixelLayout(Shape.Channels, Shape.Height, Shape.Width, InterleavedPixels) : null;

        /// <summary>An image's network inputs: planar standardised pixels, standardised features.</summary>
        public (float[]? Pixels, float[]? Features) NetworkInput(CaptionImage image)
        {
            var pixels = Layout is { } layout ? ImageRows.Planar(image.Pixels!, layout, PixelMean, PixelScale) : null;
            float[]? features = null;
            if (Features != null)
            {
                features = (float[])image.Features!.Clone();
                Features.Apply(features);
            }
            return (pixels, features);
        }

        public void Write(BinaryWriter w)
        {
            w.WriteStrings([PixelsColumnName ?? "", FeaturesColumnName ?? "", CaptionColumnName, PredictedCaptionColumnName, LogProbabilityColumnName,
                NBestColumnName ?? "", AttentionColumnName ?? ""]);
            w.Write(InterleavedPixels);
            Tokenizer.Write(w);
            Vocabulary.Write(w);
            Shape.Write(w);
            w.WriteFloats(PixelMean);
            w.WriteFloats(PixelScale);
            Features?.Write(w);
            Decoding.Write(w);
        }

        public static Settings Read(IExceptionContext ectx, BinaryReader r)
        {
            var c = r.ReadStrings("column names");
            ectx.CheckDecode(c.Length == 7 && c.Skip(2).Take(3).All(n => n.Length > 0), "The captioning model names its columns wrongly.");
            bool interleaved = r.ReadBoolean();
            var tokenizer = TranslationTokenizer.Read(ectx, r);
            var vocabulary = TokenIndex.Read(r, "caption vocabulary");
            var shape = CaptioningShape.Read(ectx, r);
            ectx.CheckDecode(shape.Vocabulary == vocabulary.Count, "The captioning model's vocabulary does not match its network.");
            ectx.CheckDecode((c[0].Length > 0) == shape.HasPixels && (c[1].Length > 0) == (shape.GlobalFeatures > 0),
                "The captioning model's image columns do not match its network.");
            int planes = shape.HasPixels ? shape.Channels : 0;
            var mean = r.ReadFloats("pixel means", planes);
            var scale = r.ReadFloats("pixel scales", planes);
            ectx.CheckDecode(scale.All(s => s > 0), "Bad pixel scales in the captioning model.");
            var features = shape.GlobalFeatures > 0 ? FeatureNormalizer.Read(ectx, r, shape.GlobalFeatures) : null;
            var decoding = DecodingOptions.Read(ectx, r);
            string? Optional(string s) => s.Length > 0 ? s : null;
            return new Settings(Optional(c[0]), interleaved, Optional(c[1]), c[2], c[3], c[4], Optional(c[5]), Optional(c[6]), tokenizer, vocabulary,
                shape, mean, scale, features, decoding);
        }
    }

    private const uint VersionFirst = 0x00010001;

    private readonly Settings _settings;
    private readonly CaptioningModule _module;

    internal ImageCaptioningTransformer(IHost host, Settings settings, CaptioningModule module, Device device, TrainingHistory? history)
        : base(host, module, device)
    {
        _settings = settings;
        _module = module;
        TrainingHistory = history;
    }

    /// <summary>The caption vocabulary (reserved ids first).</summary>
    public TokenIndex Vocabulary => _settings.Vocabulary;

    /// <summary>How the transformer's output column is decoded (a copy).</summary>
    public DecodingOptions Decoding => _settings.Decoding.Clone();

    /// <summary>Rows and columns of the region grid the decoder attends over (1 × 1 for a model of global features only).</summary>
    public (int Rows, int Columns) Regions => _settings.Shape.Regions;

    /// <summary>The pixels the model reads as (channels, height, width), or null for a model of global features only.</summary>
    public (int Channels, int Height, int Width)? ImageSize => _settings.Shape.HasPixels ? (_settings.Shape.Channels, _settings.Shape.Height, _settings.Shape.Width) : null;

    /// <summary>What training did, epoch by epoch; null for a transformer loaded from a model file.</summary>
    public TrainingHistory? TrainingHistory { get; }

    /// <summary>The same model decoding its output column with <paramref name="decoding"/> (beam search, say); saved with it.</summary>
    public ImageCaptioningTransformer WithDecoding(DecodingOptions decoding)
    {
        Host.CheckValue(decoding, nameof(decoding));
        decoding.Validate(Host);
        return new ImageCaptioningTransformer(Host, _settings with { Decoding = decoding.Clone() }, _module, Device, TrainingHistory);
    }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQCAPT",
        verWrittenCur: VersionFirst,
        verReadableCur: VersionFirst,
        verWeCanReadBack: VersionFirst,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(ImageCaptioningTransformer).Assembly.FullName);

    private static ImageCaptioningTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, RegistrationName, GetVersionInfo(), "the captioning model", host =>
        {
            var settings = Settings.Read(host, ctx.Reader);
            var module = new CaptioningModule(settings.Shape);
            LoadWeights(ctx, module);
            return new ImageCaptioningTransformer(host, settings, module, CPU, null);
        });

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();

    private protected override void SaveState(BinaryWriter writer) => _settings.Write(writer);

    /// <summary>
    /// Captions <paramref name="images"/> with <paramref name="decoding"/> (default: the model's), many images and
    /// their beams in one tensor. An image of the wrong size or with NaN values is an error naming it.
    /// </summary>
    public IReadOnlyList<ImageCaption> Caption(IReadOnlyList<CaptionImage> images, DecodingOptions? decoding = null)
    {
        Host.CheckValue(images, nameof(images));
        decoding ??= _settings.Decoding;
        decoding.Validate(Host);
        var inputs = new List<(float[]? Pixels, float[]? Features)>(images.Count);
        for (int i = 0; i < images.Count; i++)
        {
            Host.CheckParam(images[i] != null, nameof(images), $"Image {i} is null.");
            var problem = ImageRows.Problem(images[i], _settings.Layout, _settings.Shape.GlobalFeatures, _settings.PixelsColumnName, _settings.FeaturesColumnName);
            if (problem != null)
                throw Host.ExceptParam(nameof(images), $"Image {i}: {problem}.");
            inputs.Add(_settings.NetworkInput(images[i]));
        }
        var pixels = inputs.Select(x => x.Pixels).ToList();
        var features = inputs.Select(x => x.Features).ToList();
        var (rows, columns) = _settings.Shape.Regions;
        var results = new ImageCaption[images.Count];
        int perBatch = decoding.Strategy == DecodingStrategy.BeamSearch ? Math.Max(1, ImagesPerBatch / decoding.BeamSize * 2) : ImagesPerBatch;
        using var noGrad = no_grad();
        for (int start = 0; start < images.Count; start += perBatch)
        {
            using var scope = NewDisposeScope();
            var batch = Enumerable.Range(start, Math.Min(perBatch, images.Count - start)).ToArray();
            var (pixelTensor, featureTensor) = ImageTensors(_settings.Shape, pixels, features, batch, Device);
            var encoded = _module.Encode(pixelTensor, featureTensor);
            using var decoder = new AttentionStepDecoder(_module.Decoder, encoded, Device);
            var first = Enumerable.Repeat((long)TokenIndex.Start, batch.Length).ToList();
            IReadOnlyList<IReadOnlyList<Hypothesis>> hypotheses = decoding.Strategy == DecodingStrategy.BeamSearch
                ? BeamSearch.Decode(decoder, first, decoding)
                : GreedySearch.Decode(decoder, first, decoding).Select(h => (IReadOnlyList<Hypothesis>)[h]).ToList();
            for (int b = 0; b < batch.Length; b++)
            {
                var nBest = hypotheses[b].Select(Candidate).ToArray();
                var attention = decoding.KeepAttention ? hypotheses[b][0].Attention : null;
                results[batch[b]] = new ImageCaption(nBest, hypotheses[b][0].Ended, attention, rows, columns);
            }
        }
        return results;
    }

    private CaptionCandidate Candidate(Hypothesis h)
    {
        var words = h.Tokens.Select(id => _settings.Vocabulary[(int)id]).ToArray();
        return new CaptionCandidate(_settings.Tokenizer.Detokenize(words), words.Select(TranslationTokenizer.Display).ToArray(), h.LogProbability, h.Score);
    }

    /// <summary>The network's image tensors of <paramref name="rows"/>: pixels [batch, channels, height, width] and/or features [batch, width].</summary>
    internal static (Tensor? Pixels, Tensor? Features) ImageTensors(CaptioningShape shape, IReadOnlyList<float[]?> pixels, IReadOnlyList<float[]?> features,
        int[] rows, Device device)
    {
        Tensor? pixelTensor = null, featureTensor = null;
        if (shape.HasPixels)
        {
            int size = shape.Channels * shape.Height * shape.Width;
            var values = new float[rows.Length * size];
            for (int b = 0; b < rows.Length; b++)
                pixels[rows[b]]!.CopyTo(values, b * size);
            pixelTensor = tensor(values, [rows.Length, shape.Channels, shape.Height, shape.Width], device: device);
        }
        if (shape.GlobalFeatures > 0)
        {
            int size = shape.GlobalFeatures;
            var values = new float[rows.Length * size];
            for (int b = 0; b < rows.Length; b++)
                features[rows[b]]!.CopyTo(values, b * size);
            featureTensor = tensor(values, [rows.Length, size], device: device);
        }
        return (pixelTensor, featureTensor);
    }

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>The output columns for these names (shared with the trainer's schema propagation).</summary>
    internal static IEnumerable<SchemaShape.Column> OutputShape(string caption, string logProbability, string? nBest, string? attention)
    {
        var text = TextDataViewType.Instance;
        yield return new SchemaShape.Column(caption, SchemaShape.Column.VectorKind.Scalar, text, false);
        yield return new SchemaShape.Column(logProbability, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        if (nBest != null)
        {
            yield return new SchemaShape.Column(nBest, SchemaShape.Column.VectorKind.VariableVector, text, false);
            yield return new SchemaShape.Column(nBest + "Scores", SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false);
        }
        if (attention != null)
        {
            yield return new SchemaShape.Column(attention, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false);
            yield return new SchemaShape.Column("CaptionTokens", SchemaShape.Column.VectorKind.VariableVector, text, false);
        }
    }

    private sealed class Mapper : ScoringMapper<CaptionImage, ImageCaption>
    {
        private readonly ImageCaptioningTransformer _parent;
        private readonly DataViewSchema.Column? _pixels;
        private readonly DataViewSchema.Column? _features;
        private readonly DecodingOptions _decoding;

        public Mapper(ImageCaptioningTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            var s = parent._settings;
            if (s.PixelsColumnName != null)
            {
                var layout = ImageRows.Layout(Host, inputSchema, s.PixelsColumnName, s.InterleavedPixels);
                if (layout != s.Layout)
                    throw Host.ExceptSchemaMismatch(nameof(inputSchema), "pixels", s.PixelsColumnName, $"images of {s.Layout} (resize them to the model's size)", layout.ToString());
                _pixels = inputSchema[s.PixelsColumnName];
            }
            if (s.FeaturesColumnName != null)
            {
                int size = ImageRows.FeatureSize(Host, inputSchema, s.FeaturesColumnName);
                if (size != s.Shape.GlobalFeatures)
                    throw Host.ExceptSchemaMismatch(nameof(inputSchema), "features", s.FeaturesColumnName, $"vector of {s.Shape.GlobalFeatures} Single", $"vector of {size}");
                _features = inputSchema[s.FeaturesColumnName];
            }
            _decoding = s.Decoding.Clone();
            _decoding.KeepAttention |= s.AttentionColumnName != null;
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var s = _parent._settings;
            var columns = new List<DataViewSchema.DetachedColumn>
            {
                new(s.PredictedCaptionColumnName, TextDataViewType.Instance),
                new(s.LogProbabilityColumnName, NumberDataViewType.Single),
            };
            if (s.NBestColumnName != null)
            {
                columns.Add(new(s.NBestColumnName, new VectorDataViewType(TextDataViewType.Instance)));
                columns.Add(new(s.NBestColumnName + "Scores", new VectorDataViewType(NumberDataViewType.Single)));
            }
            if (s.AttentionColumnName != null)
            {
                columns.Add(new(s.AttentionColumnName, new VectorDataViewType(NumberDataViewType.Single)));
                columns.Add(new("CaptionTokens", new VectorDataViewType(TextDataViewType.Instance)));
            }
            return columns.ToArray();
        }

        public override IReadOnlyList<DataViewSchema.Column> InputColumns =>
            new[] { _pixels, _features }.Where(c => c != null).Select(c => c!.Value).ToArray();

        public override Func<CaptionImage> MakeInputGetter(DataViewRow row) => ImageRows.Getter(row, _pixels, _features);

        private string? Problem(CaptionImage image)
        {
            var s = _parent._settings;
            return ImageRows.Problem(image, s.Layout, s.Shape.GlobalFeatures, s.PixelsColumnName, s.FeaturesColumnName);
        }

        public override bool CanBatch(CaptionImage image) => Problem(image) == null;

        public override ImageCaption[] ScoreBatch(IReadOnlyList<CaptionImage> inputs) => _parent.Caption(inputs, _decoding).ToArray();

        public override ImageCaption ScoreOne(long position, CaptionImage image)
        {
            if (Problem(image) is string problem)
                throw Host.Except($"Row {position}: {problem}.");
            return _parent.Caption([image], _decoding)[0];
        }

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeOutputGetter(int iinfo, Func<ImageCaption> captionOfRow)
        {
            var s = _parent._settings;
            int nBest = s.NBestColumnName != null ? 2 : 0;
            switch (iinfo)
            {
                case 0:
                    return (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = captionOfRow().Text.AsMemory());
                case 1:
                    return (ValueGetter<float>)((ref float dst) => dst = (float)captionOfRow().LogProbability);
                case 2 when nBest > 0:
                    return VectorGetters.Texts(() => captionOfRow().NBest.Select(c => c.Text).ToArray());
                case 3 when nBest > 0:
                    return VectorGetters.Floats(() => captionOfRow().NBest.Select(c => (float)c.Score).ToArray());
            }
            return iinfo - 2 - nBest == 0
                ? VectorGetters.Floats(() => captionOfRow().Attention?.SelectMany(r => r).ToArray() ?? [])
                : VectorGetters.Texts(() => captionOfRow().Tokens.ToArray());
        }
    }
}
