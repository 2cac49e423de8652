using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Tagging;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(SequenceTaggerTransformer), null, typeof(SignatureLoadModel),
    SequenceTaggerTransformer.UserName, SequenceTaggerTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(SequenceTaggerTransformer), null, typeof(SignatureLoadRowMapper),
    SequenceTaggerTransformer.UserName, SequenceTaggerTransformer.LoaderSignature)]

namespace MLNet.Sequence.Torch.Tagging;

/// <summary>Token-level accuracy of a tagger on labelled rows.</summary>
/// <param name="TokenAccuracy">Share of tokens whose predicted tag is the gold tag.</param>
/// <param name="SentenceAccuracy">Share of rows with every tag right.</param>
/// <param name="Tokens">Tokens scored.</param>
/// <param name="Rows">Rows scored.</param>
/// <param name="UnknownWordAccuracy">Token accuracy over words the training data never had.</param>
public readonly record struct TaggingMetrics(double TokenAccuracy, double SentenceAccuracy, long Tokens, long Rows, double UnknownWordAccuracy);

/// <summary>
/// A trained sequence tagger: adds a vector-of-Text column with one predicted tag per token. Saved in the
/// ML.NET model zip with its vocabularies and TorchSharp weights.
/// </summary>
public sealed class SequenceTaggerTransformer : SequenceModelTransformerBase
{
    internal const string UserName = "Sequence Tagger";
    internal const string LoaderSignature = "MLSeqTaggerXf";
    private const string RegistrationName = nameof(SequenceTaggerTransformer);
    private const int BatchSize = 64;

    /// <summary>What the tagger saves besides its weights.</summary>
    internal sealed record Settings(TaggerInput Input, NetworkShape Network, TokenIndex Tags, string LabelColumnName, string PredictedTagsColumnName)
    {
        public void Write(BinaryWriter w)
        {
            Input.Write(w);
            Network.Write(w);
            Tags.Write(w);
            w.WriteStrings(new[] { LabelColumnName, PredictedTagsColumnName });
        }

        public static Settings Read(IExceptionContext ectx, BinaryReader r, uint version)
        {
            if (version < VersionInputFirst)
                return ReadFirstLayout(ectx, r);
            var input = TaggerInput.Read(r);
            var network = NetworkShape.Read(ectx, r);
            var tags = TokenIndex.Read(r, "tag set");
            var columns = r.ReadStrings("column names");
            ectx.CheckDecode(columns.Length == 2, "The model names the wrong number of columns.");
            return new Settings(input, network, tags, columns[0], columns[1]);
        }

        /// <summary>The layout of the first version: column names first, then the network and the vocabularies.</summary>
        private static Settings ReadFirstLayout(IExceptionContext ectx, BinaryReader r)
        {
            var tokens = r.ReadString();
            var label = r.ReadString();
            var predicted = r.ReadString();
            var encoder = RecurrentEncoderOptions.Read(r);
            double dropout = r.ReadDouble();
            long dimension = r.ReadInt64();
            var input = TaggerInput.ReadVocabularies(tokens, r);
            var tags = TokenIndex.Read(r, "tag set");
            return new Settings(input, NetworkShape.Checked(ectx, dimension, encoder, dropout), tags, label, predicted);
        }
    }

    // 0x00010002: the input and network shape saved by their owners, column names last.
    private const uint VersionInputFirst = 0x00010002;

    private readonly Settings _settings;
    private readonly SequenceTaggerModule _module;

    internal SequenceTaggerTransformer(IHost host, Settings settings, SequenceTaggerModule module, Device device, TrainingHistory? history)
        : base(host, module, device)
    {
        _settings = settings;
        _module = module;
        TrainingHistory = history;
    }

    /// <summary>The tag set (reserved ids first).</summary>
    public TokenIndex Tags => _settings.Tags;

    /// <summary>The (lower-cased) words the model knows.</summary>
    public TokenIndex Words => _settings.Input.Words;

