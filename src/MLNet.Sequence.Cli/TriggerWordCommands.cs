using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Plots;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.TriggerWords;

namespace MLNet.Sequence.Cli;

/// <summary>Trigger words from the command line: synthesize a training set, train a detector, detect in WAV files or raw PCM.</summary>
internal static class TriggerWordCommands
{
    private const string Music = "/usr/share/asterisk/moh";

    public static readonly Command Synthesize = new("trigger-synthesize",
        "Writes the curriculum's trigger-word training set: clips of background (coloured noise, music) with 0-4 spoken keywords and 0-2 other words at random places, each keyword by a random TTS voice, rate and pitch, and clips.tsv (file, keyword end times). Seeded.",
        new[]
        {
            Flag.Required("keyword", "TEXT", "the keyword or phrase"),
            Flag.Text("negatives", "WORD,...", "other words, phonetically close ones included", "motivate,activity,captivate,active,deactivate,elevate"),
            Flag.Text("voices", "ENGINE:VOICE,...", "voices to draw from (espeak-ng voices of any language, flite)", "espeak:en-us,espeak:en-gb,espeak:en-gb-scotland,espeak:en-029,espeak:en-us+f3,espeak:en-gb+f2,espeak:en-us+m3,flite:awb,flite:rms,flite:slt"),
            Flag.Int("takes", 4, "recordings of each word per voice, at random rates and pitches", 1),
            Flag.Required("o", "DIR", "the folder for the clips and clips.tsv"),
            Flag.Int("n", 1000, "clips to write", 1),
            Flag.Int("max-keywords", 4, "keywords per clip, 0 to this many (0: keyword-free clips, for evaluation)", 0),
            Flag.Number("seconds", 10, "clip length"),
            Flag.Int("rate", 44100, "sample rate of the clips (Hz)", 1000),
            Flag.Text("music", "DIR", "a folder of WAV music for backgrounds (Debian's asterisk-moh-opsound-wav by default, if present)", Music),
            Flag.Number("snr-min", 5, "lowest speech-to-background ratio (dB)"),
            Flag.Number("snr-max", 20, "highest speech-to-background ratio (dB)"),
            Flag.Int("seed", 1, "seed of voices, placements and noise", 0),
        },
        RunSynthesize);

    public static readonly Command Train = new("trigger-train",
        "Trains the curriculum's trigger-word detector (Conv1d + two GRUs) on clips.tsv from trigger-synthesize; the saved zip holds the whole pipeline (load, spectrogram, detector).",
        new[]
        {
            Flag.Required("i", "clips.tsv", "the clips and their keyword end times"),
            Flag.Required("output", "MODEL.zip", "where to save the pipeline"),
            Flag.Text("valid", "clips.tsv", "validation clips: the loss per epoch, and with keyword-free clips among them the miss rate and false alarms per hour"),
            Flag.Int("rate", 44100, "sample rate the clips are resampled to (Hz)", 1000),
            Flag.Number("threshold", 0.5, "probability at which a step counts as the keyword"),
            Flag.Number("refractory", 0.75, "seconds after a detection during which no other fires"),
            Flag.Number("dropout", 0.2, "dropout at each of the four dropout layers"),
        }.Concat(SequenceCommands.Training.Where(f => f.Name != "batch")).Append(Flag.Int("batch", 16, "clips per batch", 1)),
        RunTrain);

    public static readonly Command Detect = new("trigger-detect",
        "Detects the keyword in WAV files, or in raw 16-bit mono PCM from standard input ('-'), streaming in chunks, with a model saved by trigger-train; prints each detection's time and peak probability.",
        new[]
        {
            Flag.Required("model", "MODEL.zip", "a model saved by trigger-train"),
            Flag.Number("chunk", 0.5, "seconds of audio per chunk"),
            Flag.Number("threshold", "<the model's>", "probability at which a step counts as the keyword"),
            Flag.Number("refractory", "<the model's>", "seconds after a detection during which no other fires"),
        },
        RunDetect, positional: "WAV... | -");

