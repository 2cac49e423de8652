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

    [Fact]
    public void TranslateTrainTranslateAndBeamAnalysisWorkFromFiles()
    {
        // Reversal of colour words: learnable in a few epochs by a small model.
        var random = new Random(3);
        string[] words = "red blue green gold pink gray".Split(' ');
        string Sentence() => string.Join(' ', Enumerable.Range(0, random.Next(3, 6)).Select(_ => words[random.Next(words.Length)]));
        var pairs = Enumerable.Range(0, 1200).Select(_ => Sentence()).Select(s => (s, string.Join(' ', s.Split(' ').Reverse()))).ToList();
        string train = Write("train.tsv", pairs.Take(1100).Select(p => p.s + "\t" + p.Item2).ToArray());
        string test = Write("test.tsv", pairs.Skip(1100).Select(p => p.s + "\t" + p.Item2).ToArray());
        string model = Path.Combine(_dir, "model.zip");
        var trained = CliProcess.Run("translate-train", "-train", train, "-test", test, "-output", model, "-dim", "32", "-hidden", "64",
            "-decoder-hidden", "64", "-attention-hidden", "64", "-cell", "gru", "-dropout", "0", "-epochs", "10", "-lr", "0.003", "-clip", "1", "-threads", "2");
        Assert.True(trained.Exit == 0, trained.Err + trained.Out);
        Assert.Contains("Translation epoch 10/10", trained.Out);
        var bleuLine = trained.Out.Split('\n').Single(l => l.StartsWith("Test: BLEU = ", StringComparison.Ordinal));
        double bleu = double.Parse(bleuLine["Test: BLEU = ".Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(bleu > 90, bleuLine);

        string sources = Write("src.txt", pairs.Skip(1100).Select(p => p.s).ToArray());
        string references = Write("ref.txt", pairs.Skip(1100).Select(p => p.Item2).ToArray());
        var greedy = CliProcess.Run("translate", "-model", model, "-i", sources);
        Assert.True(greedy.Exit == 0, greedy.Err);
        var outputs = greedy.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(100, outputs.Length);
        Assert.True(outputs.Zip(pairs.Skip(1100)).Count(p => p.First == p.Second.Item2) >= 90);
        // The model loaded in this other process translates as the training process did: the same BLEU to the digit.
        var rescored = CliProcess.Run("bleu", references, "-i", Write("out.txt", outputs));
        Assert.Equal(bleuLine["Test: ".Length..].Split("   ")[0], rescored.Out.Split('\n')[0].Split(" = ", 2)[1].Insert(0, "BLEU = "));

        string pictures = Path.Combine(_dir, "attention");
        var nBest = CliProcess.Run("translate", "-model", model, "-i", sources, "-beam", "3", "-n-best", "3", "-attention", pictures);
        Assert.True(nBest.Exit == 0, nBest.Err);
        var lines = nBest.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(300, lines.Length);
        Assert.StartsWith("1\t", lines[0]);
        Assert.Equal(100, Directory.GetFiles(pictures, "*.png").Length);

        var analysis = CliProcess.Run("beam-analysis", "-model", model, "-src", sources, "-ref", references, "-beams", "1,3", "-alphas", "0,0.7");
        Assert.True(analysis.Exit == 0, analysis.Err);
        Assert.Contains("| B | alpha | BLEU | wrong | search errors | model errors |", analysis.Out);
        Assert.Equal(4, analysis.Out.Split('\n').Count(l => l.StartsWith("| 1 |", StringComparison.Ordinal) || l.StartsWith("| 3 |", StringComparison.Ordinal)));

        var badBeam = CliProcess.Run("translate", "-model", model, "-i", sources, "-beam", "0");
        Assert.Equal(2, badBeam.Exit);
        Assert.Contains("-beam must be at least 1", badBeam.Err);
        var tooMany = CliProcess.Run("translate", "-model", model, "-i", sources, "-beam", "2", "-n-best", "3");
        Assert.Equal(2, tooMany.Exit);
        Assert.Contains("-n-best (3) cannot exceed -beam (2)", tooMany.Err);
        var emptyLine = CliProcess.Run("translate", "-model", model, "-i", Write("gap.txt", "red blue", "", "gold"));
        Assert.Equal(1, emptyLine.Exit);
        Assert.Contains("Line 2 of", emptyLine.Err);
        var notAModel = CliProcess.Run("translate", "-model", sources, "-i", sources);
        Assert.Equal(1, notAModel.Exit);
        Assert.Contains("src.txt", notAModel.Err);
    }

    [Fact]
    public void TranslateTrainTakesSubwordsAndNamesAMissingSentencePieceModel()
    {
        string[] words = "red blue green gold pink gray".Split(' ');
        var rows = Enumerable.Range(0, 200).Select(i => $"{words[i % 6]} {words[(i / 6) % 6]}\t{words[(i / 6) % 6]} {words[i % 6]}").ToArray();
        string train = Write("train.tsv", rows);
        string model = Path.Combine(_dir, "subwords.zip");
        var trained = CliProcess.Run("translate-train", "-train", train, "-output", model, "-unit", "subwords", "-merges", "20", "-dim", "16",
            "-hidden", "16", "-decoder-hidden", "16", "-attention-hidden", "16", "-epochs", "15", "-lr", "0.01", "-dropout", "0", "-threads", "1", "-seed", "1");
        Assert.True(trained.Exit == 0, trained.Err + trained.Out);
        // 20 merges over six colour words leave some in pieces; the swap is learned and comes out as plain words.
        var translated = CliProcess.Run("translate", "-model", model, "-i", Write("two.txt", "red blue", "gold pink"));
        Assert.True(translated.Exit == 0, translated.Err);
        Assert.Equal("blue red\npink gold", translated.Out.TrimEnd('\n'));

        var noModel = CliProcess.Run("translate-train", "-train", train, "-output", model, "-unit", "sentencepiece");
        Assert.Equal(2, noModel.Exit);
        Assert.Contains("-unit sentencepiece needs -spm FILE", noModel.Err);
        var missing = CliProcess.Run("translate-train", "-train", train, "-output", model, "-unit", "sentencepiece", "-spm", Path.Combine(_dir, "none.model"));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("none.model' (-spm) does not exist", missing.Err);
    }
}
