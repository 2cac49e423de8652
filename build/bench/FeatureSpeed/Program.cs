// Log-mel feature throughput (build/bench-audio-features.sh; build/bench/torchaudio_features.py is torchaudio's side):
// the WAV files of LIST read and turned into 40-band log-mel spectrograms in dB (25 ms windows, 10 ms hop at 8 kHz,
// top_db 80), through the ML.NET pipeline a user writes (LoadAudio -> LogMelSpectrogram, one cursor, one thread),
// and the features alone from samples already in memory. Best of ROUNDS.
//   FeatureSpeed LIST ROUNDS
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Audio;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var paths = File.ReadAllLines(args[0]).Where(l => l.Length > 0).ToArray();
int rounds = int.Parse(args[1]);
const int Rate = 8000;
var ml = new MLContext(seed: 1);
var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { Path = p }));
var pipeline = ml.Transforms.LoadAudio("Samples", "Path")
    .Append(ml.Transforms.LogMelSpectrogram("Features", "Samples", sampleRate: Rate, melBands: 40, fftSize: 200, hopLength: 80));
var model = pipeline.Fit(data);
var samples = paths.Select(p => WavFile.Read(p).Mono()).ToArray();
double audioSeconds = samples.Sum(s => s.Length) / (double)Rate;
var featurizer = new AudioFeaturizer(new AudioFeatureSettings
{
    Kind = AudioFeatureKind.MelSpectrogram,
    Spectrogram = { FftSize = 200, HopLength = 80 },
    MelBands = 40,
    Log = LogScale.Decibels,
    TopDb = 80,
}, Rate);

double bestPipeline = double.MaxValue, bestFeatures = double.MaxValue;
long values = 0;
for (int round = 0; round <= rounds; round++) // round 0 warms up
{
    var clock = Stopwatch.StartNew();
    values = model.Transform(data).GetColumn<float[]>("Features").Sum(f => (long)f.Length);
    double pipelineSeconds = clock.Elapsed.TotalSeconds;
    clock.Restart();
    foreach (var s in samples)
        featurizer.Compute(s);
    double featureSeconds = clock.Elapsed.TotalSeconds;
    if (round > 0)
        (bestPipeline, bestFeatures) = (Math.Min(bestPipeline, pipelineSeconds), Math.Min(bestFeatures, featureSeconds));
}
Console.WriteLine($"{paths.Length} files, {audioSeconds:F1} s of audio, {values / 40:N0} frames");
Console.WriteLine($"read+logmel: {bestPipeline:F3} s, {audioSeconds / bestPipeline:F0}x real time");
Console.WriteLine($"logmel: {bestFeatures:F3} s, {audioSeconds / bestFeatures:F0}x real time");
return 0;

internal sealed class PathRow
{
    public string Path { get; set; } = "";
}
