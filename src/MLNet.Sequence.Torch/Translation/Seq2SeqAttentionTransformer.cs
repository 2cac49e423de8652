using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.Training;
using MLNet.Sequence.Torch.Translation;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(Seq2SeqAttentionTransformer), null, typeof(SignatureLoadModel),
    Seq2SeqAttentionTransformer.UserName, Seq2SeqAttentionTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(Seq2SeqAttentionTransformer), null, typeof(SignatureLoadRowMapper),
    Seq2SeqAttentionTransformer.UserName, Seq2SeqAttentionTransformer.LoaderSignature)]

namespace MLNet.Sequence.Torch.Translation;

/// <summary>One candidate translation of an n-best list.</summary>
/// <param name="Text">The detokenised translation.</param>
/// <param name="Tokens">Its tokens, as a user reads them.</param>
/// <param name="LogProbability">log P(translation | source), the end token included.</param>
/// <param name="Score">The score beam search ranked it by (after the length penalty).</param>
public sealed record TranslationCandidate(string Text, IReadOnlyList<string> Tokens, double LogProbability, double Score);

/// <summary>A source sentence's translation: the best candidate, the n-best list and (when asked) the attention.</summary>
public sealed class Translation
{
    internal Translation(IReadOnlyList<string> sourceTokens, IReadOnlyList<TranslationCandidate> nBest, bool ended, IReadOnlyList<float[]>? attention)
    {
        SourceTokens = sourceTokens;
        NBest = nBest;
        Ended = ended;
        Attention = attention;
    }

    /// <summary>The best translation, detokenised.</summary>
    public string Text => NBest[0].Text;

    /// <summary>The best translation's tokens.</summary>
    public IReadOnlyList<string> Tokens => NBest[0].Tokens;

    /// <summary>log P(translation | source) of the best translation.</summary>
    public double LogProbability => NBest[0].LogProbability;

    /// <summary>The source's tokens as the encoder read them.</summary>
    public IReadOnlyList<string> SourceTokens { get; }

    /// <summary>The candidates, best first (one unless beam search was asked for more).</summary>
    public IReadOnlyList<TranslationCandidate> NBest { get; }

    /// <summary>Whether the best translation ended by itself rather than at the maximum length.</summary>
    public bool Ended { get; }

    /// <summary>Attention of the best translation: for each output step (its tokens, then the end), the weights over
    /// the source tokens; null unless <see cref="DecodingOptions.KeepAttention"/> was set.</summary>
    public IReadOnlyList<float[]>? Attention { get; }
}

/// <summary>
/// A trained encoder-decoder with attention: adds the translation of a source text column, its log-probability,
/// and (when asked) the n-best list and the attention matrix. Saved in the ML.NET model zip with both
/// vocabularies, both tokenisers, the network's shape and its default decoding.
/// </summary>
public sealed class Seq2SeqAttentionTransformer : SequenceModelTransformerBase
{
    internal const string UserName = "Seq2Seq Attention Translator";
    internal const string LoaderSignature = "MLSeqSeq2SeqXf";
    private const string RegistrationName = nameof(Seq2SeqAttentionTransformer);
    private const int SentencesPerBatch = 64;

