namespace MLNet.Sequence.Audio;

/// <summary>Keyword and negative recordings for <see cref="TriggerWordClipGenerator"/>: synthesized, or read from the user's files.</summary>
public static class SpokenClips
{
    /// <summary>
    /// <paramref name="text"/> spoken in each of <paramref name="voices"/>, resampled to <paramref name="sampleRate"/>
    /// and trimmed of silence.
    /// </summary>
    /// <exception cref="InvalidOperationException">A voice fails, or says nothing audible for the text (a word its language cannot read, say).</exception>
    public static List<SpokenClip> Synthesize(string text, IEnumerable<SynthesisVoice> voices, int sampleRate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        ArgumentNullException.ThrowIfNull(voices);
        var clips = new List<SpokenClip>();
        foreach (var voice in voices)
        {
            var audio = SpeechSynthesizer.Speak(text, voice);
            string source = $"{voice.Engine} {voice.Voice} (rate {voice.Rate:0.##}, pitch {voice.Pitch:0.##})";
            var samples = AudioAugmentation.TrimSilence(Resample(audio.Mono(), audio.SampleRate, sampleRate), sampleRate);
            // 50 ms above a whisper: anything less is no word.
            if (samples.Length < sampleRate / 20 || AudioAugmentation.Power(samples) < 1e-6)
                throw new InvalidOperationException($"'{text}' synthesizes to silence in {source}.");
            clips.Add(new SpokenClip(text, samples, source));
        }
        return clips;
    }

    /// <summary>A recording of <paramref name="text"/> from a WAV file (the user's own voice), mixed to mono, resampled and trimmed.</summary>
    /// <exception cref="InvalidDataException">The file is not WAV, or holds only silence; the file is named.</exception>
    public static SpokenClip FromFile(string path, string text, int sampleRate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var audio = WavFile.Read(path);
        var samples = AudioAugmentation.TrimSilence(Resample(audio.Mono(), audio.SampleRate, sampleRate), sampleRate);
        if (samples.Length == 0 || AudioAugmentation.Power(samples) < 1e-8)
            throw new InvalidDataException($"'{path}' holds only silence.");
        return new SpokenClip(text, samples, path);
    }

    private static float[] Resample(float[] samples, int from, int to) =>
        from == to ? samples : Resamplers.Get(from, to).Resample(samples);
}
