// The curriculum's trigger-word detection: 10-second clips of background (coloured noise, Asterisk's music, spoken
// Asterisk prompts) with the keyword and other words spoken by offline TTS voices inserted at random places; the
// course's Conv1d + two GRUs trained on them in an ML.NET pipeline; then, on voices never used in training, the
// detections on a held-out clip streamed in 0.5 s chunks, a picture of the probability under the spectrogram, and
// the wake-word benchmark's figures: miss rate at 1 false alarm per 10 hours and per hour of keyword-free audio.
//
//   dotnet run -c Release --project examples/TriggerWords -- [--keyword activate] [--language en] [--clips 1000]
//       [--epochs 10] [--rate 16000] [--free-minutes 30] [--sentences 300] [--brown FILE | --train-text FILE --test-text FILE]
//       [--fsdd DIR] [--variants many] [--threads 2] [--seed 1] [--out DIR]
//
// Held out: two of espeak-ng's voices with all their variants, and (in English) flite's slt; the other voices train.
// --sentences Brown sentences (training split) spoken by training voices are keyword-free speech for training: in the
// foreground among the other words, and joined into a background.
// --free-minutes is the least keyword-free audio scored for false alarms: real speech (the held-out half of the
// Asterisk prompts, and FSDD's recordings with --fsdd), topped up half with Brown sentences of the test split spoken
// by the held-out voices over noise and music, half with noise and music clips holding other words, at 5-20 dB.
//
// --language de (with --keyword aktivieren) takes espeak-ng's German voices for the keyword and the other words;
// --train-text and --test-text (lines of text, gzipped or not, such as Multi30k's German captions) replace Brown.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Plots;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.TriggerWords;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string? Flag(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
int Int(string name, int fallback) => Flag(name) is string v ? int.Parse(v) : fallback;
string keyword = Flag("--keyword") ?? "activate", language = Flag("--language") ?? "en";
int clipCount = Int("--clips", 1000), epochs = Int("--epochs", 10), rate = Int("--rate", 16000), freeMinutes = Int("--free-minutes", 30);
int threads = Int("--threads", 2), seed = Int("--seed", 1);
string outDir = Flag("--out") ?? Path.Combine(Path.GetTempPath(), "trigger-words");
string? trainText = Flag("--train-text"), testText = Flag("--test-text");
if (trainText != null && Flag("--brown") != null)
{
    Console.Error.WriteLine("--brown and --train-text are two sources of the same sentences: pass one.");
    return 2;
}
if ((trainText == null) != (testText == null))
{
    Console.Error.WriteLine("--train-text and --test-text go together: the first trains, the second is held-out speech for the test.");
    return 2;
}
foreach (var (flag, path) in new[] { ("--train-text", trainText), ("--test-text", testText) })
    if (path != null && !File.Exists(path))
    {
        Console.Error.WriteLine($"{flag}: no file at {path}.");
        return 2;
    }
Directory.CreateDirectory(outDir);
var random = new Random(seed);

// Voices: every espeak-ng voice of the language with a few variants, and in English flite's; two espeak-ng voices
// (all their variants) and flite's slt never train.
var espeak = SpeechSynthesizer.EspeakVoices(language).OrderBy(_ => random.Next()).ToList();
string[] variants = ["", "+m1", "+m3", "+f2", "+f4"];
string[] trainVariants = Flag("--variants") == "many"
    ? ["", "+m1", "+m2", "+m3", "+m4", "+m5", "+m6", "+m7", "+m8", "+f1", "+f2", "+f3", "+f4", "+f5", "+klatt", "+klatt2", "+klatt3", "+adam", "+andy", "+annie", "+ed", "+john", "+linda", "+max", "+michael", "+paul", "+rob", "+steph", "+travis", "+victor", "+grandma", "+grandpa"]
    : variants;
