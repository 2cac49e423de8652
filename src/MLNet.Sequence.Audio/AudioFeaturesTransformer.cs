using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Internal;

[assembly: LoadableClass(typeof(AudioFeaturesTransformer), null, typeof(SignatureLoadModel), AudioFeaturesTransformer.UserName, AudioFeaturesTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(AudioFeaturesTransformer), null, typeof(SignatureLoadRowMapper), AudioFeaturesTransformer.UserName, AudioFeaturesTransformer.LoaderSignature)]

namespace MLNet.Sequence.Audio;

/// <summary>
/// Computes a spectrogram, a (log-)mel spectrogram or MFCCs of a samples column, as torchaudio 0.13 computes them.
/// Writes the features (a variable-length Single vector of frames x features, frame-major) and the frame count
/// (Int32). Samples at another rate than <see cref="AudioFeaturesTransformer.Options.SampleRate"/>, as a sample-rate
/// column says, are resampled first. Create it with the catalog methods of <see cref="AudioCatalog"/>.
/// </summary>
public sealed class AudioFeaturesEstimator : TrivialEstimator<AudioFeaturesTransformer>
{
    internal AudioFeaturesEstimator(IHostEnvironment env, AudioFeaturesTransformer.Options options)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(AudioFeaturesEstimator)), new AudioFeaturesTransformer(env, options))
    {
    }

    /// <inheritdoc/>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        Host.CheckValue(inputSchema, nameof(inputSchema));
        var options = Transformer.Settings;
        if (!inputSchema.TryFindColumn(options.InputColumnName, out var col))
            throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", options.InputColumnName);
        if (col.Kind == SchemaShape.Column.VectorKind.Scalar || col.ItemType != NumberDataViewType.Single)
            throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", options.InputColumnName, "vector of Single", col.GetTypeString());
        if (options.SampleRateColumnName != null)
        {
            if (!inputSchema.TryFindColumn(options.SampleRateColumnName, out var rate))
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "sample rate", options.SampleRateColumnName);
            if (rate.Kind != SchemaShape.Column.VectorKind.Scalar || rate.ItemType != NumberDataViewType.Int32)
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "sample rate", options.SampleRateColumnName, "Int32", rate.GetTypeString());
        }
        var result = inputSchema.ToDictionary(c => c.Name);
        result[options.OutputColumnName] = new SchemaShape.Column(options.OutputColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false);
        result[options.FrameCountColumnName!] = new SchemaShape.Column(options.FrameCountColumnName!, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Int32, false);
        return new SchemaShape(result.Values);
    }
}

/// <summary>Audio features of a samples column; see <see cref="AudioFeaturesEstimator"/>. Saved in the model zip with its settings.</summary>
public sealed class AudioFeaturesTransformer : RowToRowTransformerBase
{
    internal const string UserName = "Audio Features Transformer";
    internal const string LoaderSignature = "MLSeqAudioFeatures";

    /// <summary>Settings of <see cref="AudioFeaturesEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The samples column (a vector of Single, one channel).</summary>
        public string InputColumnName = "Samples";

        /// <summary>
        /// An Int32 column with each row's sample rate (what LoadAudio writes); rows at another rate than
        /// <see cref="SampleRate"/> are resampled. Null means every row is at <see cref="SampleRate"/>.
        /// </summary>
        public string? SampleRateColumnName;

        /// <summary>The sample rate the features are computed at, in Hz.</summary>
        public int SampleRate = 16000;

        /// <summary>The features column.</summary>
        public string OutputColumnName = "Features";

        /// <summary>The Int32 frame-count column; null or empty means <see cref="OutputColumnName"/> + "Frames".</summary>
        public string? FrameCountColumnName;

