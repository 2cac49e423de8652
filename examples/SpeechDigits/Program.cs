// Spoken digit strings from the Free Spoken Digit Dataset (FSDD): 1-7 real recordings of one speaker joined with
// short gaps into one utterance, log-mel features in an ML.NET pipeline, a CTC recogniser trained on them, and
// the corpus WER with its S/D/I counts on utterances built from recordings held out of training.
//
//   dotnet run -c Release --project examples/SpeechDigits -- FSDD_DIR [--leave-out SPEAKER] [--epochs 6]
//       [--train-utterances 3000] [--hidden 128] [--threads 2] [--seed 1] [--lm-weight 0.5] [--bonus 1.0]
//       [--tts-speakers N [--tts-only]] [--asterisk DIR] [--units chars|phonemes|subwords] [--dict FILE] [--cmn] [--out DIR]
//
// Without --leave-out: train on takes 5-49 of the five speakers, test on takes 0-4 (FSDD's official split).
// With --leave-out george: train on the other four speakers, test on every take of george's.
// --tts-speakers N adds N synthetic speakers (espeak-ng and flite voices) to training; with --tts-only they are
// all of it, and the test covers every FSDD recording. Asterisk's digit prompts, where set-up installed them, are a
// second test set: a speaker no run trains on.
// --units phonemes spells the digits in ARPAbet phonemes from the CMU dictionary (--dict, by default where set-up
// installs it) and decodes them to words through its lexicon; --cmn subtracts each utterance's mean from its features.
// FSDD_DIR holds {digit}_{speaker}_{take}.wav files (here: ../shared/data/speech/fsdd).
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Plots;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Speech;
using MLNet.Sequence.Torch.Training;

string folder = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "../shared/data/speech/fsdd";
string? Flag(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
int Int(string name, int fallback) => Flag(name) is string v ? int.Parse(v) : fallback;
int epochs = Int("--epochs", 6), trainCount = Int("--train-utterances", 3000), hidden = Int("--hidden", 128), threads = Int("--threads", 2), seed = Int("--seed", 1);
string? leaveOut = Flag("--leave-out");
int ttsSpeakers = Int("--tts-speakers", 0);
bool ttsOnly = args.Contains("--tts-only");
string asteriskDigits = Flag("--asterisk") ?? Path.Combine(DebianSpeechCorpora.AsteriskSoundsFolder, "digits");
string outDir = Flag("--out") ?? Path.Combine(Path.GetTempPath(), "speech-digits");
double lmWeight = Flag("--lm-weight") is string w ? double.Parse(w, System.Globalization.CultureInfo.InvariantCulture) : 0.5;
double bonus = Flag("--bonus") is string b ? double.Parse(b, System.Globalization.CultureInfo.InvariantCulture) : 1.0;

if (!Directory.Exists(folder))
{
    Console.Error.WriteLine($"FSDD folder '{folder}' does not exist; give the folder of {{digit}}_{{speaker}}_{{take}}.wav files.");
    return 2;
}
var recordings = Directory.GetFiles(folder, "*.wav").Select(DigitStrings.Recording.Read).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
if (recordings.Count == 0 || (leaveOut != null && !recordings.Any(r => r.Speaker == leaveOut)) || (ttsOnly && ttsSpeakers == 0))
{
    Console.Error.WriteLine(recordings.Count == 0 ? $"'{folder}' has no WAV files." : ttsOnly && ttsSpeakers == 0 ? "--tts-only needs --tts-speakers N." : $"'{folder}' has no recordings of speaker '{leaveOut}'.");
    return 2;
}
// Synthetic speakers (espeak-ng and flite voices) join the training pool, or with --tts-only replace it.
var random = new Random(seed);
var synthetic = ttsSpeakers > 0 ? SyntheticSpeakers.Create(ttsSpeakers, takes: 4, random) : [];
var realPool = ttsOnly ? [] : recordings.Where(r => leaveOut == null ? r.Take >= 5 : r.Speaker != leaveOut).ToList();
var testSets = new List<(string Name, List<DigitStrings.Recording> Pool)>
{
    ttsOnly ? ("FSDD, every take", recordings) : leaveOut == null ? ("FSDD takes 0-4", recordings.Where(r => r.Take < 5).ToList()) : ($"FSDD speaker {leaveOut}", recordings.Where(r => r.Speaker == leaveOut).ToList()),
};
// Asterisk's prompts (Debian asterisk-core-sounds-en-wav, which set-up installs): one more real speaker, never trained on.
if (Directory.Exists(asteriskDigits))
    testSets.Add(("asterisk digits", Enumerable.Range(0, 10).Select(d => DigitStrings.Recording.FromFile(Path.Combine(asteriskDigits, $"{d}.wav"), d, "asterisk", 0)).ToList()));
Console.WriteLine($"{recordings.Count:N0} FSDD recordings; training pool {realPool.Count:N0} real and {synthetic.Count:N0} synthetic ({ttsSpeakers} voices); " +
    string.Join(", ", testSets.Select(t => $"test set {t.Name}: {t.Pool.Count:N0}")));

var ml = new MLContext(seed: seed);
// Synthetic speech makes up a third of the training strings when real speech is there too.
int syntheticCount = synthetic.Count == 0 ? 0 : realPool.Count == 0 ? trainCount : trainCount / 3;
var trainRows = DigitStrings.Sample(realPool, trainCount - syntheticCount, random, augment: true).Concat(DigitStrings.Sample(synthetic, syntheticCount, random, augment: true)).ToList();
var validPool = realPool.Count > 0 ? realPool : synthetic;
var train = ml.Data.LoadFromEnumerable(trainRows);
var valid = ml.Data.LoadFromEnumerable(DigitStrings.Sample(validPool, 200, random, augment: false));
// Every test recording is used once per pass, the passes grouping them differently: 1,000 words or more each.
var tests = testSets.Select(t => (t.Name, Rows: DigitStrings.Cover(t.Pool, passes: Math.Max(4, 1000 / t.Pool.Count), random))).ToList();
Console.WriteLine($"{trainRows.Count:N0} augmented training utterances; " + string.Join(", ", tests.Select(t => $"{t.Name}: {t.Rows.Count:N0} utterances ({t.Rows.Sum(r => r.Text.Split(' ').Length):N0} words)")));

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
    // Half a cosine down to 0 over the run: the last epochs settle where a constant rate keeps hopping.
    Schedule = LearningRateSchedule.Cosine,
    Seed = seed,
    NumberOfThreads = threads,
    Units = Flag("--units") switch { "phonemes" => CtcUnitKind.Phonemes, "subwords" => CtcUnitKind.Subwords, _ => CtcUnitKind.Characters },
    SubwordMerges = 30,
    UtteranceMeanNormalization = args.Contains("--cmn"),
};
if (options.Units == CtcUnitKind.Phonemes)
    options.PronouncingDictionary = PronouncingDictionary.Load(Flag("--dict") ?? PronouncingDictionary.CmuPathInClone);
