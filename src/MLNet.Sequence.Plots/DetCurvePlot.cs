namespace MLNet.Sequence.Plots;

/// <summary>One detector's curve for <see cref="DetCurvePlot"/>: its name and (false alarms per hour, miss rate) points.</summary>
public sealed record DetCurve(string Name, IReadOnlyList<(double FalseAlarmsPerHour, double MissRate)> Points);

/// <summary>Detection-error trade-off pictures of trigger-word detectors: miss rate against false alarms per hour (a log axis), PNG or SVG.</summary>
public static class DetCurvePlot
{
    /// <summary>Draws each curve and saves the picture; the format follows the extension (.png or .svg).</summary>
    /// <exception cref="ArgumentException">No curves, a curve without points, a rate or miss rate out of range, or an extension other than .png and .svg.</exception>
    public static void Save(string path, IReadOnlyList<DetCurve> curves, string title = "Detection error trade-off")
    {
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0 || curves.Any(c => c.Points.Count == 0))
            throw new ArgumentException("There is nothing to draw: no curves, or a curve without points.", nameof(curves));
        // False-alarm rates on a log axis; zero drawn at 0.01 per hour, the floor of the axis.
        const double Floor = 0.01;
        var plot = new ScottPlot.Plot();
        foreach (var curve in curves)
        {
            foreach (var (rate, miss) in curve.Points)
                if (!(rate >= 0) || double.IsInfinity(rate) || !(miss >= 0 && miss <= 1))
                    throw new ArgumentException($"Curve '{curve.Name}' has a point ({rate}, {miss}) outside false alarms >= 0 and miss rate in [0, 1].", nameof(curves));
            var xs = curve.Points.Select(p => Math.Log10(Math.Max(Floor, p.FalseAlarmsPerHour))).ToArray();
            var ys = curve.Points.Select(p => 100 * p.MissRate).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = curve.Name;
            line.LineWidth = 2;
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (double rate in new[] { 0.01, 0.1, 1, 10, 100, 1000 })
            ticks.AddMajor(Math.Log10(rate), rate.ToString(System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        double right = Math.Max(1, curves.Max(c => c.Points.Max(p => Math.Log10(Math.Max(Floor, p.FalseAlarmsPerHour)))));
        plot.Axes.SetLimits(Math.Log10(Floor), right + 0.1, 0, 100);
        plot.Title(title);
        plot.XLabel("false alarms per hour");
        plot.YLabel("miss rate (%)");
        plot.ShowLegend();
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".svg")
            plot.SaveSvg(path, 640, 480);
        else if (extension == ".png")
            plot.SavePng(path, 640, 480);
        else
            throw new ArgumentException($"Pictures are .png or .svg, not '{extension}' ({path}).", nameof(path));
    }
}
