using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Speech;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(CtcSpeechTransformer), null, typeof(SignatureLoadModel), CtcSpeechTransformer.UserName, CtcSpeechTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(CtcSpeechTransformer), null, typeof(SignatureLoadRowMapper), CtcSpeechTransformer.UserName, CtcSpeechTransformer.LoaderSignature)]

namespace MLNet.Sequence.Torch.Speech;

/// <summary>
/// A trained CTC speech recogniser. From a features column it writes the transcript (Text), its score (Single), its
/// words with their start and end times in seconds (vectors), and with NBest above 1 the n-best transcripts and
/// scores. Saved in the ML.NET model zip with its units, feature statistics, decoding settings, language model and
/// TorchSharp weights.
/// </summary>
public sealed class CtcSpeechTransformer : SequenceModelTransformerBase
{
    internal const string UserName = "CTC Speech Recogniser";
    internal const string LoaderSignature = "MLSeqCtcSpeech";
    private const string RegistrationName = nameof(CtcSpeechTransformer);
    private const uint VersionFirst = 0x00010001;
    private const uint VersionUnitKinds = 0x00010002; // subword and phoneme units, the lexicon, utterance mean normalisation
    private const int BatchSize = 16;

    /// <summary>What the recogniser saves besides its weights.</summary>
    internal sealed record Settings(CtcUnits Units, FeatureNormalizer Normalizer, CtcNetworkShape Shape, CtcDecoderOptions Decoding, double FrameSeconds,
        string FeaturesColumnName, string TranscriptColumnName, bool UtteranceMeanNormalization)
    {
        public void Write(BinaryWriter w)
        {
            w.WriteStrings(Units.Units);
            Shape.Write(w);
            Normalizer.Write(w);
            w.Write(FrameSeconds);
            w.Write(Decoding.BeamWidth);
            w.Write(Decoding.TokenMinLogProbability);
            w.Write(Decoding.TokensPerFrame);
            w.Write(Decoding.LanguageModelWeight);
            w.Write(Decoding.WordInsertionBonus);
            w.Write(Decoding.UnknownWordLogProbability);
            w.Write(Decoding.NBest);
            w.WriteStrings(Decoding.Hotwords.Select(h => h.Phrase).ToArray());
            w.WriteDoubles(Decoding.Hotwords.Select(h => h.Weight).ToArray());
            var arpa = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            Decoding.LanguageModel?.Write(arpa);
            w.Write(arpa.ToString());
            w.WriteStrings([FeaturesColumnName, TranscriptColumnName]);
            w.Write(Units.WordSeparator ?? "");
            w.Write(Units.WordStartMarker ?? "");
            var entries = Units.Lexicon?.Entries().ToList() ?? [];
            w.WriteStrings(entries.Select(e => e.Word).ToArray());
            w.WriteStrings(entries.Select(e => e.Pronunciation).ToArray());
            w.WriteLongs(entries.Select(e => e.Count).ToArray());
            w.Write(UtteranceMeanNormalization);
        }

        public static Settings Read(IExceptionContext ectx, BinaryReader r, uint version)
        {
            var units = r.ReadStrings("units");
            ectx.CheckDecode(units.Length > 1, "Bad units in the speech model.");
            var shape = CtcNetworkShape.Read(ectx, r);
            ectx.CheckDecode(shape.Units == units.Length, "The speech model's units do not match its output layer.");
            var normalizer = FeatureNormalizer.Read(ectx, r, shape.FeatureCount);
            double frameSeconds = r.ReadDouble();
            var decoding = new CtcDecoderOptions
            {
                BeamWidth = r.ReadInt32(),
                TokenMinLogProbability = r.ReadSingle(),
                TokensPerFrame = r.ReadInt32(),
                LanguageModelWeight = r.ReadDouble(),
                WordInsertionBonus = r.ReadDouble(),
                UnknownWordLogProbability = r.ReadDouble(),
                NBest = r.ReadInt32(),
                FrameSeconds = frameSeconds,
            };
            var phrases = r.ReadStrings("hotwords");
            var weights = r.ReadDoubles("hotword weights", phrases.Length);
            decoding.Hotwords = phrases.Zip(weights, (p, w) => new Hotword(p, w)).ToArray();
            string arpa = r.ReadString();
            if (arpa.Length > 0)
                decoding.LanguageModel = ArpaLanguageModel.Read(new StringReader(arpa), "the speech model's language model");
            try
            {
                decoding.Check();
            }
            catch (ArgumentException e)
            {
                throw ectx.ExceptDecode($"Bad decoding settings in the speech model: {e.Message}");
            }
            var columns = r.ReadStrings("column names");
            ectx.CheckDecode(columns.Length == 2, "The speech model names the wrong number of columns.");
            CtcUnits ctcUnits;
            bool utteranceMean = false;
            try
            {
                if (version < VersionUnitKinds)
                    ctcUnits = new CtcUnits(units, 0, " ");
                else
                {
                    string separator = r.ReadString(), marker = r.ReadString();
                    var words = r.ReadStrings("lexicon words");
                    var pronunciations = r.ReadStrings("lexicon pronunciations");
                    var counts = r.ReadLongs("lexicon counts", words.Length);
                    ectx.CheckDecode(pronunciations.Length == words.Length, "The speech model's lexicon has as many pronunciations as words.");
                    var lexicon = words.Length == 0 ? null : new CtcLexicon(words.Zip(pronunciations),
                        words.Zip(counts).Where(p => p.Second > 0).DistinctBy(p => p.First).ToDictionary(p => p.First, p => p.Second));
                    ctcUnits = new CtcUnits(units, 0, separator.Length == 0 ? null : separator, marker.Length == 0 ? null : marker, lexicon);
                    utteranceMean = r.ReadBoolean();
                }
            }
            catch (ArgumentException e)
            {
                throw ectx.ExceptDecode($"Bad units in the speech model: {e.Message}");
            }
            return new Settings(ctcUnits, normalizer, shape, decoding, frameSeconds, columns[0], columns[1], utteranceMean);
        }
    }

