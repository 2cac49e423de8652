using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
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
    private const int BatchSize = 64;

    internal sealed record Settings(string TokensColumnName, string LabelColumnName, string PredictedTagsColumnName,
        RecurrentEncoderOptions Encoder, double Dropout, long EmbeddingDimension);

    private readonly Settings _settings;
    private readonly TaggerFeatures _features;
    private readonly SequenceTaggerModule _module;
    private readonly Device _device;

    internal SequenceTaggerTransformer(IHost host, Settings settings, TaggerFeatures features, TokenIndex tags,
        SequenceTaggerModule module, Device device, TrainingHistory? history) : base(host)
    {
        _settings = settings;
        _features = features;
        Tags = tags;
        _module = module;
        _device = device;
        _module.eval();
        TrainingHistory = history;
    }

    /// <summary>The tag set (reserved ids first).</summary>
    public TokenIndex Tags { get; }

    /// <summary>The (lower-cased) words the model knows.</summary>
    public TokenIndex Words => _features.Words;

    /// <summary>What training did, epoch by epoch; null for a transformer loaded from a model file.</summary>
    public TrainingHistory? TrainingHistory { get; }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQTAGR",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(SequenceTaggerTransformer).Assembly.FullName);

    private static SequenceTaggerTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        var host = env.Register(nameof(SequenceTaggerTransformer));
        host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        var r = ctx.Reader;
        // strings: tokens, label, predicted-tags columns; encoder; double dropout; long embedding dimension;
        // word index; bool has suffixes (+ suffix index); tag index; weights entry
        var tokens = r.ReadString();
        var label = r.ReadString();
        var predicted = r.ReadString();
        var encoder = RecurrentEncoderOptions.Read(r);
        double dropout = r.ReadDouble();
        long dimension = r.ReadInt64();
        host.CheckDecode(dimension > 0 && dimension <= int.MaxValue, "Bad embedding dimension in the model.");
        var words = TokenIndex.Read(r, "word vocabulary");
        var suffixes = r.ReadBoolean() ? TokenIndex.Read(r, "suffix vocabulary") : null;
        var tags = TokenIndex.Read(r, "tag set");
        var features = new TaggerFeatures(words, suffixes);
        var module = new SequenceTaggerModule(nn.Embedding(words.Count, dimension, padding_idx: TokenIndex.Padding), features.SuffixCount, encoder, dropout, tags.Count);
        TorchModelIO.Load(ctx, module);
        return new SequenceTaggerTransformer(host, new Settings(tokens, label, predicted, encoder, dropout, dimension), features, tags, module, CPU, null);
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
        w.Write(_settings.TokensColumnName);
        w.Write(_settings.LabelColumnName);
        w.Write(_settings.PredictedTagsColumnName);
        _settings.Encoder.Write(w);
        w.Write(_settings.Dropout);
        w.Write(_settings.EmbeddingDimension);
        _features.Words.Write(w);
        w.Write(_features.Suffixes != null);
        _features.Suffixes?.Write(w);
        Tags.Write(w);
        TorchModelIO.Save(ctx, _module);
    }

    /// <summary>The predicted tag of every token of each row, rows batched by length.</summary>
    public IReadOnlyList<string[]> Predict(IReadOnlyList<string[]> rows)
    {
        Host.CheckValue(rows, nameof(rows));
        for (int i = 0; i < rows.Count; i++)
            Host.CheckParam(rows[i] != null && rows[i].Length > 0, nameof(rows), $"Row {i} has no tokens.");
        var encoded = _features.Encode(rows);
        var result = new string[rows.Count][];
        using var noGrad = no_grad();
        foreach (var batch in LengthBatches.ForEvaluation(encoded.Words.Select(w => w.Length).ToList(), BatchSize))
        {
            using var scope = NewDisposeScope();
            var (words, lengths) = PaddedBatch.Create(encoded.Words, batch, _device);
            long longest = words.shape[1];
            var logits = _module.call(words, PaddedBatch.Ids(encoded.Suffixes, batch, longest, _device),
                PaddedBatch.Ids(encoded.Shapes, batch, longest, _device), lengths);
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
        var (tokens, gold) = SequenceTaggerTrainer.ReadPairs(Host, data, _settings.TokensColumnName, labelColumn, "evaluation");
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
                if (_features.Words.IdOf(tokens[i][t].ToLowerInvariant()) == TokenIndex.Unknown)
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

    private protected override IRowMapper MakeRowMapper(DataViewSchema schema, IDataView? source) => new Mapper(this, schema, source);

    private sealed class Mapper : ScoringMapper<string[]>
    {
        private readonly SequenceTaggerTransformer _parent;
        private readonly DataViewSchema.Column _tokens;

        // source: the view being transformed, so that rows are read ahead and tagged in batches; null for one row at a time.
        public Mapper(SequenceTaggerTransformer parent, DataViewSchema inputSchema, IDataView? source)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            _tokens = SequenceColumn.Find(Host, inputSchema, parent._settings.TokensColumnName, "tokens");
            Scores = new RowScorer<string[]>(source, SequenceTaggerTrainer.CasedWords.MakeGetter, rows => parent.Predict(rows).ToArray(),
                (_, tokens) => tokens.Length == 0 ? Array.Empty<string>() : parent.Predict(new[] { tokens })[0]);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() => new[]
        {
            new DataViewSchema.DetachedColumn(_parent._settings.PredictedTagsColumnName, new VectorDataViewType(TextDataViewType.Instance)),
        };

        public override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput) => col => col == _tokens.Index && activeOutput(0);

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var tagsOfRow = Scores.For(input, _tokens);
            return (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) =>
            {
                var tags = tagsOfRow();
                var editor = VBufferEditor.Create(ref dst, tags.Length);
                for (int i = 0; i < tags.Length; i++)
                    editor.Values[i] = tags[i].AsMemory();
                dst = editor.Commit();
            });
        }
    }
}
