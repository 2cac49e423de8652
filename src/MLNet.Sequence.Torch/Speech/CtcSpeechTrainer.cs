using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Speech;

/// <summary>
/// Trains a CTC speech recogniser on audio features (a frames x features column, such as LogMelSpectrogram writes)
/// and transcripts: a strided convolutional front end, (bi)GRU or LSTM layers and a linear layer over characters,
/// trained with CTC loss, with SpecAugment masks on the training batches. Transcripts are normalised as
/// <see cref="TranscriptNormalizer"/> says (lower case, no punctuation) and spelled in characters with a space
/// between words, in byte-pair subword pieces, or in phonemes through a pronouncing dictionary (<see cref="CtcUnitKind"/>).
/// The transformer decodes greedily or by prefix beam search with an optional n-gram language model.
/// </summary>
public sealed class CtcSpeechTrainer : IEstimator<CtcSpeechTransformer>
{
    /// <summary>Settings of <see cref="CtcSpeechTrainer"/>.</summary>
    public sealed class Options : TorchTrainerOptions
    {
        /// <summary>Creates the default settings: two convolutions of 256 (kernel 5, the first with stride 2), a 3-layer biGRU of 256, dropout 0.1.</summary>
        public Options()
        {
            Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Gru, HiddenSize = 256, Layers = 3, Bidirectional = true };
            BatchSize = 16;
        }

        /// <summary>The features column: frames x <see cref="FeatureCount"/> values, frame-major.</summary>
        public string FeaturesColumnName = "Features";

        /// <summary>Values per frame in the features column (80 for LogMelSpectrogram's default).</summary>
        public int FeatureCount = 80;

        /// <summary>The transcript column (Text).</summary>
        public string LabelColumnName = "Text";

        /// <summary>The output column of recognised text.</summary>
        public string TranscriptColumnName = "Transcript";

        /// <summary>What the network spells: characters, subword pieces or phonemes.</summary>
        public CtcUnitKind Units = CtcUnitKind.Characters;

        /// <summary>With subword units: the byte-pair merges learned from the training transcripts' words.</summary>
        public int SubwordMerges = 300;

        /// <summary>
        /// With phoneme units: the pronouncing dictionary (<see cref="PronouncingDictionary.Load"/> of the CMU dictionary).
        /// Every training word must be in it; the model keeps all of its words as the lexicon it decodes to.
        /// </summary>
        public PronouncingDictionary? PronouncingDictionary;

        /// <summary>Convolutional layers before the recurrent ones; 0 feeds the features straight in.</summary>
        public int ConvolutionLayers = 2;

        /// <summary>Channels of each convolution.</summary>
        public int ConvolutionChannels = 256;

        /// <summary>Kernel width of each convolution, in frames.</summary>
        public int KernelSize = 5;

        /// <summary>The first convolution's stride: output steps per input frame is 1 / Stride.</summary>
        public int Stride = 2;

        /// <summary>The recurrent layers.</summary>
        public RecurrentEncoderOptions Encoder;

        /// <summary>
        /// Subtract each utterance's own mean from each feature before the training set's standardisation (cepstral
        /// mean normalisation), in training and when transcribing: it removes the constant colouring of a microphone
        /// and room, one of the ways a new speaker's recordings differ from the training ones.
        /// </summary>
        public bool UtteranceMeanNormalization;

        /// <summary>Dropout after the front end and before the output layer.</summary>
        public double Dropout = 0.1;

        /// <summary>SpecAugment: time masks per training utterance.</summary>
        public int TimeMasks = 2;

        /// <summary>SpecAugment: the widest time mask, in frames.</summary>
        public int TimeMaskWidth = 20;

        /// <summary>SpecAugment: frequency masks per training utterance.</summary>
        public int FrequencyMasks = 2;

        /// <summary>SpecAugment: the widest frequency mask, in features.</summary>
        public int FrequencyMaskWidth = 10;

        /// <summary>Seconds between feature frames (the features' hop over their sample rate), for word timings.</summary>
        public double FrameSeconds = 0.01;

        /// <summary>How the transformer decodes: BeamWidth 1 with no language model and no hotwords is greedy.</summary>
        public CtcDecoderOptions Decoding = new() { BeamWidth = 1 };

        /// <summary>Measure WER on the validation rows after every epoch and stop early on it (with <see cref="TorchTrainerOptions.EarlyStoppingPatience"/>) instead of on the loss.</summary>
        public bool ValidateWithWer = true;