var heldOutNames = espeak.Take(2).SelectMany(v => variants.Select(x => v + x)).ToList();
var trainNames = espeak.Skip(2).SelectMany(v => trainVariants.Select(x => v + x)).ToList();
string heldOutText = $"{string.Join(", ", espeak.Take(2))} (every variant)";
if (espeak.Count < 4)
{
    // Too few voices to hold two out (espeak-ng has one German voice): hold out three of its variants instead,
    // which change the voice's pitch, formants and breath but not its pronunciation.
    var all = new[] { "", "+m1", "+m2", "+m3", "+m4", "+m5", "+m6", "+m7", "+f1", "+f2", "+f3", "+f4", "+f5" }.OrderBy(_ => random.Next()).ToList();
    heldOutNames = espeak.SelectMany(v => all.Take(3).Select(x => v + x)).ToList();
    trainNames = espeak.SelectMany(v => all.Skip(3).Select(x => v + x)).ToList();
    heldOutText = string.Join(", ", heldOutNames);
}
var fliteVoices = language == "en" ? SpeechSynthesizer.FliteVoices().Where(v => v is "awb" or "rms" or "slt" or "kal16").ToList() : [];
List<SynthesisVoice> Takes(IEnumerable<string> voices, int takes, SynthesisEngine engine = SynthesisEngine.EspeakNg) => voices.SelectMany(v => Enumerable.Range(0, takes)
    .Select(_ => new SynthesisVoice(engine, v, 0.8 + 0.45 * random.NextDouble(), 0.8 + 0.45 * random.NextDouble()))).ToList();
