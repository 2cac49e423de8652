using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Speech;
using MLNet.Sequence.Torch.TriggerWords;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(TriggerWordTransformer), null, typeof(SignatureLoadModel), TriggerWordTransformer.UserName, TriggerWordTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(TriggerWordTransformer), null, typeof(SignatureLoadRowMapper), TriggerWordTransformer.UserName, TriggerWordTransformer.LoaderSignature)]

namespace MLNet.Sequence.Torch.TriggerWords;

/// <summary>
/// A trained trigger-word detector. From a features column it writes the keyword's probability at every output step
/// (a vector of Single), the detections' times in seconds and their peak probabilities (vectors), after the threshold
/// and refractory period it was trained with (<see cref="WithDetection"/> changes them). Saved in the ML.NET model zip
/// with its feature statistics, detection settings and TorchSharp weights.
/// </summary>
public sealed class TriggerWordTransformer : SequenceModelTransformerBase
{
    internal const string UserName = "Trigger Word Detector";
    internal const string LoaderSignature = "MLSeqTriggerWord";
    private const string RegistrationName = nameof(TriggerWordTransformer);
    private const uint VersionFirst = 0x00010001;
    private const int BatchSize = 16;

    /// <summary>What the detector saves besides its weights.</summary>
    internal sealed record Settings(TriggerWordShape Shape, FeatureNormalizer Normalizer, double StepSeconds, float Threshold, double RefractorySeconds,
        string FeaturesColumnName, string ProbabilitiesColumnName, string DetectionsColumnName)
    {
        public void Write(BinaryWriter w)
        {
            Shape.Write(w);
            Normalizer.Write(w);
            w.Write(StepSeconds);
            w.Write(Threshold);
            w.Write(RefractorySeconds);
            w.WriteStrings([FeaturesColumnName, ProbabilitiesColumnName, DetectionsColumnName]);
        }

        public static Settings Read(IExceptionContext ectx, BinaryReader r)
        {
            var shape = TriggerWordShape.Read(ectx, r);
            var normalizer = FeatureNormalizer.Read(ectx, r, shape.FeatureCount);
            double step = r.ReadDouble();
            float threshold = r.ReadSingle();
            double refractory = r.ReadDouble();
            ectx.CheckDecode(step > 0 && double.IsFinite(step) && threshold > 0 && threshold < 1 && refractory >= 0 && double.IsFinite(refractory),
                "Bad detection settings in the trigger-word model.");
            var columns = r.ReadStrings("column names");
            ectx.CheckDecode(columns.Length == 3, "The trigger-word model names the wrong number of columns.");
            return new Settings(shape, normalizer, step, threshold, refractory, columns[0], columns[1], columns[2]);
        }
    }

    private readonly Settings _settings;

    internal TriggerWordTransformer(IHostEnvironment env, Settings settings, TriggerWordModule module, Device device, TrainingHistory? history,
        TriggerWordEvaluation? validation = null)
        : base(Contracts.CheckRef(env, nameof(env)).Register(RegistrationName), module, device)
    {
        _settings = settings;
        History = history;
        Validation = validation;
    }

    /// <summary>Loss per epoch; null for a loaded model.</summary>
    public TrainingHistory? History { get; }

    /// <summary>
    /// The wake-word benchmark's figures on the validation set, from the trainer (<see cref="Evaluate"/> of it); null
    /// without a validation set that holds both keyword clips and keyword-free ones, and for a loaded model.
    /// </summary>
    public TriggerWordEvaluation? Validation { get; }

    /// <summary>Seconds of audio per output step.</summary>
    public double StepSeconds => _settings.StepSeconds;

    /// <summary>The probability at or above which a step counts as the keyword.</summary>
    public float Threshold => _settings.Threshold;

    /// <summary>Seconds after a detection during which no other fires.</summary>
    public double RefractorySeconds => _settings.RefractorySeconds;

    internal TriggerWordModule Network => (TriggerWordModule)Module;

    internal Settings Saved => _settings;

    /// <summary>The same model detecting with another threshold or refractory period.</summary>
    public TriggerWordTransformer WithDetection(float threshold, double refractorySeconds)
    {
        Host.CheckUserArg(threshold > 0 && threshold < 1, nameof(threshold), "Must be a probability strictly between 0 and 1.");
        Host.CheckUserArg(refractorySeconds >= 0 && double.IsFinite(refractorySeconds), nameof(refractorySeconds), "Must be 0 or more seconds.");
        return new TriggerWordTransformer(Host, _settings with { Threshold = threshold, RefractorySeconds = refractorySeconds }, (TriggerWordModule)Module, Device, History, Validation);
    }

    /// <summary>
    /// The wake-word benchmark's figures on labelled clips: features and per-step labels as for training. Clips with
    /// labelled steps say the keyword (a run of labels starts just after each keyword's end); clips whose labels are
    /// all 0 are the keyword-free audio false alarms are counted on (<see cref="TriggerWordEvaluation.FromLabels"/>).
    /// </summary>
    /// <param name="data">Rows with the features column this detector reads and a labels column.</param>
    /// <param name="labelColumnName">The labels: a vector of Single, one value per output step.</param>
    public TriggerWordEvaluation Evaluate(IDataView data, string labelColumnName = "Labels")
    {
        Host.CheckValue(data, nameof(data));
        Host.CheckNonEmpty(labelColumnName, nameof(labelColumnName));
        var (features, labels) = TriggerWordRows.Read(Host, data, _settings.FeaturesColumnName, labelColumnName, _settings.Shape, "evaluation");
        var probabilities = Probabilities(features);
        try
        {
            return TriggerWordEvaluation.FromLabels(probabilities, labels, StepSeconds, RefractorySeconds);
        }
        catch (ArgumentException e)
        {
            throw Host.Except(e, $"Column '{labelColumnName}': {e.Message}");
        }
    }

