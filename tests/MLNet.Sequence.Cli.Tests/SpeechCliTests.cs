using MLNet.Sequence.Audio;
using MLNet.Sequence.Tests;

namespace MLNet.Sequence.Cli.Tests;

public class SpeechCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnet-seq-speech-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // WAV files of ToneLanguage utterances and a TSV of "file<TAB>transcript" rows.
    private (string Tsv, string[] Paths, string[] Texts) Utterances(string name, int count, int seed)
    {
        var random = new Random(seed);
        var paths = new string[count];
        var texts = new string[count];
        for (int i = 0; i < count; i++)
        {
            texts[i] = ToneLanguage.RandomText(random);
            paths[i] = Path.Combine(_dir, $"{name}-{i}.wav");
            WavFile.Write(paths[i], ToneLanguage.Speak(texts[i], random), ToneLanguage.SampleRate);
        }
        string tsv = Path.Combine(_dir, name + ".tsv");
        File.WriteAllLines(tsv, paths.Zip(texts, (p, t) => $"{Path.GetFileName(p)}\t{t}"));
        return (tsv, paths, texts);
    }

    [Fact]
    public void TrainsTranscribesScoresAndBuildsALanguageModel()
    {
        var train = Utterances("train", 160, seed: 1);
        var test = Utterances("test", 10, seed: 2);
        string model = Path.Combine(_dir, "speech.zip");

        var trained = CliProcess.Run("speech-train", "-train", train.Tsv, "-test", test.Tsv, "-audio-dir", _dir, "-output", model,
            "-rate", "8000", "-mels", "20", "-n-fft", "200", "-hop", "80", "-conv-layers", "1", "-conv-channels", "32", "-hidden", "32", "-layers", "1",
            "-epochs", "30", "-batch", "8", "-lr", "0.003", "-threads", "1", "-seed", "1");
        Assert.True(trained.Exit == 0, trained.Err + trained.Out);
        Assert.Contains("Test: WER ", trained.Out);

        var transcribed = CliProcess.Run(["transcribe", "-model", model, "-times", "1", .. test.Paths]);
        Assert.True(transcribed.Exit == 0, transcribed.Err);
        var lines = transcribed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var transcripts = lines.Where(l => !l.StartsWith('\t')).Select(l => l.Split('\t')[1]).ToArray();
        Assert.Equal(10, transcripts.Length);
        Assert.True(transcripts.Zip(test.Texts).Count(p => p.First == p.Second) >= 9, string.Join(" | ", transcripts) + " vs " + string.Join(" | ", test.Texts));
        Assert.Equal(transcripts.Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length), lines.Count(l => l.StartsWith('\t'))); // a timing line per word

        string hypotheses = Path.Combine(_dir, "hyp.txt"), references = Path.Combine(_dir, "ref.txt");
        File.WriteAllLines(hypotheses, transcripts);
        File.WriteAllLines(references, test.Texts);
        var wer = CliProcess.Run("wer", references, "-i", hypotheses);
        Assert.Equal(0, wer.Exit);
        Assert.StartsWith("WER ", wer.Out);
        Assert.Contains($"of {test.Texts.Sum(t => t.Split(' ').Length)} words", wer.Out);

        string text = Path.Combine(_dir, "text.txt"), arpa = Path.Combine(_dir, "lm.arpa");
        File.WriteAllLines(text, train.Texts);
        var built = CliProcess.Run("arpa-build", "-i", text, "-o", arpa, "-order", "2");
        Assert.True(built.Exit == 0, built.Err);
        Assert.StartsWith($"Wrote {arpa}: order 2", built.Out);
        var beam = CliProcess.Run(["transcribe", "-model", model, "-beam", "4", "-lm", arpa, "-n-best", "2", .. test.Paths[..3]]);
        Assert.True(beam.Exit == 0, beam.Err);
        Assert.Equal(6, beam.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void TrainsOnPhonemesThroughAPronouncingDictionary()
    {
        var train = Utterances("train", 160, seed: 1);
        var test = Utterances("test", 10, seed: 2);
        // CMU's text format: every word of the tone language said as its letters.
        string dictionary = Path.Combine(_dir, "tone.dict");
        File.WriteAllLines(dictionary, train.Texts.Concat(test.Texts).SelectMany(t => t.Split(' ')).Distinct()
            .Select(w => $"{w.ToUpperInvariant()}  {string.Join(' ', w.Select(c => char.ToUpperInvariant(c)))}"));
        string model = Path.Combine(_dir, "phonemes.zip");
        string[] flags = ["-rate", "8000", "-mels", "20", "-n-fft", "200", "-hop", "80", "-conv-layers", "1", "-conv-channels", "32", "-hidden", "32", "-layers", "1",
            "-epochs", "30", "-batch", "8", "-lr", "0.003", "-threads", "1", "-seed", "1"];

        var trained = CliProcess.Run(["speech-train", "-train", train.Tsv, "-audio-dir", _dir, "-output", model, "-units", "phonemes", "-dict", dictionary, .. flags]);
        Assert.True(trained.Exit == 0, trained.Err + trained.Out);
        var transcribed = CliProcess.Run(["transcribe", "-model", model, .. test.Paths]);
        Assert.True(transcribed.Exit == 0, transcribed.Err);
        var transcripts = transcribed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[1]).ToArray();
        Assert.True(transcripts.Zip(test.Texts).Count(p => p.First == p.Second) >= 9, string.Join(" | ", transcripts) + " vs " + string.Join(" | ", test.Texts));

        var missing = CliProcess.Run(["speech-train", "-train", train.Tsv, "-audio-dir", _dir, "-output", model, "-units", "phonemes", "-dict", Path.Combine(_dir, "none.dict")]);
        Assert.Equal(2, missing.Exit);
        Assert.Contains($"-dict: the pronouncing dictionary '{Path.Combine(_dir, "none.dict")}' does not exist", missing.Err);
    }

    [Fact]
    public void AudioFeaturesDescribesEachFile()
    {
        string wav = Path.Combine(_dir, "tone.wav");
        WavFile.Write(wav, ToneLanguage.Speak("ab", new Random(1)), ToneLanguage.SampleRate);

        var result = CliProcess.Run("audio-features", "-rate", "8000", "-mels", "20", "-n-fft", "200", "-hop", "80", wav);

        Assert.True(result.Exit == 0, result.Err);
        int samples = WavFile.Read(wav).Length;
        Assert.Contains($"8000 Hz, 1 channel(s), {samples / 8000.0:F3} s\t{1 + samples / 80} frames x 20", result.Out);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        string a = Path.Combine(_dir, "a.txt"), b = Path.Combine(_dir, "b.txt");
        File.WriteAllLines(a, ["one two", "three"]);
        File.WriteAllLines(b, ["one two"]);

        var wer = CliProcess.Run("wer", a, "-i", b);
        Assert.Equal(1, wer.Exit);
        Assert.Contains($"'{a}' has 2 lines but '{b}' has 1", wer.Err);
        var missing = CliProcess.Run("transcribe", "-model", Path.Combine(_dir, "none.zip"), Path.Combine(_dir, "none.wav"));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("none.wav' does not exist", missing.Err);
        var notWav = CliProcess.Run("audio-features", a);
        Assert.Equal(1, notWav.Exit);
        Assert.Contains($"'{a}' is not a WAV file", notWav.Err);
        var order = CliProcess.Run("arpa-build", "-i", a, "-o", Path.Combine(_dir, "x.arpa"), "-order", "9");
        Assert.Equal(2, order.Exit);
        Assert.Contains("-order must be at most 6", order.Err);
    }

    [Fact]
    public void SynthesizesRecordingsWithTranscriptsForSpeechTrain()
    {
        string text = Path.Combine(_dir, "lines.txt");
        File.WriteAllLines(text, ["seven three nine", "", "one two"]);
        string output = Path.Combine(_dir, "tts");

        var run = CliProcess.Run("speech-synthesize", "-i", text, "-o", output, "-per-line", "2", "-rate", "8000", "-voices", "espeak:en-us,flite:slt", "-seed", "3");

        Assert.True(run.Exit == 0, run.Err + run.Out);
        var rows = File.ReadAllLines(Path.Combine(output, "transcripts.tsv")).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(["seven three nine", "seven three nine", "one two", "one two"], rows.Select(r => r[1]));
        foreach (var row in rows)
        {
            var audio = WavFile.Read(Path.Combine(output, row[0]));
            Assert.Equal(8000, audio.SampleRate);
            Assert.InRange(audio.Duration, 0.3, 4);
        }
        // Seeded: the same run writes the same audio.
        string again = Path.Combine(_dir, "tts2");
        Assert.Equal(0, CliProcess.Run("speech-synthesize", "-i", text, "-o", again, "-per-line", "2", "-rate", "8000", "-voices", "espeak:en-us,flite:slt", "-seed", "3").Exit);
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "000003.wav")), File.ReadAllBytes(Path.Combine(again, "000003.wav")));

        var bad = CliProcess.Run("speech-synthesize", "-i", text, "-o", output, "-voices", "say:alex");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("'say:alex'", bad.Err);
        // Voices the engines do not have are flag mistakes too, found before anything is spoken.
        var unknown = CliProcess.Run("speech-synthesize", "-i", text, "-o", Path.Combine(_dir, "tts3"), "-voices", "espeak:en-us,espeak:xx-nowhere+f2");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("espeak-ng has no voice 'xx-nowhere'", unknown.Err);
        var noFlite = CliProcess.Run("trigger-synthesize", "-keyword", "activate", "-voices", "flite:nobody", "-o", Path.Combine(_dir, "tts4"), "-n", "1");
        Assert.Equal(2, noFlite.Exit);
        Assert.Contains("flite has no voice 'nobody'; it has", noFlite.Err);
        Assert.False(Directory.Exists(Path.Combine(_dir, "tts3")));
    }
}
