using MLNet.Sequence.Audio;

/// <summary>Digit-string utterances built from FSDD recordings of one speaker, with waveform augmentation for training.</summary>
internal static class DigitStrings
{
    public const int SampleRate = 8000;
    private static readonly string[] Words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    public sealed record Recording(string Name, int Digit, string Speaker, int Take, float[] Samples)
    {
        public static Recording Read(string path)
        {
            string name = Path.GetFileNameWithoutExtension(path);
            var parts = name.Split('_');
            if (parts.Length != 3 || !int.TryParse(parts[0], out int digit) || digit is < 0 or > 9 || !int.TryParse(parts[2], out int take))
                throw new InvalidDataException($"'{path}' is not named {{digit}}_{{speaker}}_{{take}}.wav");
            return FromFile(path, digit, parts[1], take);
        }

        public static Recording FromFile(string path, int digit, string speaker, int take)
        {
            var audio = WavFile.Read(path);
            if (audio.SampleRate != SampleRate)
                throw new InvalidDataException($"'{path}' is at {audio.SampleRate} Hz; the digit strings are at {SampleRate} Hz");
            return new Recording(Path.GetFileNameWithoutExtension(path), digit, speaker, take, audio.Mono());
        }
    }

    public sealed class Row
    {
        public float[] Samples { get; set; } = [];

        public string Text { get; set; } = "";
    }

    /// <summary><paramref name="count"/> utterances, each 1-7 random recordings of one random speaker.</summary>
    public static List<Row> Sample(IReadOnlyList<Recording> pool, int count, Random random, bool augment)
    {
        var bySpeaker = pool.GroupBy(r => r.Speaker).Select(g => g.ToArray()).ToArray();
        var rows = new List<Row>(count);
        for (int i = 0; i < count; i++)
        {
            var speaker = bySpeaker[random.Next(bySpeaker.Length)];
            var parts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => speaker[random.Next(speaker.Length)]).ToList();
            rows.Add(Join(parts, random, augment));
        }
        return rows;
    }

    /// <summary>Every recording once per pass: each speaker's recordings shuffled and cut into strings of 1-7.</summary>
    public static List<Row> Cover(IReadOnlyList<Recording> pool, int passes, Random random)
    {
        var rows = new List<Row>();
        for (int pass = 0; pass < passes; pass++)
            foreach (var speaker in pool.GroupBy(r => r.Speaker).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var shuffled = speaker.OrderBy(_ => random.Next()).ToList();
                for (int start = 0; start < shuffled.Count;)
                {
                    int length = Math.Min(random.Next(1, 8), shuffled.Count - start);
                    rows.Add(Join(shuffled.GetRange(start, length), random, augment: false));
                    start += length;
                }
            }
        return rows;
    }

    // 50-250 ms of quiet noise before, between and after the digits. Training copies get a speed change
    // (0.9-1.1), a pitch shift (+-2 semitones, half of them), a gain (+-6 dB) and white noise at 10-30 dB SNR.
    private static Row Join(IReadOnlyList<Recording> parts, Random random, bool augment)
    {
        var samples = new List<float>();
        void Gap() => samples.AddRange(new float[(int)(SampleRate * (0.05 + 0.2 * random.NextDouble()))]);
        Gap();
        foreach (var part in parts)
        {
            samples.AddRange(part.Samples);
            Gap();
        }
        var signal = samples.ToArray();
        if (augment)
        {
            signal = AudioAugmentation.ChangeSpeed(signal, 0.9 + 0.2 * random.NextDouble());
            if (random.Next(2) == 0)
                signal = AudioAugmentation.ShiftPitch(signal, 4 * random.NextDouble() - 2, SampleRate);
            signal = AudioAugmentation.Gain(signal, 12 * random.NextDouble() - 6);
            if (random.Next(10) < 7 && AudioAugmentation.Power(signal) > 0)
                signal = AudioAugmentation.AddNoise(signal, AudioAugmentation.WhiteNoise(signal.Length, random), 10 + 20 * random.NextDouble(), random);
        }
        // A noise floor far below the speech, so that no frame is digital silence.
        var floor = AudioAugmentation.WhiteNoise(signal.Length, random);
        for (int i = 0; i < signal.Length; i++)
            signal[i] += 1e-4f * floor[i];
        return new Row { Samples = signal, Text = string.Join(' ', parts.Select(p => Words[p.Digit])) };
    }
}
