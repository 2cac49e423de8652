using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Metrics;

[assembly: LoadableClass(typeof(NgramLanguageModelTransformer), null, typeof(SignatureLoadModel), NgramLanguageModelTransformer.UserName, NgramLanguageModelTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(NgramLanguageModelTransformer), null, typeof(SignatureLoadRowMapper), NgramLanguageModelTransformer.UserName, NgramLanguageModelTransformer.LoaderSignature)]

namespace MLNet.Sequence.Audio;

/// <summary>What the tokens of an <see cref="NgramLanguageModelEstimator"/> are.</summary>
public enum NgramUnits
{
    /// <summary>The words of the normalised text (<see cref="TranscriptNormalizer.Words"/>): the model a CTC decoder fuses.</summary>
    Words = 0,

    /// <summary>Its characters, the space between words written as <see cref="NgramLanguageModelTransformer.SpaceToken"/>.</summary>
    Characters = 1,
}

/// <summary>
/// Estimates a modified Kneser-Ney n-gram model (<see cref="ArpaModelBuilder"/>) from a text column, the job KenLM's
/// lmplz does outside .NET. The transformer it fits scores each row's text (ln P from &lt;s&gt; to &lt;/s&gt;) and
/// hands its model to decoding (<see cref="NgramLanguageModelTransformer.Model"/>, <see cref="CtcDecoderOptions.LanguageModel"/>)
/// or to an ARPA file (<see cref="NgramLanguageModelTransformer.SaveArpa"/>). Create it with
/// <see cref="AudioCatalog.NgramLanguageModel(TransformsCatalog, string, string?, int, NgramUnits)"/>.
/// </summary>
public sealed class NgramLanguageModelEstimator : IEstimator<NgramLanguageModelTransformer>
{
    private readonly IHost _host;
    private readonly NgramLanguageModelTransformer.Options _options;

    internal NgramLanguageModelEstimator(IHostEnvironment env, NgramLanguageModelTransformer.Options options)
    {
        _host = Contracts.CheckRef(env, nameof(env)).Register(nameof(NgramLanguageModelEstimator));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.InputColumnName, nameof(options.InputColumnName));
        _host.CheckNonWhiteSpace(options.OutputColumnName, nameof(options.OutputColumnName));
        _host.CheckUserArg(options.Order is >= 1 and <= ArpaLanguageModel.MaxOrder, nameof(options.Order), $"Must be between 1 and {ArpaLanguageModel.MaxOrder}.");
        _host.CheckUserArg(Enum.IsDefined(options.Units), nameof(options.Units), "Must be Words or Characters.");
        _options = options;
    }

    /// <summary>Counts the n-grams of every row's text and estimates the model.</summary>
    public NgramLanguageModelTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        var column = CheckText(input.Schema);
        var sentences = new List<string[]>();
        using (var cursor = input.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                getter(ref text);
                var tokens = NgramLanguageModelTransformer.Tokens(text.ToString(), _options.Units);
                if (tokens.Length > 0)
                    sentences.Add(tokens);
            }
        }
        if (sentences.Count == 0)
            throw _host.Except($"Column '{_options.InputColumnName}' has no row with a word in it after normalisation (lower case, no punctuation).");
        var model = ArpaModelBuilder.Build(sentences, _options.Order);
        return new NgramLanguageModelTransformer(_host, _options, model);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        if (!inputSchema.TryFindColumn(_options.InputColumnName, out var col))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "input", _options.InputColumnName);
        if (col.Kind != SchemaShape.Column.VectorKind.Scalar || col.ItemType is not TextDataViewType)
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "input", _options.InputColumnName, "Text", col.GetTypeString());
        var result = inputSchema.ToDictionary(c => c.Name);
        result[_options.OutputColumnName] = new SchemaShape.Column(_options.OutputColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        return new SchemaShape(result.Values);
    }

    private DataViewSchema.Column CheckText(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(_options.InputColumnName) ?? throw _host.ExceptSchemaMismatch(nameof(schema), "input", _options.InputColumnName);
        if (column.Type is not TextDataViewType)
            throw _host.ExceptSchemaMismatch(nameof(schema), "input", _options.InputColumnName, "Text", column.Type.ToString());
        return column;
    }
}

/// <summary>
/// An n-gram language model fitted by <see cref="NgramLanguageModelEstimator"/>: writes the natural-log probability
/// of each row's text (Single) and keeps the model, which the model zip stores as ARPA text.
/// </summary>
public sealed class NgramLanguageModelTransformer : RowToRowTransformerBase
{
    internal const string UserName = "N-gram Language Model";
    internal const string LoaderSignature = "MLSeqNgramLM";

