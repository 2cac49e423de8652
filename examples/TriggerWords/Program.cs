// The curriculum's trigger-word detection: 10-second clips of background (coloured noise, Asterisk's music, spoken
// Asterisk prompts) with the keyword and other words spoken by offline TTS voices inserted at random places; the
// course's Conv1d + two GRUs trained on them in an ML.NET pipeline; then, on voices never used in training, the
// detections on a held-out clip streamed in 0.5 s chunks, a picture of the probability under the spectrogram, and
// the wake-word benchmark's figures: miss rate at 1 false alarm per 10 hours and per hour of keyword-free audio.
//
//   dotnet run -c Release --project examples/TriggerWords -- [--keyword activate] [--language en] [--clips 1000]
//       [--epochs 10] [--rate 16000] [--free-minutes 30] [--threads 2] [--seed 1] [--out DIR]
//
// --free-minutes is the least keyword-free audio scored for false alarms: the held-out half of the Asterisk prompts,
// topped up with noise and music clips holding other words.
//
// --language de (with --keyword aktivieren) takes espeak-ng's German voices for the keyword and the other words.
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
Directory.CreateDirectory(outDir);
var random = new Random(seed);

// Voices: every espeak-ng voice of the language with a few variants; three are held out of training.
var espeak = SpeechSynthesizer.EspeakVoices(language);
var all = espeak.SelectMany(v => new[] { "", "+m1", "+m3", "+f2", "+f4" }.Select(x => v + x)).OrderBy(_ => random.Next()).ToList();
var heldOut = all.Take(3).ToList();
var trainVoices = all.Skip(3).ToList();
List<SynthesisVoice> Takes(IEnumerable<string> voices, int takes) => voices.SelectMany(v => Enumerable.Range(0, takes)
    .Select(_ => new SynthesisVoice(SynthesisEngine.EspeakNg, v, 0.8 + 0.45 * random.NextDouble(), 0.8 + 0.45 * random.NextDouble()))).ToList();
string[] others = language == "en" ? ["motivate", "activity", "captivate", "active", "deactivate", "elevate", "cultivate", "navigate", "vacation", "seven"] : ["motivieren", "aktiv", "Aktivität", "reparieren", "navigieren", "sieben"];
Console.WriteLine($"Keyword '{keyword}' ({language}); {trainVoices.Count} training voices, held out: {string.Join(", ", heldOut)}");

var trainKeywords = SpokenClips.Synthesize(keyword, Takes(trainVoices, 2), rate);
var trainOthers = others.SelectMany(w => SpokenClips.Synthesize(w, Takes(trainVoices, 1), rate)).ToList();
var testKeywords = SpokenClips.Synthesize(keyword, Takes(heldOut, 3), rate);
var testOthers = others.SelectMany(w => SpokenClips.Synthesize(w, Takes(heldOut, 1), rate)).ToList();

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

// The detector's settings decide the clips' label shape: output steps of a 10 s clip (uncentred frames of hop 80), and
// the course's 0.36 s of labels after each keyword at this rate's step length.
var detectorOptions = new TriggerWordTrainer.Options { FeatureCount = 101, FrameSeconds = 80.0 / rate, Epochs = epochs, LearningRate = 1e-3, NumberOfThreads = threads, Seed = seed };
int outputSteps = (int)detectorOptions.OutputSteps((rate * 10 - 200) / 80 + 1);
var options = new TriggerWordClipOptions { SampleRate = rate, OutputSteps = outputSteps, LabelSteps = detectorOptions.LabelSteps };
var train = new TriggerWordClipGenerator(options, trainKeywords, trainOthers, backgrounds, seed).Generate(clipCount).ToList();
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
var detector = ml.Speech().Trainers.TriggerWord(detectorOptions).Fit(ml.Data.Cache(features.Transform(Rows(train))));
Console.WriteLine($"Trained in {(DateTime.UtcNow - started).TotalSeconds:N0} s; loss by epoch: {string.Join(", ", detector.History!.Epochs.Select(e => e.TrainingLoss.ToString("F3")))}");

// Keyword-free audio of held-out sources: the other half of the prompts, and noise and music clips without words.
var free = new List<float[]>();
var freeSamples = promptAudio.Where((_, i) => i % 2 == 1).SelectMany(a => a).ToArray();
var quiet = new TriggerWordClipOptions { SampleRate = rate, OutputSteps = outputSteps, LabelSteps = options.LabelSteps, MaxKeywords = 0, MaxNegatives = 2 };
int freeClips = Math.Max(1, freeMinutes * 6 - freeSamples.Length / rate / 10);
var noiseClips = new TriggerWordClipGenerator(quiet, testKeywords, testOthers, backgrounds.Take(3).ToList(), seed + 2).Generate(freeClips).Select(c => c.Samples);
foreach (var clip in Chunks(freeSamples, rate * 10).Concat(noiseClips))
    free.Add(clip);
var freeProbabilities = detector.Probabilities(free.Select(f => features.Featurizer.Compute(f)).ToList());
var keywordProbabilities = detector.Probabilities(test.Select(c => features.Featurizer.Compute(c.Samples)).ToList());
var evaluation = TriggerWordEvaluation.Compute(test.Select((c, i) => new KeywordClipScores(keywordProbabilities[i], c.Segments.Where(s => s.IsKeyword).Select(s => s.End).ToList())).ToList(),
    freeProbabilities.ToList(), detector.StepSeconds, detector.RefractorySeconds);
Console.WriteLine($"Held-out voices: {evaluation}");
var atThreshold = evaluation.At(detector.Threshold);
Console.WriteLine($"At the threshold {detector.Threshold:F2}: miss rate {100 * atThreshold.MissRate:F1}%, {atThreshold.FalseAlarmsPerHour:F2} false alarms per hour");
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