Console.WriteLine($"Units: {options.Units}; utterance mean normalisation: {(options.UtteranceMeanNormalization ? "on" : "off")}");
var started = DateTime.UtcNow;
var recogniser = ml.Speech().Trainers.CtcSpeech(options).Fit(features.Transform(train), features.Transform(valid));
Console.WriteLine($"Trained in {(DateTime.UtcNow - started).TotalSeconds:N0} s");
foreach (var epoch in recogniser.History!.Epochs)
    Console.WriteLine($"  epoch {epoch.Epoch}: loss {epoch.TrainingLoss:F3}" + (epoch.ValidationScore is double v ? $", validation {v:F2}" : ""));

// Greedy decoding, then a prefix beam search fused with a word bigram model of digit strings: it knows only the
// ten digit words, so a misspelling such as "sixe" costs the unknown-word penalty.
var digitModel = ArpaModelBuilder.Build(DigitStrings.Sample(validPool, 2000, new Random(seed + 1), augment: false)
    .Select(r => (IReadOnlyList<string>)r.Text.Split(' ')), order: 2);
var model = new TransformerChain<ITransformer>(features, recogniser);
var decoders = new[]
{
    ("greedy", recogniser),
    ("beam 16 + digit bigram LM", recogniser.WithDecoding(new CtcDecoderOptions { BeamWidth = 16, LanguageModel = digitModel, LanguageModelWeight = lmWeight, WordInsertionBonus = bonus })),
};
foreach (var (testName, testRows) in tests)
{
    var test = ml.Data.LoadFromEnumerable(testRows);
    double audioSeconds = testRows.Sum(r => r.Samples.Length) / (double)DigitStrings.SampleRate;
    foreach (var (name, decoder) in decoders)
    {
        started = DateTime.UtcNow;
        var wer = ml.Speech().Evaluate(new TransformerChain<ITransformer>(features, decoder).Transform(test), labelColumnName: "Text");
        double seconds = (DateTime.UtcNow - started).TotalSeconds;
        Console.WriteLine($"{testName}, {name}: {wer}");
        Console.WriteLine($"  decoding: {seconds:N1} s for {audioSeconds:N0} s of audio (real-time factor {seconds / audioSeconds:F4})");
        foreach (var u in wer.Utterances.Where(u => u.Words.Counts.Errors > 0).Take(3))
            Console.WriteLine(u.Words.ToDisplayString() + "\n");
    }
}

// The zip holds features and recogniser; a fresh MLContext gives the same transcripts.
Directory.CreateDirectory(outDir);
string zip = Path.Combine(outDir, "speech-digits.zip");
ml.Model.Save(model, train.Schema, zip);
var reloaded = new MLContext().Model.Load(zip, out _);
var firstTest = ml.Data.LoadFromEnumerable(tests[0].Rows);
var before = model.Transform(firstTest).GetColumn<ReadOnlyMemory<char>>("Transcript").Select(t => t.ToString()).ToList();
var after = reloaded.Transform(firstTest).GetColumn<ReadOnlyMemory<char>>("Transcript").Select(t => t.ToString()).ToList();
Console.WriteLine($"Saved to {zip}; reloaded transcripts identical: {before.SequenceEqual(after)}");

// A picture of the first test string of three or more digits: its log-mel features and the recognised words' times.
int shown = tests[0].Rows.FindIndex(r => r.Text.Split(' ').Length >= 3);
var one = model.Transform(ml.Data.LoadFromEnumerable(new[] { tests[0].Rows[Math.Max(0, shown)] }));
var mel = one.GetColumn<float[]>("Features").Single();
var words = one.GetColumn<ReadOnlyMemory<char>[]>("TranscriptWords").Single().Select(w => w.ToString()).ToArray();
var starts = one.GetColumn<float[]>("TranscriptWordStarts").Single();
var ends = one.GetColumn<float[]>("TranscriptWordEnds").Single();
string picture = Path.Combine(outDir, "speech-digits.png");
SpectrogramPlot.Save(picture, mel, bands: 40, frameSeconds: 80.0 / DigitStrings.SampleRate,
    words.Select((w, i) => new TimedWord(w, starts[i], ends[i])).ToList(), $"\"{tests[0].Rows[Math.Max(0, shown)].Text}\" recognised as \"{string.Join(' ', words)}\"");
Console.WriteLine($"Picture: {picture}");
return 0;