    /// <summary>The token that stands for the space between words in a character model.</summary>
    public const string SpaceToken = "<sp>";

    /// <summary>Settings of <see cref="NgramLanguageModelEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The Text column of sentences (or transcripts); it is normalised as WER normalises it.</summary>
        public string InputColumnName = "Text";

        /// <summary>The Single column of ln P(text).</summary>
        public string OutputColumnName = "LogProbability";

        /// <summary>The n-gram order, 1 to 6.</summary>
        public int Order = 3;

        /// <summary>Words (for a decoder's shallow fusion) or characters.</summary>
        public NgramUnits Units = NgramUnits.Words;
    }

    private readonly Options _options;

    internal NgramLanguageModelTransformer(IHost host, Options options, ArpaLanguageModel model)
        : base(host)
    {
        _options = new Options { InputColumnName = options.InputColumnName, OutputColumnName = options.OutputColumnName, Order = options.Order, Units = options.Units };
        Model = model;
    }

    private NgramLanguageModelTransformer(IHost host, ModelLoadContext ctx)
        : base(host)
    {
        // string: input; string: output; int: order; int: units; string: ARPA text.
        _options = new Options
        {
            InputColumnName = ctx.Reader.ReadString(),
            OutputColumnName = ctx.Reader.ReadString(),
            Order = ctx.Reader.ReadInt32(),
            Units = (NgramUnits)ctx.Reader.ReadInt32(),
        };
        Host.CheckDecode(Enum.IsDefined(_options.Units), "Bad n-gram units.");
        Model = ArpaLanguageModel.Read(new StringReader(ctx.Reader.ReadString()), "the model zip's language model");
        Host.CheckDecode(Model.Order == _options.Order, "The language model's order differs from its settings.");
    }

    /// <summary>The estimated model, ready for <see cref="CtcDecoderOptions.LanguageModel"/>.</summary>
    public ArpaLanguageModel Model { get; }

    /// <summary>The token kind the model counts.</summary>
    public NgramUnits Units => _options.Units;

    /// <summary>Writes the model as an ARPA file, which KenLM and <see cref="ArpaLanguageModel.Load"/> read.</summary>
    public void SaveArpa(string path)
    {
        Host.CheckNonWhiteSpace(path, nameof(path));
        using var writer = new StreamWriter(path) { NewLine = "\n" };
        Model.Write(writer);
    }

    /// <summary>The tokens of <paramref name="text"/> as the model counts them.</summary>
    internal static string[] Tokens(string text, NgramUnits units)
    {
        var words = TranscriptNormalizer.Words(text);
        if (units == NgramUnits.Words || words.Length == 0)
            return words;
        return string.Join(' ', words).EnumerateRunes().Select(r => r.Value == ' ' ? SpaceToken : r.ToString()).ToArray();
    }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQNGLM",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(NgramLanguageModelTransformer).Assembly.FullName);

    private static NgramLanguageModelTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        LoaderChecks.Load(env, ctx, nameof(NgramLanguageModelTransformer), GetVersionInfo(), "the n-gram language model", host => new NgramLanguageModelTransformer(host, ctx));

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
        ctx.Writer.Write(_options.Order);
        ctx.Writer.Write((int)_options.Units);
        var arpa = new StringWriter { NewLine = "\n" };
        Model.Write(arpa);
        ctx.Writer.Write(arpa.ToString());
    }

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : MapperBase
    {
        private readonly NgramLanguageModelTransformer _parent;
        private readonly DataViewSchema.Column _input;

        public Mapper(NgramLanguageModelTransformer parent, DataViewSchema schema)
            : base(parent.Host.Register(nameof(Mapper)), schema, parent)
        {
            _parent = parent;
            string name = parent._options.InputColumnName;
            _input = schema.GetColumnOrNull(name) ?? throw Host.ExceptSchemaMismatch(nameof(schema), "input", name);
            if (_input.Type is not TextDataViewType)
                throw Host.ExceptSchemaMismatch(nameof(schema), "input", name, "Text", _input.Type.ToString());
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            [new(_parent._options.OutputColumnName, NumberDataViewType.Single)];

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput) =>
            col => activeOutput(0) && col == _input.Index;

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var text = input.GetGetter<ReadOnlyMemory<char>>(_input);
            ReadOnlyMemory<char> value = default;
            return (ValueGetter<float>)((ref float dst) =>
            {
                text(ref value);
                dst = (float)_parent.Model.SentenceLogProbability(Tokens(value.ToString(), _parent._options.Units));
            });
        }
    }
}
