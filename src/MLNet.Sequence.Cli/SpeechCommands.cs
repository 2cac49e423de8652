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
        };
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
