using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Captioning;
using MLNet.Sequence.Torch.Decoding;
using SkiaSharp;

namespace MLNet.Sequence.Cli;

/// <summary>
/// Image captioning from the command line: train on a TSV of image files and captions, caption image files.
/// The CLI reads images itself (planar RGB, 0-255, as ML.NET's ExtractPixels gives them): ML.NET's ImageAnalytics
/// 5.0 runs only with SkiaSharp 2.88, and this process has ScottPlot's SkiaSharp 3 (see src/MLNet.Sequence.Vision).
/// </summary>
internal static class CaptionCommands
{
    public static readonly Command Train = new("caption-train",
        "Trains an image captioner (a convolutional encoder whose regions an attention decoder reads) on a TSV with a header: a File column (image paths relative to the TSV) and Caption* columns (one or more captions per image; empty cells are padding), such as examples/ImageCaptioning writes.",
        new[]
        {
            Flag.Required("i", "train.tsv", "the images and their captions"),
            Flag.Required("output", "MODEL.zip", "where to save the captioner"),
            Flag.Int("size", 64, "images are resized to size × size pixels", 8),
            Flag.Text("channels", "32,64,128", "planes of the encoder's blocks (each halves the image)", "32,64,128"),
            Flag.Int("hidden", 256, "the decoder's state width", 1),
            Flag.Number("dropout", 0.2, "dropout on regions, embeddings and attentional vectors"),
        }.Concat(SequenceCommands.Training),
        RunTrain);

    public static readonly Command Caption = new("caption",
        "Captions image files with a model saved by caption-train; prints each file's caption and log-probability (and the n-best list with -nbest).",
        new[]
        {
            Flag.Required("model", "MODEL.zip", "a model saved by caption-train"),
            Flag.Int("beam", 1, "beam size (1: greedy)", 1),
            Flag.Int("nbest", 1, "candidates to print per image (at most the beam)", 1),
        },
        RunCaption, positional: "IMAGE...");

    /// <summary>An image file as planar RGB pixels 0-255, resized to <paramref name="size"/> × <paramref name="size"/>.</summary>
    internal static float[] ReadPixels(string path, int size)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The image '{path}' does not exist.", path);
        using var decoded = SKBitmap.Decode(path) ?? throw new InvalidDataException($"'{path}' is not an image SkiaSharp can decode (PNG, JPEG, BMP, GIF, WebP).");
        using var resized = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(resized))
        using (var image = SKImage.FromBitmap(decoded))
            canvas.DrawImage(image, new SKRect(0, 0, size, size), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        var pixels = new float[3 * size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                var c = resized.GetPixel(x, y);
                int i = y * size + x;
                pixels[i] = c.Red;
                pixels[plane + i] = c.Green;
                pixels[2 * plane + i] = c.Blue;
            }
        }
        return pixels;
    }

    private sealed class Row
    {
        public float[] Pixels { get; set; } = [];

        public string[] Captions { get; set; } = [];
    }

    private static int RunTrain(Arguments a)
    {
        string list = a.ExistingFile("i"), folder = Path.GetDirectoryName(Path.GetFullPath(list))!;
        int size = a.Int("size");
        var channels = a.Text("channels")!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => int.TryParse(c, out int v) && v > 0 ? v : throw new UsageException($"-channels: '{c}' is not a positive number of planes.")).ToArray();
        var lines = File.ReadAllLines(list);
        if (lines.Length < 2)
            throw new InvalidDataException($"'{list}' has no rows under its header.");
        var header = lines[0].Split('\t');
        int file = Array.IndexOf(header, "File");
        var captionColumns = Enumerable.Range(0, header.Length).Where(i => header[i].StartsWith("Caption", StringComparison.Ordinal)).ToArray();
        if (file < 0 || captionColumns.Length == 0)
            throw new InvalidDataException($"'{list}': the header needs a File column and one or more Caption columns; it has {string.Join(", ", header)}.");
        var rows = new List<Row>();
        for (int n = 1; n < lines.Length; n++)
        {
            if (lines[n].Trim().Length == 0)
                continue;
            var fields = lines[n].Split('\t');
            if (fields.Length <= captionColumns.Max() || fields.Length <= file)
                throw new InvalidDataException($"'{list}', line {n + 1}: {fields.Length} fields, fewer than the header's {header.Length}.");
            rows.Add(new Row
            {
                Pixels = ReadPixels(Path.Combine(folder, fields[file]), size),
                Captions = captionColumns.Select(c => fields[c]).ToArray(),
            });
        }
        var ml = new MLContext(seed: a.Int("seed"));
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3, size, size);
        schema[nameof(Row.Captions)].ColumnType = new VectorDataViewType(TextDataViewType.Instance, captionColumns.Length);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var options = new ImageCaptioningTrainer.Options
        {
            PixelsColumnName = nameof(Row.Pixels),
            CaptionColumnName = nameof(Row.Captions),
            ConvolutionChannels = channels,
            DecoderHiddenSize = a.Int("hidden"),
            Dropout = a.Number("dropout"),
        };
        SequenceCommands.SetTraining(a, options);
        var model = ml.Transforms.ImageCaptioning(options).Fit(data);
        var last = model.TrainingHistory!.Epochs[^1];
        string output = a.Required("output");
        ml.Model.Save(model, data.Schema, output);
        Console.WriteLine($"Trained on {rows.Count:N0} images ({rows.Sum(r => r.Captions.Count(c => c.Trim().Length > 0)):N0} captions), {model.TrainingHistory.Epochs.Count} epochs, last loss {last.TrainingLoss:F3}; saved {output}");
        return 0;
    }

    private static int RunCaption(Arguments a)
    {
        if (a.Positional.Count == 0)
            throw new UsageException("Name one or more image files to caption: mlnet-seq caption -model MODEL.zip IMAGE...");
        var model = ModelFiles.Find<ImageCaptioningTransformer>(ModelFiles.Load(a.ExistingFile("model")))
            ?? throw new InvalidDataException($"'{a.Required("model")}' holds no image captioner; train one with caption-train.");
        if (model.ImageSize is not { } imageSize)
            throw new InvalidDataException($"'{a.Required("model")}' is a captioner of global features (ResNet18's, say); caption its images in an ML.NET pipeline that computes them.");
        int beam = a.Int("beam"), nBest = a.Int("nbest");
        if (nBest > beam)
            throw new UsageException($"-nbest ({nBest}) must be at most -beam ({beam}).");
        var decoding = beam == 1 ? model.Decoding : new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = beam, NBest = nBest, MaximumLength = model.Decoding.MaximumLength };
        var images = a.Positional.Select(p => new CaptionImage(ReadPixels(p, imageSize.Height), null)).ToList();
        var captions = model.Caption(images, decoding);
        for (int i = 0; i < images.Count; i++)
        {
            Console.WriteLine($"{a.Positional[i]}\t{captions[i].Text}\t{captions[i].LogProbability:F3}");
            foreach (var candidate in captions[i].NBest.Skip(1))
                Console.WriteLine($"  \t{candidate.Text}\t{candidate.LogProbability:F3}");
        }
        return 0;
    }
}