    /// <summary>The keyword's probability at every output step of each row of features.</summary>
    public IReadOnlyList<float[]> Probabilities(IReadOnlyList<float[]> features)
    {
        Host.CheckValue(features, nameof(features));
        return Forward(features.Select((f, i) => Prepare(f, i)).ToArray());
    }

    private float[] Prepare(float[] features, long row)
    {
        var dense = SpeechRows.Check(Host, new VBuffer<float>(features.Length, features), _settings.Shape.FeatureCount, _settings.FeaturesColumnName, row, "input");
        long frames = dense.Length / _settings.Shape.FeatureCount;
        if (_settings.Shape.OutputSteps(frames) == 0)
            throw Host.Except($"Column '{_settings.FeaturesColumnName}', input row {row}: {frames} frames are fewer than the convolution's kernel of {_settings.Shape.KernelSize}; the clip is too short.");
        _settings.Normalizer.Apply(dense);
        return dense;
    }

    private float[][] Forward(IReadOnlyList<float[]> rows)
    {
        var module = (TriggerWordModule)Module;
        int features = _settings.Shape.FeatureCount;
        var result = new float[rows.Count][];
        bool training = module.training;
        module.eval();
        using (no_grad())
        {
            foreach (var batch in LengthBatches.ForEvaluation(rows.Select(r => r.Length / features).ToList(), BatchSize))
            {
                using var scope = NewDisposeScope();
                var (input, _) = FeatureBatch.Create(rows, batch, features, Device);
                var probabilities = module.call(input).sigmoid().cpu();
                for (int b = 0; b < batch.Length; b++)
                {
                    long steps = _settings.Shape.OutputSteps(rows[batch[b]].Length / features);
                    result[batch[b]] = probabilities[b].narrow(0, 0, steps).contiguous().data<float>().ToArray();
                }
            }
        }
        if (training)
            module.train();
        return result;
    }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQTRIG",
        verWrittenCur: VersionFirst,
        verReadableCur: VersionFirst,
        verWeCanReadBack: VersionFirst,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(TriggerWordTransformer).Assembly.FullName);

    private static TriggerWordTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, RegistrationName, GetVersionInfo(), "the trigger-word model", host =>
        {
            var settings = Settings.Read(host, ctx.Reader);
            var module = new TriggerWordModule(settings.Shape);
            LoadWeights(ctx, module);
            return new TriggerWordTransformer(host, settings, module, CPU, null);
        });

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();

    private protected override void SaveState(BinaryWriter writer) => _settings.Write(writer);

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>The output columns (shared with the trainer's schema propagation).</summary>
    internal static IEnumerable<SchemaShape.Column> OutputShape(string probabilities, string detections)
    {
        var single = NumberDataViewType.Single;
        yield return new SchemaShape.Column(probabilities, SchemaShape.Column.VectorKind.VariableVector, single, false);
        yield return new SchemaShape.Column(detections, SchemaShape.Column.VectorKind.VariableVector, single, false);
        yield return new SchemaShape.Column(detections + "Peaks", SchemaShape.Column.VectorKind.VariableVector, single, false);
    }

    private sealed record Scores(float[] Probabilities, List<TriggerWordDetection> Detections);

    private sealed class Mapper : ScoringMapper<float[], Scores>
    {
        private readonly TriggerWordTransformer _parent;
        private readonly DataViewSchema.Column _features;

        public Mapper(TriggerWordTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            _features = SpeechRows.FeaturesColumn(Host, inputSchema, parent._settings.FeaturesColumnName);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            OutputShape(_parent._settings.ProbabilitiesColumnName, _parent._settings.DetectionsColumnName)
                .Select(c => new DataViewSchema.DetachedColumn(c.Name, new VectorDataViewType(NumberDataViewType.Single)))
                .ToArray();

        public override IReadOnlyList<DataViewSchema.Column> InputColumns => [_features];

        public override Func<float[]> MakeInputGetter(DataViewRow row) => SpeechRows.DenseGetter(row, _features);

        public override bool CanBatch(float[] input)
        {
            var shape = _parent._settings.Shape;
            return input.Length > 0 && input.Length % shape.FeatureCount == 0 && shape.OutputSteps(input.Length / shape.FeatureCount) > 0
                && ModelStateIO.IndexOfNonFinite(input) < 0;
        }

        public override Scores[] ScoreBatch(IReadOnlyList<float[]> inputs) =>
            _parent.Forward(inputs.Select(r => _parent.Prepare(r, 0)).ToArray()).Select(Detect).ToArray();

        public override Scores ScoreOne(long position, float[] input) =>
            Detect(_parent.Forward([_parent.Prepare(input, position)])[0]);

        private Scores Detect(float[] probabilities)
        {
            var s = _parent._settings;
            return new Scores(probabilities, TriggerWordEvents.Find(probabilities, s.StepSeconds, s.Threshold, s.RefractorySeconds));
        }

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeOutputGetter(int iinfo, Func<Scores> result) => iinfo switch
        {
            0 => VectorGetters.Floats(() => result().Probabilities),
            1 => VectorGetters.Floats(() => result().Detections.Select(d => (float)d.Time).ToArray()),
            _ => VectorGetters.Floats(() => result().Detections.Select(d => d.Peak).ToArray()),
        };
    }
}
