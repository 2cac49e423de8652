using MLNet.Sequence.Plots;

namespace MLNet.Sequence.Audio.Tests;

public class SpectrogramPlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnet-seq-spectrogram-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // 1 s of 10 ms frames, 40 bands: a rising tone's ridge in decibels.
    private static float[] ToneFeatures() =>
        Enumerable.Range(0, 100 * 40).Select(i => (float)(-60 + 60 * Math.Exp(-Math.Pow(i % 40 - 5 - i / 40 / 4.0, 2)))).ToArray();

    [Fact]
    public void DrawsPngAndSvgWithTheWordsMarked()
    {
        var features = ToneFeatures();
        string png = Path.Combine(_dir, "tone.png"), svg = Path.Combine(_dir, "tone.svg");
        var words = new[] { new TimedWord("beep", 0.1, 0.6), new TimedWord("boop", 0.7, 1.0) };
        SpectrogramPlot.Save(png, features, 40, 0.01, words);
        SpectrogramPlot.Save(svg, features, 40, 0.01, words);

        var header = File.ReadAllBytes(png).AsSpan(0, 24).ToArray();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, header[..4]);
        int width = (header[16] << 24) | (header[17] << 16) | (header[18] << 8) | header[19];
        Assert.Equal(640, width); // 1 s of audio: the narrowest picture
        string text = File.ReadAllText(svg);
        Assert.Contains("beep", text);
        Assert.Contains("boop", text);
    }

    [Fact]
    public void BadInputIsRefusedByName()
    {
        var features = ToneFeatures();
        var extension = Assert.Throws<ArgumentException>(() => SpectrogramPlot.Save(Path.Combine(_dir, "x.bmp"), features, 40, 0.01));
        Assert.Contains("x.bmp", extension.Message);
        var partial = Assert.Throws<ArgumentException>(() => SpectrogramPlot.Save(Path.Combine(_dir, "x.png"), features[..^1], 40, 0.01));
        Assert.Contains("not whole frames of 40 bands", partial.Message);
        features[45] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => SpectrogramPlot.Save(Path.Combine(_dir, "x.png"), features, 40, 0.01));
        Assert.Contains("Frame 1, band 5 is NaN", nan.Message);
        var late = Assert.Throws<ArgumentException>(() => SpectrogramPlot.Save(Path.Combine(_dir, "x.png"), ToneFeatures(), 40, 0.01, [new TimedWord("late", 0.5, 3)]));
        Assert.Contains("'late'", late.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "x.png")));
    }
}
