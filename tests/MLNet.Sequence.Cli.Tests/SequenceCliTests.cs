namespace MLNet.Sequence.Cli.Tests;

/// <summary>The TorchSharp commands of mlnet-seq, run as a user runs them: train, save, reload in another process.</summary>
public class SequenceCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-seq-cli-tests", Guid.NewGuid().ToString("N"));

    public SequenceCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args) => CliProcess.Run(args);

    /// <summary>A TSV file with a Split column first: 200 train, 50 valid and 50 test rows from <paramref name="row"/>.</summary>
    private string WriteSplitFile(string name, string header, Func<string> row)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, new[] { "Split\t" + header }.Concat(Enumerable.Range(0, 300).Select(i =>
            (i < 200 ? "train" : i < 250 ? "valid" : "test") + "\t" + row())));
        return path;
    }

    [Fact]
    public void ClassifyTrainsOnASplitFileAndReportsTestAccuracy()
    {
        // Split, label, text: the topic is given away by one keyword.
        var random = new Random(3);
        string[] topics = { "sport", "music" };
        string[][] keywords = { new[] { "goal", "team" }, new[] { "song", "band" } };
        string path = WriteSplitFile("topics.tsv", "Topic\tText", () =>
        {
            int t = random.Next(2);
            return $"{topics[t]}\tthe {keywords[t][random.Next(2)]} was on the radio";
        });
        string model = Path.Combine(_dir, "topics.zip");
        var (exit, output, error) = Run("classify", "-train", path, "-valid", path, "-test", path, "-split-column", "0", "-label-column", "1",
            "-text-column", "2", "-output", model, "-dim", "8", "-hidden", "8", "-epochs", "8", "-lr", "0.02", "-threads", "1");
        Assert.True(exit == 0, error + output);
        Assert.Contains("Test: accuracy 100.00 %", output);
        Assert.True(File.Exists(model));
    }

    [Fact]
    public void TagTrainsOnASplitFileReportsTokenAccuracyAndNamesMisalignedRows()
    {
        // Split, tokens, tags: "fish" is a noun after a determiner and a verb after a noun.
        var random = new Random(5);
        string[] determiners = { "the", "a" }, nouns = { "cat", "dog", "fish" }, verbs = { "sleeps", "runs", "fish" };
        string path = WriteSplitFile("tags.tsv", "Tokens\tTags",
            () => $"{determiners[random.Next(2)]} {nouns[random.Next(3)]} {verbs[random.Next(3)]}\tDT NN VB");
        string model = Path.Combine(_dir, "tagger.zip");
        var (exit, output, error) = Run("tag", "-train", path, "-valid", path, "-test", path, "-split-column", "0", "-tokens-column", "1",
            "-tags-column", "2", "-output", model, "-dim", "8", "-hidden", "8", "-epochs", "10", "-lr", "0.02", "-threads", "1");
        Assert.True(exit == 0, error + output);
        Assert.Contains("Test: token accuracy 100.00 % (150 tokens)", output);
        Assert.True(File.Exists(model));

        string bad = Path.Combine(_dir, "misaligned.tsv");
        File.WriteAllLines(bad, new[] { "Split\tTokens\tTags", "train\tthe cat sleeps\tDT NN VB", "train\tthe dog\tDT NN VB" });
        (exit, output, error) = Run("tag", "-train", bad, "-split-column", "0", "-tokens-column", "1", "-tags-column", "2",
            "-output", Path.Combine(_dir, "bad.zip"), "-epochs", "1");
        Assert.Equal(1, exit);
        Assert.Contains("Tokens", error);
        Assert.Contains("Tags", error);
        Assert.False(File.Exists(Path.Combine(_dir, "bad.zip")));
    }

    [Fact]
    public void LanguageModelTrainsScoresAndGeneratesInAnotherProcess()
    {
        var random = new Random(4);
        string[] subjects = { "the cat", "a dog" }, verbs = { "sees", "likes" }, objects = { "the ball", "a bird" };
        string train = Path.Combine(_dir, "lines.txt");
        File.WriteAllLines(train, Enumerable.Range(0, 200).Select(_ => $"{subjects[random.Next(2)]} {verbs[random.Next(2)]} {objects[random.Next(2)]} ."));
        string model = Path.Combine(_dir, "lm.zip");
        var (exit, output, error) = Run("lm-train", "-train", train, "-output", model, "-unit", "word", "-min-count", "1",
            "-dim", "8", "-hidden", "16", "-epochs", "10", "-lr", "0.02", "-threads", "1");
        Assert.True(exit == 0, error + output);

        string probe = Path.Combine(_dir, "probe.txt");
        File.WriteAllLines(probe, new[] { "the cat sees a bird .", "bird sees . the a cat" });
        (exit, output, error) = Run("lm-score", "-model", model, "-input", probe);
        Assert.True(exit == 0, error + output);
        var scores = output.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => double.Parse(l.Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2, scores.Length);
        Assert.True(scores[0] > scores[1], output);

        (exit, output, error) = Run("lm-generate", "-model", model, "-prompt", "the", "-temperature", "0.5", "-seed", "3", "-count", "2");
        Assert.True(exit == 0, error + output);
        Assert.All(output.Trim().Split('\n'), l => Assert.StartsWith("the ", l));

        (exit, _, error) = Run("lm-generate", "-model", Path.Combine(_dir, "missing.zip"));
        Assert.Equal(2, exit);
        Assert.Contains("missing.zip", error);
    }
}
