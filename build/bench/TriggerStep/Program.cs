// The trigger-word issue's speed figures (build/bench-trigger-speed.sh; build/bench/trigger_step.py is PyTorch's side):
//   TriggerStep DIR STEPS THREADS   seconds per training step of the default TriggerWordTrainer model through its own
//                                   loop: batches of 16 ten-second clips (5,511 frames of 101 spectrogram values, 1,375
//                                   labels), BCE, Adam; two epochs of STEPS batches, the second reported. DIR/features.f32
//                                   and DIR/labels.f32 are written (seeded) if missing, so that both sides read the same rows.
//   TriggerStep stream SECONDS      the real-time factor of TriggerWordStream on one thread: SECONDS of noise at 44.1 kHz
//                                   in 0.5 s chunks through the default features (FFT 200, hop 80, uncentred) and model.
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Training;
using MLNet.Sequence.Torch.TriggerWords;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int Batch = 16, Frames = 5511, Features = 101, Steps = 1375;
if (args[0] == "stream")
    return Stream(double.Parse(args[1]));
string dir = args[0];
int steps = int.Parse(args[1]), threads = int.Parse(args[2]);
int rows = steps * Batch;
var features = Data.ReadOrWrite(Path.Combine(dir, "features.f32"), rows, Frames * Features, gaussian: true);
var labels = Data.ReadOrWrite(Path.Combine(dir, "labels.f32"), rows, Steps, gaussian: false);

var ml = new MLContext(seed: 1);
var epochSeconds = new List<double>();
ml.Log += (_, e) =>
{
    if (e.RawMessage.StartsWith("Trigger word epoch ", StringComparison.Ordinal) && e.RawMessage.Contains("/2: loss", StringComparison.Ordinal))
        epochSeconds.Add(double.Parse(e.RawMessage.Split(", ")[^1].TrimEnd(' ', 's')));
};
var data = ml.Data.LoadFromEnumerable(features.Zip(labels, (f, l) => new Data.Row { Features = f, Labels = l }));
ml.Speech().Trainers.TriggerWord(new TriggerWordTrainer.Options { Epochs = 2, BatchSize = Batch, NumberOfThreads = threads, Seed = 1 }).Fit(data);
Console.WriteLine($"libtorch GEMM 1024^3 on {threads} threads: {Gemm.Rate(threads):F0} GFLOP/s ({(TorchRuntime.MklVendorCheckPatched ? "MKL's vendor check answered" : "MKL as it came")})");
Console.WriteLine($"epoch 2: {epochSeconds[^1]:F2} s, {epochSeconds[^1] / steps:F3} s/step");
return 0;

static int Stream(double seconds)
{
    const int Rate = 44100;
    var ml = new MLContext(seed: 1);
    var random = new Random(3);
    var clip = ColoredNoise.Generate(NoiseColor.Pink, Rate * 10, random);
    var featureOptions = new AudioFeaturesTransformer.Options
    {
        InputColumnName = "Samples",
        SampleRate = Rate,
        Features = new AudioFeatureSettings { Kind = AudioFeatureKind.Spectrogram, Log = LogScale.Decibels, Spectrogram = { FftSize = 200, HopLength = 80, Center = false } },
    };
    var samples = ml.Data.LoadFromEnumerable(new[] { new Data.SamplesRow { Samples = clip } });
    var featuresTransform = ml.Transforms.AudioFeatures(featureOptions).Fit(samples);
    var rowFeatures = featuresTransform.Featurizer.Compute(clip);
    // A model trained for one step: streaming speed does not depend on what it learnt.
    var one = ml.Data.LoadFromEnumerable(new[] { new Data.Row { Features = rowFeatures, Labels = new float[(rowFeatures.Length / 101 - 15) / 4 + 1] } });
    var model = ml.Speech().Trainers.TriggerWord(new TriggerWordTrainer.Options { Epochs = 1, NumberOfThreads = 1, Seed = 1 }).Fit(one);
    TorchSharp.torch.set_num_threads(1);
    var audio = ColoredNoise.Generate(NoiseColor.Pink, (int)(Rate * seconds), random);
    // 60 s streamed first, so that the runtime has compiled the hot paths at full optimisation (tiered JIT), as in
    // a detector that listens for hours; then a new stream over the measured audio.
    for (int pass = 0; pass < 6; pass++)
    {
        using var warmUp = new TriggerWordStream(featuresTransform, model);
        for (int start = 0; start < clip.Length; start += Rate / 2)
            warmUp.Push(clip.AsSpan(start, Math.Min(Rate / 2, clip.Length - start)));
    }
    using var stream = new TriggerWordStream(featuresTransform, model);
    var clock = Stopwatch.StartNew();
    for (int start = 0; start < audio.Length; start += Rate / 2)
        stream.Push(audio.AsSpan(start, Math.Min(Rate / 2, audio.Length - start)));
    stream.Flush();
    double elapsed = clock.Elapsed.TotalSeconds;
    clock.Restart();
    for (int start = 0; start + Rate / 2 <= audio.Length; start += Rate / 2)
        featuresTransform.Featurizer.Compute(audio.AsSpan(start, Rate / 2));
    double featureSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"streaming: {seconds:F0} s of audio in {elapsed:F2} s on one thread, {seconds / elapsed:F0}x real time ({stream.Probabilities.Count:N0} steps; the spectrogram alone {featureSeconds:F2} s)");
    return 0;
}

internal static class Data
{
    public sealed class Row
    {
        public float[] Features { get; set; } = [];

        public float[] Labels { get; set; } = [];
    }

    public sealed class SamplesRow
    {
        public float[] Samples { get; set; } = [];
    }

    // Standard-normal features, or labels that are 1 on 50-step runs after random "keyword ends" (about 15% of steps).
    public static List<float[]> ReadOrWrite(string path, int count, int size, bool gaussian)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var random = new Random(gaussian ? 7 : 8);
            using var writer = new BinaryWriter(File.Create(path));
            for (int r = 0; r < count; r++)
            {
                var row = new float[size];
                if (gaussian)
                    for (int i = 0; i < size; i++)
                        row[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
                else
                    row = TriggerWordLabels.Create(Enumerable.Range(0, random.Next(5)).Select(_ => 10 * random.NextDouble()), 10, size);
                foreach (float v in row)
                    writer.Write(v);
            }
        }
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != (long)count * size * sizeof(float))
            throw new InvalidDataException($"'{path}' holds data for another number of steps; delete it or give the same STEPS.");
        return Enumerable.Range(0, count).Select(i => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan((int)((long)i * size * sizeof(float)), size * sizeof(float))).ToArray()).ToList();
    }
}
