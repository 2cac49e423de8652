using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Torch.Tests.Speech;

/// <summary>
/// A made-up language the tests can speak: each letter is a tone of its own pitch (80 ms), letters are 30 ms apart
/// and words 120 ms apart, with a little noise. Generated and seeded, so a CTC model can learn it in seconds.
/// </summary>
internal static class ToneSpeech
{
    public const int SampleRate = 8000;
    private static readonly Dictionary<char, double> Pitch = new() { ['a'] = 400, ['b'] = 900, ['c'] = 1500, ['d'] = 2300 };

    public static readonly AudioFeaturizer Featurizer = new(new AudioFeatureSettings
    {
        Kind = AudioFeatureKind.MelSpectrogram,
        MelBands = 20,
        Log = LogScale.Decibels,
        Spectrogram = { FftSize = 200, HopLength = 80 }, // 10 ms frames
    }, SampleRate);

    public static float[] Speak(string text, Random random)
    {
        var samples = new List<float>();
        void Silence(double seconds) => samples.AddRange(Enumerable.Range(0, (int)(seconds * SampleRate)).Select(_ => 0f));
        Silence(0.05);
        foreach (char c in text)
        {
            if (c == ' ')
            {
                Silence(0.12);
                continue;
            }
            double f = Pitch[c] * (0.97 + 0.06 * random.NextDouble());
            samples.AddRange(Enumerable.Range(0, (int)(0.08 * SampleRate)).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * f * i / SampleRate))));
            Silence(0.03);
        }
        Silence(0.05);
        return samples.Select(s => s + (float)(0.01 * (random.NextDouble() - 0.5))).ToArray();
    }

    public static string RandomText(Random random)
    {
        string letters = "abcd";
        int words = random.Next(1, 3);
        return string.Join(' ', Enumerable.Range(0, words).Select(_ => new string(Enumerable.Range(0, random.Next(1, 4)).Select(_ => letters[random.Next(4)]).ToArray())));
    }

    public sealed class Row
    {
        [Microsoft.ML.Data.VectorType]
        public float[] Features { get; set; } = [];

        public string Text { get; set; } = "";
    }

    public static Row[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            string text = RandomText(random);
            return new Row { Text = text, Features = Featurizer.Compute(Speak(text, random)) };
        }).ToArray();
    }
}