    public static readonly Command Evaluate = new("trigger-evaluate",
        "Evaluates a model saved by trigger-train in the wake-word benchmark's terms: the miss rate on clips that say the keyword (a clips.tsv of files and keyword end times) against false alarms per hour on keyword-free WAV files; prints the miss rate at 1 false alarm per 10 hours and per hour, the figures at the model's threshold and the real-time factor, and draws the DET curve.",
        new[]
        {
            Flag.Required("model", "MODEL.zip", "a model saved by trigger-train"),
            Flag.Required("keywords", "clips.tsv", "clips that say the keyword: file and comma-separated keyword end times (s), as trigger-synthesize writes"),
            Flag.Required("free", "DIR", "a folder of keyword-free WAV files (speech, noise, music)"),
            Flag.Text("det", "DET.png", "where to draw the DET curve (PNG or SVG)"),
        },
        RunEvaluate);

    private static int RunSynthesize(Arguments a)
    {
        var voices = SpeechCommands.ParseVoices(a.Text("voices")!);
        string keyword = a.Required("keyword").Trim();
        var negativeWords = a.Text("negatives")!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int rate = a.Int("rate"), takes = a.Int("takes"), count = a.Int("n");
        double seconds = a.Number("seconds");
        var random = new Random(a.Int("seed"));
        List<SynthesisVoice> Takes() => voices.SelectMany(v => Enumerable.Range(0, takes)
            .Select(_ => new SynthesisVoice(v.Engine, v.Voice, 0.8 + 0.45 * random.NextDouble(), 0.8 + 0.45 * random.NextDouble()))).ToList();
        var keywords = SpokenClips.Synthesize(keyword, Takes(), rate);
        var negatives = negativeWords.SelectMany(w => SpokenClips.Synthesize(w, Takes(), rate)).ToList();
        var backgrounds = Enum.GetValues<NoiseColor>().Select(c => new BackgroundAudio($"{c} noise".ToLowerInvariant(), ColoredNoise.Generate(c, rate * 20, random))).ToList();
        string? music = a.Text("music");
        if (music != null && Directory.Exists(music))
            foreach (var file in Directory.GetFiles(music, "*.wav").Order(StringComparer.Ordinal))
            {
                var audio = WavFile.Read(file);
                var samples = audio.SampleRate == rate ? audio.Mono() : Resampler.Resample(audio.Mono(), audio.SampleRate, rate);
                backgrounds.Add(new BackgroundAudio(Path.GetFileName(file), samples));
            }
        var options = new TriggerWordClipOptions { ClipSeconds = seconds, SampleRate = rate, MinSnrDb = a.Number("snr-min"), MaxSnrDb = a.Number("snr-max"), MaxKeywords = a.Int("max-keywords") };
        var generator = new TriggerWordClipGenerator(options, keywords, negatives, backgrounds, a.Int("seed"));
        string output = a.Required("o");
        Directory.CreateDirectory(output);
        using var tsv = new StreamWriter(Path.Combine(output, "clips.tsv")) { NewLine = "\n" };
        int inserted = 0;
        for (int i = 0; i < count; i++)
        {
            var clip = generator.Next();
            string file = $"{i:D6}.wav";
            WavFile.Write(Path.Combine(output, file), clip.Samples, rate);
            var ends = clip.Segments.Where(s => s.IsKeyword).Select(s => s.End.ToString("F4", CultureInfo.InvariantCulture));
            tsv.WriteLine($"{file}\t{string.Join(',', ends)}\t{clip.Background}\t{clip.SnrDb.ToString("F1", CultureInfo.InvariantCulture)}");
            inserted += clip.Segments.Count(s => s.IsKeyword);
        }
        Console.WriteLine($"Wrote {count:N0} clips of {seconds:0.#} s ({inserted:N0} keywords; {keywords.Count} keyword and {negatives.Count} other recordings, {backgrounds.Count} backgrounds) and clips.tsv to {output}");
        return 0;
    }

