using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Speech;

namespace MLNet.Sequence.Cli;

/// <summary>Speech from the command line: audio features, WER, ARPA language models, CTC training and transcription.</summary>
internal static class SpeechCommands
{
    private static readonly Flag[] Features =
    {
        Flag.Int("rate", 16000, "sample rate the audio is resampled to (Hz)", 1),
        Flag.Int("mels", 80, "log-mel bands", 1),
        Flag.Int("n-fft", 400, "FFT size", 2),
        Flag.Int("hop", 160, "samples between frames", 1),
    };

    public static readonly Command AudioFeatures = new("audio-features",
        "Computes a log-mel spectrogram (or MFCC, or spectrogram) of WAV files as torchaudio does, and prints each file's frames and value range, or writes them as TSV.",
        Features.Concat(new[]
        {
            Flag.Choice("kind", "logmel", "what to compute", "logmel", "mfcc", "spectrogram"),
            Flag.Int("mfcc", 13, "MFCC coefficients (-kind mfcc)", 1),
            Flag.Text("o", "FILE.tsv", "write one line per frame: file, frame, then the values"),
        }),
        RunFeatures, positional: "WAV [WAV...]");

    public static readonly Command Wer = new("wer",
        "Corpus WER and CER of a file of transcripts against a file of references, one utterance per line: sum(S + D + I) / sum(N), after lower-casing and removing punctuation.",
        new[]
        {
            Flag.Required("i", "FILE", "the transcripts, one per line"),
            Flag.Bool("align", false, "also print each wrong utterance's word alignment"),
        },
        RunWer, positional: "REF");

    public static readonly Command ArpaBuild = new("arpa-build",
        "Builds an interpolated modified Kneser-Ney n-gram model of a text file (one sentence per line, normalised as WER normalises) and writes it as ARPA.",
        new[]
        {
            Flag.Required("i", "FILE", "the text, one sentence per line"),
            Flag.Required("o", "FILE.arpa", "where to write the model"),
            Flag.Int("order", 3, "n-gram order (1 to 6)", 1),
            Flag.Choice("unit", "words", "what a token is", "words", "chars"),
        },
        RunArpa);

    public static readonly Command SpeechTrain = new("speech-train",
        "Trains a CTC speech recogniser on TSV rows of a WAV path and its transcript; the saved zip holds the whole pipeline (load, resample, log-mel, model).",
        SequenceCommands.Splits(header: false).Concat(Features).Concat(new[]
        {
            Flag.Text("audio-dir", "DIR", "the folder relative WAV paths are read from"),
            Flag.Int("path-column", 0, "0-based column of the WAV path", 0),
            Flag.Int("text-column", 1, "0-based column of the transcript", 0),
            Flag.Int("conv-channels", 256, "channels of the convolutions", 1),
            Flag.Int("conv-layers", 2, "convolutions before the recurrent layers", 0),
            Flag.Int("stride", 2, "the first convolution's stride", 1),
            Flag.Choice("cell", "gru", "the recurrent cell", "gru", "lstm"),
            Flag.Int("hidden", 256, "width of each direction's state", 1),
            Flag.Int("layers", 3, "stacked recurrent layers", 1),
            Flag.Bool("bidirectional", true, "a second layer reads backwards"),
            Flag.Number("dropout", 0.1, "dropout after the front end and before the output"),
            Flag.Int("time-masks", 2, "SpecAugment time masks per utterance", 0),
            Flag.Int("freq-masks", 2, "SpecAugment frequency masks per utterance", 0),
            Flag.Bool("cmn", false, "subtract each utterance's own mean from its features (cepstral mean normalisation)"),
            Flag.Choice("units", "chars", "what the model spells", "chars", "subwords", "phonemes"),
            Flag.Int("merges", 300, "byte-pair merges of the subword units (-units subwords)", 0),
            Flag.Text("dict", "FILE", "the pronouncing dictionary of the phoneme units (-units phonemes)", PronouncingDictionary.CmuPathInClone),
        }).Concat(SequenceCommands.Training),
        RunTrain);

