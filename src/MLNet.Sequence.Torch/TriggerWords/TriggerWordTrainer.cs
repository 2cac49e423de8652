using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Torch.Speech;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.TriggerWords;

/// <summary>
/// Trains the curriculum's trigger-word detector on clips of audio features (frames x features, such as
/// <c>Spectrogram</c> writes) and their per-step labels (<see cref="TriggerWordLabels"/>, as
/// <see cref="TriggerWordClipGenerator"/> makes them): binary cross-entropy per output step, the loop every trainer
/// here shares. Create it with <c>mlContext.Speech().Trainers.TriggerWord</c>.
/// </summary>
public sealed class TriggerWordTrainer : IEstimator<TriggerWordTransformer>
{
    /// <summary>Settings of <see cref="TriggerWordTrainer"/>; the network's defaults are the curriculum's.</summary>
    public sealed class Options : TorchTrainerOptions
    {
        /// <summary>Creates the default settings.</summary>
        public Options()
        {
            BatchSize = 16;
        }

        /// <summary>The features column: frames x <see cref="FeatureCount"/> values, frame-major.</summary>
        public string FeaturesColumnName = "Features";

        /// <summary>Values per frame (101: the curriculum's spectrogram of FFT size 200).</summary>
        public int FeatureCount = 101;

        /// <summary>The labels column: a vector of Single with one value in [0, 1] per output step.</summary>
        public string LabelColumnName = "Labels";

        /// <summary>Seconds between feature frames (the hop over the sample rate; the curriculum's 80 / 44,100).</summary>
        public double FrameSeconds = 80.0 / 44100;

        /// <summary>Channels of the convolution.</summary>
        public int ConvolutionChannels = 196;

        /// <summary>Kernel width of the convolution, in frames.</summary>
        public int KernelSize = 15;

        /// <summary>Stride of the convolution: one output step per this many frames.</summary>
        public int Stride = 4;

        /// <summary>Hidden size of each GRU.</summary>
        public int HiddenSize = 128;

        /// <summary>Dropout at each of the network's four dropout layers (the course's Keras model drops 0.8; less trains faster on small sets).</summary>
        public double Dropout = 0.2;

        /// <summary>The probability at or above which a step counts as the keyword, strictly between 0 and 1.</summary>
        public float Threshold = 0.5f;

        /// <summary>Seconds after a detection during which no other fires.</summary>
        public double RefractorySeconds = 0.75;

        /// <summary>The output column of per-step probabilities.</summary>
        public string ProbabilitiesColumnName = "Probabilities";

        /// <summary>The output column of detection times in seconds; their peaks go to this name + "Peaks".</summary>
        public string DetectionsColumnName = "Detections";

        /// <summary>The network's output steps for a clip of <paramref name="frames"/> feature frames (0: shorter than the kernel).</summary>
        public long OutputSteps(long frames) => frames < KernelSize ? 0 : (frames - KernelSize) / Stride + 1;

        /// <summary>
        /// Labelled steps after each keyword that span the curriculum's 0.36 s (50 of its 1,375 steps over 10 s) at this
        /// step length; at 44.1 kHz with its spectrogram that is its 50, at 16 kHz 18.
        /// </summary>
        public int LabelSteps => Math.Max(1, (int)Math.Round(50 * 10.0 / 1375 / (FrameSeconds * Stride)));

        internal override void Validate(IExceptionContext ectx)
        {
            base.Validate(ectx);
            ectx.CheckNonEmpty(FeaturesColumnName, nameof(FeaturesColumnName));
            ectx.CheckNonEmpty(LabelColumnName, nameof(LabelColumnName));
            ectx.CheckNonEmpty(ProbabilitiesColumnName, nameof(ProbabilitiesColumnName));
            ectx.CheckNonEmpty(DetectionsColumnName, nameof(DetectionsColumnName));
            ectx.CheckUserArg(FeatureCount is > 0 and <= 1 << 16, nameof(FeatureCount), "Must be the features' values per frame (101 for a spectrogram of FFT size 200).");
            ectx.CheckUserArg(ConvolutionChannels is > 0 and <= 1 << 14, nameof(ConvolutionChannels), "Must be positive.");
            ectx.CheckUserArg(KernelSize is > 0 and <= 255, nameof(KernelSize), "Must be between 1 and 255.");
            ectx.CheckUserArg(Stride is > 0 and <= 64, nameof(Stride), "Must be between 1 and 64.");
            ectx.CheckUserArg(HiddenSize is > 0 and <= 1 << 14, nameof(HiddenSize), "Must be positive.");
            ectx.CheckUserArg(Dropout >= 0 && Dropout < 1, nameof(Dropout), "Must be in [0, 1).");
            ectx.CheckUserArg(FrameSeconds > 0 && double.IsFinite(FrameSeconds), nameof(FrameSeconds), "Must be positive.");
            ectx.CheckUserArg(Threshold > 0 && Threshold < 1, nameof(Threshold), "Must be a probability strictly between 0 and 1.");
            ectx.CheckUserArg(RefractorySeconds >= 0 && double.IsFinite(RefractorySeconds), nameof(RefractorySeconds), "Must be 0 or more seconds.");
        }
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal TriggerWordTrainer(IHostEnvironment env, Options options)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(nameof(TriggerWordTrainer));
        _host.CheckValue(options, nameof(options));
        options.Validate(_host);
        _options = options;
    }

