using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Text;
using MLNet.Sequence.Torch.Classification;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(SequenceClassifierTransformer), null, typeof(SignatureLoadModel),
    SequenceClassifierTransformer.UserName, SequenceClassifierTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(SequenceClassifierTransformer), null, typeof(SignatureLoadRowMapper),
    SequenceClassifierTransformer.UserName, SequenceClassifierTransformer.LoaderSignature)]

namespace MLNet.Sequence.Torch.Classification;

/// <summary>
/// A trained sequence classifier. Binary: adds Score (logit), Probability and PredictedLabel (Boolean).
/// Multiclass: adds Score (class probabilities, with slot names when the label had text key values) and
/// PredictedLabel (the label's key type, with its key values). Saved in the ML.NET model zip with its
/// vocabulary and TorchSharp weights.
/// </summary>
public sealed class SequenceClassifierTransformer : SequenceModelTransformerBase
{
    internal const string UserName = "Sequence Classifier";
    internal const string LoaderSignature = "MLSeqClassifierXf";
    private const string RegistrationName = nameof(SequenceClassifierTransformer);
    private const int BatchSize = 64;

    /// <summary>What the classifier saves besides its weights.</summary>
    internal sealed record Settings(TokenInput Input, NetworkShape Network, SequenceClassifierArchitecture Architecture, RecurrentPooling Pooling,
        ClassLabels Labels, string ScoreColumnName, string ProbabilityColumnName, string PredictedLabelColumnName)
    {
        public void Write(BinaryWriter w)
        {
            Input.Write(w);
            Network.Write(w);
            w.Write((int)Architecture);
            w.Write((int)Pooling);
            Labels.Write(w);
            w.WriteStrings(new[] { ScoreColumnName, ProbabilityColumnName, PredictedLabelColumnName });
        }

        public static Settings Read(IExceptionContext ectx, BinaryReader r, uint version)
        {
            if (version < VersionInputFirst)
                return ReadFirstLayout(ectx, r);
            var input = TokenInput.Read(ectx, r, "token vocabulary");
            var network = NetworkShape.Read(ectx, r);
            var architecture = (SequenceClassifierArchitecture)r.ReadInt32();
            var pooling = (RecurrentPooling)r.ReadInt32();
            ectx.CheckDecode(Enum.IsDefined(architecture) && Enum.IsDefined(pooling), "Unknown classifier architecture or pooling in the model.");
            var labels = ClassLabels.Read(r);
            var columns = r.ReadStrings("output columns");
            ectx.CheckDecode(columns.Length == 3, "The model names the wrong number of output columns.");
            return new Settings(input, network, architecture, pooling, labels, columns[0], columns[1], columns[2]);
        }

        /// <summary>The layout of the first version: column names first, then the network, the token settings and the vocabulary.</summary>
        private static Settings ReadFirstLayout(IExceptionContext ectx, BinaryReader r)
        {
            var feature = r.ReadString();
            var score = r.ReadString();
            var probability = r.ReadString();
            var predicted = r.ReadString();
            var architecture = (SequenceClassifierArchitecture)r.ReadInt32();
            var encoder = RecurrentEncoderOptions.Read(r);
            var pooling = (RecurrentPooling)r.ReadInt32();
            ectx.CheckDecode(Enum.IsDefined(architecture) && Enum.IsDefined(pooling), "Unknown classifier architecture or pooling in the model.");
            double dropout = r.ReadDouble();
            long dimension = r.ReadInt64();
            var reader = SequenceColumn.Read(ectx, r, withLengthBound: false);
            int maximumLength = r.ReadInt32();
            ectx.CheckDecode(maximumLength >= 0, "Bad maximum length in the model.");
            var index = TokenIndex.Read(r, "token vocabulary");
            var labels = ClassLabels.Read(r);
            return new Settings(new TokenInput(feature, reader.WithMaximumLength(maximumLength), index), NetworkShape.Checked(ectx, dimension, encoder, dropout),
                architecture, pooling, labels, score, probability, predicted);
        }
    }

    // 0x00010002: the token input and network shape saved by their owners, output columns last.
    private const uint VersionInputFirst = 0x00010002;

    private readonly Settings _settings;
    private readonly SequenceClassifierModule _module;

    internal SequenceClassifierTransformer(IHost host, Settings settings, SequenceClassifierModule module, Device device, TrainingHistory? history)
        : base(host, module, device)
    {
        _settings = settings;
        _module = module;
        TrainingHistory = history;
    }

    /// <summary>The tokens the model knows.</summary>
    public TokenIndex Tokens => _settings.Input.Tokens;

    /// <summary>What training did, epoch by epoch; null for a transformer loaded from a model file.</summary>
    public TrainingHistory? TrainingHistory { get; }

    /// <summary>Whether the model is binary (Boolean label) rather than multiclass.</summary>
    public bool IsBinary => Labels.IsBinary;

    /// <summary>Number of classes (2 for binary).</summary>
    public int ClassCount => Labels.ClassCount;

    /// <summary>The input column.</summary>
    public string FeatureColumnName => _settings.Input.ColumnName;

