using System.IO.Compression;
using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class DebianSpeechCorporaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnet-seq-corpora-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Wav(string relative)
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        WavFile.Write(stream, [new float[800]], 8000);
    }

    private string Gzip(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        using var writer = new StreamWriter(gz);
        writer.Write(text);
        return path;
    }

    [Fact]
    public void AsteriskLinesBecomeSpokenTranscriptsOfExistingFiles()
    {
        foreach (var name in new[] { "activated", "dir-multi9", "letters/dot", "beep", "silence/1", "conf-x" })
            Wav(name + ".wav");
        string transcripts = Gzip("sounds.txt.gz", """
            ; Core Asterisk Sounds in English

            activated: Activated.
            dir-multi9: Press 9 for more entries, or 10.
            letters/dot: dot [.]
            beep: [this is a simple beep tone]
            silence/1: (1 second of silence)
            no-such-file: Never recorded.
            conf-x: 3.5 percent, 1a and 4.
            """);

        var prompts = DebianSpeechCorpora.AsteriskPrompts(_dir, transcripts);

        Assert.Equal(
            [("activated", "Activated."), ("dir-multi9", "Press nine for more entries, or 10."), ("letters/dot", "dot"), ("conf-x", "3.5 percent, 1a and four.")],
            prompts.Select(p => (Path.GetRelativePath(_dir, p.Path)[..^4], p.Transcript)));
    }

    [Fact]
    public void MissingOrMalformedAsteriskFilesAreRefusedByName()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => DebianSpeechCorpora.AsteriskPrompts(_dir, Path.Combine(_dir, "none.txt.gz")));
        Assert.Contains("none.txt.gz", missing.Message);
        Assert.Contains("asterisk-core-sounds-en", missing.Message);
        var noFolder = Assert.Throws<FileNotFoundException>(() => DebianSpeechCorpora.AsteriskPrompts(Path.Combine(_dir, "nowhere")));
        Assert.Contains("nowhere", noFolder.Message);
        string bad = Gzip("bad.txt.gz", "activated: Activated.\njust some words\n");
        var malformed = Assert.Throws<InvalidDataException>(() => DebianSpeechCorpora.AsteriskPrompts(_dir, bad));
        Assert.Contains("bad.txt.gz', line 2", malformed.Message);
    }

    [Fact]
    public void PocketsphinxTranscriptionsPairIdsWithTheirWavs()
    {
        Wav("cards/001.wav");
        Wav("cards/002.wav");
        File.WriteAllText(Path.Combine(_dir, "cards", "cards.transcription"), "<s> ten of clubs  </s> (001)\n\n<s> four queen </s> (002)\n<s> gone </s> (003)\n");
        Wav("other/a.wav");
        File.WriteAllText(Path.Combine(_dir, "other", "transcription"), "<s> he was not ill </s> (a)\n");

        var sentences = DebianSpeechCorpora.PocketsphinxSentences(_dir);

        Assert.Equal([("cards/001", "ten of clubs"), ("cards/002", "four queen"), ("other/a", "he was not ill")],
            sentences.Select(s => (Path.GetRelativePath(_dir, s.Path)[..^4], s.Transcript)));
        File.AppendAllText(Path.Combine(_dir, "other", "transcription"), "he was (b)\n");
        var malformed = Assert.Throws<InvalidDataException>(() => DebianSpeechCorpora.PocketsphinxSentences(_dir));
        Assert.Contains("transcription', line 2", malformed.Message);
    }

    [Fact]
    public void TheInstalledCorporaHoldTheirRecordings()
    {
        // build/setup.sh installs both packages; these are their real files.
        var prompts = DebianSpeechCorpora.AsteriskPrompts();
        Assert.InRange(prompts.Count, 520, 568);
        Assert.Contains(prompts, p => p.Path.EndsWith("/digits/7.wav", StringComparison.Ordinal) && p.Transcript == "seven");
        Assert.Equal(8000, WavFile.Read(prompts[0].Path).SampleRate);
        var sentences = DebianSpeechCorpora.PocketsphinxSentences();
        Assert.Contains(sentences, s => s.Transcript == "he was not an ill disposed young man");
        Assert.True(sentences.Count >= 10, $"{sentences.Count} pocketsphinx sentences");
        Assert.Equal(16000, WavFile.Read(sentences[0].Path).SampleRate);
    }
}