        internal override void Validate(IExceptionContext ectx)
        {
            base.Validate(ectx);
            ectx.CheckNonEmpty(FeaturesColumnName, nameof(FeaturesColumnName));
            ectx.CheckNonEmpty(LabelColumnName, nameof(LabelColumnName));
            ectx.CheckNonEmpty(TranscriptColumnName, nameof(TranscriptColumnName));
            ectx.CheckUserArg(Enum.IsDefined(Units), nameof(Units), "Must be Characters, Subwords or Phonemes.");
            ectx.CheckUserArg(SubwordMerges is >= 0 and <= 1 << 16, nameof(SubwordMerges), "Must be between 0 and 65536.");
            ectx.CheckUserArg(Units != CtcUnitKind.Phonemes || PronouncingDictionary != null, nameof(PronouncingDictionary),
                "Phoneme units need a pronouncing dictionary (PronouncingDictionary.Load of the CMU dictionary).");
            ectx.CheckUserArg(FeatureCount is > 0 and <= 1 << 16, nameof(FeatureCount), "Must be the features' values per frame (80 for LogMelSpectrogram's default).");
            ectx.CheckUserArg(ConvolutionLayers is >= 0 and <= 16, nameof(ConvolutionLayers), "Must be between 0 and 16.");
            ectx.CheckUserArg(ConvolutionChannels is > 0 and <= 1 << 14, nameof(ConvolutionChannels), "Must be positive.");
            ectx.CheckUserArg(KernelSize is > 0 and <= 255, nameof(KernelSize), "Must be between 1 and 255.");
            ectx.CheckUserArg(Stride is > 0 and <= 16, nameof(Stride), "Must be between 1 and 16.");
            ectx.CheckUserArg(Encoder != null, nameof(Encoder), "Must not be null.");
            Encoder!.Validate(ectx);
            ectx.CheckUserArg(Dropout >= 0 && Dropout < 1, nameof(Dropout), "Must be in [0, 1).");
            ectx.CheckUserArg(TimeMasks >= 0 && TimeMaskWidth >= 0, nameof(TimeMasks), "Time masks and their width must not be negative.");
            ectx.CheckUserArg(FrequencyMasks >= 0 && FrequencyMaskWidth >= 0 && FrequencyMaskWidth < FeatureCount, nameof(FrequencyMasks),
                "Frequency masks must not be negative, and narrower than FeatureCount.");
            ectx.CheckUserArg(FrameSeconds > 0 && double.IsFinite(FrameSeconds), nameof(FrameSeconds), "Must be positive.");
            ectx.CheckUserArg(Decoding != null, nameof(Decoding), "Must not be null.");
            try
            {
                Decoding!.Check();
            }
            catch (ArgumentException e)
            {
                throw ectx.ExceptUserArg(nameof(Decoding), $"{e.ParamName}: {e.Message.Split(" (Parameter")[0]}");
            }
        }
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal CtcSpeechTrainer(IHostEnvironment env, Options options)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(nameof(CtcSpeechTrainer));
        _host.CheckValue(options, nameof(options));
        options.Validate(_host);
        _options = options;
    }

    /// <summary>Trains on <paramref name="input"/>; validates on <see cref="TorchTrainerOptions.ValidationSet"/> if set.</summary>
    public CtcSpeechTransformer Fit(IDataView input) => Fit(input, _options.ValidationSet);