    private readonly Settings _settings;

    internal CtcSpeechTransformer(IHostEnvironment env, Settings settings, CtcAcousticModule module, Device device, TrainingHistory? history)
        : base(Contracts.CheckRef(env, nameof(env)).Register(RegistrationName), module, device)
    {
        _settings = settings;
        History = history;
    }

    /// <summary>Loss and validation per epoch; null for a loaded model.</summary>
    public TrainingHistory? History { get; }

    /// <summary>The units the model spells with, blank first.</summary>
    public IReadOnlyList<string> Units => _settings.Units.Units;

    /// <summary>For phoneme units, the lexicon that spells their pronunciations as words; otherwise null.</summary>
    public CtcLexicon? Lexicon => _settings.Units.Lexicon;

    /// <summary>The decoding settings in effect (a copy; change them with <see cref="WithDecoding"/>).</summary>
    public CtcDecoderOptions Decoding => Copy(_settings.Decoding);

    /// <summary>The same model decoding another way: a beam, a language model, hotwords, n-best.</summary>
    public CtcSpeechTransformer WithDecoding(CtcDecoderOptions decoding)
    {
        Host.CheckValue(decoding, nameof(decoding));
        var copy = Copy(decoding);
        copy.FrameSeconds = _settings.FrameSeconds;
        try
        {
            copy.Check();
        }
        catch (ArgumentException e)
        {
            throw Host.ExceptUserArg(nameof(decoding), $"{e.ParamName}: {e.Message.Split(" (Parameter")[0]}");
        }
        return new CtcSpeechTransformer(Host, _settings with { Decoding = copy }, (CtcAcousticModule)Module, Device, History);
    }

    /// <summary>Transcribes rows of features (frames x features each, as the features column holds them).</summary>
    public IReadOnlyList<CtcHypothesis[]> Transcribe(IReadOnlyList<float[]> features)
    {
        Host.CheckValue(features, nameof(features));
        var rows = features.Select((f, i) => Prepare(f, i)).ToArray();
        return Recognise((CtcAcousticModule)Module, Device, _settings, rows, _settings.Decoding);
    }

    /// <summary>The frame-level log-probabilities [output steps x units] of one row of features: what the decoders read.</summary>
    public float[] Posteriors(float[] features)
    {
        var row = Prepare(features, 0);
        return Forward((CtcAcousticModule)Module, Device, _settings, [row])[0];
    }

    private float[] Prepare(float[] features, long row)
    {
        var buffer = new VBuffer<float>(features.Length, features);
        var dense = SpeechRows.Check(Host, buffer, _settings.Shape.FeatureCount, _settings.FeaturesColumnName, row, "input");
        if (_settings.UtteranceMeanNormalization)
            FeatureNormalizer.SubtractOwnMean(dense, _settings.Shape.FeatureCount);
        _settings.Normalizer.Apply(dense);
        return dense;
    }

    /// <summary>Runs the network on standardised rows in batches and decodes each row.</summary>
    internal static IReadOnlyList<CtcHypothesis[]> Recognise(CtcAcousticModule module, Device device, Settings settings, IReadOnlyList<float[]> rows, CtcDecoderOptions decoding)
    {
        var posteriors = Forward(module, device, settings, rows);
        decoding = Copy(decoding);
        decoding.FrameSeconds = settings.FrameSeconds * settings.Shape.Stride;
        var units = settings.Units;
        var result = new CtcHypothesis[rows.Count][];
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            int frames = posteriors[i].Length / units.Count;
            result[i] = decoding.BeamWidth == 1 && decoding.LanguageModel == null && decoding.Hotwords.Count == 0
                ? [CtcDecoder.Greedy(posteriors[i], frames, units, decoding.FrameSeconds)]
                : CtcDecoder.BeamSearch(posteriors[i], frames, units, decoding).ToArray();
        });
        return result;
    }

    private static float[][] Forward(CtcAcousticModule module, Device device, Settings settings, IReadOnlyList<float[]> rows)
    {
        int features = settings.Shape.FeatureCount;
        var result = new float[rows.Count][];
        bool training = module.training;
        module.eval();
        using (no_grad())
        {
            foreach (var batch in LengthBatches.ForEvaluation(rows.Select(r => r.Length / features).ToList(), BatchSize))
            {
                using var scope = NewDisposeScope();
                var (input, lengths) = FeatureBatch.Create(rows, batch, features, device);
                var (logProbs, outLengths) = module.call(input, lengths);
                var cpu = logProbs.cpu();
                var steps = outLengths.data<long>().ToArray();
                for (int b = 0; b < batch.Length; b++)
                    result[batch[b]] = cpu[b].narrow(0, 0, steps[b]).contiguous().data<float>().ToArray();
            }
        }
        if (training)
            module.train();
        return result;
    }

    private static CtcDecoderOptions Copy(CtcDecoderOptions o) => new()
    {
        BeamWidth = o.BeamWidth,
        TokenMinLogProbability = o.TokenMinLogProbability,
        TokensPerFrame = o.TokensPerFrame,
        LanguageModel = o.LanguageModel,
        LanguageModelWeight = o.LanguageModelWeight,
        WordInsertionBonus = o.WordInsertionBonus,
        UnknownWordLogProbability = o.UnknownWordLogProbability,
        Hotwords = o.Hotwords.ToArray(),
        NBest = o.NBest,
        FrameSeconds = o.FrameSeconds,
    };

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLSQCTCS",
        verWrittenCur: VersionUnitKinds,
        verReadableCur: VersionUnitKinds,
        verWeCanReadBack: VersionFirst,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(CtcSpeechTransformer).Assembly.FullName);

    private static CtcSpeechTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, RegistrationName, GetVersionInfo(), "the CTC speech model", host =>
        {
            var settings = Settings.Read(host, ctx.Reader, ctx.Header.ModelVerWritten);
            var module = new CtcAcousticModule(settings.Shape);
            LoadWeights(ctx, module);
            return new CtcSpeechTransformer(host, settings, module, CPU, null);
        });

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema) =>
        Create(env, ctx).MakeRowMapper(inputSchema);

    private protected override VersionInfo GetVersionInfoCore() => GetVersionInfo();

    private protected override void SaveState(BinaryWriter writer) => _settings.Write(writer);

    /// <inheritdoc/>
    public override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>The output columns for a transcript column name (shared with the trainer's schema propagation).</summary>
    internal static IEnumerable<SchemaShape.Column> OutputShape(string transcript, bool nBest)
    {
        var text = TextDataViewType.Instance;
        var single = NumberDataViewType.Single;
        yield return new SchemaShape.Column(transcript, SchemaShape.Column.VectorKind.Scalar, text, false);
        yield return new SchemaShape.Column(transcript + "Score", SchemaShape.Column.VectorKind.Scalar, single, false);
        yield return new SchemaShape.Column(transcript + "Words", SchemaShape.Column.VectorKind.VariableVector, text, false);
        yield return new SchemaShape.Column(transcript + "WordStarts", SchemaShape.Column.VectorKind.VariableVector, single, false);
        yield return new SchemaShape.Column(transcript + "WordEnds", SchemaShape.Column.VectorKind.VariableVector, single, false);
        if (nBest)
        {
            yield return new SchemaShape.Column(transcript + "NBest", SchemaShape.Column.VectorKind.VariableVector, text, false);
            yield return new SchemaShape.Column(transcript + "NBestScores", SchemaShape.Column.VectorKind.VariableVector, single, false);
        }
    }

    private sealed class Mapper : ScoringMapper<float[], CtcHypothesis[]>
    {
        private readonly CtcSpeechTransformer _parent;
        private readonly DataViewSchema.Column _features;

        public Mapper(CtcSpeechTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            _features = SpeechRows.FeaturesColumn(Host, inputSchema, parent._settings.FeaturesColumnName);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            OutputShape(_parent._settings.TranscriptColumnName, _parent._settings.Decoding.NBest > 1)
                .Select(c => new DataViewSchema.DetachedColumn(c.Name, c.Kind == SchemaShape.Column.VectorKind.Scalar ? c.ItemType : new VectorDataViewType((PrimitiveDataViewType)c.ItemType)))
                .ToArray();

        public override IReadOnlyList<DataViewSchema.Column> InputColumns => [_features];

        public override Func<float[]> MakeInputGetter(DataViewRow row) => SpeechRows.DenseGetter(row, _features);

        public override bool CanBatch(float[] input)
        {
            int features = _parent._settings.Shape.FeatureCount;
            return input.Length > 0 && input.Length % features == 0 && ModelStateIO.IndexOfNonFinite(input) < 0;
        }

        public override CtcHypothesis[][] ScoreBatch(IReadOnlyList<float[]> inputs)
        {
            var rows = inputs.Select(r => _parent.Prepare(r, 0)).ToArray();
            return Recognise((CtcAcousticModule)_parent.Module, _parent.Device, _parent._settings, rows, _parent._settings.Decoding).ToArray();
        }

        public override CtcHypothesis[] ScoreOne(long position, float[] input)
        {
            var row = _parent.Prepare(input, position);
            return Recognise((CtcAcousticModule)_parent.Module, _parent.Device, _parent._settings, [row], _parent._settings.Decoding)[0];
        }

        public override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        public override Delegate MakeOutputGetter(int iinfo, Func<CtcHypothesis[]> result) => iinfo switch
        {
            0 => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = result()[0].Text.AsMemory()),
            1 => (ValueGetter<float>)((ref float dst) => dst = (float)result()[0].Score),
            2 => VectorGetters.Texts(() => result()[0].Words.Select(w => w.Word).ToArray()),
            3 => VectorGetters.Floats(() => result()[0].Words.Select(w => (float)w.Start).ToArray()),
            4 => VectorGetters.Floats(() => result()[0].Words.Select(w => (float)w.End).ToArray()),
            5 => VectorGetters.Texts(() => result().Select(h => h.Text).ToArray()),
            _ => VectorGetters.Floats(() => result().Select(h => (float)h.Score).ToArray()),
        };
    }
}
