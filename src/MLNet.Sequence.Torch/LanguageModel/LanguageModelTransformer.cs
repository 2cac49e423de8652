using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Torch.Classification;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.LanguageModel;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(LanguageModelTransformer), null, typeof(SignatureLoadModel),
    LanguageModelTransformer.UserName, LanguageModelTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(LanguageModelTransformer), null, typeof(SignatureLoadRowMapper),
    LanguageModelTransformer.UserName, LanguageModelTransformer.LoaderSignature)]

namespace MLNet.Sequence.Torch.LanguageModel;

/// <summary>How well a language model predicts held-out text.</summary>
/// <param name="Perplexity">exp of <paramref name="CrossEntropy"/>: the model is as unsure as a uniform choice among this many tokens.</param>
/// <param name="CrossEntropy">Mean negative natural-log probability per predicted token (end markers included).</param>
/// <param name="Tokens">Predicted tokens (each row's tokens plus its end marker).</param>
/// <param name="Rows">Rows scored.</param>
public readonly record struct LanguageModelMetrics(double Perplexity, double CrossEntropy, long Tokens, long Rows);

/// <summary>
/// A trained language model. As a transformer it adds each row's log-probability (natural log, end marker
/// included) and per-token perplexity; it also samples text (<see cref="Generate"/>) and measures held-out
/// perplexity (<see cref="Evaluate"/>). Saved in the ML.NET model zip with its vocabulary and weights.
/// </summary>
public sealed class LanguageModelTransformer : SequenceModelTransformerBase
{
    internal const string UserName = "Language Model";
    internal const string LoaderSignature = "MLSeqLanguageModelXf";
    private const string RegistrationName = nameof(LanguageModelTransformer);
    private const int BatchSize = 64;

    /// <summary>What the language model saves besides its weights.</summary>
    internal sealed record Settings(TokenInput Input, NetworkShape Network, string LogProbabilityColumnName, string PerplexityColumnName)
    {
        public void Write(BinaryWriter w)
        {
            Input.Write(w);
            Network.Write(w);
            w.WriteStrings(new[] { LogProbabilityColumnName, PerplexityColumnName });
        }

        public static Settings Read(IExceptionContext ectx, BinaryReader r, uint version)
        {
            if (version < VersionInputFirst)
                return ReadFirstLayout(ectx, r);
            var input = TokenInput.Read(ectx, r, "vocabulary");
            var network = NetworkShape.Read(ectx, r);
            var columns = r.ReadStrings("output columns");
            ectx.CheckDecode(columns.Length == 2, "The model names the wrong number of output columns.");
            return new Settings(input, network, columns[0], columns[1]);
        }

        /// <summary>The layout of the first version: column names first, then the token settings, the network and the vocabulary.</summary>
        private static Settings ReadFirstLayout(IExceptionContext ectx, BinaryReader r)
        {
            var text = r.ReadString();
            var logProbability = r.ReadString();
            var perplexity = r.ReadString();
            var reader = SequenceColumn.Read(ectx, r, withLengthBound: false);
            var encoder = RecurrentEncoderOptions.Read(r);
            double dropout = r.ReadDouble();
            long dimension = r.ReadInt64();
            var index = TokenIndex.Read(r, "vocabulary");
            return new Settings(new TokenInput(text, reader, index), NetworkShape.Checked(ectx, dimension, encoder, dropout), logProbability, perplexity);
        }
    }

    // 0x00010002: the token input and network shape saved by their owners, output columns last.
    private const uint VersionInputFirst = 0x00010002;

    private readonly Settings _settings;
    private readonly LanguageModelModule _module;

    internal LanguageModelTransformer(IHost host, Settings settings, LanguageModelModule module, Device device, TrainingHistory? history)
        : base(host, module, device)
    {
        _settings = settings;
        _module = module;
        TrainingHistory = history;
    }

    /// <summary>The vocabulary (reserved ids first).</summary>
    public TokenIndex Tokens => _settings.Input.Tokens;

    /// <summary>Characters or words.</summary>
    public SequenceUnit Unit => _settings.Input.Reader.Unit;

