using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;

namespace MLNet.Sequence.Torch.Captioning;

/// <summary>The pixel layout of an image column: planes, height, width, and whether colours are interleaved (height × width × planes).</summary>
internal sealed record PixelLayout(int Channels, int Height, int Width, bool Interleaved)
{
    public int Size => Channels * Height * Width;

    public override string ToString() => Interleaved ? $"[{Height}, {Width}, {Channels}]" : $"[{Channels}, {Height}, {Width}]";
}

/// <summary>One image as the captioner reads it: its pixels (as the column holds them) and/or its global features.</summary>
/// <param name="Pixels">The pixel values, in the column's layout; null when the model reads no pixels.</param>
/// <param name="Features">The global feature vector; null when the model reads none.</param>
public sealed record CaptionImage(float[]? Pixels, float[]? Features);

/// <summary>Reads image columns (pixels from ML.NET's ExtractPixels, feature vectors such as ResNet18's) and caption columns, naming a missing, mistyped or bad one.</summary>
internal static class ImageRows
{
    /// <summary>The pixels column's layout from its vector dimensions, as ExtractPixels declares them.</summary>
    public static PixelLayout Layout(IExceptionContext ectx, DataViewSchema schema, string name, bool interleaved)
    {
        var column = schema.GetColumnOrNull(name) ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "pixels", name);
        const string expected = "vector of Single with dimensions [channels, height, width] (or [height, width, channels] interleaved), as ExtractPixels makes";
        if (column.Type is not VectorDataViewType { ItemType: var item } vector || item != NumberDataViewType.Single)
        {
            string hint = column.Type.GetType().Name == "ImageDataViewType" ? " (an image column: add ExtractPixels after it)" : "";
            throw ectx.ExceptSchemaMismatch(nameof(schema), "pixels", name, expected, column.Type + hint);
        }
        var dims = vector.Dimensions;
        if (dims.Length != 3 || dims.Any(d => d <= 0))
            throw ectx.ExceptSchemaMismatch(nameof(schema), "pixels", name, expected, column.Type.ToString());
        return interleaved ? new PixelLayout(dims[2], dims[0], dims[1], true) : new PixelLayout(dims[0], dims[1], dims[2], false);
    }

    /// <summary>The width of a global features column (a known-size vector of Single).</summary>
    public static int FeatureSize(IExceptionContext ectx, DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name) ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "features", name);
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: > 0 } vector || item != NumberDataViewType.Single)
            throw ectx.ExceptSchemaMismatch(nameof(schema), "features", name, "known-size vector of Single", column.Type.ToString());
        return vector.Size;
    }

    /// <summary>Getters of a row's image (dense copies the caller may keep).</summary>
    public static Func<CaptionImage> Getter(DataViewRow row, DataViewSchema.Column? pixels, DataViewSchema.Column? features)
    {
        var pixelGetter = pixels is { } p ? Speech.SpeechRows.DenseGetter(row, p) : null;
        var featureGetter = features is { } f ? Speech.SpeechRows.DenseGetter(row, f) : null;
        return () => new CaptionImage(pixelGetter?.Invoke(), featureGetter?.Invoke());
    }

    /// <summary>The first problem of an image's values (wrong size, NaN), or null.</summary>
    public static string? Problem(CaptionImage image, PixelLayout? layout, int featureSize, string? pixelsColumn, string? featuresColumn)
    {
        if (layout != null)
        {
            if (image.Pixels is null || image.Pixels.Length != layout.Size)
                return $"column '{pixelsColumn}' holds {image.Pixels?.Length ?? 0:N0} pixel values, but the model reads images of {layout} = {layout.Size:N0} values; resize the images to the model's size";
            int bad = ModelStateIO.IndexOfNonFinite(image.Pixels);
            if (bad >= 0)
                return $"column '{pixelsColumn}' value {bad:N0} is {image.Pixels[bad]}";
        }
        if (featureSize > 0)
        {
            if (image.Features is null || image.Features.Length != featureSize)
                return $"column '{featuresColumn}' holds {image.Features?.Length ?? 0:N0} features, but the model reads {featureSize:N0}";
            int bad = ModelStateIO.IndexOfNonFinite(image.Features);
            if (bad >= 0)
                return $"column '{featuresColumn}' value {bad:N0} is {image.Features[bad]}";
        }
        return null;
    }

    /// <summary>The caption column, checked to be Text or a vector of Text.</summary>
    public static DataViewSchema.Column CaptionColumn(IExceptionContext ectx, DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name) ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "caption", name);
        if (column.Type is not TextDataViewType && column.Type is not VectorDataViewType { ItemType: TextDataViewType })
            throw ectx.ExceptSchemaMismatch(nameof(schema), "caption", name, "Text or vector of Text", column.Type.ToString());
        return column;
    }

    /// <summary>
    /// Every row's image and its captions (one for a Text column; the non-empty entries of a vector of Text, whose
    /// empty slots are padding), each image checked; a row without a caption is refused with its row named.
    /// </summary>
    public static (List<CaptionImage> Images, List<string[]> Captions) Read(IExceptionContext ectx, IDataView data,
        string? pixelsColumn, PixelLayout? layout, string? featuresColumn, int featureSize, string captionColumn, string what)
    {
        var pixels = pixelsColumn == null ? (DataViewSchema.Column?)null : data.Schema[pixelsColumn];
        var features = featuresColumn == null ? (DataViewSchema.Column?)null : data.Schema[featuresColumn];
        var caption = CaptionColumn(ectx, data.Schema, captionColumn);
        var active = new List<DataViewSchema.Column> { caption };
        if (pixels is { } p)
            active.Add(p);
        if (features is { } f)
            active.Add(f);
        var images = new List<CaptionImage>();
        var captions = new List<string[]>();
        using var cursor = data.GetRowCursor(active);
        var image = Getter(cursor, pixels, features);
        var texts = CaptionGetter(cursor, caption);
        long row = 0;
        while (cursor.MoveNext())
        {
            var value = image();
            var problem = Problem(value, layout, featureSize, pixelsColumn, featuresColumn);
            if (problem != null)
                throw ectx.Except($"The {what} data, row {row}: {problem}.");
            var rowCaptions = texts();
            if (rowCaptions.Length == 0)
                throw ectx.Except($"The {what} data, row {row}: column '{captionColumn}' holds an empty caption; every image needs a caption with words.");
            images.Add(value);
            captions.Add(rowCaptions);
            row++;
        }
        return (images, captions);
    }

    private static Func<string[]> CaptionGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> text = default;
            return () =>
            {
                getter(ref text);
                var caption = text.ToString();
                return caption.Trim().Length == 0 ? [] : [caption];
            };
        }
        var vectorGetter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
        VBuffer<ReadOnlyMemory<char>> texts = default;
        return () =>
        {
            vectorGetter(ref texts);
            return texts.DenseValues().Select(t => t.ToString()).Where(t => t.Trim().Length > 0).ToArray();
        };
    }

    /// <summary>An image's pixels as planes × height × width, standardised per plane with <paramref name="mean"/> and <paramref name="scale"/>.</summary>
    public static float[] Planar(float[] pixels, PixelLayout layout, float[] mean, float[] scale)
    {
        int c = layout.Channels, hw = layout.Height * layout.Width;
        var planar = new float[pixels.Length];
        for (int k = 0; k < c; k++)
        {
            for (int i = 0; i < hw; i++)
            {
                float v = layout.Interleaved ? pixels[i * c + k] : pixels[k * hw + i];
                planar[k * hw + i] = (v - mean[k]) * scale[k];
            }
        }
        return planar;
    }

    /// <summary>Per-plane mean and 1 / standard deviation over the training images.</summary>
    public static (float[] Mean, float[] Scale) PlaneStatistics(IEnumerable<float[]> images, PixelLayout layout)
    {
        int c = layout.Channels, hw = layout.Height * layout.Width;
        var sum = new double[c];
        var squares = new double[c];
        long count = 0;
        foreach (var pixels in images)
        {
            for (int i = 0; i < pixels.Length; i++)
            {
                int k = layout.Interleaved ? i % c : i / hw;
                sum[k] += pixels[i];
                squares[k] += (double)pixels[i] * pixels[i];
            }
            count += hw;
        }
        var mean = new float[c];
        var scale = new float[c];
        for (int k = 0; k < c; k++)
        {
            double m = sum[k] / Math.Max(1, count);
            mean[k] = (float)m;
            scale[k] = (float)(1 / Math.Sqrt(Math.Max(0, squares[k] / Math.Max(1, count) - m * m) + 1e-5));
        }
        return (mean, scale);
    }
}
