namespace MLNet.Sequence.Plots;

/// <summary>Scatter plots of 2-D maps with word labels, as PNG or SVG (ScottPlot).</summary>
public static class MapPlot
{
    /// <summary>Draws point sets (each optionally labelled; unlabelled ones in grey) and saves the picture; the format follows the extension (.png or .svg).</summary>
    /// <param name="path">The file to write: .png or .svg.</param>
    /// <param name="title">The title.</param>
    /// <param name="xLabel">The horizontal axis label.</param>
    /// <param name="yLabel">The vertical axis label.</param>
    /// <param name="series">Point sets: name (legend), coordinates, and labels (null: no labels).</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <exception cref="ArgumentException">The extension is neither .png nor .svg, or a series' arrays differ in length.</exception>
    public static void Save(string path, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Name, double[] X, double[] Y, IReadOnlyList<string>? Labels)> series, int width = 1200, int height = 900)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, x, y, labels) in series)
        {
            if (x.Length != y.Length || (labels != null && labels.Count > x.Length))
                throw new ArgumentException($"Series '{name}': {x.Length} x values, {y.Length} y values and {labels?.Count ?? 0} labels.", nameof(series));
            var points = plot.Add.ScatterPoints(x, y);
            points.LegendText = name;
            points.MarkerSize = 4;
            if (labels == null)
                points.Color = ScottPlot.Colors.Gray.WithAlpha(0.6);
            if (labels == null)
                continue;
            for (int i = 0; i < labels.Count; i++)
            {
                var text = plot.Add.Text(labels[i], x[i], y[i]);
                text.LabelFontSize = 9;
                text.LabelFontColor = points.Color;
            }
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (series.Count > 1)
            plot.ShowLegend();
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".svg")
            plot.SaveSvg(path, width, height);
        else if (extension == ".png")
            plot.SavePng(path, width, height);
        else
            throw new ArgumentException($"Pictures are .png or .svg, not '{extension}' ({path}).", nameof(path));
    }
}
