using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Internal;

[assembly: LoadableClass(typeof(LoadAudioTransformer), null, typeof(SignatureLoadModel), LoadAudioTransformer.UserName, LoadAudioTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(LoadAudioTransformer), null, typeof(SignatureLoadRowMapper), LoadAudioTransformer.UserName, LoadAudioTransformer.LoaderSignature)]

namespace MLNet.Sequence.Audio;

/// <summary>
/// Reads WAV audio named by a text column (a path, relative to <see cref="LoadAudioTransformer.Options.AudioFolder"/> when given) or
/// held in a byte-vector column, mixes it to one channel and, when <see cref="LoadAudioTransformer.Options.SampleRate"/> is set,
/// resamples it. Writes the samples (a variable-length Single vector) and their sample rate (Int32).
/// Create it with <see cref="AudioCatalog.LoadAudio(TransformsCatalog, string, string?, string?, int)"/>.
/// </summary>
public sealed class LoadAudioEstimator : TrivialEstimator<LoadAudioTransformer>
{
    internal LoadAudioEstimator(IHostEnvironment env, LoadAudioTransformer.Options options)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(LoadAudioEstimator)), new LoadAudioTransformer(env, options))
    {
    }

    /// <inheritdoc/>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        Host.CheckValue(inputSchema, nameof(inputSchema));
        var options = Transformer.Settings;
        if (!inputSchema.TryFindColumn(options.InputColumnName, out var col))
            throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", options.InputColumnName);
        bool isPath = col.Kind == SchemaShape.Column.VectorKind.Scalar && col.ItemType is TextDataViewType;
        bool isBytes = col.Kind != SchemaShape.Column.VectorKind.Scalar && col.ItemType == NumberDataViewType.Byte;
        if (!isPath && !isBytes)
            throw Host.ExceptSchemaMismatch(nameof(inputSchema), "input", options.InputColumnName, "Text (a path) or a vector of Byte", col.GetTypeString());
        var result = inputSchema.ToDictionary(c => c.Name);
        result[options.OutputColumnName] = new SchemaShape.Column(options.OutputColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false);
        result[options.SampleRateColumnName!] = new SchemaShape.Column(options.SampleRateColumnName!, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Int32, false);
        return new SchemaShape(result.Values);
    }
}

/// <summary>Reads WAV audio into samples and a sample rate; see <see cref="LoadAudioEstimator"/>. Holds no learned state.</summary>
public sealed class LoadAudioTransformer : RowToRowTransformerBase
{
    internal const string UserName = "Load Audio Transformer";
    internal const string LoaderSignature = "MLSeqLoadAudio";

    /// <summary>Settings of <see cref="LoadAudioEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>A Text column of WAV paths, or a vector-of-Byte column of WAV file contents.</summary>
        public string InputColumnName = "Path";

        /// <summary>The samples column: one channel, scaled to [-1, 1).</summary>
        public string OutputColumnName = "Samples";

        /// <summary>The Int32 sample-rate column; null or empty means <see cref="OutputColumnName"/> + "SampleRate".</summary>
        public string? SampleRateColumnName;

        /// <summary>The folder relative paths are read from; null means the current directory.</summary>
        public string? AudioFolder;

