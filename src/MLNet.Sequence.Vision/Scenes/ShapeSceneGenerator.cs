using System.Globalization;
using SkiaSharp;

namespace MLNet.Sequence.Vision.Scenes;

/// <summary>Which part of a captioning set a scene is drawn for.</summary>
public enum SceneSplit
{
    /// <summary>No shape has a held-out colour-kind pair.</summary>
    Train = 0,

    /// <summary>Every scene holds at least one held-out colour-kind pair, never seen in training.</summary>
    Test = 1,
}

/// <summary>
/// Draws captioned scenes, seeded: one to three shapes (kind, colour, size, position; three stand from left to right)
/// over a gradient background with pixel noise, each with three to five captions from the scene grammar. Test
/// scenes hold colour-kind pairs that training scenes never show, so that a test measures composition, not memory.
/// </summary>
public sealed class ShapeSceneGenerator
{
    /// <summary>The pairs held out of training by default: every colour and kind is still seen, in other pairs.</summary>
    public static readonly IReadOnlyList<(ShapeColour Colour, ShapeKind Kind)> DefaultHeldOut =
    [
        (ShapeColour.Red, ShapeKind.Circle), (ShapeColour.Green, ShapeKind.Square),
        (ShapeColour.Blue, ShapeKind.Triangle), (ShapeColour.Yellow, ShapeKind.Diamond),
    ];

    private static readonly SKColor[] Paints =
    [
        new(215, 40, 40), new(40, 165, 60), new(45, 75, 225), new(235, 210, 35), new(150, 50, 190),
    ];

    private readonly Random _random;
    private readonly HashSet<(ShapeColour, ShapeKind)> _heldOut;

    /// <summary>A generator whose scenes follow <paramref name="seed"/>; <paramref name="heldOut"/> pairs appear only in test scenes.</summary>
    public ShapeSceneGenerator(int seed, IReadOnlyList<(ShapeColour Colour, ShapeKind Kind)>? heldOut = null)
    {
        _random = new Random(seed);
        _heldOut = [.. heldOut ?? DefaultHeldOut];
        if (_heldOut.Count == 0)
            throw new ArgumentException("Hold out at least one colour-kind pair, or test scenes cannot differ from training ones.", nameof(heldOut));
        if (_heldOut.Count >= Enum.GetValues<ShapeColour>().Length * Enum.GetValues<ShapeKind>().Length)
            throw new ArgumentException("Every colour-kind pair is held out: training scenes would have no shapes.", nameof(heldOut));
    }

    /// <summary>The held-out colour-kind pairs.</summary>
    public IReadOnlyCollection<(ShapeColour, ShapeKind)> HeldOut => _heldOut;

    /// <summary>Whether a shape's colour and kind are a held-out pair.</summary>
    public bool IsHeldOut(SceneShape shape) => _heldOut.Contains((shape.Colour, shape.Kind));

    /// <summary>The next scene of <paramref name="split"/>: one shape in 3, two in 2 of 5, three otherwise.</summary>
    public ShapeScene Next(SceneSplit split)
    {
        double u = _random.NextDouble();
        int count = u < 1 / 3.0 ? 1 : u < 1 / 3.0 + 0.4 ? 2 : 3;
        while (true)
        {
            var kinds = new List<(ShapeColour Colour, ShapeKind Kind, ShapeSize Size)>();
            for (int i = 0; i < count; i++)
                kinds.Add(((ShapeColour)_random.Next(Paints.Length), (ShapeKind)_random.Next(4), (ShapeSize)_random.Next(2)));
            bool anyHeldOut = kinds.Any(k => _heldOut.Contains((k.Colour, k.Kind)));
            if (split == SceneSplit.Train ? anyHeldOut : !anyHeldOut)
                continue;
            // Two shapes never share kind and colour, so that a caption's facts name them apart.
            if (kinds.Select(k => (k.Colour, k.Kind)).Distinct().Count() < count)
                continue;
            var placed = Place(kinds);
            if (placed != null)
                return new ShapeScene(placed, _random.Next());
        }
    }

