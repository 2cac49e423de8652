using MLNet.Sequence.Audio;
using static MLNet.Sequence.Audio.Tests.CtcDecoderTests;

namespace MLNet.Sequence.Audio.Tests;

public class PhonemeLexiconTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnet-seq-lexicon-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly CtcLexicon Lexicon = new(
        [("cat", "K AE T"), ("kit", "K IH T"), ("two", "T UW"), ("too", "T UW"), ("to", "T UW"), ("go", "G OW"), ("i", "AY"), ("want", "W AA N T")],
        new Dictionary<string, long> { ["two"] = 5, ["to"] = 2, ["nowhere"] = 9 });

    private static readonly CtcUnits Phonemes = new(["_", "|", "AA", "AE", "AY", "EH", "G", "IH", "K", "N", "OW", "S", "T", "UW", "W"],
        wordSeparator: "|", lexicon: Lexicon);

    [Fact]
    public void ReadsBothCmuFormatsWithCommentsAndAlternatives()
    {
        string text = Path.Combine(_dir, "cmudict.dict");
        File.WriteAllLines(text, [";;; a comment", "READ  R EH1 D", "READ(2)  R IY1 D", "aalto AA1 L T OW2 # name, finnish", ""]);
        string module = Path.Combine(_dir, "index.js");
        File.WriteAllLines(module, ["/** @type {{ [word: string]: string }} */", "export const dictionary = {", "  \"read\": \"R EH1 D\",",
            "  \"read(2)\": \"R IY1 D\",", "  \"aalto\": \"AA1 L T OW2 # name, finnish\"", "}"]);

        foreach (var dictionary in new[] { PronouncingDictionary.Load(text), PronouncingDictionary.Load(module) })
        {
            Assert.Equal(2, dictionary.Count);
            Assert.Equal([["R", "EH1", "D"], ["R", "IY1", "D"]], dictionary.Pronunciations("Read"));
            Assert.Equal([["AA1", "L", "T", "OW2"]], dictionary.Pronunciations("aalto"));
            Assert.Empty(dictionary.Pronunciations("write"));
        }
        Assert.Equal("AE", PronouncingDictionary.WithoutStress("AE1"));
        Assert.Equal("NG", PronouncingDictionary.WithoutStress("NG"));
    }

    [Fact]
    public void BadDictionariesAreRefusedWithTheFileAndLine()
    {
        string bad = Path.Combine(_dir, "bad.dict");
        File.WriteAllLines(bad, ["CAT  K AE1 T", "DOG  D AO1 G!"]);
        var error = Assert.Throws<InvalidDataException>(() => PronouncingDictionary.Load(bad));
        Assert.Equal($"{bad}, line 2: 'DOG  D AO1 G!' is neither 'WORD  PH1 PH2 ...' nor '\"word\": \"PH1 PH2 ...\",'.", error.Message);
        string empty = Path.Combine(_dir, "empty.dict");
        File.WriteAllLines(empty, [";;; nothing"]);
        Assert.Equal($"{empty} holds no pronunciations.", Assert.Throws<InvalidDataException>(() => PronouncingDictionary.Load(empty)).Message);
        Assert.Contains("build/setup.sh", Assert.Throws<FileNotFoundException>(() => PronouncingDictionary.Load(Path.Combine(_dir, "none.dict"))).Message);
        Assert.Contains("'cat'", Assert.Throws<ArgumentException>(() => new PronouncingDictionary().Add("cat", [])).Message);
    }

    [Fact]
    public void TheInstalledCmuDictionaryLoads()
    {
        string path = Path.Combine(RepositoryRoot(), PronouncingDictionary.CmuPathInClone);
        Assert.True(File.Exists(path), $"{path} is missing: build/setup.sh installs it");

        var cmu = PronouncingDictionary.Load(path);
        var lexicon = CtcLexicon.FromDictionary(cmu, new Dictionary<string, long> { ["two"] = 3 });

        Assert.InRange(cmu.Count, 120_000, 140_000);
        Assert.Equal(["AE1", "K", "T", "AH0", "V", "EY2", "T"], cmu.Pronunciations("activate")[0]);
        Assert.Equal("two", lexicon.WordsFor("T UW")[0]);
        Assert.Contains("too", lexicon.WordsFor("T UW"));
        Assert.Equal(39, lexicon.Phonemes.Count); // ARPAbet without stress
    }

    [Fact]
    public void HomophonesAreOrderedByTrainingCountAndUnknownPronunciationsSpellTheNearestWord()
    {
        Assert.Equal(["two", "to", "too"], Lexicon.WordsFor("T UW"));
        Assert.Equal(["T UW"], Lexicon.PronunciationsOf("too"));
        Assert.Equal(0, Lexicon.CountOf("nowhere")); // counts of words the lexicon lacks are dropped
        Assert.Equal("two", Lexicon.Spell("T UW"));
        Assert.Equal("cat", Lexicon.Spell("K AE T S")); // one phoneme more than "cat"
        Assert.Equal("go", Lexicon.Spell("G OW OW"));
        Assert.Equal("want", Lexicon.Spell("W AA T"));
        Assert.Equal(6, Lexicon.PronunciationCount); // "T UW" is shared
        Assert.Equal(["AA", "AE", "AY", "G", "IH", "K", "N", "OW", "T", "UW", "W"], Lexicon.Phonemes);
        Assert.Throws<ArgumentException>(() => new CtcLexicon([("cat", " ")]));
        Assert.Throws<ArgumentException>(() => new CtcUnits(["_", "|", "K"], wordSeparator: null, wordStartMarker: "\u2581", lexicon: Lexicon));
    }

    [Fact]
    public void GreedyDecodingSpellsPronunciationsThroughTheLexicon()
    {
        var p = Posteriors(Phonemes, "T", "UW", "_", "|", "K", "AE", "T", "S");

        var best = CtcDecoder.Greedy(p, 8, Phonemes);

        Assert.Equal("two cat", best.Text);
        Assert.Equal(["two", "cat"], best.Words.Select(w => w.Word));
        Assert.Equal(0.08, best.Words[1].Start, 6); // "cat" from its K at frame 4, 20 ms each
    }

    [Fact]
    public void TheLanguageModelChoosesAmongHomophonesByContext()
    {
        var lm = ArpaModelBuilder.Build([["i", "want", "to", "go"], ["two", "cat"], ["i", "want", "to", "go"]], order: 2);
        var sentence = Posteriors(Phonemes, "AY", "|", "W", "AA", "N", "T", "|", "T", "UW", "|", "G", "OW");
        var cats = Posteriors(Phonemes, "T", "UW", "|", "K", "AE", "T");
        var withLm = new CtcDecoderOptions { BeamWidth = 8, LanguageModel = lm, LanguageModelWeight = 0.5 };

        Assert.Equal("i want to go", CtcDecoder.BeamSearch(sentence, 12, Phonemes, withLm)[0].Text);
        Assert.Equal("two cat", CtcDecoder.BeamSearch(cats, 6, Phonemes, withLm)[0].Text);
        // Without a model the most frequent homophone in training wins.
        Assert.Equal("i want two go", CtcDecoder.BeamSearch(sentence, 12, Phonemes, new CtcDecoderOptions { BeamWidth = 8 })[0].Text);
    }

    [Fact]
    public void BeamSearchKeepsToPronunciationsTheLexiconHas()
    {
        // EH is likelier than AE at the vowel, but "K EH T" is no word's pronunciation.
        var p = Posteriors(Phonemes, "K", "EH/AE:0.48", "T");

        var greedy = CtcDecoder.Greedy(p, 3, Phonemes);
        var beam = CtcDecoder.BeamSearch(p, 3, Phonemes, new CtcDecoderOptions { BeamWidth = 8 })[0];

        Assert.Equal(["K", "EH", "T"], greedy.Units.Select(u => Phonemes.Units[u]));
        Assert.Equal(["K", "AE", "T"], beam.Units.Select(u => Phonemes.Units[u]));
        Assert.Equal("cat", beam.Text);
    }

    [Fact]
    public void AHotwordIsMatchedByItsPronunciation()
    {
        var p = Posteriors(Phonemes, "K", "AE/IH:0.5", "T");

        Assert.Equal("cat", CtcDecoder.BeamSearch(p, 3, Phonemes, new CtcDecoderOptions { BeamWidth = 8 })[0].Text);
        Assert.Equal("kit", CtcDecoder.BeamSearch(p, 3, Phonemes, new CtcDecoderOptions { BeamWidth = 8, Hotwords = [new Hotword("kit", 3)] })[0].Text);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNet.Sequence.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("No MLNet.Sequence.sln above " + AppContext.BaseDirectory);
    }
}
