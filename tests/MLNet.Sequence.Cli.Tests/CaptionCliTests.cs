using SkiaSharp;

namespace MLNet.Sequence.Cli.Tests;

public class CaptionCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnet-seq-caption-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly (string Caption, SKColor Colour, bool Circle)[] Pictures =
    [
        ("a red square", new SKColor(220, 30, 30), false), ("a red circle", new SKColor(220, 30, 30), true),
        ("a blue square", new SKColor(30, 60, 220), false), ("a blue circle", new SKColor(30, 60, 220), true),
        ("a green square", new SKColor(30, 170, 50), false), ("a green circle", new SKColor(30, 170, 50), true),
    ];

    private string Draw(int i)
    {
        var (_, colour, circle) = Pictures[i];
        using var bitmap = new SKBitmap(48, 48);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var paint = new SKPaint { Color = colour, IsAntialias = true };
            if (circle)
                canvas.DrawCircle(24, 24, 16, paint);
            else
                canvas.DrawRect(8, 8, 32, 32, paint);
        }
        string name = $"picture{i}.png";
        using var data = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100);
        using (var stream = File.Create(Path.Combine(_dir, name)))
            data.SaveTo(stream);
        return name;
    }

    [Fact]
    public void TrainsAndCaptionsImageFilesFromTheCommandLine()
    {
        var files = Enumerable.Range(0, Pictures.Length).Select(Draw).ToList();
        string tsv = Path.Combine(_dir, "train.tsv");
        File.WriteAllLines(tsv, new[] { "File\tCaption1\tCaption2" }.Concat(files.Select((f, i) => $"{f}\t{Pictures[i].Caption}\t")));
        string model = Path.Combine(_dir, "captioner.zip");
        var trained = CliProcess.Run("caption-train", "-i", tsv, "-output", model, "-size", "16", "-channels", "8,16", "-hidden", "32",
            "-dropout", "0", "-epochs", "60", "-batch", "6", "-lr", "0.005", "-threads", "1");
        Assert.True(trained.Exit == 0, trained.Err + trained.Out);
        Assert.Contains("Trained on 6 images (6 captions)", trained.Out);

        var captioned = CliProcess.Run(new[] { "caption", "-model", model, "-beam", "2", "-nbest", "2" }.Concat(files.Select(f => Path.Combine(_dir, f))).ToArray());
        Assert.True(captioned.Exit == 0, captioned.Err + captioned.Out);
        var best = captioned.Out.Split('\n').Where(l => l.StartsWith(_dir)).Select(l => l.Split('\t')[1]).ToList();
        Assert.Equal(Pictures.Select(p => p.Caption), best);

        File.WriteAllText(Path.Combine(_dir, "broken.png"), "not a picture");
        var broken = CliProcess.Run("caption", "-model", model, Path.Combine(_dir, "broken.png"));
        Assert.NotEqual(0, broken.Exit);
        Assert.Contains("broken.png' is not an image", broken.Err);
        File.AppendAllText(tsv, "missing.png\ta red square\t\n");
        var missing = CliProcess.Run("caption-train", "-i", tsv, "-output", model, "-epochs", "1");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("missing.png' does not exist", missing.Err);
    }
}
