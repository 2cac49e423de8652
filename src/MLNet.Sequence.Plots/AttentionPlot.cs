namespace MLNet.Sequence.Plots;

/// <summary>Heatmaps of attention weights: source tokens across, output tokens down, as PNG or SVG (ScottPlot).</summary>
public static class AttentionPlot
{
    /// <summary>
    /// Draws the weights of each output step (rows, top to bottom: <paramref name="outputTokens"/>) over the source
    /// tokens (columns, left to right) and saves the picture; the format follows the extension (.png or .svg).
    /// </summary>
    /// <param name="path">The file to write: .png or .svg.</param>
    /// <param name="sourceTokens">The source tokens (columns).</param>
    /// <param name="outputTokens">The output tokens (rows); a row beyond them is labelled as the end token.</param>
    /// <param name="weights">One row of weights per output step, each as long as the source.</param>
    /// <param name="title">The title.</param>
    /// <exception cref="ArgumentException">The extension is neither .png nor .svg, or a row's length is not the source's.</exception>
    public static void Save(string path, IReadOnlyList<string> sourceTokens, IReadOnlyList<string> outputTokens,
        IReadOnlyList<float[]> weights, string title = "Attention")
    {
        ArgumentNullException.ThrowIfNull(sourceTokens);
        ArgumentNullException.ThrowIfNull(outputTokens);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0 || sourceTokens.Count == 0)
            throw new ArgumentException("There is nothing to draw: no output steps or no source tokens.", nameof(weights));
        int rows = weights.Count, columns = sourceTokens.Count;
        var data = new double[rows, columns];
        for (int r = 0; r < rows; r++)
        {
            if (weights[r].Length != columns)
                throw new ArgumentException($"Output step {r} has {weights[r].Length} weights for {columns} source tokens.", nameof(weights));
            for (int c = 0; c < columns; c++)
                data[r, c] = weights[r][c];
        }

        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(data);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // Cell (r, c) is centred on (c, rows - 1 - r): the first output step at the top.
        heatmap.Extent = new ScottPlot.CoordinateRect(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.Add.ColorBar(heatmap);
        var across = new ScottPlot.TickGenerators.NumericManual();
        for (int c = 0; c < columns; c++)
            across.AddMajor(c, sourceTokens[c]);
        var down = new ScottPlot.TickGenerators.NumericManual();
        for (int r = 0; r < rows; r++)
            down.AddMajor(rows - 1 - r, r < outputTokens.Count ? outputTokens[r] : "</s>");
        plot.Axes.Bottom.TickGenerator = across;
        plot.Axes.Left.TickGenerator = down;
        plot.Axes.Bottom.TickLabelStyle.Rotation = columns > 8 ? 60 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = columns > 8 ? ScottPlot.Alignment.MiddleLeft : ScottPlot.Alignment.UpperCenter;
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.Title(title);
        plot.XLabel("source");
        plot.YLabel("output");

        int width = Math.Clamp(140 + 42 * columns, 480, 2400), height = Math.Clamp(140 + 34 * rows, 360, 2400);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".svg")
            plot.SaveSvg(path, width, height);
        else if (extension == ".png")
            plot.SavePng(path, width, height);
        else
            throw new ArgumentException($"Pictures are .png or .svg, not '{extension}' ({path}).", nameof(path));
    }
}