    /// <summary>Trains on <paramref name="input"/>; validates on <see cref="TorchTrainerOptions.ValidationSet"/> if set.</summary>
    public TriggerWordTransformer Fit(IDataView input) => Fit(input, _options.ValidationSet);

    /// <summary>Trains on <paramref name="input"/>, measuring the loss on <paramref name="validation"/> after every epoch.</summary>
    public TriggerWordTransformer Fit(IDataView input, IDataView? validation)
    {
        _host.CheckValue(input, nameof(input));
        _options.CheckValidation(_host, validation);
        using var ch = _host.Start("Training trigger-word detector");
        var shape = new TriggerWordShape(_options.FeatureCount, _options.ConvolutionChannels, _options.KernelSize, _options.Stride, _options.HiddenSize, _options.Dropout);
        var train = TriggerWordRows.Read(_host, input, _options.FeaturesColumnName, _options.LabelColumnName, shape, "training");
        _host.CheckParam(train.Features.Count > 0, nameof(input), "The training data has no rows.");
        var normalizer = FeatureNormalizer.Fit(train.Features, shape.FeatureCount);
        foreach (var row in train.Features)
            normalizer.Apply(row);
        (List<float[]> Features, List<float[]> Labels)? valid = null;
        if (validation != null)
        {
            valid = TriggerWordRows.Read(_host, validation, _options.FeaturesColumnName, _options.LabelColumnName, shape, "validation");
            foreach (var row in valid.Value.Features)
                normalizer.Apply(row);
        }

        var loop = new TorchTrainingLoop(_host, _options);
        loop.Prepare();
        var module = new TriggerWordModule(shape);
        module.to(loop.Device);
        var history = loop.Run(ch, module, "Trigger word", train.Features.Select(f => f.Length / shape.FeatureCount).ToList(),
            batch => Loss(module, train, batch, shape, loop.Device),
            valid?.Features.Select(f => f.Length / shape.FeatureCount).ToList(),
            valid == null ? null : batch => Loss(module, valid.Value, batch, shape, loop.Device));
        var settings = new TriggerWordTransformer.Settings(shape, normalizer, _options.FrameSeconds * _options.Stride, _options.Threshold, _options.RefractorySeconds,
            _options.FeaturesColumnName, _options.ProbabilitiesColumnName, _options.DetectionsColumnName);
        var detector = new TriggerWordTransformer(_host, settings, module, loop.Device, history);
        if (validation == null || !valid!.Value.Labels.Any(l => l.Any(v => v >= 0.5f)) || valid.Value.Labels.All(l => l.Any(v => v >= 0.5f)))
        {
            if (validation != null)
                ch.Info("The validation set needs clips that say the keyword and clips whose labels are all 0 for the miss rate and false alarms per hour; they are not measured.");
            return detector;
        }
        var evaluation = detector.Evaluate(validation, _options.LabelColumnName);
        ch.Info($"Validation: {evaluation}");
        return new TriggerWordTransformer(_host, settings, module, loop.Device, history, evaluation);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        SpeechRows.CheckFeaturesShape(_host, inputSchema, _options.FeaturesColumnName);
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName);
        if (label.Kind == SchemaShape.Column.VectorKind.Scalar || label.ItemType != NumberDataViewType.Single)
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName, "vector of Single", label.GetTypeString());
        var result = inputSchema.ToDictionary(c => c.Name);
        foreach (var column in TriggerWordTransformer.OutputShape(_options.ProbabilitiesColumnName, _options.DetectionsColumnName))
            result[column.Name] = column;
        return new SchemaShape(result.Values);
    }

    // The mean per-step cross-entropy of each row, summed over the batch; padded steps are masked out.
    private static (Tensor, long) Loss(TriggerWordModule module, (List<float[]> Features, List<float[]> Labels) rows, int[] batch, TriggerWordShape shape, Device device)
    {
        var (input, _) = FeatureBatch.Create(rows.Features, batch, shape.FeatureCount, device);
        var logits = module.call(input);
        long steps = logits.shape[1];
        var targets = new float[batch.Length * steps];
        var mask = new float[batch.Length * steps];
        for (int b = 0; b < batch.Length; b++)
        {
            var labels = rows.Labels[batch[b]];
            labels.CopyTo(targets, b * steps);
            Array.Fill(mask, 1f / labels.Length, (int)(b * steps), labels.Length);
        }
        var target = tensor(targets, [batch.Length, steps]).to(device);
        var weights = tensor(mask, [batch.Length, steps]).to(device);
        var losses = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None);
        return ((losses * weights).sum(), batch.Length);
    }
}
