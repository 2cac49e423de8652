using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
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
    private const int BatchSize = 64;

    internal sealed record Settings(string FeatureColumnName, string ScoreColumnName, string ProbabilityColumnName, string PredictedLabelColumnName,
        SequenceClassifierArchitecture Architecture, RecurrentEncoderOptions Encoder, RecurrentPooling Pooling, double Dropout, long EmbeddingDimension,
        SequenceColumn Reader, int MaximumLength);

    private readonly Settings _settings;
    private readonly SequenceClassifierModule _module;
    private readonly Device _device;

    internal SequenceClassifierTransformer(IHost host, Settings settings, TokenIndex index, ClassLabels labels,
        SequenceClassifierModule module, Device device, TrainingHistory? history)
        : base(host)
    {
        _settings = settings;
        Tokens = index;
        Labels = labels;
        _module = module;
        _device = device;
        _module.eval();
        TrainingHistory = history;
    }

    /// <summary>The tokens the model knows.</summary>
    public TokenIndex Tokens { get; }

    /// <summary>What training did, epoch by epoch; null for a transformer loaded from a model file.</summary>
    public TrainingHistory? TrainingHistory { get; }

    /// <summary>Whether the model is binary (Boolean label) rather than multiclass.</summary>
    public bool IsBinary => Labels.IsBinary;

    /// <summary>Number of classes (2 for binary).</summary>
    public int ClassCount => Labels.ClassCount;

    /// <summary>The input column.</summary>
    public string FeatureColumnName => _settings.FeatureColumnName;

    internal ClassLabels Labels { get; }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQSCLS",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(SequenceClassifierTransformer).Assembly.FullName);

    private static SequenceClassifierTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        var host = env.Register(nameof(SequenceClassifierTransformer));
        host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        var r = ctx.Reader;
        // strings: feature, score, probability, predicted-label column names
        // int architecture; encoder; int pooling; double dropout; long embedding dimension; unit, splitting, lower-case; int maximum length
        // token index; labels; weights entry
        var feature = r.ReadString();
        var score = r.ReadString();
        var probability = r.ReadString();
        var predicted = r.ReadString();
        var architecture = (SequenceClassifierArchitecture)r.ReadInt32();
        host.CheckDecode(Enum.IsDefined(architecture), "Unknown classifier architecture in the model.");
        var encoder = RecurrentEncoderOptions.Read(r);
        var pooling = (RecurrentPooling)r.ReadInt32();
        host.CheckDecode(Enum.IsDefined(pooling), "Unknown pooling in the model.");
        double dropout = r.ReadDouble();
        long dimension = r.ReadInt64();
        host.CheckDecode(dimension > 0 && dimension <= int.MaxValue, "Bad embedding dimension in the model.");
        var reader = SequenceColumn.Read(host, r);
        int maximumLength = r.ReadInt32();
        var index = TokenIndex.Read(r, "token vocabulary");
        var labels = ClassLabels.Read(r);
        var settings = new Settings(feature, score, probability, predicted, architecture, encoder, pooling, dropout, dimension, reader, maximumLength);
        var embedding = nn.Embedding(index.Count, dimension, padding_idx: TokenIndex.Padding);
        var module = new SequenceClassifierModule(embedding, architecture, encoder, pooling, dropout, labels.IsBinary ? 1 : labels.ClassCount);
        TorchModelIO.Load(ctx, module);
        return new SequenceClassifierTransformer(host, settings, index, labels, module, CPU, null);
    }

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    /// <inheritdoc/>
    public override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        var w = ctx.Writer;
        w.Write(_settings.FeatureColumnName);
        w.Write(_settings.ScoreColumnName);
        w.Write(_settings.ProbabilityColumnName);
        w.Write(_settings.PredictedLabelColumnName);
        w.Write((int)_settings.Architecture);
        _settings.Encoder.Write(w);
        w.Write((int)_settings.Pooling);
        w.Write(_settings.Dropout);
        w.Write(_settings.EmbeddingDimension);
        _settings.Reader.Write(w);
        w.Write(_settings.MaximumLength);
        Tokens.Write(w);
        Labels.Write(w);
        TorchModelIO.Save(ctx, _module);
    }

    /// <summary>
    /// Class scores of one row's tokens: the logit (binary) or the class probabilities (multiclass).
    /// Throws for a row without tokens.
    /// </summary>
    public float[] Predict(IReadOnlyList<string> tokens)
    {
        Host.CheckValue(tokens, nameof(tokens));
        Host.CheckParam(tokens.Count > 0, nameof(tokens), "The row has no tokens.");
        return Score(new[] { tokens.ToArray() })[0];
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
        var ids = rows.Select(r => SequenceClassifierTrainer.ToIds(Tokens, SequenceClassifierTrainer.Truncate(r, _settings.MaximumLength))).ToList();
        var scores = new float[rows.Count][];
        using var noGrad = no_grad();
        foreach (var batch in LengthBatches.ForEvaluation(ids.Select(r => r.Length).ToList(), BatchSize))
        {
            using var scope = NewDisposeScope();
            var (x, lengths) = PaddedBatch.Create(ids, batch, _device);
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

    private protected override IRowMapper MakeRowMapper(DataViewSchema schema, IDataView? source) => new Mapper(this, schema, source);

    private sealed class Mapper : ScoringMapper<float[]>
    {
        private readonly SequenceClassifierTransformer _parent;
        private readonly DataViewSchema.Column _feature;

        // source: the view being transformed, so that rows are read ahead and scored in batches; null for one row at a time.
        public Mapper(SequenceClassifierTransformer parent, DataViewSchema inputSchema, IDataView? source)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            _feature = SequenceColumn.Find(Host, inputSchema, parent._settings.FeatureColumnName, "feature");
            Scores = new RowScorer<float[]>(source, parent._settings.Reader.MakeGetter, parent.Score, (position, tokens) =>
            {
                if (tokens.Length == 0)
                    throw Host.Except($"Row {position} has no tokens in column '{_feature.Name}'; the classifier cannot score an empty row.");
                return parent.Score(new[] { tokens })[0];
            });
            // A label column of another class count would make evaluation compare different classes.
            var label = inputSchema.GetColumnOrNull(parent.Labels.ColumnName);
            if (label?.Type is KeyDataViewType or BooleanDataViewType)
                parent.Labels.CheckCompatible(Host, inputSchema);
        }

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

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput) =>
            col => col == _feature.Index && Enumerable.Range(0, _parent.Labels.IsBinary ? 3 : 2).Any(activeOutput);

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var parent = _parent;
            var scoresOfRow = Scores.For(input, _feature);

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
