// Seconds per training step of the speech issue's CTC model through CtcSpeechTrainer's own loop
// (build/bench-speech-speed.sh; build/bench/ctc_step.py is the same step in PyTorch):
// Conv1d(80 -> 256, k5, s2) + BatchNorm + ReLU, Conv1d(256 -> 256, k5) + BatchNorm + ReLU, a 3-layer biGRU of 256,
// Linear(512 -> 29), log-softmax, CTC (blank 0), Adam, gradient norm clipped at 5; batches of 16 x 300 x 80.
//   SpeechStep DIR STEPS THREADS   writes DIR/features.f32 and DIR/targets.txt (seeded) if they are missing, trains
//                                  two epochs of STEPS batches and prints the second epoch's time per step.
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Speech;
using MLNet.Sequence.Torch.Training;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int Batch = 16, Frames = 300, Features = 80;
string dir = args[0];
int steps = int.Parse(args[1]), threads = int.Parse(args[2]);
var (features, texts) = Data.ReadOrWrite(dir, steps * Batch, Frames * Features);

var ml = new MLContext(seed: 1);
var epochSeconds = new List<double>();
ml.Log += (_, e) =>
{
    if (e.RawMessage.StartsWith("CTC speech epoch ", StringComparison.Ordinal) && e.RawMessage.Contains("/2: loss", StringComparison.Ordinal))
        epochSeconds.Add(double.Parse(e.RawMessage.Split(", ")[^1].TrimEnd(' ', 's')));
};
var rows = ml.Data.LoadFromEnumerable(features.Zip(texts, (f, t) => new Data.Row { Features = f, Text = t }));
var options = new CtcSpeechTrainer.Options
{
    FeatureCount = Features,
    Epochs = 2,
    BatchSize = Batch,
    TimeMasks = 0,
    FrequencyMasks = 0,
    NumberOfThreads = threads,
    Seed = 1,
};
ml.Speech().Trainers.CtcSpeech(options).Fit(rows);
Console.WriteLine($"libtorch GEMM 1024^3 on {threads} threads: {Gemm.Rate(threads):F0} GFLOP/s ({(TorchRuntime.MklVendorCheckPatched ? "MKL's vendor check answered" : "MKL as it came")})");
Console.WriteLine($"epoch 2: {epochSeconds[^1]:F2} s, {epochSeconds[^1] / steps:F3} s/step");
return 0;

internal static class Data
{
    public sealed class Row
    {
        public float[] Features { get; set; } = [];

        public string Text { get; set; } = "";
    }

    // Standard-normal features and transcripts of 20-45 symbols over a-z, the space and the apostrophe (28 units
    // and the blank: the model's 29 outputs), written once so that both sides train on the same rows.
    public static (List<float[]> Features, List<string> Texts) ReadOrWrite(string dir, int count, int size)
    {
        string featurePath = Path.Combine(dir, "features.f32"), textPath = Path.Combine(dir, "targets.txt");
        if (!File.Exists(featurePath) || !File.Exists(textPath))
        {
            Directory.CreateDirectory(dir);
            var random = new Random(7);
            using (var writer = new BinaryWriter(File.Create(featurePath)))
                for (long i = 0; i < (long)count * size; i++)
                    writer.Write((float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())));
            File.WriteAllLines(textPath, Enumerable.Range(0, count).Select(_ => Transcript(random)));
        }
        var texts = File.ReadAllLines(textPath).ToList();
        var bytes = File.ReadAllBytes(featurePath);
        if (texts.Count != count || bytes.Length != (long)count * size * sizeof(float))
            throw new InvalidDataException($"'{dir}' holds data for another number of steps; delete it or give the same STEPS.");
        var features = Enumerable.Range(0, count).Select(i => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan(i * size * sizeof(float), size * sizeof(float))).ToArray()).ToList();
        return (features, texts);
    }

    private static string Transcript(Random random)
    {
        int length = random.Next(20, 46);
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            bool inside = i > 0 && i < length - 1 && chars[i - 1] is >= 'a' and <= 'z';
            double r = random.NextDouble();
            chars[i] = inside && r < 0.18 ? ' ' : inside && r < 0.2 ? '\'' : (char)('a' + random.Next(26));
        }
        return new string(chars);
    }
}