    /// <summary>What training did, epoch by epoch; null for a transformer loaded from a model file.</summary>
    public TrainingHistory? TrainingHistory { get; }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQLANG",
        verWrittenCur: VersionInputFirst,
        verReadableCur: VersionInputFirst,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(LanguageModelTransformer).Assembly.FullName);

    private static LanguageModelTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, RegistrationName, GetVersionInfo(), "the language model", host =>
        {
            var settings = Settings.Read(host, ctx.Reader, ctx.Header.ModelVerWritten);
            var module = new LanguageModelModule(settings.Network.NewEmbedding(settings.Input.Tokens.Count), settings);
            LoadWeights(ctx, module);
            return new LanguageModelTransformer(host, settings, module, CPU, null);
        });

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();

    private protected override void SaveState(BinaryWriter writer) => _settings.Write(writer);

    /// <summary>The tokens this model reads from <paramref name="text"/> (split, case-folded, by characters or words).</summary>
    public string[] Tokenize(string text)
    {
        Host.CheckValue(text, nameof(text));
        var row = new SingleTextRow(text);
        return _settings.Input.Reader.MakeGetter(row, row.Schema[0])();
    }

    /// <summary>Natural-log probability of each row of tokens, end marker included; rows are batched by length.</summary>
    public double[] LogProbabilities(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        Host.CheckValue(rows, nameof(rows));
        var framed = FramedRows.Of(Tokens, rows);
        var result = new double[rows.Count];
        using var noGrad = no_grad();
        foreach (var batch in LengthBatches.ForEvaluation(framed.Lengths, BatchSize))
        {
            using var scope = NewDisposeScope();
            var (x, lengths) = PaddedBatch.Create(framed.Inputs, batch, Device);
            var target = PaddedBatch.Ids(framed.Targets, batch, x.shape[1], Device, pad: 0);
            var logp = _module.call(x, lengths).log_softmax(2).gather(2, target.unsqueeze(2)).squeeze(2);
            logp = logp.masked_fill(target.eq(0), 0).sum(1).to_type(ScalarType.Float64).cpu();
            var values = logp.data<double>().ToArray();
            for (int b = 0; b < batch.Length; b++)
                result[batch[b]] = values[b];
        }
        return result;
    }

    /// <summary>Held-out perplexity of the text column of <paramref name="data"/> (rows without tokens score only their end marker).</summary>
    public LanguageModelMetrics Evaluate(IDataView data)
    {
        Host.CheckValue(data, nameof(data));
        var column = _settings.Input.Find(Host, data.Schema, "text");
        var rows = _settings.Input.Reader.ReadAll(Host, data, column);
        var logps = LogProbabilities(rows);
        long tokens = rows.Sum(r => (long)r.Length + 1);
        double crossEntropy = -logps.Sum() / Math.Max(1, tokens);
        return new LanguageModelMetrics(Math.Exp(crossEntropy), crossEntropy, tokens, rows.Count);
    }

    /// <summary>
    /// Samples a continuation of <paramref name="prompt"/>: up to <paramref name="maxTokens"/> tokens or the
    /// end marker. Each step draws from the softmax of logits / <paramref name="temperature"/>, restricted to the
    /// <paramref name="topK"/> likeliest tokens (0: all) and to the nucleus of probability <paramref name="topP"/>
    /// (1: all); the same <paramref name="seed"/> gives the same text. Returns the prompt's tokens and the sampled
    /// ones, joined (characters as they are, words by spaces).
    /// </summary>
    public string Generate(string prompt = "", int maxTokens = 100, double temperature = 1.0, int topK = 0, long seed = 0, double topP = 1.0)
    {
        Host.CheckValue(prompt, nameof(prompt));
        Host.CheckParam(maxTokens > 0, nameof(maxTokens), "Must be positive.");
        Host.CheckParam(temperature > 0 && double.IsFinite(temperature), nameof(temperature), "Must be positive and finite.");
        Host.CheckParam(topK >= 0, nameof(topK), "Must be non-negative (0: all tokens).");
        Host.CheckParam(topP > 0 && topP <= 1, nameof(topP), "Must be in (0, 1] (1: all tokens).");
        var options = new DecodingOptions
        {
            Strategy = DecodingStrategy.Sampling,
            MaximumLength = maxTokens,
            Temperature = temperature,
            TopK = topK,
            TopP = topP,
            Seed = seed,
        };
        return Decode(prompt, options)[0].Text;
    }

    /// <summary>
    /// Continues <paramref name="prompt"/> with any search: greedy, sampling, or beam search with its n-best list
    /// (<paramref name="options"/>). Returns the hypotheses, best first, each as the prompt's tokens and the new
    /// ones joined, with the new tokens' log-probability.
    /// </summary>
    public IReadOnlyList<(string Text, double LogProbability)> Decode(string prompt, DecodingOptions options)
    {
        Host.CheckValue(prompt, nameof(prompt));
        Host.CheckValue(options, nameof(options));
        options.Validate(Host);
        var tokens = Tokenize(prompt).ToList();
        // Rows are trimmed when read, but a prompt's final space says the next word starts afresh.
        if (Unit == SequenceUnit.Character && tokens.Count > 0 && prompt.Length > 0 && char.IsWhiteSpace(prompt[^1]))
            tokens.Add(" ");
        var ids = new List<long> { TokenIndex.Start };
        ids.AddRange(tokens.Select(t => (long)Tokens.IdOf(t)));
        using var noGrad = no_grad();
        using var decoder = new LanguageModelDecoder(_module, Device, [ids.ToArray()]);
        IReadOnlyList<Hypothesis> hypotheses = options.Strategy == DecodingStrategy.BeamSearch
            ? BeamSearch.Decode(decoder, [ids[^1]], options)[0]
            : GreedySearch.Decode(decoder, [ids[^1]], options);
        string separator = Unit == SequenceUnit.Character ? "" : " ";
        return hypotheses.Select(h => (string.Join(separator, tokens.Concat(h.Tokens.Select(id => Tokens[(int)id]))), h.LogProbability)).ToList();
    }

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>A row's log-probability and the number of tokens it predicts (end marker included).</summary>
    private sealed record RowScore(double LogProbability, int Tokens);

    private sealed class Mapper : ScoringMapper<string[], RowScore>
    {
        private readonly LanguageModelTransformer _parent;
        private readonly DataViewSchema.Column _text;

        public Mapper(LanguageModelTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            _text = parent._settings.Input.Find(Host, inputSchema, "text");
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() => new[]
        {
            new DataViewSchema.DetachedColumn(_parent._settings.LogProbabilityColumnName, NumberDataViewType.Single),
            new DataViewSchema.DetachedColumn(_parent._settings.PerplexityColumnName, NumberDataViewType.Single),
        };

        public override IReadOnlyList<DataViewSchema.Column> InputColumns => new[] { _text };

        public override Func<string[]> MakeInputGetter(DataViewRow row) => _parent._settings.Input.MakeGetter(row);

        // The empty row still has a probability: that of the end marker after the start.
        public override bool CanBatch(string[] tokens) => true;

        public override RowScore[] ScoreBatch(IReadOnlyList<string[]> inputs)
        {
            var logps = _parent.LogProbabilities(inputs);
            return inputs.Select((tokens, i) => new RowScore(logps[i], tokens.Length + 1)).ToArray();
        }

        public override RowScore ScoreOne(long position, string[] tokens) => ScoreBatch(new[] { tokens })[0];

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeOutputGetter(int iinfo, Func<RowScore> scoreOfRow)
        {
            if (iinfo == 0)
                return (ValueGetter<float>)((ref float dst) => dst = (float)scoreOfRow().LogProbability);
            return (ValueGetter<float>)((ref float dst) =>
            {
                var score = scoreOfRow();
                dst = (float)Math.Exp(-score.LogProbability / score.Tokens);
            });
        }
    }

    /// <summary>A one-row, one-column view of a string, so that prompts are tokenized exactly as rows are.</summary>
    private sealed class SingleTextRow : DataViewRow
    {
        private readonly ReadOnlyMemory<char> _text;

        public SingleTextRow(string text)
        {
            _text = text.AsMemory();
            var builder = new DataViewSchema.Builder();
            builder.AddColumn("Text", TextDataViewType.Instance);
            Schema = builder.ToSchema();
        }

        public override DataViewSchema Schema { get; }
        public override long Position => 0;
        public override long Batch => 0;
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = default;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) => value = _text;
            return (ValueGetter<TValue>)(Delegate)getter;
        }
    }
}