    /// <summary>What the translator saves besides its weights.</summary>
    internal sealed record Settings(
        string SourceColumnName, string TargetColumnName, string TranslationColumnName, string LogProbabilityColumnName,
        string? NBestColumnName, string? AttentionColumnName,
        TranslationTokenizer SourceTokenizer, TranslationTokenizer TargetTokenizer, TokenIndex SourceTokens, TokenIndex TargetTokens,
        Seq2SeqShape Shape, DecodingOptions Decoding, bool ReplaceUnknownTokens)
    {
        public void Write(BinaryWriter w)
        {
            w.WriteStrings([SourceColumnName, TargetColumnName, TranslationColumnName, LogProbabilityColumnName, NBestColumnName ?? "", AttentionColumnName ?? ""]);
            SourceTokenizer.Write(w);
            TargetTokenizer.Write(w);
            SourceTokens.Write(w);
            TargetTokens.Write(w);
            Shape.Write(w);
            Decoding.Write(w);
            w.Write(ReplaceUnknownTokens);
        }

        public static Settings Read(IExceptionContext ectx, BinaryReader r)
        {
            var columns = r.ReadStrings("column names");
            ectx.CheckDecode(columns.Length == 6 && columns.Take(4).All(c => c.Length > 0), "The translation model names its columns wrongly.");
            var sourceTokenizer = TranslationTokenizer.Read(ectx, r);
            var targetTokenizer = TranslationTokenizer.Read(ectx, r);
            var sourceTokens = TokenIndex.Read(r, "source vocabulary");
            var targetTokens = TokenIndex.Read(r, "target vocabulary");
            var shape = Seq2SeqShape.Read(ectx, r);
            ectx.CheckDecode(shape.SourceVocabulary == sourceTokens.Count && shape.TargetVocabulary == targetTokens.Count,
                "The translation model's vocabularies do not match its network.");
            var decoding = DecodingOptions.Read(ectx, r);
            bool replaceUnknown = r.ReadBoolean();
            return new Settings(columns[0], columns[1], columns[2], columns[3], columns[4].Length > 0 ? columns[4] : null,
                columns[5].Length > 0 ? columns[5] : null, sourceTokenizer, targetTokenizer, sourceTokens, targetTokens, shape, decoding, replaceUnknown);
        }
    }

    // Version 2: the decoder's weights are named under the shared attention decoder ("decoding."); version 1 zips
    // name them on the translation network itself and cannot be read back.
    private const uint VersionSharedDecoder = 0x00010002;

    private readonly Settings _settings;
    private readonly Seq2SeqModule _module;

    internal Seq2SeqAttentionTransformer(IHost host, Settings settings, Seq2SeqModule module, Device device, TrainingHistory? history)
        : base(host, module, device)
    {
        _settings = settings;
        _module = module;
        TrainingHistory = history;
    }

    /// <summary>The source vocabulary (reserved ids first).</summary>
    public TokenIndex SourceVocabulary => _settings.SourceTokens;

    /// <summary>The target vocabulary (reserved ids first).</summary>
    public TokenIndex TargetVocabulary => _settings.TargetTokens;

    /// <summary>How the transformer's output column is decoded (a copy).</summary>
    public DecodingOptions Decoding => _settings.Decoding.Clone();

    /// <summary>What training did, epoch by epoch; null for a transformer loaded from a model file.</summary>
    public TrainingHistory? TrainingHistory { get; }

