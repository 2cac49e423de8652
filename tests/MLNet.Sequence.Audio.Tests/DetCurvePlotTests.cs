using MLNet.Sequence.Plots;

namespace MLNet.Sequence.Audio.Tests;

public class DetCurvePlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnet-seq-det-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DrawsEachDetectorsCurveAndRefusesBadPoints()
    {
        var english = new DetCurve("activate (en)", [(20.0, 0.01), (1.0, 0.04), (0.1, 0.12), (0.0, 0.3)]);
        var german = new DetCurve("aktivieren (de)", [(30.0, 0.02), (2.0, 0.06), (0.0, 0.4)]);
        string svg = Path.Combine(_dir, "det.svg"), png = Path.Combine(_dir, "det.png");
        DetCurvePlot.Save(svg, [english, german]);
        DetCurvePlot.Save(png, [english, german]);

        string text = File.ReadAllText(svg);
        Assert.Contains("activate (en)", text);
        Assert.Contains("aktivieren (de)", text);
        Assert.Contains("false alarms per hour", text);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);

        Assert.Contains("'bad' has a point (1, 1.5)", Assert.Throws<ArgumentException>(() => DetCurvePlot.Save(png, [new DetCurve("bad", [(1.0, 1.5)])])).Message);
        Assert.Contains("nothing to draw", Assert.Throws<ArgumentException>(() => DetCurvePlot.Save(png, [new DetCurve("empty", [])])).Message);
        Assert.Contains("det.gif", Assert.Throws<ArgumentException>(() => DetCurvePlot.Save(Path.Combine(_dir, "det.gif"), [english])).Message);
    }
}