    public static readonly Command Transcribe = new("transcribe",
        "Transcribes WAV files with a model saved by speech-train: greedy, or prefix beam search with an ARPA language model and hotwords.",
        new[]
        {
            Flag.Required("model", "MODEL.zip", "a model saved by speech-train"),
            Flag.Int("beam", 1, "beam width (1 with no -lm and no -hotword: greedy)", 1),
            Flag.Text("lm", "FILE.arpa", "a word n-gram model for shallow fusion"),
            Flag.Number("alpha", 0.5, "weight of the language model"),
            Flag.Number("beta", 1.0, "bonus per word"),
            Flag.Text("hotwords", "PHRASE:WEIGHT,...", "words or phrases to boost, such as 'seven:3,call me:2'"),
            Flag.Int("n-best", 1, "transcripts printed per file (at most -beam)", 1),
            Flag.Bool("times", false, "print each word's start and end in seconds"),
        },
        RunTranscribe, positional: "WAV [WAV...]");

    public static readonly Command SpeechSynthesize = new("speech-synthesize",
        "Speaks every line of a text file with offline TTS voices (espeak-ng, flite) at random rates and pitches, mixes white noise at a random SNR, and writes WAVs with transcripts.tsv (path, text) for speech-train. Seeded.",
        new[]
        {
            Flag.Required("i", "FILE", "the sentences, one per line"),
            Flag.Required("o", "DIR", "the folder for the WAVs and transcripts.tsv"),
            Flag.Text("voices", "ENGINE:VOICE,...", "voices to draw from, such as 'espeak:en-us,espeak:en-gb+f3,flite:slt'", DefaultVoices),
            Flag.Int("per-line", 1, "recordings of each line, each by a random voice", 1),
            Flag.Number("rate-min", 0.8, "slowest speaking rate (1 is the voice's own)"),
            Flag.Number("rate-max", 1.25, "fastest speaking rate"),
            Flag.Number("pitch-min", 0.8, "lowest pitch (1 is the voice's own)"),
            Flag.Number("pitch-max", 1.25, "highest pitch"),
            Flag.Number("snr-min", 5, "lowest signal-to-noise ratio of the mixed white noise (dB)"),
            Flag.Number("snr-max", 30, "highest signal-to-noise ratio (dB)"),
            Flag.Bool("clean", false, "add no noise"),
            Flag.Int("rate", 16000, "sample rate of the WAVs written (Hz)", 1),
            Flag.Int("seed", 1, "seed of the voices, rates, pitches and noise", 0),
        },
        RunSynthesize);

    private const string DefaultVoices = "espeak:en-us,espeak:en-gb,espeak:en-gb-scotland,espeak:en-029,espeak:en-us+f3,espeak:en-gb+f2,espeak:en-us+m3,flite:awb,flite:rms,flite:slt,flite:kal16";