    /// <summary>Trains on <paramref name="input"/>, measuring loss (and WER) on <paramref name="validation"/> after every epoch.</summary>
    public CtcSpeechTransformer Fit(IDataView input, IDataView? validation)
    {
        _host.CheckValue(input, nameof(input));
        _options.CheckValidation(_host, validation);
        using var ch = _host.Start("Training CTC speech recogniser");
        var (features, labels) = SpeechRows.Read(_host, input, _options.FeaturesColumnName, _options.FeatureCount, _options.LabelColumnName, "training");
        _host.CheckParam(features.Count > 0, nameof(input), "The training data has no rows.");
        var encoder = CtcTranscriptEncoder.Create(_host, _options.LabelColumnName, _options.Units, labels, _options.SubwordMerges, _options.PronouncingDictionary);
        var units = encoder.Units;
        if (_options.UtteranceMeanNormalization)
            foreach (var row in features)
                FeatureNormalizer.SubtractOwnMean(row, _options.FeatureCount);
        var normalizer = FeatureNormalizer.Fit(features, _options.FeatureCount);
        var shape = new CtcNetworkShape(_options.FeatureCount, _options.ConvolutionLayers, _options.ConvolutionChannels, _options.KernelSize, _options.Stride,
            _options.Encoder, _options.Dropout, units.Count);
        var train = Encode(features, labels, encoder, normalizer, shape, "training");
        List<float[]>? validFeatures = null;
        List<string>? validLabels = null;
        (float[][] Features, int[][] Targets)? valid = null;
        if (validation != null)
        {
            (validFeatures, validLabels) = SpeechRows.Read(_host, validation, _options.FeaturesColumnName, _options.FeatureCount, _options.LabelColumnName, "validation");
            if (_options.UtteranceMeanNormalization)
                foreach (var row in validFeatures)
                    FeatureNormalizer.SubtractOwnMean(row, _options.FeatureCount);
            valid = Encode(validFeatures, validLabels, encoder, normalizer, shape, "validation");
        }

        var loop = new TorchTrainingLoop(_host, _options);
        loop.Prepare();
        var module = new CtcAcousticModule(shape);
        module.to(loop.Device);
        var random = new Random(loop.Seed);
        var settings = new CtcSpeechTransformer.Settings(units, normalizer, shape, _options.Decoding, _options.FrameSeconds,
            _options.FeaturesColumnName, _options.TranscriptColumnName, _options.UtteranceMeanNormalization);
        ValidationScore? wer = null;
        if (valid != null && _options.ValidateWithWer)
        {
            var greedy = new CtcDecoderOptions { BeamWidth = 1 };
            wer = new ValidationScore("accuracy (100 - WER %)", () =>
            {
                var hypotheses = CtcSpeechTransformer.Recognise(module, loop.Device, settings, valid.Value.Features, greedy);
                var result = WordErrorRate.Of(validLabels!.Zip(hypotheses, (r, h) => (r, h[0].Text)));
                return 100 * (1 - result.Wer);
            });
        }
        var history = loop.Run(ch, module, "CTC speech", train.Features.Select(f => f.Length / shape.FeatureCount).ToList(),
            batch => Loss(module, train, batch, loop.Device, random, augment: true),
            valid?.Features.Select(f => f.Length / shape.FeatureCount).ToList(),
            valid == null ? null : batch => Loss(module, valid.Value, batch, loop.Device, random, augment: false),
            wer);
        return new CtcSpeechTransformer(_host, settings, module, loop.Device, history);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        SpeechRows.CheckFeaturesShape(_host, inputSchema, _options.FeaturesColumnName);
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName);
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType is not TextDataViewType)
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName, "Text", label.GetTypeString());
        var result = inputSchema.ToDictionary(c => c.Name);
        foreach (var column in CtcSpeechTransformer.OutputShape(_options.TranscriptColumnName, _options.Decoding.NBest > 1))
            result[column.Name] = column;
        return new SchemaShape(result.Values);
    }

    private (float[][] Features, int[][] Targets) Encode(List<float[]> features, List<string> labels, CtcTranscriptEncoder encoder, FeatureNormalizer normalizer,
        CtcNetworkShape shape, string what)
    {
        var targets = new int[labels.Count][];
        for (int row = 0; row < labels.Count; row++)
        {
            var ids = encoder.Encode(labels[row], row, what);
            string text = TranscriptNormalizer.Normalize(labels[row]);
            // CTC needs a frame for every unit and one more between repeated units.
            int needed = ids.Length + ids.Zip(ids.Skip(1)).Count(p => p.First == p.Second);
            long frames = features[row].Length / shape.FeatureCount;
            long steps = CtcAcousticModule.OutputFrames(frames, shape);
            if (steps < needed)
                throw _host.Except($"Column '{_options.FeaturesColumnName}', {what} row {row}: {frames} frames give {steps} output steps after stride {shape.Stride}, " +
                    $"too few for the {needed} that CTC needs to spell '{text}'.");
            targets[row] = ids;
            normalizer.Apply(features[row]);
        }
        return (features.ToArray(), targets);
    }

    private (Tensor, long) Loss(CtcAcousticModule module, (float[][] Features, int[][] Targets) rows, int[] batch, Device device, Random random, bool augment)
    {
        var (input, lengths) = FeatureBatch.Create(rows.Features, batch, _options.FeatureCount, device,
            augment ? new SpecAugment(_options.TimeMasks, _options.TimeMaskWidth, _options.FrequencyMasks, _options.FrequencyMaskWidth, random) : null);
        var (logProbs, outLengths) = module.call(input, lengths);
        var targets = tensor(batch.SelectMany(r => rows.Targets[r]).Select(t => (long)t).ToArray());
        var targetLengths = tensor(batch.Select(r => (long)rows.Targets[r].Length).ToArray());
        if (device.type != DeviceType.CPU)
            targets = targets.to(device);
        // Per-utterance losses over their target lengths, summed: PyTorch's "mean" reduction times the batch size.
        var losses = nn.functional.ctc_loss(logProbs.transpose(0, 1), targets, outLengths, targetLengths, blank: 0, reduction: nn.Reduction.None, zero_infinity: true);
        var perUnit = losses / targetLengths.to(losses.device).to_type(losses.dtype);
        return (perUnit.sum(), batch.Length);
    }
}
