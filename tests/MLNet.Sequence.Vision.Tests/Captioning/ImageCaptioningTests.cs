using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Captioning;
using MLNet.Sequence.Torch.Decoding;

namespace MLNet.Sequence.Vision.Tests.Captioning;

public class ImageCaptioningTests
{
    private static ImageCaptioningTrainer.Options Small(int epochs) => new()
    {
        CaptionColumnName = "Caption",
        ConvolutionChannels = [16, 32],
        EmbeddingDimension = 32,
        DecoderHiddenSize = 64,
        AttentionHiddenSize = 32,
        Dropout = 0,
        Epochs = epochs,
        BatchSize = 8,
        LearningRate = 3e-3,
        Seed = 1,
        NumberOfThreads = 2,
        AttentionColumnName = "Attention",
    };

    private sealed class Fitted(CaptionData data, ITransformer pixels, IDataView rows, ImageCaptioningTransformer model) : IDisposable
    {
        public CaptionData Data => data;
        public ITransformer Pixels => pixels;
        public IDataView Rows => rows;
        public ImageCaptioningTransformer Model => model;
        public void Dispose() => data.Dispose();
    }

    // 12 scenes of 32 × 32 pixels with their first caption each: a set small enough to learn by heart.
    private static readonly Lazy<Fitted> Tiny = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var data = new CaptionData(12, 32, seed: 4);
        var pixels = data.Pixels(ml, 32).Fit(data.Load(ml));
        var rows = ml.Data.Cache(pixels.Transform(data.Load(ml)));
        var model = ml.Transforms.ImageCaptioning(Small(80)).Fit(rows);
        return new Fitted(data, pixels, rows, model);
    });

    private static List<string> Column(IDataView view, string name) =>
        view.GetColumn<ReadOnlyMemory<char>>(name).Select(t => t.ToString()).ToList();

    [Fact]
    public void LearnsATinySetToItsExactCaptions()
    {
        var f = Tiny.Value;
        var scored = f.Model.Transform(f.Rows);
        var references = Column(scored, "Caption");
        var captions = Column(scored, "PredictedCaption");
        Assert.Equal(references, captions);
        var logp = scored.GetColumn<float>("LogProbability").ToList();
        Assert.All(logp, p => Assert.InRange(p, -1.0, 0.0));
        Assert.True(f.Model.TrainingHistory!.Epochs[^1].TrainingLoss < f.Model.TrainingHistory.Epochs[0].TrainingLoss / 10);
    }

    [Fact]
    public void AttentionCoversTheRegionGridOncePerWordAndSumsToOne()
    {
        var f = Tiny.Value;
        Assert.Equal((8, 8), f.Model.Regions); // 32 pixels halved twice
        var scored = f.Model.Transform(f.Rows);
        var attention = scored.GetColumn<float[]>("Attention").ToList();
        var tokens = scored.GetColumn<string[]>("CaptionTokens").ToList();
        for (int i = 0; i < attention.Count; i++)
        {
            Assert.Equal((tokens[i].Length + 1) * 64, attention[i].Length);
            for (int step = 0; step <= tokens[i].Length; step++)
            {
                var row = attention[i].AsSpan(step * 64, 64);
                Assert.Equal(1.0, row.ToArray().Sum(), 4);
                Assert.True(row.ToArray().All(w => w >= 0));
            }
        }
        // The weights depend on the word: not every step looks at the same regions.
        Assert.Contains(attention, a => Enumerable.Range(1, a.Length / 64 - 1).Any(s =>
            Enumerable.Range(0, 64).Sum(k => Math.Abs(a[s * 64 + k] - a[k])) > 0.05));
    }

    [Fact]
    public void SavedModelLoadsInAFreshContextWithIdenticalCaptionsAndBeams()
    {
        var f = Tiny.Value;
        var path = Path.Combine(Path.GetTempPath(), $"mlseq-caption-{Guid.NewGuid():N}.zip");
        try
        {
            var beam = f.Model.WithDecoding(new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = 3, NBest = 3 });
            var ml = new MLContext();
            ml.Model.Save(f.Pixels.Append(beam), f.Data.Load(ml).Schema, path);
            var expected = beam.Transform(f.Rows);

            var fresh = new MLContext();
            var loaded = fresh.Model.Load(path, out _);
            var actual = loaded.Transform(f.Data.Load(fresh));
            Assert.Equal(Column(expected, "PredictedCaption"), Column(actual, "PredictedCaption"));
            Assert.Equal(expected.GetColumn<float>("LogProbability"), actual.GetColumn<float>("LogProbability"));
            Assert.Equal(expected.GetColumn<float[]>("Attention").SelectMany(a => a), actual.GetColumn<float[]>("Attention").SelectMany(a => a));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BeamSearchGivesRankedCandidates()
    {
        var f = Tiny.Value;
        var images = f.Rows.GetColumn<float[]>("Pixels").Select(p => new CaptionImage(p, null)).ToList();
        var greedy = f.Model.Caption(images);
        var beam = f.Model.Caption(images, new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = 4, NBest = 4, LengthPenalty = LengthPenalty.None });
        for (int i = 0; i < images.Count; i++)
        {
            Assert.Equal(4, beam[i].NBest.Count);
            Assert.Equal(4, beam[i].NBest.Select(c => c.Text).Distinct().Count());
            for (int k = 1; k < 4; k++)
                Assert.True(beam[i].NBest[k - 1].Score >= beam[i].NBest[k].Score);
            // With no length penalty, the beam's best is at least as likely as the greedy caption.
            Assert.True(beam[i].LogProbability >= greedy[i].LogProbability - 1e-4);
        }
    }

    [Fact]
    public void GlobalFeaturesAloneStartTheDecoderAndAttendOverOnePosition()
    {
        // A feature vector that names the scene's first shape (one-hot colour and kind), as a pretrained featurizer would encode it.
        using var data = new CaptionData(10, 32, seed: 9);
        var ml = new MLContext(seed: 1);
        var rows = data.Scenes.Select(s => new FeatureRow
        {
            Features = [.. Enumerable.Range(0, 5).Select(c => (float)s.Shapes.Count(x => (int)x.Colour == c)),
                .. Enumerable.Range(0, 4).Select(k => (float)s.Shapes.Count(x => (int)x.Kind == k))],
            Caption = s.Shapes.Count == 1 ? $"a {s.Shapes[0].Noun}" : $"{s.Shapes.Count} shapes",
        }).ToList();
        var view = ml.Data.LoadFromEnumerable(rows);
        var options = Small(60);
        options.PixelsColumnName = null;
        options.FeaturesColumnName = "Features";
        var model = ml.Transforms.ImageCaptioning(options).Fit(view);
        Assert.Equal((1, 1), model.Regions);
        Assert.Null(model.ImageSize);
        var scored = model.Transform(view);
        Assert.Equal(rows.Select(r => r.Caption), Column(scored, "PredictedCaption"));
        Assert.All(scored.GetColumn<float[]>("Attention"), a => Assert.All(a, w => Assert.Equal(1f, w)));
    }

    [Fact]
    public void InterleavedPixelsAreReadAsThePlanarOnes()
    {
        // The same images through ExtractPixels both ways: the network must see the same planes.
        var f = Tiny.Value;
        var ml = new MLContext();
        var raw = f.Data.Load(ml);
        IDataView Pixels(bool interleave) => ml.Transforms.LoadImages("Image", f.Data.Folder, "File").Append(ml.Transforms.ResizeImages("Image", 32, 32))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image", interleavePixelColors: interleave)).Fit(raw).Transform(raw);
        var planar = Pixels(false);
        var interleaved = Pixels(true);
        var planarLayout = ImageRows.Layout(ml, planar.Schema, "Pixels", interleaved: false);
        var interleavedLayout = ImageRows.Layout(ml, interleaved.Schema, "Pixels", interleaved: true);
        Assert.Equal((3, 32, 32), (interleavedLayout.Channels, interleavedLayout.Height, interleavedLayout.Width));
        var a = planar.GetColumn<float[]>("Pixels").ToList();
        var b = interleaved.GetColumn<float[]>("Pixels").ToList();
        Assert.NotEqual(a[0], b[0]);
        var (meanA, scaleA) = ImageRows.PlaneStatistics(a, planarLayout);
        var (meanB, scaleB) = ImageRows.PlaneStatistics(b, interleavedLayout);
        Assert.Equal(meanA, meanB);
        Assert.Equal(scaleA, scaleB);
        Assert.True(meanA[0] > meanA[2] || meanA[0] < meanA[2], "the planes differ, so that a mix-up would show");
        for (int i = 0; i < a.Count; i++)
            Assert.Equal(ImageRows.Planar(a[i], planarLayout, meanA, scaleA), ImageRows.Planar(b[i], interleavedLayout, meanA, scaleA));
    }

    private sealed class FeatureRow
    {
        [VectorType(9)]
        public float[] Features { get; set; } = [];

        public string Caption { get; set; } = "";
    }

    [Fact]
    public void BadInputIsRefusedWithTheColumnOrFileNamed()
    {
        var f = Tiny.Value;
        var ml = new MLContext();

        // An image of another size than the model's.
        var small = f.Data.Pixels(ml, 16).Fit(f.Data.Load(ml)).Transform(f.Data.Load(ml));
        var size = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => f.Model.Transform(small));
        Assert.Contains("Pixels", size.Message);
        Assert.Contains("[3, 32, 32]", size.Message);

        // The image column itself rather than its pixels.
        var images = ml.Transforms.LoadImages("Image", f.Data.Folder, "File").Fit(f.Data.Load(ml)).Transform(f.Data.Load(ml));
        var options = Small(1);
        options.PixelsColumnName = "Image";
        var type = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.Transforms.ImageCaptioning(options).Fit(images));
        Assert.Contains("'Image'", type.Message);
        Assert.Contains("ExtractPixels", type.Message);

        // A text column as the caption vector is fine; a number column is not.
        options = Small(1);
        options.CaptionColumnName = "Pixels";
        var caption = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.Transforms.ImageCaptioning(options).Fit(f.Rows));
        Assert.Contains("'Pixels'", caption.Message);

        // A missing image file: ML.NET's loader names it.
        var lines = File.ReadAllLines(f.Data.TsvPath);
        var missingTsv = Path.Combine(f.Data.Folder, "missing.tsv");
        File.WriteAllLines(missingTsv, [lines[0], lines[1], "images/no-such-picture.png\tsmall red square 0.5 0.5\ta small red square\t\t\t\t"]);
        var missing = f.Data.Pixels(ml, 32).Fit(f.Data.Load(ml)).Transform(ml.Data.LoadFromTextFile(missingTsv, f.Data.Load(ml).Schema.Select(c => new TextLoader.Column(c.Name, DataKind.String, c.Name switch { "File" => 0, "Scene" => 1, _ => 2 })).ToArray(), '\t', hasHeader: true));
        var file = Assert.ThrowsAny<Exception>(() => Column(f.Model.Transform(missing), "PredictedCaption"));
        Assert.Contains("no-such-picture.png", file.ToString());

        // An empty caption in training.
        var emptyTsv = Path.Combine(f.Data.Folder, "empty.tsv");
        File.WriteAllLines(emptyTsv, [lines[0], lines[1], lines[2].Split('\t')[0] + "\tsmall red square 0.5 0.5\t\t\t\t\t"]);
        var empty = f.Pixels.Transform(ml.Data.LoadFromTextFile(emptyTsv, f.Data.Load(ml).Schema.Select(c => new TextLoader.Column(c.Name, DataKind.String, c.Name switch { "File" => 0, "Scene" => 1, "Captions" => 2, _ => 2 })).ToArray(), '\t', hasHeader: true));
        var emptyError = Assert.ThrowsAny<InvalidOperationException>(() => ml.Transforms.ImageCaptioning(Small(1)).Fit(empty));
        Assert.Contains("row 1", emptyError.Message);
        Assert.Contains("'Caption'", emptyError.Message);

        // Through the C# API: a wrong size and a NaN, each named with the image and column.
        var pixels = f.Rows.GetColumn<float[]>("Pixels").First();
        var wrong = Assert.ThrowsAny<ArgumentException>(() => f.Model.Caption([new CaptionImage(pixels[..100], null)]));
        Assert.Contains("Image 0", wrong.Message);
        Assert.Contains("[3, 32, 32]", wrong.Message);
        var nan = (float[])pixels.Clone();
        nan[7] = float.NaN;
        var nanError = Assert.ThrowsAny<ArgumentException>(() => f.Model.Caption([new CaptionImage(pixels, null), new CaptionImage(nan, null)]));
        Assert.Contains("Image 1", nanError.Message);
        Assert.Contains("'Pixels' value 7 is NaN", nanError.Message);

        // Neither pixels nor features.
        options = Small(1);
        options.PixelsColumnName = null;
        var none = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.ImageCaptioning(options));
        Assert.Contains("PixelsColumnName", none.Message);
    }
}