    /// <summary>The same model decoding its output column with <paramref name="decoding"/> (beam search, say); saved with it.</summary>
    public Seq2SeqAttentionTransformer WithDecoding(DecodingOptions decoding)
    {
        Host.CheckValue(decoding, nameof(decoding));
        decoding.Validate(Host);
        return new Seq2SeqAttentionTransformer(Host, _settings with { Decoding = decoding.Clone() }, _module, Device, TrainingHistory);
    }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQS2SA",
        verWrittenCur: VersionSharedDecoder,
        verReadableCur: VersionSharedDecoder,
        verWeCanReadBack: VersionSharedDecoder,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(Seq2SeqAttentionTransformer).Assembly.FullName);

    private static Seq2SeqAttentionTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, RegistrationName, GetVersionInfo(), "the translation model", host =>
        {
            var settings = Settings.Read(host, ctx.Reader);
            var shape = settings.Shape;
            var module = new Seq2SeqModule(shape, nn.Embedding(shape.SourceVocabulary, shape.SourceEmbedding, padding_idx: TokenIndex.Padding),
                nn.Embedding(shape.TargetVocabulary, shape.TargetEmbedding, padding_idx: TokenIndex.Padding));
            LoadWeights(ctx, module);
            return new Seq2SeqAttentionTransformer(host, settings, module, CPU, null);
        });

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();

    private protected override void SaveState(BinaryWriter writer) => _settings.Write(writer);

    /// <summary>The source tokens the encoder reads from <paramref name="text"/>.</summary>
    public IReadOnlyList<string> TokenizeSource(string text)
    {
        Host.CheckValue(text, nameof(text));
        return _settings.SourceTokenizer.Tokenize(text);
    }

    /// <summary>The target tokens the model reads from <paramref name="text"/> (a reference, say), with their joiners.</summary>
    public IReadOnlyList<string> TokenizeTarget(string text)
    {
        Host.CheckValue(text, nameof(text));
        return _settings.TargetTokenizer.Tokenize(text);
    }

    /// <summary>
    /// Translates <paramref name="sources"/> with <paramref name="decoding"/> (default: the model's), sentences of
    /// similar length batched together, beams and sentences in one tensor. An empty source is an error naming it.
    /// </summary>
    public IReadOnlyList<Translation> Translate(IReadOnlyList<string> sources, DecodingOptions? decoding = null)
    {
        Host.CheckValue(sources, nameof(sources));
        decoding ??= _settings.Decoding;
        decoding.Validate(Host);
        var tokens = new string[sources.Count][];
        for (int i = 0; i < sources.Count; i++)
        {
            Host.CheckParam(sources[i] != null, nameof(sources), $"Source {i} is null.");
            tokens[i] = _settings.SourceTokenizer.Tokenize(sources[i]);
            Host.CheckParam(tokens[i].Length > 0, nameof(sources), $"Source {i} is empty: there is nothing to translate.");
        }
        var ids = tokens.Select(t => t.Select(x => _settings.SourceTokens.IdOf(x)).ToArray()).ToList();
        var results = new Translation[sources.Count];
        bool keepAttention = decoding.KeepAttention;
        if (_settings.ReplaceUnknownTokens && !keepAttention)
        {
            // Replacing unknown tokens needs each hypothesis's attention; the caller did not ask for it.
            decoding = decoding.Clone();
            decoding.KeepAttention = true;
        }
        int perBatch = decoding.Strategy == DecodingStrategy.BeamSearch ? Math.Max(1, SentencesPerBatch / decoding.BeamSize * 2) : SentencesPerBatch;
        using var noGrad = no_grad();
        foreach (var batch in LengthBatches.ForEvaluation(ids.Select(s => s.Length).ToList(), perBatch))
        {
            using var scope = NewDisposeScope();
            var (sourceIds, lengths) = PaddedBatch.Create(ids, batch, Device);
            var encoded = _module.Encode(sourceIds, lengths);
            using var decoder = new AttentionStepDecoder(_module.Decoder, encoded, Device);
            var first = Enumerable.Repeat((long)TokenIndex.Start, batch.Length).ToList();
            var sourceLengths = batch.Select(r => ids[r].Length).ToList();
            IReadOnlyList<IReadOnlyList<Hypothesis>> hypotheses = decoding.Strategy == DecodingStrategy.BeamSearch
                ? BeamSearch.Decode(decoder, first, decoding, sourceLengths)
                : GreedySearch.Decode(decoder, first, decoding, sourceLengths).Select(h => (IReadOnlyList<Hypothesis>)[h]).ToList();
            for (int b = 0; b < batch.Length; b++)
            {
                int row = batch[b];
                var display = tokens[row].Select(TranslationTokenizer.Display).ToArray();
                var nBest = hypotheses[b].Select(h => Candidate(h, tokens[row])).ToArray();
                // Weights cover the batch's padded width; a sentence's own positions come first, the rest are 0.
                var attention = keepAttention ? hypotheses[b][0].Attention?.Select(w => w[..display.Length]).ToArray() : null;
                results[row] = new Translation(display, nBest, hypotheses[b][0].Ended, attention);
            }
        }
        return results;
    }

    private TranslationCandidate Candidate(Hypothesis h, string[] source)
    {
        var words = OutputTokens(h.Tokens, _settings.TargetTokens, source, h.Attention, _settings.ReplaceUnknownTokens);
        return new TranslationCandidate(_settings.TargetTokenizer.Detokenize(words), words.Select(TranslationTokenizer.Display).ToArray(),
            h.LogProbability, h.Score);
    }

    /// <summary>
    /// The tokens of output ids; with <paramref name="replaceUnknown"/> and the attention of each step, an unknown
    /// token becomes the source token it attends to most (with its joiner, so that it detokenises alike).
    /// </summary>
    internal static string[] OutputTokens(IReadOnlyList<long> ids, TokenIndex vocabulary, string[] source, IReadOnlyList<float[]>? attention, bool replaceUnknown)
    {
        var words = new string[ids.Count];
        for (int t = 0; t < words.Length; t++)
        {
            int id = (int)ids[t];
            words[t] = id == TokenIndex.Unknown && replaceUnknown && attention != null
                ? source[System.Numerics.Tensors.TensorPrimitives.IndexOfMax(attention[t].AsSpan(0, source.Length))]
                : vocabulary[id];
        }
        return words;
    }

    /// <summary>
    /// log P(reference | source) of each pair under the model (teacher-forced, the end token included): how likely
    /// the model finds a given translation, such as the reference y* of the beam-search error analysis. A reference
    /// token outside the target vocabulary is scored as the unknown token; <paramref name="unknownTokens"/> counts them per pair.
    /// </summary>
    public double[] ScoreTranslations(IReadOnlyList<string> sources, IReadOnlyList<string> translations, out int[] unknownTokens)
    {
        Host.CheckValue(sources, nameof(sources));
        Host.CheckValue(translations, nameof(translations));
        Host.CheckParam(sources.Count == translations.Count, nameof(translations), $"There are {sources.Count} sources but {translations.Count} translations.");
        var sourceIds = new List<int[]>(sources.Count);
        var targetIds = new List<int[]>(sources.Count);
        unknownTokens = new int[sources.Count];
        for (int i = 0; i < sources.Count; i++)
        {
            var s = _settings.SourceTokenizer.Tokenize(sources[i] ?? throw Host.ExceptParam(nameof(sources), $"Source {i} is null."));
            Host.CheckParam(s.Length > 0, nameof(sources), $"Source {i} is empty: there is nothing to translate.");
            var t = _settings.TargetTokenizer.Tokenize(translations[i] ?? throw Host.ExceptParam(nameof(translations), $"Translation {i} is null."));
            sourceIds.Add(s.Select(x => _settings.SourceTokens.IdOf(x)).ToArray());
            var ids = t.Select(x => _settings.TargetTokens.IdOf(x)).ToArray();
            unknownTokens[i] = ids.Count(id => id == TokenIndex.Unknown);
            targetIds.Add(ids);
        }
        var result = new double[sources.Count];
        using var noGrad = no_grad();
        foreach (var batch in LengthBatches.ForEvaluation(sourceIds.Select(s => s.Length).ToList(), SentencesPerBatch))
        {
            using var scope = NewDisposeScope();
            var (ids, lengths) = PaddedBatch.Create(sourceIds, batch, Device);
            var (inputs, outputs) = Seq2SeqAttentionTrainer.TeacherForcedTargets(targetIds, batch, Device);
            var logp = _module.Logits(_module.Encode(ids, lengths), inputs).log_softmax(2);
            var picked = logp.gather(2, outputs.unsqueeze(2)).squeeze(2).masked_fill(outputs.eq(TokenIndex.Padding), 0);
            var sums = picked.to(float64).sum(1).cpu().data<double>().ToArray();
            for (int b = 0; b < batch.Length; b++)
                result[batch[b]] = sums[b];
        }
        return result;
    }

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>The output columns for these names (shared with the trainer's schema propagation).</summary>
    internal static IEnumerable<SchemaShape.Column> OutputShape(string translation, string logProbability, string? nBest, string? attention)
    {
        var text = TextDataViewType.Instance;
        yield return new SchemaShape.Column(translation, SchemaShape.Column.VectorKind.Scalar, text, false);
        yield return new SchemaShape.Column(logProbability, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        if (nBest != null)
        {
            yield return new SchemaShape.Column(nBest, SchemaShape.Column.VectorKind.VariableVector, text, false);
            yield return new SchemaShape.Column(nBest + "Scores", SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false);
        }
        if (attention != null)
        {
            yield return new SchemaShape.Column(attention, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false);
            yield return new SchemaShape.Column("SourceTokens", SchemaShape.Column.VectorKind.VariableVector, text, false);
            yield return new SchemaShape.Column("TranslationTokens", SchemaShape.Column.VectorKind.VariableVector, text, false);
        }
    }

    private sealed class Mapper : ScoringMapper<string, Translation>
    {
        private readonly Seq2SeqAttentionTransformer _parent;
        private readonly DataViewSchema.Column _source;
        private readonly DecodingOptions _decoding;

        public Mapper(Seq2SeqAttentionTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            _source = TranslationPairs.Find(Host, inputSchema, parent._settings.SourceColumnName, "source");
            _decoding = parent._settings.Decoding.Clone();
            // The attention column needs the weights of the chosen path.
            _decoding.KeepAttention |= parent._settings.AttentionColumnName != null;
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var s = _parent._settings;
            var columns = new List<DataViewSchema.DetachedColumn>
            {
                new(s.TranslationColumnName, TextDataViewType.Instance),
                new(s.LogProbabilityColumnName, NumberDataViewType.Single),
            };
            if (s.NBestColumnName != null)
            {
                columns.Add(new(s.NBestColumnName, new VectorDataViewType(TextDataViewType.Instance)));
                columns.Add(new(s.NBestColumnName + "Scores", new VectorDataViewType(NumberDataViewType.Single)));
            }
            if (s.AttentionColumnName != null)
            {
                columns.Add(new(s.AttentionColumnName, new VectorDataViewType(NumberDataViewType.Single)));
                columns.Add(new("SourceTokens", new VectorDataViewType(TextDataViewType.Instance)));
                columns.Add(new("TranslationTokens", new VectorDataViewType(TextDataViewType.Instance)));
            }
            return columns.ToArray();
        }

        public override IReadOnlyList<DataViewSchema.Column> InputColumns => [_source];

        public override Func<string> MakeInputGetter(DataViewRow row)
        {
            var getter = row.GetGetter<ReadOnlyMemory<char>>(_source);
            ReadOnlyMemory<char> text = default;
            return () =>
            {
                getter(ref text);
                return text.ToString();
            };
        }

        public override bool CanBatch(string source) => _parent._settings.SourceTokenizer.Tokenize(source).Length > 0;

        public override Translation[] ScoreBatch(IReadOnlyList<string> inputs) => _parent.Translate(inputs, _decoding).ToArray();

        public override Translation ScoreOne(long position, string source)
        {
            if (_parent._settings.SourceTokenizer.Tokenize(source).Length == 0)
                throw Host.Except($"Row {position} of column '{_parent._settings.SourceColumnName}' is empty: there is nothing to translate.");
            return _parent.Translate([source], _decoding)[0];
        }

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeOutputGetter(int iinfo, Func<Translation> translationOfRow)
        {
            var s = _parent._settings;
            int nBest = s.NBestColumnName != null ? 2 : 0;
            switch (iinfo)
            {
                case 0:
                    return (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = translationOfRow().Text.AsMemory());
                case 1:
                    return (ValueGetter<float>)((ref float dst) => dst = (float)translationOfRow().LogProbability);
                case 2 when nBest > 0:
                    return VectorGetters.Texts(() => translationOfRow().NBest.Select(c => c.Text).ToArray());
                case 3 when nBest > 0:
                    return VectorGetters.Floats(() => translationOfRow().NBest.Select(c => (float)c.Score).ToArray());
            }
            int attention = iinfo - 2 - nBest;
            return attention switch
            {
                0 => VectorGetters.Floats(() => translationOfRow().Attention?.SelectMany(r => r).ToArray() ?? []),
                1 => VectorGetters.Texts(() => translationOfRow().SourceTokens.ToArray()),
                _ => VectorGetters.Texts(() => translationOfRow().Tokens.ToArray()),
            };
        }
    }
}