    // Positions with clear relations: two shapes apart at least twice as much along one axis as along the other;
    // three from left to right with gaps; no overlaps, nothing cut by the border. Null when they do not fit.
    private List<SceneShape>? Place(List<(ShapeColour Colour, ShapeKind Kind, ShapeSize Size)> kinds)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            var shapes = kinds.Select(k =>
            {
                var probe = new SceneShape(k.Kind, k.Colour, k.Size, 0, 0);
                double r = probe.Radius;
                return probe with { X = r + _random.NextDouble() * (1 - 2 * r), Y = r + _random.NextDouble() * (1 - 2 * r) };
            }).ToList();
            if (shapes.Count == 3)
                shapes = shapes.OrderBy(s => s.X).ToList();
            bool ok = true;
            for (int i = 0; i < shapes.Count && ok; i++)
            {
                for (int j = i + 1; j < shapes.Count && ok; j++)
                {
                    double dx = Math.Abs(shapes[i].X - shapes[j].X), dy = Math.Abs(shapes[i].Y - shapes[j].Y);
                    double gap = shapes[i].Radius + shapes[j].Radius + 0.04;
                    ok = Math.Max(dx, dy) >= gap && Math.Max(dx, dy) >= 2 * Math.Min(dx, dy);
                    if (shapes.Count == 3)
                        ok &= dx >= gap && dx >= 2 * dy; // three read from left to right
                }
            }
            if (ok)
                return shapes;
        }
        return null;
    }

    /// <summary>Draws <paramref name="scene"/> as a <paramref name="size"/> × <paramref name="size"/> RGB picture.</summary>
    public static SKBitmap Draw(ShapeScene scene, int size)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 16);
        var random = new Random(scene.Background);
        var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            SKColor Grey()
            {
                int level = random.Next(70, 235);
                return new SKColor((byte)Math.Clamp(level + random.Next(-15, 16), 0, 255), (byte)Math.Clamp(level + random.Next(-15, 16), 0, 255),
                    (byte)Math.Clamp(level + random.Next(-15, 16), 0, 255));
            }
            double angle = random.NextDouble() * Math.PI * 2;
            var from = new SKPoint(size / 2f - (float)Math.Cos(angle) * size / 2, size / 2f - (float)Math.Sin(angle) * size / 2);
            var to = new SKPoint(size / 2f + (float)Math.Cos(angle) * size / 2, size / 2f + (float)Math.Sin(angle) * size / 2);
            using (var gradient = SKShader.CreateLinearGradient(from, to, [Grey(), Grey()], SKShaderTileMode.Clamp))
            using (var background = new SKPaint { Shader = gradient })
                canvas.DrawRect(0, 0, size, size, background);
            foreach (var shape in scene.Shapes)
            {
                var c = Paints[(int)shape.Colour];
                byte Jitter(byte v) => (byte)Math.Clamp(v + random.Next(-20, 21), 0, 255);
                using var paint = new SKPaint { Color = new SKColor(Jitter(c.Red), Jitter(c.Green), Jitter(c.Blue)), IsAntialias = true, Style = SKPaintStyle.Fill };
                float x = (float)(shape.X * size), y = (float)(shape.Y * size), r = (float)(shape.Radius * size);
                switch (shape.Kind)
                {
                    case ShapeKind.Circle:
                        canvas.DrawCircle(x, y, r, paint);
                        break;
                    case ShapeKind.Square:
                        canvas.DrawRect(x - r * 0.85f, y - r * 0.85f, r * 1.7f, r * 1.7f, paint);
                        break;
                    case ShapeKind.Triangle:
                        Polygon(canvas, paint, [new(x, y - r), new(x + r, y + r * 0.8f), new(x - r, y + r * 0.8f)]);
                        break;
                    default:
                        Polygon(canvas, paint, [new(x, y - r), new(x + r, y), new(x, y + r), new(x - r, y)]);
                        break;
                }
            }
        }
        // Pixel noise over everything, as a camera adds it.
        var pixels = bitmap.Pixels;
        for (int i = 0; i < pixels.Length; i++)
        {
            var p = pixels[i];
            int n = (int)Math.Round(NextGaussian(random) * 10);
            pixels[i] = new SKColor((byte)Math.Clamp(p.Red + n, 0, 255), (byte)Math.Clamp(p.Green + n, 0, 255), (byte)Math.Clamp(p.Blue + n, 0, 255));
        }
        bitmap.Pixels = pixels;
        return bitmap;
    }

    private static void Polygon(SKCanvas canvas, SKPaint paint, SKPoint[] points)
    {
        using var path = new SKPath();
        path.AddPoly(points, close: true);
        canvas.DrawPath(path, paint);
    }

    private static double NextGaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>
    /// Writes <paramref name="count"/> scenes of <paramref name="split"/> as PNG pictures under
    /// <paramref name="folder"/>/images and a tab-separated <c>{split}.tsv</c> (File, Scene, Caption1..Caption5; fewer
    /// captions leave the last columns empty). Returns the scenes, in file order.
    /// </summary>
    public IReadOnlyList<ShapeScene> Write(string folder, SceneSplit split, int count, int size = 64)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        string name = split.ToString().ToLowerInvariant();
        Directory.CreateDirectory(Path.Combine(folder, "images"));
        var scenes = new List<ShapeScene>(count);
        using var tsv = new StreamWriter(Path.Combine(folder, name + ".tsv"));
        tsv.WriteLine("File\tScene\tCaption1\tCaption2\tCaption3\tCaption4\tCaption5");
        for (int i = 0; i < count; i++)
        {
            var scene = Next(split);
            var captions = scene.Captions(_random, 3 + _random.Next(3));
            string file = $"images/{name}-{i.ToString("D5", CultureInfo.InvariantCulture)}.png";
            using (var bitmap = Draw(scene, size))
            using (var image = SKImage.FromBitmap(bitmap))
            using (var data = image.Encode(SKEncodedImageFormat.Png, 100))
            using (var stream = File.Create(Path.Combine(folder, file)))
                data.SaveTo(stream);
            tsv.WriteLine(string.Join('\t', new[] { file, scene.ToString() }.Concat(captions).Concat(Enumerable.Repeat("", 5 - captions.Count))));
            scenes.Add(scene);
        }
        return scenes;
    }

    /// <summary>Reads the scene column of a written set back (see <see cref="ShapeScene.ToString"/>).</summary>
    public static ShapeScene ParseScene(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var shapes = new List<SceneShape>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var w = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length != 5 || !Enum.TryParse<ShapeSize>(w[0], true, out var size) || !Enum.TryParse<ShapeColour>(w[1], true, out var colour)
                || !Enum.TryParse<ShapeKind>(w[2], true, out var kind)
                || !double.TryParse(w[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
                || !double.TryParse(w[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double y))
                throw new FormatException($"'{part}' is not a scene shape (size colour kind x y).");
            shapes.Add(new SceneShape(kind, colour, size, x, y));
        }
        return new ShapeScene(shapes, 0);
    }
}