    /// <summary>What training did, epoch by epoch; null for a transformer loaded from a model file.</summary>
    public TrainingHistory? TrainingHistory { get; }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQTAGR",
        verWrittenCur: VersionInputFirst,
        verReadableCur: VersionInputFirst,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(SequenceTaggerTransformer).Assembly.FullName);

    private static SequenceTaggerTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, RegistrationName, GetVersionInfo(), "the sequence tagger", host =>
        {
            var settings = Settings.Read(host, ctx.Reader, ctx.Header.ModelVerWritten);
            var module = new SequenceTaggerModule(settings.Network.NewEmbedding(settings.Input.Words.Count), settings);
            LoadWeights(ctx, module);
            return new SequenceTaggerTransformer(host, settings, module, CPU, null);
        });

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();

    private protected override void SaveState(BinaryWriter writer) => _settings.Write(writer);

    /// <summary>The predicted tag of every token of each row, rows batched by length.</summary>
    public IReadOnlyList<string[]> Predict(IReadOnlyList<string[]> rows)
    {
        Host.CheckValue(rows, nameof(rows));
        for (int i = 0; i < rows.Count; i++)
            Host.CheckParam(rows[i] != null && rows[i].Length > 0, nameof(rows), $"Row {i} has no tokens.");
        var encoded = _settings.Input.Encode(rows);
        var result = new string[rows.Count][];
        using var noGrad = no_grad();
        foreach (var batch in LengthBatches.ForEvaluation(encoded.Words.Select(w => w.Length).ToList(), BatchSize))
        {
            using var scope = NewDisposeScope();
            var (words, lengths) = PaddedBatch.Create(encoded.Words, batch, Device);
            long longest = words.shape[1];
            var logits = _module.call(words, PaddedBatch.Ids(encoded.Suffixes, batch, longest, Device),
                PaddedBatch.Ids(encoded.Shapes, batch, longest, Device), lengths);
            // Reserved ids are never gold tags; keep them from being predicted.
            logits[.., .., ..TokenIndex.ReservedCount] = tensor(float.NegativeInfinity);
            var best = logits.argmax(2).cpu().data<long>().ToArray();
            for (int b = 0; b < batch.Length; b++)
            {
                int row = batch[b];
                var tags = new string[rows[row].Length];
                for (int t = 0; t < tags.Length; t++)
                    tags[t] = Tags[(int)best[b * longest + t]];
                result[row] = tags;
            }
        }
        return result;
    }

    /// <summary>
    /// Tags <paramref name="data"/> and compares with its gold tags (default: the training label column).
    /// A gold tag the model never saw is an error naming it.
    /// </summary>
    public TaggingMetrics Evaluate(IDataView data, string? labelColumnName = null)
    {
        Host.CheckValue(data, nameof(data));
        string labelColumn = labelColumnName ?? _settings.LabelColumnName;
        var (tokens, gold) = TaggedRows.Read(Host, data, _settings.Input.ColumnName, labelColumn, "evaluation");
        foreach (var (row, i) in gold.Select((g, i) => (g, i)))
        {
            foreach (var tag in row)
            {
                if (!Tags.Contains(tag))
                    throw Host.Except($"Row {i} of column '{labelColumn}' has tag '{tag}', which the model was not trained on.");
            }
        }
        var predicted = Predict(tokens);
        long right = 0, total = 0, rowsRight = 0, unknown = 0, unknownRight = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            bool all = true;
            for (int t = 0; t < tokens[i].Length; t++)
            {
                bool ok = predicted[i][t] == gold[i][t];
                right += ok ? 1 : 0;
                all &= ok;
                if (Words.IdOf(tokens[i][t].ToLowerInvariant()) == TokenIndex.Unknown)
                {
                    unknown++;
                    unknownRight += ok ? 1 : 0;
                }
            }
            total += tokens[i].Length;
            rowsRight += all ? 1 : 0;
        }
        return new TaggingMetrics((double)right / Math.Max(1, total), (double)rowsRight / Math.Max(1, tokens.Count), total, tokens.Count,
            unknown == 0 ? double.NaN : (double)unknownRight / unknown);
    }

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : ScoringMapper<string[], string[]>
    {
        private readonly SequenceTaggerTransformer _parent;
        private readonly DataViewSchema.Column _tokens;

        public Mapper(SequenceTaggerTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            _tokens = parent._settings.Input.Find(Host, inputSchema);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() => new[]
        {
            new DataViewSchema.DetachedColumn(_parent._settings.PredictedTagsColumnName, new VectorDataViewType(TextDataViewType.Instance)),
        };

        public override IReadOnlyList<DataViewSchema.Column> InputColumns => new[] { _tokens };

        public override Func<string[]> MakeInputGetter(DataViewRow row) => _parent._settings.Input.MakeGetter(row);

        public override bool CanBatch(string[] tokens) => tokens.Length > 0;

        public override string[][] ScoreBatch(IReadOnlyList<string[]> inputs) => _parent.Predict(inputs).ToArray();

        public override string[] ScoreOne(long position, string[] tokens) => tokens.Length == 0 ? Array.Empty<string>() : _parent.Predict(new[] { tokens })[0];

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeOutputGetter(int iinfo, Func<string[]> tagsOfRow) =>
            (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) =>
            {
                var tags = tagsOfRow();
                var editor = VBufferEditor.Create(ref dst, tags.Length);
                for (int i = 0; i < tags.Length; i++)
                    editor.Values[i] = tags[i].AsMemory();
                dst = editor.Commit();
            });
    }
}
