namespace MLNet.Sequence.Cli.Tests;

/// <summary>
/// Runs mlnet-seq as a separate process, as a user does. Loading the saved model zip in a second process
/// proves that ML.NET finds our components without any registration call.
/// </summary>
public class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-seq-cli-tests", Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args) => CliProcess.Run(args);

    private string WriteCorpus()
    {
        // Two topics whose nouns share contexts only within the topic.
        var rng = new Random(5);
        string[][] nouns = { new[] { "cat", "dog", "cow", "horse" }, new[] { "car", "bus", "truck", "train" } };
        string[][] contexts = { new[] { "barks", "farm", "fur", "tail", "feeds" }, new[] { "road", "engine", "fuel", "wheels", "drives" } };
        string path = Path.Combine(_dir, "corpus.txt");
        File.WriteAllLines(path, Enumerable.Range(0, 3000).Select(_ =>
        {
            int t = rng.Next(2);
            return string.Join(' ', new[] { "the", nouns[t][rng.Next(4)] }.Concat(Enumerable.Range(0, 4).Select(_ => contexts[t][rng.Next(5)])));
        }));
        return path;
    }

    [Fact]
    public void Word2VecTrainsWritesVectorsAndAModelThatLoadsInAnotherProcess()
    {
        string corpus = WriteCorpus();
        string vectors = Path.Combine(_dir, "vectors.bin");
        string model = Path.Combine(_dir, "model.zip");
        var train = Run("word2vec", "-train", corpus, "-output", vectors, "-size", "20", "-window", "3", "-cbow", "0",
            "-iter", "5", "-min-count", "2", "-threads", "1", "-binary", "1", "-save-model", model);
        Assert.True(train.Exit == 0, train.Err);
        Assert.Contains("Vocab size: 19", train.Out); // "the", 8 nouns, 10 context words
        Assert.Contains("Words/thread/sec", train.Err);
        Assert.True(File.Exists(vectors) && File.Exists(model));

        var fromVectors = Run("neighbours", "-vectors", vectors, "-word", "cat", "-k", "3");
        var fromModel = Run("neighbours", "-model", model, "-word", "cat", "-k", "3");
        Assert.True(fromModel.Exit == 0, fromModel.Err);
        Assert.Equal(fromVectors.Out, fromModel.Out);
        var top = fromModel.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]).ToArray();
        Assert.Equal(3, top.Length);
        Assert.Contains(top[0], new[] { "dog", "cow", "horse" });
    }

    [Fact]
    public void GloVeTrainsWithTheReferenceToolsFlagNamesAndSavesAModel()
    {
        string corpus = WriteCorpus();
        string vectors = Path.Combine(_dir, "glove.txt");
        string model = Path.Combine(_dir, "glove.zip");
        var run = Run("glove", "-train", corpus, "-output", vectors, "-vector-size", "12", "-window-size", "4", "-iter", "10",
            "-x-max", "10", "-eta", "0.05", "-alpha", "0.75", "-vocab-min-count", "2", "-threads", "1", "-memory", "0.01",
            "-model", "1", "-save-model", model, "-keep-state", "1");
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("Vocab size: 19", run.Out);
        Assert.Contains("Iteration 10: cost", run.Err);
        Assert.Equal("19 12", File.ReadLines(vectors).First());

        var resumed = Run("glove", "-train", corpus, "-output", vectors, "-vector-size", "12", "-window-size", "4", "-iter", "2",
            "-vocab-min-count", "2", "-threads", "1", "-resume", model);
        Assert.True(resumed.Exit == 0, resumed.Err);
        Assert.Contains("Iteration 12: cost", resumed.Err);

        var bad = Run("glove", "-train", corpus, "-output", vectors, "-model", "3");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("-model", bad.Err);
    }

    [Fact]
    public void EvaluationCommandsPrintScores()
    {
        string corpus = WriteCorpus();
        string vectors = Path.Combine(_dir, "vectors.txt");
        Assert.Equal(0, Run("word2vec", "-train", corpus, "-output", vectors, "-size", "10", "-iter", "2", "-min-count", "1", "-threads", "1").Exit);

        string analogies = Path.Combine(_dir, "analogies.txt");
        File.WriteAllLines(analogies, new[] { ": animals", "cat dog cow horse", "car bus zebra truck" });
        var a = Run("eval-analogy", analogies, "-vectors", vectors);
        Assert.True(a.Exit == 0, a.Err);
        Assert.Contains("animals", a.Out);
        Assert.Contains("coverage 50.00% of 2 questions", a.Out);

        string pairs = Path.Combine(_dir, "pairs.tsv");
        File.WriteAllLines(pairs, new[] { "cat\tdog\t9", "cat\tcar\t1", "bus\ttruck\t8", "zebra\tcat\t5" });
        var s = Run("eval-similarity", pairs, "-vectors", vectors);
        Assert.True(s.Exit == 0, s.Err);
        Assert.Contains("pairs: 3  OOV: 1", s.Out);
    }

    [Fact]
    public void DebiasRemovesTheGenderDirectionAndReportsIt()
    {
        string vectors = Path.Combine(_dir, "gendered.txt");
        File.WriteAllLines(vectors, new[]
        {
            "6 3",
            "she 1 0.5 0.1", "he -1 0.5 0.1", "woman 0.9 0.2 0.4", "man -0.9 0.2 0.4",
            "nurse 0.4 0.1 0.9", "engineer -0.4 0.9 0.1",
        });
        string output = Path.Combine(_dir, "debiased.txt");
        var run = Run("debias", "-vectors", vectors, "-output", output, "-biased", "1");
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("from 2 definitional pairs", run.Out);
        Assert.Contains("-> 0.0000", run.Out); // DirectBias after
        Assert.Equal("6 3", File.ReadLines(output).First());

        string neutral = Path.Combine(_dir, "neutral.txt");
        File.WriteAllLines(neutral, new[] { "2 2", "cat 1 0", "dog 0 1" });
        var none = Run("debias", "-vectors", neutral, "-output", output);
        Assert.Equal(1, none.Exit);
        Assert.Contains("definitional pairs", none.Err);
    }

    [Fact]
    public void TsneDrawsALabelledPictureAndWritesCoordinates()
    {
        string corpus = WriteCorpus();
        string vectors = Path.Combine(_dir, "vectors.txt");
        Assert.Equal(0, Run("word2vec", "-train", corpus, "-output", vectors, "-size", "10", "-iter", "2", "-min-count", "1", "-threads", "1").Exit);

        string png = Path.Combine(_dir, "map.png");
        var run = Run("tsne", "-vectors", vectors, "-output", png, "-top", "19", "-perplexity", "4", "-iter", "300", "-labels", "10");
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("KL divergence", run.Out);
        var header = File.ReadAllBytes(png).Take(8).ToArray();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, header);

        string svg = Path.Combine(_dir, "map.svg");
        Assert.Equal(0, Run("tsne", "-vectors", vectors, "-output", svg, "-top", "19", "-perplexity", "4", "-iter", "100").Exit);
        Assert.Contains("<svg", File.ReadAllText(svg));
        Assert.Contains("cat", File.ReadAllText(svg)); // word labels are SVG text

        string tsv = Path.Combine(_dir, "map.tsv");
        Assert.Equal(0, Run("tsne", "-vectors", vectors, "-output", tsv, "-top", "19", "-perplexity", "4", "-iter", "100", "-dims", "3").Exit);
        Assert.All(File.ReadAllLines(tsv), l => Assert.Equal(4, l.Split('\t').Length));
        var threeD = Run("tsne", "-vectors", vectors, "-output", Path.Combine(_dir, "map3.png"), "-top", "19", "-perplexity", "4", "-dims", "3");
        Assert.Equal(2, threeD.Exit);
        Assert.Contains("2-D", threeD.Err);
    }

    [Fact]
    public void BadCommandLinesSayWhatIsWrong()
    {
        var unknown = Run("word2vec", "-train", "x", "-output", "y", "-sise", "100");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("-sise", unknown.Err);

        var missing = Run("word2vec", "-train", Path.Combine(_dir, "nope.txt"), "-output", "y");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("nope.txt", missing.Err);

        var badNumber = Run("word2vec", "-train", "x", "-output", "y", "-size", "big");
        Assert.Contains("-size expects a whole number", badNumber.Err);

        string broken = Path.Combine(_dir, "broken.txt");
        File.WriteAllText(broken, "2 3\na 1 2 3\nb 1 2\n");
        var bad = Run("neighbours", "-vectors", broken, "-word", "a");
        Assert.Equal(1, bad.Exit);
        Assert.Contains("line 3", bad.Err);

        Assert.Equal(2, Run("frobnicate").Exit);
    }

    [Fact]
    public void HelpIsMadeFromEachCommandsDeclaredFlags()
    {
        var all = Run("help");
        Assert.Equal(0, all.Exit);
        foreach (var command in new[] { "word2vec", "glove", "eval-analogy", "eval-similarity", "neighbours", "convert", "tsne", "debias", "classify", "tag", "lm-train", "lm-score", "lm-generate" })
            Assert.Contains($"mlnet-seq {command} ", all.Out);

        var one = Run("help", "lm-train");
        Assert.Equal(0, one.Exit);
        // The flags that had drifted out of the old usage text are declared with their defaults now.
        foreach (var flag in new[] { "-device cpu", "-header 0", "-layer-dropout 0", "-lower 1 for words, 0 for char", "-limit 0", "-hidden 256" })
            Assert.Contains(flag, one.Out);
        Assert.Contains("-trustworthiness 1", Run("help", "tsne").Out);
        Assert.Contains("-header 1", Run("help", "classify").Out);

        var unknown = Run("tsne", "-vectors", "v.txt", "-output", "m.png", "-perplexty", "5");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("'tsne' does not know -perplexty. Run 'mlnet-seq help tsne'", unknown.Err);
    }

    [Fact]
    public void ConvertReadsTheFirstWordsAndWritesAnotherFormat()
    {
        string text = Path.Combine(_dir, "v.txt");
        File.WriteAllLines(text, new[] { "3 2", "the 1 2", "of 3 4", "and 5 6" });
        string bin = Path.Combine(_dir, "v.bin");
        var run = Run("convert", "-vectors", text, "-output", bin, "-limit", "2");
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("2 words x 2", run.Out);
        var back = Run("neighbours", "-vectors", bin, "-word", "the", "-k", "5");
        Assert.Equal(new[] { "of" }, back.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]));

        var badFormat = Run("convert", "-vectors", text, "-output", bin, "-format", "word2vec");
        Assert.Equal(2, badFormat.Exit);
        Assert.Contains("-format is auto, w2v-text, w2v-bin or glove, not 'word2vec'", badFormat.Err);
    }

    [Fact]
    public void ADamagedModelZipIsReportedWithTheReasonNotMLNetsWrapper()
    {
        string corpus = WriteCorpus();
        string vectors = Path.Combine(_dir, "vectors.txt");
        string model = Path.Combine(_dir, "model.zip");
        Assert.Equal(0, Run("word2vec", "-train", corpus, "-output", vectors, "-size", "10", "-iter", "1", "-min-count", "1", "-threads", "1", "-save-model", model).Exit);
        string copy = Path.Combine(_dir, "copy.zip");
        File.Copy(model, copy);
        // A byte of the vectors: ML.NET reads past it, and only the entry's CRC tells.
        MLNet.Sequence.Tests.ZipSurgery.FlipByteInEntry(model, "TransformerChain/Model.key", content => content.Length / 2);
        var run = Run("neighbours", "-model", model, "-word", "cat");
        Assert.Equal(1, run.Exit);
        Assert.Contains($"Model '{model}' cannot be loaded: Loading the Word2Vec transformer", run.Err);
        Assert.Contains("is damaged", run.Err);
        Assert.DoesNotContain("Exception has been thrown by the target of an invocation", run.Err);

        // A byte of the header ML.NET parses before any component runs: still a clear error, not a crash.
        MLNet.Sequence.Tests.ZipSurgery.FlipByteInEntry(copy, "TransformerChain/Model.key", content => content.Length - 10);
        var header = Run("neighbours", "-model", copy, "-word", "cat");
        Assert.Equal(1, header.Exit);
        Assert.Contains($"Model '{copy}' cannot be loaded", header.Err);
    }
}
