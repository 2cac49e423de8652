namespace MLNet.Sequence.Plots;

/// <summary>A spoken word and where it lies in time, as a CTC recogniser's word timings give it.</summary>
/// <param name="Word">The word.</param>
/// <param name="Start">Its start in seconds.</param>
/// <param name="End">Its end in seconds.</param>
public sealed record TimedWord(string Word, double Start, double End);

/// <summary>Pictures of audio features (spectrogram, log-mel, MFCC) over time, with words marked, as PNG or SVG (ScottPlot).</summary>
public static class SpectrogramPlot
{
    /// <summary>
    /// Draws <paramref name="features"/> (frames x <paramref name="bands"/>, frame-major, as the audio feature
    /// transformers write them) with time across in seconds and the bands up, marks each word's span, and saves the
    /// picture; the format follows the extension (.png or .svg).
    /// </summary>
    /// <param name="path">The file to write: .png or .svg.</param>
    /// <param name="features">The feature values, frame after frame.</param>
    /// <param name="bands">Values per frame.</param>
    /// <param name="frameSeconds">Seconds between frames (the hop length over the sample rate).</param>
    /// <param name="words">Words to mark above the picture, or null.</param>
    /// <param name="title">The title.</param>
    /// <param name="probability">A probability per step to draw over the picture (0 at the bottom, 1 at the top), such as a trigger-word detector's, or null.</param>
    /// <param name="probabilityStepSeconds">Seconds per step of <paramref name="probability"/>.</param>
    /// <exception cref="ArgumentException">The extension is neither .png nor .svg, the values are not whole frames, a value is not finite, or a word lies outside the audio.</exception>
    public static void Save(string path, float[] features, int bands, double frameSeconds, IReadOnlyList<TimedWord>? words = null, string title = "Log-mel spectrogram",
        IReadOnlyList<float>? probability = null, double probabilityStepSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(bands, 1);
        if (!(frameSeconds > 0))
            throw new ArgumentOutOfRangeException(nameof(frameSeconds), frameSeconds, "Seconds between frames must be positive.");
        if (features.Length == 0 || features.Length % bands != 0)
            throw new ArgumentException($"{features.Length} values are not whole frames of {bands} bands.", nameof(features));
        int frames = features.Length / bands;
        double seconds = frames * frameSeconds;
        var data = new double[bands, frames];
        for (int t = 0; t < frames; t++)
            for (int b = 0; b < bands; b++)
            {
                float v = features[t * bands + b];
                if (!float.IsFinite(v))
                    throw new ArgumentException($"Frame {t}, band {b} is {v}.", nameof(features));
                data[bands - 1 - b, t] = v; // the lowest band at the bottom
            }

        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(data);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Extent = new ScottPlot.CoordinateRect(0, seconds, 0, bands);
        plot.Add.ColorBar(heatmap);
        foreach (var word in words ?? [])
        {
            if (!(word.Start >= 0 && word.End >= word.Start && word.End <= seconds + frameSeconds))
                throw new ArgumentException($"The word '{word.Word}' at {word.Start:F2}-{word.End:F2} s lies outside the {seconds:F2} s of audio.", nameof(words));
            foreach (double x in new[] { word.Start, word.End })
            {
                var line = plot.Add.Line(x, 0, x, bands);
                line.LineColor = ScottPlot.Colors.White.WithAlpha(0.6);
                line.LinePattern = ScottPlot.LinePattern.Dashed;
            }
            var label = plot.Add.Text(word.Word, (word.Start + word.End) / 2, bands);
            label.LabelAlignment = ScottPlot.Alignment.LowerCenter;
            label.LabelFontSize = 14;
        }
        if (probability is { Count: > 0 })
        {
            if (!(probabilityStepSeconds > 0))
                throw new ArgumentOutOfRangeException(nameof(probabilityStepSeconds), probabilityStepSeconds, "Seconds per probability step must be positive.");
            if (probability.Any(p => !(p >= 0 && p <= 1)))
                throw new ArgumentException("The probabilities must lie in [0, 1].", nameof(probability));
            var xs = Enumerable.Range(0, probability.Count).Select(t => (t + 1) * probabilityStepSeconds).ToArray();
            var line = plot.Add.ScatterLine(xs, probability.Select(p => (double)p * bands).ToArray());
            line.LineColor = ScottPlot.Colors.OrangeRed;
            line.LineWidth = 2;
            line.LegendText = "keyword probability (0 at the bottom, 1 at the top)";
            plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        }
        plot.Axes.SetLimits(0, seconds, 0, bands * (words is { Count: > 0 } ? 1.12 : 1));
        plot.Title(title);
        plot.XLabel("seconds");
        plot.YLabel("feature band");

        int width = Math.Clamp((int)(200 + 160 * seconds), 640, 2400);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".svg")
            plot.SaveSvg(path, width, 420);
        else if (extension == ".png")
            plot.SavePng(path, width, 420);
        else
            throw new ArgumentException($"Pictures are .png or .svg, not '{extension}' ({path}).", nameof(path));
    }
}