    /// <summary>The features the trigger-word pipeline computes: the curriculum's spectrogram (FFT 200, hop 80), in dB, uncentred and without a top-dB floor so that it streams.</summary>
    internal static AudioFeatureSettings Features() => new()
    {
        Kind = AudioFeatureKind.Spectrogram,
        Log = LogScale.Decibels,
        Spectrogram = { FftSize = 200, HopLength = 80, Center = false },
    };

    private sealed class ClipRow
    {
        public string Path { get; set; } = "";

        public float[] Labels { get; set; } = [];
    }

    private static int RunTrain(Arguments a)
    {
        string list = a.ExistingFile("i"), folder = Path.GetDirectoryName(Path.GetFullPath(list))!;
        int rate = a.Int("rate");
        var settings = Features();
        var options = new TriggerWordTrainer.Options
        {
            FeatureCount = settings.Spectrogram.FftSize / 2 + 1,
            FrameSeconds = (double)settings.Spectrogram.HopLength / rate,
            Threshold = (float)a.Number("threshold"),
            RefractorySeconds = a.Number("refractory"),
            Dropout = a.Number("dropout"),
        };
        SequenceCommands.SetTraining(a, options);
        var (rows, steps) = ReadClips(list, rate, settings, options);
        var validRows = a.Text("valid") is not null ? ReadClips(a.ExistingFile("valid"), rate, settings, options).Rows : null;
        var ml = SequenceCommands.NewContext(a);
        var data = ml.Data.LoadFromEnumerable(rows);
        var featureModel = ml.Transforms.LoadAudio("Samples", "Path", sampleRate: rate)
            .Append(ml.Transforms.AudioFeatures(new AudioFeaturesTransformer.Options { InputColumnName = "Samples", SampleRateColumnName = "SamplesSampleRate", SampleRate = rate, Features = settings }))
            .Fit(data);
        var valid = validRows == null ? null : ml.Data.Cache(featureModel.Transform(ml.Data.LoadFromEnumerable(validRows)));
        var detector = ml.Speech().Trainers.TriggerWord(options).Fit(ml.Data.Cache(featureModel.Transform(data)), valid);
        var model = featureModel.Append(detector);
        string output = a.Required("output");
        ml.Model.Save(model, data.Schema, output);
        Console.WriteLine($"Saved {output} ({rows.Count:N0} clips, {steps} output steps of {detector.StepSeconds * 1000:F1} ms each, {options.LabelSteps} labelled after each keyword)");
        if (detector.Validation is TriggerWordEvaluation evaluation)
        {
            var atThreshold = evaluation.At(detector.Threshold);
            Console.WriteLine($"Validation: {evaluation}; at the threshold {detector.Threshold:0.00##}: miss rate {100 * atThreshold.MissRate:F1}%, {atThreshold.FalseAlarmsPerHour:F2} false alarms per hour");
        }
        else if (validRows != null)
            Console.WriteLine("Validation: the miss rate and false alarms per hour need clips with keywords and clips without (trigger-synthesize -max-keywords 0 writes those).");
        return 0;
    }