    internal ClassLabels Labels => _settings.Labels;

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQSCLS",
        verWrittenCur: VersionInputFirst,
        verReadableCur: VersionInputFirst,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(SequenceClassifierTransformer).Assembly.FullName);

    private static SequenceClassifierTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, RegistrationName, GetVersionInfo(), "the sequence classifier", host =>
        {
            var settings = Settings.Read(host, ctx.Reader, ctx.Header.ModelVerWritten);
            var module = new SequenceClassifierModule(settings.Network.NewEmbedding(settings.Input.Tokens.Count), settings);
            LoadWeights(ctx, module);
            return new SequenceClassifierTransformer(host, settings, module, CPU, null);
        });

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();

    private protected override void SaveState(BinaryWriter writer) => _settings.Write(writer);

    /// <summary>
    /// Class scores of one row's tokens: the logit (binary) or the class probabilities (multiclass).
    /// Throws for a row without tokens.
    /// </summary>
    public float[] Predict(IReadOnlyList<string> tokens)
    {
        Host.CheckValue(tokens, nameof(tokens));
        Host.CheckParam(tokens.Count > 0, nameof(tokens), "The row has no tokens.");
        int max = _settings.Input.Reader.MaximumLength;
        return Score(new[] { max > 0 && tokens.Count > max ? tokens.Take(max).ToArray() : tokens.ToArray() })[0];
    }

    /// <summary>A copy of the embedding matrix, row-major [tokens, dimension] in <see cref="Tokens"/> order.</summary>
    internal float[] GetEmbeddingWeights()
    {
        using var scope = NewDisposeScope();
        return _module.EmbeddingWeights.detach().cpu().data<float>().ToArray();
    }

    /// <summary>Class scores of rows that each hold at least one token, in batches of similar length.</summary>
    internal float[][] Score(IReadOnlyList<string[]> rows)
    {
        var ids = rows.Select(_settings.Input.Encode).ToList();
        var scores = new float[rows.Count][];
        using var noGrad = no_grad();
        foreach (var batch in LengthBatches.ForEvaluation(ids.Select(r => r.Length).ToList(), BatchSize))
        {
            using var scope = NewDisposeScope();
            var (x, lengths) = PaddedBatch.Create(ids, batch, Device);
            var logits = _module.call(x, lengths);
            if (!Labels.IsBinary)
                logits = logits.softmax(1);
            var flat = logits.cpu().data<float>().ToArray();
            int width = flat.Length / batch.Length;
            for (int b = 0; b < batch.Length; b++)
                scores[batch[b]] = flat.AsSpan(b * width, width).ToArray();
        }
        return scores;
    }

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : ScoringMapper<string[], float[]>
    {
        private readonly SequenceClassifierTransformer _parent;
        private readonly DataViewSchema.Column _feature;

        public Mapper(SequenceClassifierTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            _feature = parent._settings.Input.Find(Host, inputSchema, "feature");
            // A label column of another class count would make evaluation compare different classes.
            var label = inputSchema.GetColumnOrNull(parent.Labels.ColumnName);
            if (label?.Type is KeyDataViewType or BooleanDataViewType)
                parent.Labels.CheckCompatible(Host, inputSchema);
        }

        public override IReadOnlyList<DataViewSchema.Column> InputColumns => new[] { _feature };

        public override Func<string[]> MakeInputGetter(DataViewRow row) => _parent._settings.Input.MakeGetter(row);

        public override bool CanBatch(string[] tokens) => tokens.Length > 0;

        public override float[][] ScoreBatch(IReadOnlyList<string[]> inputs) => _parent.Score(inputs);

        public override float[] ScoreOne(long position, string[] tokens) => tokens.Length > 0
            ? _parent.Score(new[] { tokens })[0]
            : throw Host.Except($"Row {position} has no tokens in column '{_feature.Name}'; the classifier cannot score an empty row.");

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var s = _parent._settings;
            var labels = _parent.Labels;
            if (labels.IsBinary)
            {
                return new[]
                {
                    new DataViewSchema.DetachedColumn(s.ScoreColumnName, NumberDataViewType.Single),
                    new DataViewSchema.DetachedColumn(s.ProbabilityColumnName, NumberDataViewType.Single),
                    new DataViewSchema.DetachedColumn(s.PredictedLabelColumnName, BooleanDataViewType.Instance),
                };
            }
            var scoreAnnotations = new DataViewSchema.Annotations.Builder();
            var keyAnnotations = new DataViewSchema.Annotations.Builder();
            if (labels.Names is string[] names)
            {
                ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
                    dst = new VBuffer<ReadOnlyMemory<char>>(names.Length, names.Select(n => n.AsMemory()).ToArray());
                scoreAnnotations.AddSlotNames(names.Length, getNames);
                keyAnnotations.AddKeyValues(names.Length, TextDataViewType.Instance, getNames);
            }
            return new[]
            {
                new DataViewSchema.DetachedColumn(s.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, labels.ClassCount), scoreAnnotations.ToAnnotations()),
                new DataViewSchema.DetachedColumn(s.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), labels.ClassCount), keyAnnotations.ToAnnotations()),
            };
        }

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeOutputGetter(int iinfo, Func<float[]> scoresOfRow)
        {
            var parent = _parent;
            if (parent.Labels.IsBinary)
            {
                return iinfo switch
                {
                    0 => (ValueGetter<float>)((ref float dst) => dst = scoresOfRow()[0]),
                    1 => (ValueGetter<float>)((ref float dst) => dst = 1f / (1f + MathF.Exp(-scoresOfRow()[0]))),
                    _ => (ValueGetter<bool>)((ref bool dst) => dst = scoresOfRow()[0] > 0),
                };
            }
            if (iinfo == 0)
            {
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                {
                    var scores = scoresOfRow();
                    var editor = VBufferEditor.Create(ref dst, scores.Length);
                    scores.CopyTo(editor.Values);
                    dst = editor.Commit();
                });
            }
            return (ValueGetter<uint>)((ref uint dst) =>
            {
                var scores = scoresOfRow();
                int best = 0;
                for (int i = 1; i < scores.Length; i++)
                {
                    if (scores[i] > scores[best])
                        best = i;
                }
                dst = (uint)best + 1;
            });
        }
    }
}
