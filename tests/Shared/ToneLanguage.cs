namespace MLNet.Sequence.Tests;

/// <summary>
/// A made-up spoken language for the speech tests: each letter of "abcd" is a tone of its own pitch (80 ms), letters
/// are 30 ms apart and words 120 ms apart, with a little noise. Seeded, so a small CTC model learns it in seconds.
/// </summary>
public static class ToneLanguage
{
    public const int SampleRate = 8000;
    private static readonly Dictionary<char, double> Pitch = new() { ['a'] = 400, ['b'] = 900, ['c'] = 1500, ['d'] = 2300 };

    public static float[] Speak(string text, Random random)
    {
        var samples = new List<float>();
        void Silence(double seconds) => samples.AddRange(new float[(int)(seconds * SampleRate)]);
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
        const string letters = "abcd";
        int words = random.Next(1, 3);
        return string.Join(' ', Enumerable.Range(0, words).Select(_ => new string(Enumerable.Range(0, random.Next(1, 4)).Select(_ => letters[random.Next(4)]).ToArray())));
    }
}
