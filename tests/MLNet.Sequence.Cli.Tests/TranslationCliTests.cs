namespace MLNet.Sequence.Cli.Tests;

/// <summary>The translation commands of mlnet-seq, run as a user runs them.</summary>
public class TranslationCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-seq-cli-tests", Guid.NewGuid().ToString("N"));

    public TranslationCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, params string[] lines)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void BleuScoresFilesAsSacreBleusReadmeExample()
    {
        string hyp = Write("hyp.txt", "The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");
        string ref1 = Write("ref1.txt", "The dog bit the man.", "It was not unexpected.", "The man bit him first.");
        string ref2 = Write("ref2.txt", "The dog had bit the man.", "No one was surprised.", "The man had bitten the dog.");

        var (exit, stdout, stderr) = CliProcess.Run("bleu", ref1, ref2, "-i", hyp);
        Assert.True(exit == 0, stderr);
        Assert.Contains("BLEU|nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", stdout);
        Assert.Contains("chrF2|nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0 = 59.73", stdout);

        var sentences = CliProcess.Run("bleu", ref1, "-i", hyp, "-sentence", "1", "-tok", "none", "-chrf-word-order", "2");
        Assert.True(sentences.Exit == 0, sentences.Err);
        Assert.StartsWith("1\tBLEU 100.00\tchrF2++ 100.00", sentences.Out);
        Assert.Contains("tok:none", sentences.Out);
    }

    [Fact]
    public void BleuNamesTheFileOrLineAtFault()
    {
        string hyp = Write("hyp.txt", "a b c", "d e f");
        var shortRef = CliProcess.Run("bleu", Write("short.txt", "a b c"), "-i", hyp);
        Assert.Equal(1, shortRef.Exit);
        Assert.Contains("short.txt' has 1 lines but", shortRef.Err);

        var emptyLine = CliProcess.Run("bleu", Write("gap.txt", "a b c", ""), "-i", hyp);
        Assert.Equal(1, emptyLine.Exit);
        Assert.Contains("Line 2 has no reference", emptyLine.Err);

        var noRef = CliProcess.Run("bleu", "-i", hyp);
        Assert.Equal(2, noRef.Exit);
        Assert.Contains("at least one reference file", noRef.Err);

        var badTok = CliProcess.Run("bleu", Write("r.txt", "a", "b"), "-i", hyp, "-tok", "moses");
        Assert.Equal(2, badTok.Exit);
        Assert.Contains("-tok is 13a, none, char or intl, not 'moses'", badTok.Err);

        string binary = Path.Combine(_dir, "binary.txt");
        File.WriteAllBytes(binary, [0x61, 0xc3, 0x28, 0x0a, 0x80, 0x0a]);
        var notText = CliProcess.Run("bleu", binary, "-i", hyp);
        Assert.Equal(1, notText.Exit);
        Assert.Contains("binary.txt' is not UTF-8 text", notText.Err);
    }
}
