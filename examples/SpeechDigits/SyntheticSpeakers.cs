using MLNet.Sequence.Audio;

/// <summary>
/// FSDD-like recordings by synthetic speakers: each speaker is an espeak-ng or flite voice at its own rate and
/// pitch, saying every digit in a few takes that vary both a little, resampled to 8 kHz and trimmed of silence.
/// </summary>
internal static class SyntheticSpeakers
{
    private static readonly string[] Words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    public static List<DigitStrings.Recording> Create(int speakers, int takes, Random random)
    {
        // espeak-ng's English accents with its male and female variants, and flite's four voices.
        var espeak = SpeechSynthesizer.EspeakVoices("en");
        string[] variants = ["", "+m1", "+m2", "+m3", "+m4", "+m5", "+m7", "+f1", "+f2", "+f3", "+f4", "+f5", "+croak", "+whisper"];
        var voices = espeak.SelectMany(v => variants.Select(x => (SynthesisEngine.EspeakNg, v + x)))
            .Concat(new[] { "awb", "rms", "slt", "kal16" }.Select(v => (SynthesisEngine.Flite, v))).ToList();
        var recordings = new List<DigitStrings.Recording>();
        for (int s = 0; s < speakers; s++)
        {
            var (engine, name) = voices[random.Next(voices.Count)];
            double rate = 0.75 + 0.5 * random.NextDouble(), pitch = 0.7 + 0.6 * random.NextDouble();
            string speaker = $"tts{s}";
            for (int take = 0; take < takes; take++)
                for (int digit = 0; digit < 10; digit++)
                {
                    var voice = new SynthesisVoice(engine, name, rate * (0.93 + 0.14 * random.NextDouble()), pitch * (0.93 + 0.14 * random.NextDouble()));
                    var audio = SpeechSynthesizer.Speak(Words[digit], voice);
                    var samples = AudioAugmentation.TrimSilence(Resampler.Resample(audio.Mono(), audio.SampleRate, DigitStrings.SampleRate), DigitStrings.SampleRate);
                    recordings.Add(new DigitStrings.Recording($"{digit}_{speaker}_{take}", digit, speaker, take, samples));
                }
        }
        return recordings;
    }
}