        /// <summary>What to compute, and how.</summary>
        public AudioFeatureSettings Features = new();
    }

    private readonly Options _options;
    private readonly AudioFeaturizer _featurizer;

    internal AudioFeaturesTransformer(IHostEnvironment env, Options options)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(AudioFeaturesTransformer)))
    {
        Host.CheckValue(options, nameof(options));
        Host.CheckNonWhiteSpace(options.InputColumnName, nameof(options.InputColumnName));
        Host.CheckNonWhiteSpace(options.OutputColumnName, nameof(options.OutputColumnName));
        Host.CheckUserArg(options.Features != null, nameof(options.Features), "Must not be null.");
        Host.CheckUserArg(options.SampleRate is > 0 and <= 1_000_000, nameof(options.SampleRate), "Must be a rate in Hz between 1 and 1,000,000.");
        _options = Copy(options);
        Host.CheckUserArg(_options.FrameCountColumnName != _options.OutputColumnName, nameof(options.FrameCountColumnName), "Must differ from the features column.");
        try
        {
            _featurizer = new AudioFeaturizer(_options.Features, _options.SampleRate);
        }
        catch (ArgumentException e)
        {
            throw Host.ExceptUserArg(nameof(options.Features), $"{e.ParamName}: {e.PlainMessage()}");
        }
    }

    private AudioFeaturesTransformer(IHost host, ModelLoadContext ctx)
        : base(host)
    {
        // strings: input, sample-rate column ("" for none), output, frame count; int: rate; the feature settings.
        string rateColumn;
        _options = new Options
        {
            InputColumnName = ctx.Reader.ReadString(),
            SampleRateColumnName = (rateColumn = ctx.Reader.ReadString()).Length == 0 ? null : rateColumn,
            OutputColumnName = ctx.Reader.ReadString(),
            FrameCountColumnName = ctx.Reader.ReadString(),
            SampleRate = ctx.Reader.ReadInt32(),
        };
        Host.CheckDecode(_options.SampleRate is > 0 and <= 1_000_000, "Bad sample rate.");
        (_options.Features, _featurizer) = ctx.Reader.ReadFeaturizer(_options.SampleRate);
    }

    /// <summary>A copy of the settings.</summary>
    public Options Settings => Copy(_options);

    /// <summary>Values per frame in the features column.</summary>
    public int FeatureCount => _featurizer.FeatureCount;

    /// <summary>The featurizer the transformer applies, for computing the same features outside a pipeline.</summary>
    public AudioFeaturizer Featurizer => _featurizer;

    private static Options Copy(Options o) => new()
    {
        InputColumnName = o.InputColumnName,
        SampleRateColumnName = string.IsNullOrWhiteSpace(o.SampleRateColumnName) ? null : o.SampleRateColumnName,
        SampleRate = o.SampleRate,
        OutputColumnName = o.OutputColumnName,
        FrameCountColumnName = string.IsNullOrWhiteSpace(o.FrameCountColumnName) ? o.OutputColumnName + "Frames" : o.FrameCountColumnName,
        Features = o.Features?.Clone()!,
    };

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQAUFT",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(AudioFeaturesTransformer).Assembly.FullName);

    private static AudioFeaturesTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        LoaderChecks.Load(env, ctx, nameof(AudioFeaturesTransformer), GetVersionInfo(), "the audio features transformer", host => new AudioFeaturesTransformer(host, ctx));

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    /// <inheritdoc/>
    public override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(_options.InputColumnName);
        ctx.Writer.Write(_options.SampleRateColumnName ?? "");
        ctx.Writer.Write(_options.OutputColumnName);
        ctx.Writer.Write(_options.FrameCountColumnName!);
        ctx.Writer.Write(_options.SampleRate);
        ctx.Writer.Write(_options.Features);
    }

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private float[] Compute(float[] samples, int sampleRate, string where)
    {
        try
        {
            if (sampleRate != _options.SampleRate)
            {
                if (sampleRate <= 0)
                    throw new ArgumentException($"the sample rate is {sampleRate}");
                samples = Resamplers.Get(sampleRate, _options.SampleRate).Resample(samples);
            }
            int bad = ModelStateIO.IndexOfNonFinite(samples);
            if (bad >= 0)
                throw new ArgumentException($"sample {bad:N0} is {samples[bad]}; audio features need finite samples");
            return _featurizer.Compute(samples);
        }
        catch (ArgumentException e)
        {
            throw Host.Except(e, $"{where}: {e.PlainMessage()}");
        }
    }

    private sealed class Mapper : MapperBase
    {
        private readonly AudioFeaturesTransformer _parent;
        private readonly DataViewSchema.Column _input;
        private readonly DataViewSchema.Column? _rate;
        private readonly ConditionalWeakTable<DataViewRow, RowFeatures> _rows = new();

        public Mapper(AudioFeaturesTransformer parent, DataViewSchema schema)
            : base(parent.Host.Register(nameof(Mapper)), schema, parent)
        {
            _parent = parent;
            var o = parent._options;
            _input = schema.GetColumnOrNull(o.InputColumnName) ?? throw Host.ExceptSchemaMismatch(nameof(schema), "input", o.InputColumnName);
            if (_input.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Single)
                throw Host.ExceptSchemaMismatch(nameof(schema), "input", o.InputColumnName, "vector of Single", _input.Type.ToString());
            if (o.SampleRateColumnName != null)
            {
                _rate = schema.GetColumnOrNull(o.SampleRateColumnName) ?? throw Host.ExceptSchemaMismatch(nameof(schema), "sample rate", o.SampleRateColumnName);
                if (_rate.Value.Type != NumberDataViewType.Int32)
                    throw Host.ExceptSchemaMismatch(nameof(schema), "sample rate", o.SampleRateColumnName, "Int32", _rate.Value.Type.ToString());
            }
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
        [
            new(_parent._options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single)),
            new(_parent._options.FrameCountColumnName!, NumberDataViewType.Int32),
        ];

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool any = activeOutput(0) || activeOutput(1);
            return col => any && (col == _input.Index || col == _rate?.Index);
        }

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var row = _rows.GetValue(input, r => new RowFeatures(this, r));
            if (iinfo == 0)
            {
                return VectorGetters.Floats(row.Current);
            }
            int count = _parent.FeatureCount;
            return (ValueGetter<int>)((ref int dst) => dst = row.Current().Length / count);
        }

        /// <summary>The features of a row's current position, computed once for both output columns.</summary>
        private sealed class RowFeatures
        {
            private readonly Mapper _mapper;
            private readonly DataViewRow _row;
            private readonly ValueGetter<VBuffer<float>> _samples;
            private readonly ValueGetter<int>? _rate;
            private long _position = long.MinValue;
            private float[] _value = [];
            private VBuffer<float> _buffer;

            public RowFeatures(Mapper mapper, DataViewRow row)
            {
                _mapper = mapper;
                _row = row;
                _samples = row.GetGetter<VBuffer<float>>(mapper._input);
                if (mapper._rate != null)
                    _rate = row.GetGetter<int>(mapper._rate.Value);
            }

            public float[] Current()
            {
                if (_position == _row.Position)
                    return _value;
                _samples(ref _buffer);
                var dense = new float[_buffer.Length];
                _buffer.CopyTo(dense);
                int rate = _mapper._parent._options.SampleRate;
                _rate?.Invoke(ref rate);
                _value = _mapper._parent.Compute(dense, rate, $"Column '{_mapper._input.Name}', row {_row.Position}");
                _position = _row.Position;
                return _value;
            }
        }
    }
}