List<SynthesisVoice> TrainTakes(int takes) => [.. Takes(trainNames, takes), .. Takes(fliteVoices.Where(v => v != "slt"), 3 * takes, SynthesisEngine.Flite)];
List<SynthesisVoice> HeldOutTakes(int takes) => [.. Takes(heldOutNames, takes), .. Takes(fliteVoices.Where(v => v == "slt"), 3 * takes, SynthesisEngine.Flite)];
string[] others = language == "en" ? ["motivate", "activity", "captivate", "active", "deactivate", "elevate", "cultivate", "navigate", "vacation", "seven"] : ["motivieren", "aktiv", "Aktivität", "reparieren", "navigieren", "sieben"];
Console.WriteLine($"Keyword '{keyword}' ({language}); {trainNames.Count} espeak-ng training voices{(fliteVoices.Count > 0 ? " and flite's awb, rms, kal16" : "")}; " +
    $"held out: {heldOutText}{(fliteVoices.Contains("slt") ? " and flite's slt" : "")}");

var trainKeywords = SpokenClips.Synthesize(keyword, TrainTakes(2), rate);
var trainOthers = others.SelectMany(w => SpokenClips.Synthesize(w, TrainTakes(1), rate)).ToList();
var testKeywords = SpokenClips.Synthesize(keyword, HeldOutTakes(4), rate);
var testOthers = others.SelectMany(w => SpokenClips.Synthesize(w, HeldOutTakes(1), rate)).ToList();

// Sentences (Brown's, or --train-text and --test-text) that say neither the keyword nor a word like it, spoken one
// voice each: the training split by training voices (foreground negatives and a background), the test split by
// held-out voices (keyword-free test audio).
string brown = Flag("--brown") ?? "datasets/.cache/brown-sentences.tsv"; // set-up writes it; run from the clone's root
IEnumerable<string> Lines(string path)
{
    using var file = File.OpenRead(path);
    using var text = new StreamReader(path.EndsWith(".gz") ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : file);
    for (string? line; (line = text.ReadLine()) != null;)
        yield return line;
}
IEnumerable<(string Split, string Text)> written = trainText != null && testText != null
    ? Lines(trainText).Select(t => ("train", t)).Concat(Lines(testText).Select(t => ("test", t))).ToList()
    : File.Exists(brown) && language == "en"
        ? File.ReadLines(brown).Skip(1).Select(l => l.Split('\t')).Where(f => f.Length == 3).Select(f => (f[0], f[2])).ToList()
        : [];
if (!written.Any())
    Console.WriteLine($"No sentences (English: Brown at {brown}, from build/setup.sh or --brown FILE; any language: --train-text and --test-text): no keyword-free speech from them.");
string corpus = trainText != null ? "sentences" : "Brown sentences";
var sentences = written
    .Select(x => (x.Split, Text: string.Join(' ', x.Text.Split(' ').Where(w => w.Any(char.IsLetterOrDigit)))))
    .Where(x => x.Text.Split(' ').Length is >= 5 and <= 16 && !others.Append(keyword).Any(w => x.Text.Contains(w[..Math.Min(w.Length, 5)], StringComparison.OrdinalIgnoreCase)))
    .ToList();
List<SpokenClip> Speak(IEnumerable<string> texts, Func<SynthesisVoice> voice) => texts.SelectMany(t => SpokenClips.Synthesize(t, [voice()], rate)).ToList();
var trainVoicePool = TrainTakes(1);
var heldOutVoicePool = HeldOutTakes(1);
var trainSpeech = Speak(sentences.Where(x => x.Split == "train").OrderBy(_ => random.Next()).Take(Int("--sentences", 300)).Select(x => x.Text),
    () => trainVoicePool[random.Next(trainVoicePool.Count)]);
int freeSentences = Math.Min(sentences.Count(x => x.Split == "test"), 300 + freeMinutes * 5);
var heldOutSpeech = Speak(sentences.Where(x => x.Split == "test").OrderBy(_ => random.Next()).Take(freeSentences).Select(x => x.Text),
    () => heldOutVoicePool[random.Next(heldOutVoicePool.Count)]);
Console.WriteLine($"{corpus}: {trainSpeech.Count} by training voices ({trainSpeech.Sum(c => c.Samples.Length) / (double)rate / 60:F1} min), {heldOutSpeech.Count} by held-out voices");

// Backgrounds: noise of three colours, Asterisk's music, and Asterisk's prompts joined into long keyword-free speech.
float[] Load(string path) => WavFile.Read(path) is var audio && audio.SampleRate == rate ? audio.Mono() : Resampler.Resample(audio.Mono(), audio.SampleRate, rate);
var backgrounds = Enum.GetValues<NoiseColor>().Select(c => new BackgroundAudio($"{c} noise", ColoredNoise.Generate(c, rate * 30, random))).ToList();
string music = "/usr/share/asterisk/moh";
if (Directory.Exists(music))
    backgrounds.AddRange(Directory.GetFiles(music, "*.wav").Order(StringComparer.Ordinal).Select(f => new BackgroundAudio(Path.GetFileName(f), Load(f))));
var prompts = DebianSpeechCorpora.AsteriskPrompts().Where(p => !p.Transcript.Contains(keyword, StringComparison.OrdinalIgnoreCase)).ToList();
var promptAudio = prompts.Select(p => Load(p.Path)).ToList();
// Half the prompts are backgrounds for training, the other half keyword-free test audio (real speech).
backgrounds.Add(new BackgroundAudio("asterisk prompts", promptAudio.Where((_, i) => i % 2 == 0).SelectMany(a => a).ToArray()));
var noiseAndMusic = backgrounds.Take(backgrounds.Count - 1).ToList();
if (trainSpeech.Count > 0)
    backgrounds.Add(new BackgroundAudio($"{corpus}, training voices", trainSpeech.SelectMany(c => c.Samples.Concat(new float[rate / 4])).ToArray()));

// The detector's settings decide the clips' label shape: output steps of a 10 s clip (uncentred frames of hop 80), and
// the course's 0.36 s of labels after each keyword at this rate's step length.
var detectorOptions = new TriggerWordTrainer.Options { FeatureCount = 101, FrameSeconds = 80.0 / rate, Epochs = epochs, LearningRate = 1e-3, NumberOfThreads = threads, Seed = seed };
int outputSteps = (int)detectorOptions.OutputSteps((rate * 10 - 200) / 80 + 1);
var options = new TriggerWordClipOptions { SampleRate = rate, OutputSteps = outputSteps, LabelSteps = detectorOptions.LabelSteps };
// Negatives in the foreground, at the keyword's level: other words and the training voices' sentences, as the
// keyword-free test clips hold held-out voices' sentences.
var train = new TriggerWordClipGenerator(options, trainKeywords, [.. trainOthers, .. trainSpeech], backgrounds, seed).Generate(clipCount).ToList();
var test = new TriggerWordClipGenerator(options, testKeywords, testOthers, backgrounds, seed + 1).Generate(Math.Max(20, clipCount / 10)).ToList();
Console.WriteLine($"{train.Count:N0} training clips ({train.Sum(c => c.Segments.Count(s => s.IsKeyword)):N0} keywords), {test.Count} test clips of held-out voices");

// The pipeline: the course's spectrogram (FFT 200, hop 80; uncentred and without a top-dB floor, so that it streams),
// then the detector.
var ml = new MLContext(seed: seed);
var featureSettings = new AudioFeatureSettings { Kind = AudioFeatureKind.Spectrogram, Log = LogScale.Decibels, Spectrogram = { FftSize = 200, HopLength = 80, Center = false } };
var features = ml.Transforms.AudioFeatures(new AudioFeaturesTransformer.Options { InputColumnName = "Samples", SampleRate = rate, Features = featureSettings })
    .Fit(ml.Data.LoadFromEnumerable(new[] { new ClipRow() }));
IDataView Rows(IEnumerable<TriggerWordClip> clips) => ml.Data.LoadFromEnumerable(clips.Select(c => new ClipRow { Samples = c.Samples, Labels = c.Labels }));
var started = DateTime.UtcNow;
// The trainer reads its rows once, so no cache: the clips' samples and their features are not held twice.
var detector = ml.Speech().Trainers.TriggerWord(detectorOptions).Fit(features.Transform(Rows(train)));
train.Clear(); // the samples of thousands of clips are no longer needed
train.TrimExcess();
Console.WriteLine($"Trained in {(DateTime.UtcNow - started).TotalSeconds:N0} s; loss by epoch: {string.Join(", ", detector.History!.Epochs.Select(e => e.TrainingLoss.ToString("F3")))}");

// Keyword-free audio of held-out sources, scored 200 clips at a time (10 hours of samples would not fit): real
// speech (the other half of the prompts, FSDD), Brown sentences of held-out voices over noise and music, and noise
// and music clips holding other words.
var real = Chunks(promptAudio.Where((_, i) => i % 2 == 1).SelectMany(a => a).ToArray(), rate * 10).Select(c => ("real speech: Asterisk prompts", c)).ToList();
if (Flag("--fsdd") is string fsdd)
    real.AddRange(Chunks(Directory.GetFiles(fsdd, "*.wav", SearchOption.AllDirectories).Order(StringComparer.Ordinal).SelectMany(f => Load(f).Concat(new float[rate / 4])).ToArray(), rate * 10)
        .Select(c => ("real speech: FSDD", c)));
int synthetic = Math.Max(2, freeMinutes * 6 - real.Count);
var quiet = new TriggerWordClipOptions { SampleRate = rate, OutputSteps = outputSteps, LabelSteps = options.LabelSteps, MaxKeywords = 0, MaxNegatives = 2 };
var spokenClips = heldOutSpeech.Count == 0 ? [] : new TriggerWordClipGenerator(quiet, testKeywords, heldOutSpeech, noiseAndMusic, seed + 2).Generate(synthetic / 2).Select(c => ($"{corpus}, held-out voices", c.Samples));
var wordClips = new TriggerWordClipGenerator(quiet, testKeywords, testOthers, noiseAndMusic, seed + 3).Generate(synthetic - (heldOutSpeech.Count == 0 ? 0 : synthetic / 2)).Select(c => ("noise and music with other words", c.Samples));
var freeProbabilities = new List<float[]>();
var freeSources = new List<string>();
foreach (var block in real.Concat(spokenClips).Concat(wordClips).Chunk(200))
{
    freeProbabilities.AddRange(detector.Probabilities(block.Select(b => features.Featurizer.Compute(b.Item2)).ToList()));
    freeSources.AddRange(block.Select(b => b.Item1));
}
var keywordProbabilities = detector.Probabilities(test.Select(c => features.Featurizer.Compute(c.Samples)).ToList());
var keywordScores = test.Select((c, i) => new KeywordClipScores(keywordProbabilities[i], c.Segments.Where(s => s.IsKeyword).Select(s => s.End).ToList())).ToList();
var evaluation = TriggerWordEvaluation.Compute(keywordScores, freeProbabilities, detector.StepSeconds, detector.RefractorySeconds);
Console.WriteLine($"Held-out voices: {evaluation}");
var target = evaluation.ForFalseAlarmRate(0.5);
Console.WriteLine(target.FalseAlarmsPerHour <= 0.5
    ? $"At 0.5 false alarms per hour (threshold {target.Threshold:0.00##}): miss rate {100 * target.MissRate:F1}% ({target.FalseAlarmsPerHour:F2} per hour measured)"
    : $"No threshold reaches 0.5 false alarms per hour (at {target.Threshold:0.00##}: {target.FalseAlarmsPerHour:F2} per hour, miss rate {100 * target.MissRate:F1}%)");
var atThreshold = evaluation.At(detector.Threshold);
Console.WriteLine($"At the threshold {detector.Threshold:F2}: miss rate {100 * atThreshold.MissRate:F1}%, {atThreshold.FalseAlarmsPerHour:F2} false alarms per hour");
// False alarms by source, at the model's threshold and at the 0.5-per-hour one; real speech alone as the benchmark asks.
foreach (var group in freeSources.Select((source, i) => (source, i)).GroupBy(x => x.source.StartsWith("real speech") ? "real speech (all)" : x.source)
    .Concat(freeSources.Select((source, i) => (source, i)).Where(x => x.source.StartsWith("real speech:")).GroupBy(x => x.source)))
{
    var part = TriggerWordEvaluation.Compute(keywordScores, group.Select(x => freeProbabilities[x.i]).ToList(), detector.StepSeconds, detector.RefractorySeconds);
    Console.WriteLine($"  {group.Key}: {part.KeywordFreeHours:F2} h, {part.At(detector.Threshold).FalseAlarmsPerHour:F2} false alarms per hour at {detector.Threshold:F2}, " +
        $"{part.At(target.Threshold).FalseAlarmsPerHour:F2} at {target.Threshold:0.00##}");
}
string det = Path.Combine(outDir, "trigger-det.png");
DetCurvePlot.Save(det, [new DetCurve($"'{keyword}', held-out voices", evaluation.Curve.Select(p => (p.FalseAlarmsPerHour, p.MissRate)).ToList())]);

// One held-out clip streamed in 0.5 s chunks, and its picture.
var shown = test.FirstOrDefault(c => c.Segments.Count(s => s.IsKeyword) >= 2) ?? test[0];
using var stream = new TriggerWordStream(features, detector);
var detections = new List<TriggerWordDetection>();
for (int start = 0; start < shown.Samples.Length; start += rate / 2)
    detections.AddRange(stream.Push(shown.Samples.AsSpan(start, Math.Min(rate / 2, shown.Samples.Length - start))));
detections.AddRange(stream.Flush());
Console.WriteLine("Held-out clip: " + string.Join(", ", shown.Segments.Select(s => $"'{s.Text}' {s.Start:F2}-{s.End:F2} s")));
Console.WriteLine("Detections: " + (detections.Count == 0 ? "none" : string.Join(", ", detections.Select(d => $"{d.Time:F2} s (peak {d.Peak:F2})"))));
string picture = Path.Combine(outDir, "trigger-clip.png");
SpectrogramPlot.Save(picture, features.Featurizer.Compute(shown.Samples), 101, 80.0 / rate,
    shown.Segments.Select(s => new TimedWord(s.Text, s.Start, s.End)).ToList(), $"'{keyword}' detections at {string.Join(", ", detections.Select(d => d.Time.ToString("F2")))} s",
    stream.Probabilities.ToList(), detector.StepSeconds);
string zip = Path.Combine(outDir, "trigger-words.zip");
ml.Model.Save(new TransformerChain<ITransformer>(features, detector), Rows(test.Take(1)).Schema, zip);
Console.WriteLine($"Pictures: {picture}, {det}; model: {zip}");
return 0;

static IEnumerable<float[]> Chunks(float[] samples, int length)
{
    for (int start = 0; start + length <= samples.Length; start += length)
        yield return samples[start..(start + length)];
}

internal sealed class ClipRow
{
    public float[] Samples { get; set; } = new float[16000];

    public float[] Labels { get; set; } = [];
}