    // The clips a clips.tsv lists, with the labels of their keyword end times over the output steps the pipeline will
    // compute for them.
    private static (List<ClipRow> Rows, int? Steps) ReadClips(string list, int rate, AudioFeatureSettings settings, TriggerWordTrainer.Options options)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(list))!;
        var rows = new List<ClipRow>();
        int number = 0;
        int? steps = null;
        foreach (string line in File.ReadLines(list))
        {
            number++;
            if (line.Trim().Length == 0)
                continue;
            var parts = line.Split('\t');
            string path = Path.Combine(folder, parts[0]);
            if (!File.Exists(path))
                throw new InvalidDataException($"'{list}', line {number}: '{parts[0]}' does not exist in {folder}.");
            var ends = parts.Length < 2 || parts[1].Length == 0 ? [] : parts[1].Split(',').Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double e)
                ? e : throw new InvalidDataException($"'{list}', line {number}: keyword end '{v}' is not a number of seconds.")).ToArray();
            // The frames the pipeline will compute: the length LoadAudio resamples to, through the uncentred spectrogram
            // (from the file's headers; LoadAudio reads its samples).
            var info = WavFile.ReadInfo(path);
            double seconds = info.Duration;
            long samples = info.SampleRate == rate ? info.Length : (long)Math.Ceiling((double)rate * info.Length / info.SampleRate); // Resampler.OutputLength
            long frames = samples < settings.Spectrogram.FftSize ? 0 : 1 + (samples - settings.Spectrogram.FftSize) / settings.Spectrogram.HopLength;
            int outputSteps = (int)options.OutputSteps(frames);
            if (outputSteps == 0)
                throw new InvalidDataException($"'{list}', line {number}: '{parts[0]}' is {seconds:F2} s, too short for the detector's first layer.");
            steps ??= outputSteps;
            rows.Add(new ClipRow { Path = path, Labels = TriggerWordLabels.Create(ends, seconds, outputSteps, options.LabelSteps) });
        }
        if (rows.Count == 0)
            throw new InvalidDataException($"'{list}' lists no clips.");
        return (rows, steps);
    }

    private static int RunDetect(Arguments a)
    {
        if (a.Positional.Count == 0)
            throw new UsageException("Give WAV files, or '-' for raw 16-bit mono PCM on standard input: mlnet-seq trigger-detect -model MODEL.zip WAV...");
        var loaded = ModelFiles.Load(a.Required("model"));
        var detector = ModelFiles.Find<TriggerWordTransformer>(loaded)
            ?? throw new InvalidDataException($"'{a.Text("model")}' holds no trigger-word detector; train one with trigger-train.");
        var features = ModelFiles.Find<AudioFeaturesTransformer>(loaded)
            ?? throw new InvalidDataException($"'{a.Text("model")}' holds no audio features transform.");
        if (a.NumberOrNull("threshold") is not null || a.NumberOrNull("refractory") is not null)
            detector = detector.WithDetection((float)(a.NumberOrNull("threshold") ?? detector.Threshold), a.NumberOrNull("refractory") ?? detector.RefractorySeconds);
        double chunkSeconds = a.Number("chunk");
        if (!(chunkSeconds > 0))
            throw new UsageException("-chunk must be a positive number of seconds.");
        int rate = features.Settings.SampleRate;
        foreach (string path in a.Positional)
        {
            using var stream = new TriggerWordStream(features, detector);
            int chunk = Math.Max(1, (int)(chunkSeconds * rate));
            string name = path == "-" ? "stdin" : path;
            int found = 0;
            long pushed = 0;
            void Report(IReadOnlyList<TriggerWordDetection> detections)
            {
                foreach (var d in detections)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{d.Time:F2}\t{d.Peak:F3}"));
                found += detections.Count;
            }
            if (path == "-")
            {
                using var input = Console.OpenStandardInput();
                var bytes = new byte[chunk * 2];
                int filled;
                while ((filled = input.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false)) > 0)
                {
                    var samples = new float[filled / 2];
                    for (int i = 0; i < samples.Length; i++)
                        samples[i] = BitConverter.ToInt16(bytes, 2 * i) / 32768f;
                    pushed += samples.Length;
                    Report(stream.Push(samples));
                }
            }
            else
            {
                if (!File.Exists(path))
                    throw new UsageException($"WAV file '{path}' does not exist.");
                var audio = WavFile.Read(path);
                var samples = audio.SampleRate == rate ? audio.Mono() : Resampler.Resample(audio.Mono(), audio.SampleRate, rate);
                for (int start = 0; start < samples.Length; start += chunk)
                    Report(stream.Push(samples.AsSpan(start, Math.Min(chunk, samples.Length - start))));
                pushed = samples.Length;
            }
            Report(stream.Flush());
            Console.Error.WriteLine($"{name}: {found} detection(s) in {(double)pushed / rate:F1} s of audio");
        }
        return 0;
    }

    private static int RunEvaluate(Arguments a)
    {
        var loaded = ModelFiles.Load(a.Required("model"));
        var detector = ModelFiles.Find<TriggerWordTransformer>(loaded)
            ?? throw new InvalidDataException($"'{a.Text("model")}' holds no trigger-word detector; train one with trigger-train.");
        var features = ModelFiles.Find<AudioFeaturesTransformer>(loaded)
            ?? throw new InvalidDataException($"'{a.Text("model")}' holds no audio features transform.");
        int rate = features.Settings.SampleRate;
        float[] Samples(string path)
        {
            if (!File.Exists(path))
                throw new InvalidDataException($"WAV file '{path}' does not exist.");
            var audio = WavFile.Read(path);
            return audio.SampleRate == rate ? audio.Mono() : Resampler.Resample(audio.Mono(), audio.SampleRate, rate);
        }
        string list = a.ExistingFile("keywords"), folder = Path.GetDirectoryName(Path.GetFullPath(list))!;
        var keywordSamples = new List<float[]>();
        var keywordEnds = new List<double[]>();
        int number = 0;
        foreach (string line in File.ReadLines(list))
        {
            number++;
            if (line.Trim().Length == 0)
                continue;
            var parts = line.Split('\t');
            keywordSamples.Add(Samples(Path.Combine(folder, parts[0])));
            keywordEnds.Add(parts.Length < 2 || parts[1].Length == 0 ? [] : parts[1].Split(',').Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double e)
                ? e : throw new InvalidDataException($"'{list}', line {number}: keyword end '{v}' is not a number of seconds.")).ToArray());
        }
        string freeFolder = a.Required("free");
        if (!Directory.Exists(freeFolder))
            throw new InvalidDataException($"-free: the folder '{freeFolder}' does not exist.");
        var freeSamples = Directory.GetFiles(freeFolder, "*.wav").Order(StringComparer.Ordinal).Select(Samples).ToList();
        if (keywordSamples.Count == 0 || freeSamples.Count == 0)
            throw new InvalidDataException(keywordSamples.Count == 0 ? $"'{list}' lists no clips." : $"'{freeFolder}' holds no WAV files.");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var keywordProbabilities = detector.Probabilities(keywordSamples.Select(s => features.Featurizer.Compute(s)).ToList());
        var freeProbabilities = detector.Probabilities(freeSamples.Select(s => features.Featurizer.Compute(s)).ToList());
        double audioSeconds = (keywordSamples.Sum(s => (double)s.Length) + freeSamples.Sum(s => (double)s.Length)) / rate;
        double rtf = watch.Elapsed.TotalSeconds / audioSeconds;
        var evaluation = TriggerWordEvaluation.Compute(
            keywordProbabilities.Select((p, i) => new KeywordClipScores(p, keywordEnds[i])).ToList(), freeProbabilities, detector.StepSeconds, detector.RefractorySeconds);
        var atThreshold = evaluation.At(detector.Threshold);
        Console.WriteLine(evaluation);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"At the model's threshold {detector.Threshold:F2}: miss rate {100 * atThreshold.MissRate:F1}%, {atThreshold.FalseAlarmsPerHour:F2} false alarms per hour; real-time factor {rtf:F4} ({1 / rtf:F0}x real time, whole clips batched)."));
        if (a.Text("det") is string det)
        {
            DetCurvePlot.Save(det, [new DetCurve(Path.GetFileNameWithoutExtension(a.Required("model")), evaluation.Curve.Select(p => (p.FalseAlarmsPerHour, p.MissRate)).ToList())]);
            Console.WriteLine($"DET curve: {det}");
        }
        return 0;
    }
}
