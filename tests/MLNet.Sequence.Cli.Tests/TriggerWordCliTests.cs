using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Cli.Tests;

public class TriggerWordCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnet-seq-trigger-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SynthesizesTrainsAndDetectsFromTheCommandLine()
    {
        string clips = Path.Combine(_dir, "clips");
        var made = CliProcess.Run("trigger-synthesize", "-keyword", "activate", "-negatives", "motivate,active", "-voices", "espeak:en-us,flite:slt",
            "-takes", "1", "-o", clips, "-n", "12", "-seconds", "2", "-rate", "8000", "-seed", "3");
        Assert.True(made.Exit == 0, made.Err + made.Out);
        var lines = File.ReadAllLines(Path.Combine(clips, "clips.tsv"));
        Assert.Equal(12, lines.Length);
        foreach (var line in lines)
        {
            var parts = line.Split('\t');
            Assert.Equal(16000, WavFile.Read(Path.Combine(clips, parts[0])).Length);
            Assert.All(parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries), e => Assert.InRange(double.Parse(e, System.Globalization.CultureInfo.InvariantCulture), 0, 2));
        }
        Assert.Contains(lines, l => l.Split('\t')[1].Length > 0);

        string model = Path.Combine(_dir, "trigger.zip");
        var trained = CliProcess.Run("trigger-train", "-i", Path.Combine(clips, "clips.tsv"), "-output", model, "-rate", "8000", "-epochs", "1", "-threads", "1");
        Assert.True(trained.Exit == 0, trained.Err + trained.Out);
        // 2 s at 8 kHz: 198 frames of hop 80 -> 46 steps of 40 ms; the course's 0.36 s of labels is 9 of them.
        Assert.Contains("(12 clips, 46 output steps of 40.0 ms each, 9 labelled after each keyword)", trained.Out);

        // Validation clips: four keyword-free ones and three of the training clips; the trainer scores them.
        string valid = Path.Combine(_dir, "valid");
        var quiet = CliProcess.Run("trigger-synthesize", "-keyword", "activate", "-negatives", "motivate", "-voices", "espeak:en-gb", "-takes", "1",
            "-o", valid, "-n", "4", "-seconds", "2", "-rate", "8000", "-seed", "4", "-max-keywords", "0");
        Assert.True(quiet.Exit == 0, quiet.Err + quiet.Out);
        Assert.All(File.ReadAllLines(Path.Combine(valid, "clips.tsv")), l => Assert.Equal("", l.Split('\t')[1]));
        var spoken = lines.Where(l => l.Split('\t')[1].Length > 0).Take(3).ToList();
        File.AppendAllLines(Path.Combine(valid, "clips.tsv"), spoken.Select(l => "../clips/" + l));
        var validated = CliProcess.Run("trigger-train", "-i", Path.Combine(clips, "clips.tsv"), "-valid", Path.Combine(valid, "clips.tsv"), "-output", model,
            "-rate", "8000", "-epochs", "1", "-threads", "1");
        Assert.True(validated.Exit == 0, validated.Err + validated.Out);
        int validKeywords = spoken.Sum(l => l.Split('\t')[1].Split(',').Length);
        Assert.Matches($@"Validation: {validKeywords} keywords, 0\.00 h keyword-free; .*; at the threshold 0\.50: miss rate \d+\.\d%", validated.Out);

        var detected = CliProcess.Run("trigger-detect", "-model", model, "-threshold", "0.05", Path.Combine(clips, "000000.wav"));
        Assert.True(detected.Exit == 0, detected.Err + detected.Out);
        Assert.Matches(@"000000\.wav: \d+ detection\(s\) in 2\.0 s of audio", detected.Err);

        // Keyword-free audio: two 30 s clips of white noise at the clips' rate.
        string free = Path.Combine(_dir, "free");
        Directory.CreateDirectory(free);
        var random = new Random(2);
        for (int i = 0; i < 2; i++)
            WavFile.Write(Path.Combine(free, $"noise{i}.wav"), Enumerable.Range(0, 8000 * 30).Select(_ => (float)(0.05 * (random.NextDouble() * 2 - 1))).ToArray(), 8000);
        string det = Path.Combine(_dir, "det.png");
        var evaluated = CliProcess.Run("trigger-evaluate", "-model", model, "-keywords", Path.Combine(clips, "clips.tsv"), "-free", free, "-det", det);
        Assert.True(evaluated.Exit == 0, evaluated.Err + evaluated.Out);
        int keywordCount = lines.Sum(l => l.Split('\t')[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains($"{keywordCount} keywords, 0.02 h keyword-free", evaluated.Out);
        Assert.Matches(@"At the model's threshold 0\.50: miss rate \d+\.\d%, \d+\.\d\d false alarms per hour; real-time factor", evaluated.Out);
        Assert.True(new FileInfo(det).Length > 1000);
        var noFree = CliProcess.Run("trigger-evaluate", "-model", model, "-keywords", Path.Combine(clips, "clips.tsv"), "-free", Path.Combine(_dir, "nowhere"));
        Assert.NotEqual(0, noFree.Exit);
        Assert.Contains("nowhere' does not exist", noFree.Err);

        File.AppendAllText(Path.Combine(clips, "clips.tsv"), "missing.wav\t1.0\n");
        var missing = CliProcess.Run("trigger-train", "-i", Path.Combine(clips, "clips.tsv"), "-output", model, "-rate", "8000", "-epochs", "1");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("line 13: 'missing.wav' does not exist", missing.Err);
        var silent = CliProcess.Run("trigger-synthesize", "-keyword", "...", "-voices", "espeak:en-us", "-o", clips, "-n", "1");
        Assert.NotEqual(0, silent.Exit);
        Assert.Contains("'...' synthesizes to silence", silent.Err);
    }
}
