using SkiaSharp;

namespace MLNet.Sequence.Vision;

/// <summary>
/// A picture of where a captioner looked: the image once per word, each copy darkened outside the regions that
/// word attended to (the weights of a rows × columns grid, stretched over the image), the word written under it.
/// </summary>
public static class CaptionAttentionPicture
{
    /// <summary>
    /// Writes a PNG of <paramref name="image"/> with one panel per word of <paramref name="words"/> (and one for the
    /// end of the caption when <paramref name="attention"/> has a row more), each <paramref name="panelSize"/> pixels wide.
    /// </summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="image">The captioned picture.</param>
    /// <param name="words">The caption's words.</param>
    /// <param name="attention">Per output step, the weights over the region grid, row by row.</param>
    /// <param name="rows">Rows of the region grid.</param>
    /// <param name="columns">Columns of the region grid.</param>
    /// <param name="panelSize">Width and height of each panel's picture.</param>
    public static void Save(string path, SKBitmap image, IReadOnlyList<string> words, IReadOnlyList<float[]> attention, int rows, int columns, int panelSize = 128)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(attention);
        if (attention.Count != words.Count && attention.Count != words.Count + 1)
            throw new ArgumentException($"{words.Count} words need {words.Count} or {words.Count + 1} rows of attention, not {attention.Count}.", nameof(attention));
        if (attention.Any(a => a.Length != rows * columns))
            throw new ArgumentException($"Every row of attention needs {rows} × {columns} = {rows * columns} weights.", nameof(attention));
        var labels = words.Concat(attention.Count > words.Count ? ["<end>"] : []).ToList();
        const int label = 22;
        using var canvasBitmap = new SKBitmap(panelSize * labels.Count, panelSize + label);
        using (var canvas = new SKCanvas(canvasBitmap))
        {
            canvas.Clear(SKColors.White);
            using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true, TextSize = 15, TextAlign = SKTextAlign.Center };
            using var shade = new SKPaint { Style = SKPaintStyle.Fill };
            using var smooth = new SKPaint { FilterQuality = SKFilterQuality.High };
            for (int p = 0; p < labels.Count; p++)
            {
                float left = p * panelSize;
                canvas.DrawBitmap(image, new SKRect(left, 0, left + panelSize, panelSize), smooth);
                var weights = attention[p];
                float peak = Math.Max(weights.Max(), 1e-6f);
                float cellW = (float)panelSize / columns, cellH = (float)panelSize / rows;
                for (int r = 0; r < rows; r++)
                {
                    for (int c = 0; c < columns; c++)
                    {
                        // Darker where the word looked less: the most attended region stays as it is.
                        byte alpha = (byte)Math.Round(200 * (1 - weights[r * columns + c] / peak));
                        shade.Color = new SKColor(0, 0, 0, alpha);
                        canvas.DrawRect(left + c * cellW, r * cellH, cellW, cellH, shade);
                    }
                }
                canvas.DrawText(labels[p], left + panelSize / 2f, panelSize + 16, text);
            }
        }
        using var picture = SKImage.FromBitmap(canvasBitmap);
        using var encoded = picture.Encode(SKEncodedImageFormat.Png, 100);
        using var stream = File.Create(path);
        encoded.SaveTo(stream);
    }
}