        /// <summary>Resample every file to this rate in Hz (torchaudio's windowed sinc); 0 keeps each file's own.</summary>
        public int SampleRate;
    }

    private readonly Options _options;

    internal LoadAudioTransformer(IHostEnvironment env, Options options)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(LoadAudioTransformer)))
    {
        Host.CheckValue(options, nameof(options));
        Host.CheckNonWhiteSpace(options.InputColumnName, nameof(options.InputColumnName));
        Host.CheckNonWhiteSpace(options.OutputColumnName, nameof(options.OutputColumnName));
        Host.CheckUserArg(options.SampleRate is >= 0 and <= 1_000_000, nameof(options.SampleRate), "Must be 0 (keep each file's rate) or a rate in Hz up to 1,000,000.");
        _options = new Options
        {
            InputColumnName = options.InputColumnName,
            OutputColumnName = options.OutputColumnName,
            SampleRateColumnName = string.IsNullOrWhiteSpace(options.SampleRateColumnName) ? options.OutputColumnName + "SampleRate" : options.SampleRateColumnName,
            AudioFolder = options.AudioFolder,
            SampleRate = options.SampleRate,
        };
        Host.CheckUserArg(_options.SampleRateColumnName != _options.OutputColumnName, nameof(options.SampleRateColumnName), "Must differ from the samples column.");
    }

    private LoadAudioTransformer(IHost host, ModelLoadContext ctx)
        : base(host)
    {
        // string: input; string: output; string: sample-rate column; string: folder ("" for none); int: rate.
        string folder;
        _options = new Options
        {
            InputColumnName = ctx.Reader.ReadString(),
            OutputColumnName = ctx.Reader.ReadString(),
            SampleRateColumnName = ctx.Reader.ReadString(),
            AudioFolder = (folder = ctx.Reader.ReadString()).Length == 0 ? null : folder,
            SampleRate = ctx.Reader.ReadInt32(),
        };
        Host.CheckDecode(_options.SampleRate is >= 0 and <= 1_000_000, "Bad sample rate.");
    }

    /// <summary>A copy of the settings.</summary>
    public Options Settings => new()
    {
        InputColumnName = _options.InputColumnName,
        OutputColumnName = _options.OutputColumnName,
        SampleRateColumnName = _options.SampleRateColumnName,
        AudioFolder = _options.AudioFolder,
        SampleRate = _options.SampleRate,
    };

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQLDAU",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(LoadAudioTransformer).Assembly.FullName);

    private static LoadAudioTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        LoaderChecks.Load(env, ctx, nameof(LoadAudioTransformer), GetVersionInfo(), "the audio loader", host => new LoadAudioTransformer(host, ctx));

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    /// <inheritdoc/>
    public override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.Writer.Write(_options.InputColumnName);
        ctx.Writer.Write(_options.OutputColumnName);
        ctx.Writer.Write(_options.SampleRateColumnName!);
        ctx.Writer.Write(_options.AudioFolder ?? "");
        ctx.Writer.Write(_options.SampleRate);
    }

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>Reads one WAV input; <paramref name="where"/> names its column and row in errors.</summary>
    private (float[] Samples, int SampleRate) Read(string? path, ReadOnlyMemory<byte> bytes, string where)
    {
        WavAudio audio;
        try
        {
            if (path != null)
            {
                if (path.Length == 0)
                    throw new InvalidDataException("the path is empty");
                audio = WavFile.Read(_options.AudioFolder == null ? path : Path.Combine(_options.AudioFolder, path));
            }
            else
            {
                audio = WavFile.Read(bytes, "the WAV bytes");
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw Host.Except(e, $"{where}: {e.Message}");
        }
        var samples = audio.Mono();
        if (_options.SampleRate == 0 || _options.SampleRate == audio.SampleRate)
            return (samples, audio.SampleRate);
        try
        {
            return (Resamplers.Get(audio.SampleRate, _options.SampleRate).Resample(samples), _options.SampleRate);
        }
        catch (ArgumentException e)
        {
            throw Host.Except(e, $"{where}: {e.PlainMessage()}");
        }
    }

    private sealed class Mapper : MapperBase
    {
        private readonly LoadAudioTransformer _parent;
        private readonly DataViewSchema.Column _input;
        private readonly bool _isPath;
        private readonly ConditionalWeakTable<DataViewRow, RowAudio> _rows = new();

        public Mapper(LoadAudioTransformer parent, DataViewSchema schema)
            : base(parent.Host.Register(nameof(Mapper)), schema, parent)
        {
            _parent = parent;
            string name = parent._options.InputColumnName;
            _input = schema.GetColumnOrNull(name) ?? throw Host.ExceptSchemaMismatch(nameof(schema), "input", name);
            _isPath = _input.Type is TextDataViewType;
            bool isBytes = _input.Type is VectorDataViewType vector && vector.ItemType == NumberDataViewType.Byte;
            if (!_isPath && !isBytes)
                throw Host.ExceptSchemaMismatch(nameof(schema), "input", name, "Text (a path) or a vector of Byte", _input.Type.ToString());
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
        [
            new(_parent._options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single)),
            new(_parent._options.SampleRateColumnName!, NumberDataViewType.Int32),
        ];

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool any = activeOutput(0) || activeOutput(1);
            return col => any && col == _input.Index;
        }

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var row = _rows.GetValue(input, r => new RowAudio(this, r));
            if (iinfo == 0)
            {
                return VectorGetters.Floats(() => row.Current().Samples);
            }
            return (ValueGetter<int>)((ref int dst) => dst = row.Current().SampleRate);
        }

        /// <summary>The audio of a row's current position, read once for both output columns.</summary>
        private sealed class RowAudio
        {
            private readonly Mapper _mapper;
            private readonly DataViewRow _row;
            private readonly ValueGetter<ReadOnlyMemory<char>>? _path;
            private readonly ValueGetter<VBuffer<byte>>? _bytes;
            private long _position = long.MinValue;
            private (float[] Samples, int SampleRate) _value;
            private ReadOnlyMemory<char> _pathValue;
            private VBuffer<byte> _bytesValue;

            public RowAudio(Mapper mapper, DataViewRow row)
            {
                _mapper = mapper;
                _row = row;
                if (mapper._isPath)
                    _path = row.GetGetter<ReadOnlyMemory<char>>(mapper._input);
                else
                    _bytes = row.GetGetter<VBuffer<byte>>(mapper._input);
            }

            public (float[] Samples, int SampleRate) Current()
            {
                if (_position == _row.Position)
                    return _value;
                string where = $"Column '{_mapper._input.Name}', row {_row.Position}";
                if (_path != null)
                {
                    _path(ref _pathValue);
                    _value = _mapper._parent.Read(_pathValue.ToString(), default, where);
                }
                else
                {
                    _bytes!(ref _bytesValue);
                    var dense = new byte[_bytesValue.Length];
                    _bytesValue.CopyTo(dense);
                    _value = _mapper._parent.Read(null, dense, where);
                }
                _position = _row.Position;
                return _value;
            }
        }
    }
}
