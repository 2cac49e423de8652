// Spoken digit strings from the Free Spoken Digit Dataset (FSDD): 1-7 real recordings of one speaker joined with
// short gaps into one utterance, log-mel features in an ML.NET pipeline, a CTC recogniser trained on them, and
// the corpus WER with its S/D/I counts on utterances built from recordings held out of training.
//
//   dotnet run -c Release --project examples/SpeechDigits -- FSDD_DIR [--leave-out SPEAKER] [--epochs 6]
//       [--train-utterances 3000] [--hidden 128] [--threads 2] [--seed 1]
//
// Without --leave-out: train on takes 5-49 of the five speakers, test on takes 0-4 (FSDD's official split).
// With --leave-out george: train on the other four speakers, test on every take of george's.
// FSDD_DIR holds {digit}_{speaker}_{take}.wav files (here: ../shared/data/speech/fsdd).
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Speech;

string folder = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "../shared/data/speech/fsdd";
string? Flag(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
int Int(string name, int fallback) => Flag(name) is string v ? int.Parse(v) : fallback;
int epochs = Int("--epochs", 6), trainCount = Int("--train-utterances", 3000), hidden = Int("--hidden", 128), threads = Int("--threads", 2), seed = Int("--seed", 1);
string? leaveOut = Flag("--leave-out");

if (!Directory.Exists(folder))
{
    Console.Error.WriteLine($"FSDD folder '{folder}' does not exist; give the folder of {{digit}}_{{speaker}}_{{take}}.wav files.");
    return 2;
}
var recordings = Directory.GetFiles(folder, "*.wav").Select(DigitStrings.Recording.Read).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
if (recordings.Count == 0 || (leaveOut != null && !recordings.Any(r => r.Speaker == leaveOut)))
{
    Console.Error.WriteLine(recordings.Count == 0 ? $"'{folder}' has no WAV files." : $"'{folder}' has no recordings of speaker '{leaveOut}'.");
    return 2;
}
var trainPool = recordings.Where(r => leaveOut == null ? r.Take >= 5 : r.Speaker != leaveOut).ToList();
var testPool = recordings.Where(r => leaveOut == null ? r.Take < 5 : r.Speaker == leaveOut).ToList();
Console.WriteLine($"{recordings.Count:N0} recordings; training pool {trainPool.Count:N0}, test pool {testPool.Count:N0}" +
    (leaveOut == null ? " (takes 0-4)" : $" (speaker {leaveOut})"));

var random = new Random(seed);
var ml = new MLContext(seed: seed);
var train = ml.Data.LoadFromEnumerable(DigitStrings.Sample(trainPool, trainCount, random, augment: true));
var valid = ml.Data.LoadFromEnumerable(DigitStrings.Sample(trainPool, 200, random, augment: false));
// Every test recording is used once per pass; four passes group them differently.
var testRows = DigitStrings.Cover(testPool, passes: 4, random);
var test = ml.Data.LoadFromEnumerable(testRows);
Console.WriteLine($"{trainCount:N0} augmented training utterances, {testRows.Count:N0} test utterances ({testRows.Sum(r => r.Text.Split(' ').Length):N0} words)");

// 8 kHz audio: 25 ms windows, 10 ms hop, 40 mel bands up to 4 kHz.
var features = ml.Transforms.LogMelSpectrogram("Features", "Samples", sampleRate: DigitStrings.SampleRate, melBands: 40, fftSize: 200, hopLength: 80)
    .Fit(train);
var options = new CtcSpeechTrainer.Options
{
    FeatureCount = 40,
    ConvolutionChannels = 128,
    Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Gru, HiddenSize = hidden, Layers = 2, Bidirectional = true },
    FrequencyMaskWidth = 6,
    TimeMaskWidth = 10,
    Epochs = epochs,
    BatchSize = 16,
    LearningRate = 2e-3,
    Seed = seed,
    NumberOfThreads = threads,
};
var started = DateTime.UtcNow;
var recogniser = ml.Speech().Trainers.CtcSpeech(options).Fit(features.Transform(train), features.Transform(valid));
Console.WriteLine($"Trained in {(DateTime.UtcNow - started).TotalSeconds:N0} s");
foreach (var epoch in recogniser.History!.Epochs)
    Console.WriteLine($"  epoch {epoch.Epoch}: loss {epoch.TrainingLoss:F3}" + (epoch.ValidationScore is double v ? $", validation {v:F2}" : ""));

var model = new TransformerChain<ITransformer>(features, recogniser);
started = DateTime.UtcNow;
var scored = model.Transform(test);
var wer = ml.Speech().Evaluate(scored, labelColumnName: "Text");
double seconds = (DateTime.UtcNow - started).TotalSeconds, audioSeconds = testRows.Sum(r => r.Samples.Length) / (double)DigitStrings.SampleRate;
Console.WriteLine($"Test: {wer}");
Console.WriteLine($"Decoding: {seconds:N1} s for {audioSeconds:N0} s of audio (real-time factor {seconds / audioSeconds:F4})");
foreach (var u in wer.Utterances.Where(u => u.Words.Counts.Errors > 0).Take(5))
    Console.WriteLine(u.Words.ToDisplayString() + "\n");

// The zip holds features and recogniser; a fresh MLContext gives the same transcripts.
string zip = Path.Combine(Path.GetTempPath(), "speech-digits.zip");
ml.Model.Save(model, train.Schema, zip);
var reloaded = new MLContext().Model.Load(zip, out _);
var before = scored.GetColumn<ReadOnlyMemory<char>>("Transcript").Select(t => t.ToString()).ToList();
var after = reloaded.Transform(test).GetColumn<ReadOnlyMemory<char>>("Transcript").Select(t => t.ToString()).ToList();
Console.WriteLine($"Saved to {zip}; reloaded transcripts identical: {before.SequenceEqual(after)}");
return 0;