    /// <summary>The voices of a -voices flag: ENGINE:VOICE entries separated by commas.</summary>
    internal static List<(SynthesisEngine Engine, string Voice)> ParseVoices(string text)
    {
        List<(SynthesisEngine Engine, string Voice)> voices = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var pieces = part.Split(':', 2);
            var engine = pieces[0] switch
            {
                "espeak" or "espeak-ng" => SynthesisEngine.EspeakNg,
                "flite" => SynthesisEngine.Flite,
                _ => throw new UsageException($"-voices is ENGINE:VOICE,... with ENGINE espeak or flite; '{part}' is not."),
            };
            if (pieces.Length < 2 || pieces[1].Length == 0)
                throw new UsageException($"-voices entry '{part}' names no voice.");
            return (Engine: engine, Voice: pieces[1]);
        }).ToList();
        if (voices.Count == 0)
            throw new UsageException("-voices names no voice.");
        // An unknown voice is a mistake in the flag: say so before anything is spoken. (espeak-ng takes any "+variant",
        // falling back to its default one.)
        var espeak = voices.Any(v => v.Engine == SynthesisEngine.EspeakNg) ? SpeechSynthesizer.EspeakVoices().ToHashSet(StringComparer.OrdinalIgnoreCase) : [];
        var flite = voices.Any(v => v.Engine == SynthesisEngine.Flite) ? SpeechSynthesizer.FliteVoices().ToHashSet() : [];
        foreach (var (engine, voice) in voices)
        {
            if (engine == SynthesisEngine.EspeakNg && !espeak.Contains(voice.Split('+')[0]))
                throw new UsageException($"-voices: espeak-ng has no voice '{voice.Split('+')[0]}' (espeak-ng --voices lists them).");
            if (engine == SynthesisEngine.Flite && !flite.Contains(voice))
                throw new UsageException($"-voices: flite has no voice '{voice}'; it has {string.Join(", ", flite)}.");
        }
        return voices;
    }

    private static int RunSynthesize(Arguments a)
    {
        var voices = ParseVoices(a.Text("voices")!);
        double rateMin = a.Number("rate-min"), rateMax = a.Number("rate-max"), pitchMin = a.Number("pitch-min"), pitchMax = a.Number("pitch-max");
        double snrMin = a.Number("snr-min"), snrMax = a.Number("snr-max");
        if (!(rateMin > 0 && rateMin <= rateMax) || !(pitchMin > 0 && pitchMin <= pitchMax) || !(snrMin <= snrMax))
            throw new UsageException("Each -X-min must be positive (SNR: any) and at most its -X-max.");
        var lines = TranslationCommands.ReadLines(a.ExistingFile("i")).Where(l => l.Trim().Length > 0).ToArray();
        if (lines.Length == 0)
            throw new InvalidDataException($"'{a.Text("i")}' has no text to speak.");
        string output = a.Required("o");
        Directory.CreateDirectory(output);
        int rate = a.Int("rate"), perLine = a.Int("per-line");
        bool clean = a.Bool("clean");
        var random = new Random(a.Int("seed"));
        double seconds = 0;
        using var transcripts = new StreamWriter(Path.Combine(output, "transcripts.tsv")) { NewLine = "\n" };
        int index = 0;
        foreach (var line in lines)
            for (int k = 0; k < perLine; k++, index++)
            {
                var (engine, name) = voices[random.Next(voices.Count)];
                var voice = new SynthesisVoice(engine, name, rateMin + (rateMax - rateMin) * random.NextDouble(), pitchMin + (pitchMax - pitchMin) * random.NextDouble());
                var audio = SpeechSynthesizer.Speak(line.Trim(), voice);
                var samples = audio.Mono();
                if (audio.SampleRate != rate)
                    samples = Resampler.Resample(samples, audio.SampleRate, rate);
                if (!clean && AudioAugmentation.Power(samples) > 0)
                    samples = AudioAugmentation.AddNoise(samples, AudioAugmentation.WhiteNoise(samples.Length, random), snrMin + (snrMax - snrMin) * random.NextDouble(), random);
                string file = $"{index:D6}.wav";
                WavFile.Write(Path.Combine(output, file), samples, rate);
                transcripts.WriteLine($"{file}\t{line.Trim().Replace('\t', ' ')}");
                seconds += (double)samples.Length / rate;
            }
        Console.WriteLine($"Wrote {index:N0} recordings ({seconds / 60:N1} min) and transcripts.tsv to {output}");
        return 0;
    }

    private static int RunFeatures(Arguments a)
    {
        if (a.Positional.Count == 0)
            throw new UsageException("Give at least one WAV file: mlnet-seq audio-features WAV [WAV...].");
        var settings = new AudioFeatureSettings
        {
            Kind = a.Text("kind") switch { "mfcc" => AudioFeatureKind.Mfcc, "spectrogram" => AudioFeatureKind.Spectrogram, _ => AudioFeatureKind.MelSpectrogram },
            Spectrogram = { FftSize = a.Int("n-fft"), HopLength = a.Int("hop") },
            MelBands = a.Int("mels"),
            MfccCount = a.Int("mfcc"),
        };
        if (settings.Kind == AudioFeatureKind.MelSpectrogram)
        {
            settings.Log = LogScale.Decibels;
            settings.TopDb = 80;
        }
        int rate = a.Int("rate");
        AudioFeaturizer featurizer;
        try
        {
            featurizer = new AudioFeaturizer(settings, rate);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter")[0]);
        }
        string? output = a.Text("o");
        using var tsv = output == null ? null : new StreamWriter(output);
        foreach (string path in a.Positional)
        {
            var audio = WavFile.Read(path);
            var samples = Resampler.Resample(audio.Mono(), audio.SampleRate, rate);
            float[] values;
            try
            {
                values = featurizer.Compute(samples);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"'{path}': {e.Message.Split(" (Parameter")[0]}");
            }
            int frames = values.Length / featurizer.FeatureCount;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}\t{audio.SampleRate} Hz, {audio.Channels.Length} channel(s), {audio.Duration:F3} s\t{frames} frames x {featurizer.FeatureCount}\tmin {values.Min():F3}, max {values.Max():F3}"));
            if (tsv != null)
                for (int t = 0; t < frames; t++)
                    tsv.WriteLine($"{path}\t{t}\t{string.Join('\t', values.AsSpan(t * featurizer.FeatureCount, featurizer.FeatureCount).ToArray().Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))}");
        }
        return 0;
    }

    private static int RunWer(Arguments a)
    {
        if (a.Positional.Count != 1)
            throw new UsageException("Give one reference file: mlnet-seq wer REF -i FILE.");
        string referenceFile = a.Positional[0];
        if (!File.Exists(referenceFile))
            throw new UsageException($"Reference file '{referenceFile}' does not exist.");
        string hypothesisFile = a.ExistingFile("i");
        var references = TranslationCommands.ReadLines(referenceFile);
        var hypotheses = TranslationCommands.ReadLines(hypothesisFile);
        if (references.Length != hypotheses.Length)
            throw new InvalidDataException($"'{referenceFile}' has {references.Length} lines but '{hypothesisFile}' has {hypotheses.Length}; each transcript needs a reference line.");
        var wer = WordErrorRate.Of(references.Zip(hypotheses));
        if (wer.WordCounts.ReferenceLength == 0)
            throw new InvalidDataException($"Every line of '{referenceFile}' is empty after normalisation; WER is undefined.");
        if (a.Bool("align"))
        {
            for (int i = 0; i < wer.Utterances.Count; i++)
            {
                var u = wer.Utterances[i];
                if (u.Words.Counts.Errors > 0)
                    Console.WriteLine($"line {i + 1}: {u.Words.Counts.Errors} errors\n{u.Words.ToDisplayString()}\n");
            }
        }
        Console.WriteLine(wer.ToString());
        return 0;
    }

    private static int RunArpa(Arguments a)
    {
        int order = a.Int("order");
        if (order > 6)
            throw new UsageException($"-order must be at most 6, got {order}.");
        bool chars = a.Text("unit") == "chars";
        var sentences = TranslationCommands.ReadLines(a.ExistingFile("i"))
            .Select(TranscriptNormalizer.Normalize)
            .Where(s => s.Length > 0)
            .Select(s => (IReadOnlyList<string>)(chars ? s.Replace(' ', '|').EnumerateRunes().Select(r => r.ToString()).ToArray() : s.Split(' ')))
            .ToList();
        if (sentences.Count == 0)
            throw new InvalidDataException($"'{a.Text("i")}' has no text to build a language model from.");
        string output = a.Required("o");
        using (var writer = new StreamWriter(output) { NewLine = "\n" })
            ArpaModelBuilder.Build(sentences, order, writer);
        var model = ArpaLanguageModel.Load(output);
        Console.WriteLine($"Wrote {output}: order {model.Order}, {model.VocabularySize:N0} {(chars ? "characters" : "words")}, n-grams {string.Join(" / ", model.NgramCounts.Select(c => c.ToString("N0", CultureInfo.InvariantCulture)))}");
        return 0;
    }

    private sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    private static int RunTrain(Arguments a)
    {
        PronouncingDictionary? dictionary = null;
        if (a.Text("units") == "phonemes")
        {
            string path = a.Text("dict")!;
            if (!File.Exists(path))
                throw new UsageException($"-dict: the pronouncing dictionary '{path}' does not exist (build/setup.sh installs the CMU dictionary at {PronouncingDictionary.CmuPathInClone}).");
            dictionary = PronouncingDictionary.Load(path);
        }
        var ml = SequenceCommands.NewContext(a);
        var columns = new[]
        {
            new TextLoader.Column("Path", DataKind.String, a.Int("path-column")),
            new TextLoader.Column("Text", DataKind.String, a.Int("text-column")),
        };
        var (train, valid, test) = SequenceCommands.LoadSplits(ml, a, columns);
        int rate = a.Int("rate"), mels = a.Int("mels");
        var features = ml.Transforms.LoadAudio("Samples", "Path", a.Text("audio-dir"), rate)
            .Append(ml.Transforms.LogMelSpectrogram("Features", "Samples", rate, "SamplesSampleRate", mels, a.Int("n-fft"), a.Int("hop")));
        var featureModel = features.Fit(train);
        var options = new CtcSpeechTrainer.Options
        {
            FeatureCount = mels,
            ConvolutionChannels = a.Int("conv-channels"),
            ConvolutionLayers = a.Int("conv-layers"),
            Stride = a.Int("stride"),
            Encoder = new RecurrentEncoderOptions
            {
                CellType = a.Text("cell") == "lstm" ? RecurrentCellType.Lstm : RecurrentCellType.Gru,
                HiddenSize = a.Int("hidden"),
                Layers = a.Int("layers"),
                Bidirectional = a.Bool("bidirectional"),
            },
            Dropout = a.Number("dropout"),
            TimeMasks = a.Int("time-masks"),
            FrequencyMasks = a.Int("freq-masks"),
            FrameSeconds = (double)a.Int("hop") / rate,
            Units = a.Text("units") switch { "subwords" => CtcUnitKind.Subwords, "phonemes" => CtcUnitKind.Phonemes, _ => CtcUnitKind.Characters },
            SubwordMerges = a.Int("merges"),
            UtteranceMeanNormalization = a.Bool("cmn"),
        };
        options.PronouncingDictionary = dictionary;
        SequenceCommands.SetTraining(a, options);
        // Features are computed once and cached, not once per epoch.
        var trainFeatures = ml.Data.Cache(featureModel.Transform(train));
        var validFeatures = valid == null ? null : ml.Data.Cache(featureModel.Transform(valid));
        var recogniser = ml.Speech().Trainers.CtcSpeech(options).Fit(trainFeatures, validFeatures);
        var model = featureModel.Append(recogniser);
        string output = a.Required("output");
        ml.Model.Save(model, train.Schema, output);
        Console.WriteLine($"Saved {output}");
        if (test != null)
            Console.WriteLine($"Test: {ml.Speech().Evaluate(model.Transform(test), "Text", "Transcript")}");
        return 0;
    }

    private static int RunTranscribe(Arguments a)
    {
        if (a.Positional.Count == 0)
            throw new UsageException("Give at least one WAV file: mlnet-seq transcribe -model MODEL.zip WAV [WAV...].");
        foreach (string path in a.Positional)
            if (!File.Exists(path))
                throw new UsageException($"WAV file '{path}' does not exist.");
        var ml = new MLContext();
        var loaded = ModelFiles.Load(a.Required("model"));
        var recogniser = ModelFiles.Find<CtcSpeechTransformer>(loaded)
            ?? throw new InvalidDataException($"'{a.Text("model")}' holds no speech model; train one with speech-train.");
        var decoding = new CtcDecoderOptions
        {
            BeamWidth = a.Int("beam"),
            LanguageModelWeight = a.Number("alpha"),
            WordInsertionBonus = a.Number("beta"),
            NBest = a.Int("n-best"),
            LanguageModel = a.Text("lm") != null ? ArpaLanguageModel.Load(a.ExistingFile("lm")) : null,
            Hotwords = Hotwords(a.Text("hotwords")),
        };
        if (decoding.NBest > decoding.BeamWidth)
            throw new UsageException($"-n-best ({decoding.NBest}) must be at most -beam ({decoding.BeamWidth}).");
        if (loaded is not TransformerChain<ITransformer> saved)
            throw new InvalidDataException($"'{a.Text("model")}' is not a pipeline saved by speech-train.");
        var chain = saved.Select(t => t is CtcSpeechTransformer ctc ? ctc.WithDecoding(decoding) : t).ToArray();
        var model = new TransformerChain<ITransformer>(chain);
        var data = ml.Data.LoadFromEnumerable(a.Positional.Select(p => new PathRow { Path = Path.GetFullPath(p) }));
        var output = model.Transform(data);
        var texts = output.GetColumn<string>("Transcript").ToArray();
        var words = output.GetColumn<string[]>("TranscriptWords").ToArray();
        var starts = output.GetColumn<float[]>("TranscriptWordStarts").ToArray();
        var ends = output.GetColumn<float[]>("TranscriptWordEnds").ToArray();
        string[][]? nBest = decoding.NBest > 1 ? output.GetColumn<string[]>("TranscriptNBest").ToArray() : null;
        float[][]? nBestScores = decoding.NBest > 1 ? output.GetColumn<float[]>("TranscriptNBestScores").ToArray() : null;
        for (int i = 0; i < texts.Length; i++)
        {
            if (nBest == null)
                Console.WriteLine($"{a.Positional[i]}\t{texts[i]}");
            else
                for (int n = 0; n < nBest[i].Length; n++)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{a.Positional[i]}\t{n + 1}\t{nBestScores![i][n]:F3}\t{nBest[i][n]}"));
            if (a.Bool("times"))
                for (int w = 0; w < words[i].Length; w++)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\t{starts[i][w]:F2}\t{ends[i][w]:F2}\t{words[i][w]}"));
        }
        return 0;
    }

    private static Hotword[] Hotwords(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return [];
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            int colon = part.LastIndexOf(':');
            if (colon <= 0 || !double.TryParse(part[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double weight) || !double.IsFinite(weight))
                throw new UsageException($"-hotwords is PHRASE:WEIGHT,..., such as 'seven:3,call me:2'; '{part}' is not.");
            return new Hotword(TranscriptNormalizer.Normalize(part[..colon]), weight);
        }).ToArray();
    }
}
