using MLNet.Sequence.Vision.Scenes;

namespace MLNet.Sequence.Vision.Tests.Captioning;

public class ShapeSceneTests
{
    private static SceneShape Shape(ShapeColour colour, ShapeKind kind, ShapeSize size, double x, double y) => new(kind, colour, size, x, y);

    private static readonly ShapeScene TwoShapes = new(
        [Shape(ShapeColour.Red, ShapeKind.Square, ShapeSize.Large, 0.25, 0.5), Shape(ShapeColour.Blue, ShapeKind.Circle, ShapeSize.Small, 0.75, 0.45)], 1);

    [Fact]
    public void TrainScenesNeverHoldAHeldOutPairAndTestScenesAlwaysDo()
    {
        var generator = new ShapeSceneGenerator(7);
        var train = Enumerable.Range(0, 300).Select(_ => generator.Next(SceneSplit.Train)).ToList();
        var test = Enumerable.Range(0, 300).Select(_ => generator.Next(SceneSplit.Test)).ToList();
        Assert.DoesNotContain(train, s => s.Shapes.Any(generator.IsHeldOut));
        Assert.All(test, s => Assert.Contains(s.Shapes, generator.IsHeldOut));
        // Every colour and every kind is still seen in training, in other pairs.
        Assert.Equal(5, train.SelectMany(s => s.Shapes).Select(s => s.Colour).Distinct().Count());
        Assert.Equal(4, train.SelectMany(s => s.Shapes).Select(s => s.Kind).Distinct().Count());
        Assert.Equal([1, 2, 3], train.Select(s => s.Shapes.Count).Distinct().Order());
    }

    [Fact]
    public void ShapesDoNotOverlapStayInsideAndStandInClearRelations()
    {
        var generator = new ShapeSceneGenerator(3);
        for (int i = 0; i < 300; i++)
        {
            var scene = generator.Next(i % 2 == 0 ? SceneSplit.Train : SceneSplit.Test);
            foreach (var s in scene.Shapes)
            {
                Assert.InRange(s.X, s.Radius, 1 - s.Radius);
                Assert.InRange(s.Y, s.Radius, 1 - s.Radius);
            }
            for (int a = 0; a < scene.Shapes.Count; a++)
            {
                for (int b = a + 1; b < scene.Shapes.Count; b++)
                {
                    var (p, q) = (scene.Shapes[a], scene.Shapes[b]);
                    double dx = Math.Abs(p.X - q.X), dy = Math.Abs(p.Y - q.Y);
                    Assert.True(Math.Max(dx, dy) > p.Radius + q.Radius, $"scene {i}: shapes {a} and {b} overlap");
                    Assert.True(Math.Max(dx, dy) >= 2 * Math.Min(dx, dy), $"scene {i}: no clear relation between {a} and {b}");
                }
            }
            if (scene.Shapes.Count == 3)
                Assert.True(scene.Shapes[0].X < scene.Shapes[1].X && scene.Shapes[1].X < scene.Shapes[2].X);
        }
    }

    [Fact]
    public void EveryGeneratedCaptionIsCorrectForItsSceneAndTheyDiffer()
    {
        var generator = new ShapeSceneGenerator(11);
        var random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            var scene = generator.Next(SceneSplit.Train);
            var captions = scene.Captions(random, 5);
            Assert.Equal(captions.Count, captions.Distinct().Count());
            Assert.True(captions.Count >= (scene.Shapes.Count == 1 ? 4 : 5), $"scene {scene}: only {captions.Count} captions");
            Assert.All(captions, c => Assert.True(scene.Check(c).Correct, $"'{c}' is judged wrong for {scene}"));
        }
    }

    [Fact]
    public void CheckNamesTheKindOfEachMistake()
    {
        Assert.True(TwoShapes.Check("a big red square left of a little blue circle").Correct);
        Assert.True(TwoShapes.Check("a small blue circle to the right of a large red square").Correct);
        Assert.True(TwoShapes.Check("there is a red square left of a blue circle").Correct); // sizes left out are not wrong

        var colour = TwoShapes.Check("a large green square left of a small blue circle");
        Assert.Equal((true, false, false, false), (colour.WrongColour, colour.WrongShape, colour.WrongRelation, colour.WrongCount));
        var shape = TwoShapes.Check("a large red triangle left of a small blue circle");
        Assert.Equal((false, true, false), (shape.WrongColour, shape.WrongShape, shape.WrongRelation));
        var relation = TwoShapes.Check("a large red square right of a small blue circle");
        Assert.Equal((false, false, true), (relation.WrongColour, relation.WrongShape, relation.WrongRelation));
        var above = TwoShapes.Check("a large red square above a small blue circle");
        Assert.True(above.WrongRelation);
        Assert.Equal(1, above.JudgedRelations);
        // Colours bound to the wrong shapes: a colour mistake, and no relation judged between the misnamed pair.
        var swapped = TwoShapes.Check("a large blue square right of a small red circle");
        Assert.Equal((true, false, false, 0), (swapped.WrongColour, swapped.WrongShape, swapped.WrongRelation, swapped.JudgedRelations));
        var size = TwoShapes.Check("a small red square left of a small blue circle");
        Assert.Equal((true, false), (size.WrongSize, size.WrongColour));
        var count = TwoShapes.Check("a large red square");
        Assert.True(count.WrongCount);
        Assert.False(count.Correct);
        var unreadable = TwoShapes.Check("a large square");
        Assert.False(unreadable.Readable);

        var three = new ShapeScene([Shape(ShapeColour.Red, ShapeKind.Circle, ShapeSize.Small, 0.2, 0.5),
            Shape(ShapeColour.Green, ShapeKind.Diamond, ShapeSize.Small, 0.5, 0.5), Shape(ShapeColour.Blue, ShapeKind.Square, ShapeSize.Small, 0.8, 0.5)], 2);
        Assert.True(three.Check("from left to right a small red circle a small green diamond and a small blue square").Correct);
        Assert.True(three.Check("a red circle then a green diamond then a blue square").Correct);
        Assert.True(three.Check("a red circle then a blue square then a green diamond").WrongRelation);
    }

    [Fact]
    public void DrawingIsSeededAndShowsTheShapesColours()
    {
        var scene = new ShapeScene([Shape(ShapeColour.Red, ShapeKind.Square, ShapeSize.Large, 0.3, 0.3)], 42);
        using var a = ShapeSceneGenerator.Draw(scene, 64);
        using var b = ShapeSceneGenerator.Draw(scene, 64);
        Assert.Equal(a.Pixels, b.Pixels);
        // The square's centre is red whatever the background and noise.
        var centre = a.GetPixel(19, 19);
        Assert.True(centre.Red > 150 && centre.Green < 110 && centre.Blue < 110, $"centre pixel {centre}");
    }

    [Fact]
    public void WrittenSetsReadBackWithTheirScenes()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mlseq-scenes-" + Guid.NewGuid().ToString("N"));
        try
        {
            var scenes = new ShapeSceneGenerator(1).Write(folder, SceneSplit.Test, 5, size: 32);
            var lines = File.ReadAllLines(Path.Combine(folder, "test.tsv"));
            Assert.Equal(6, lines.Length);
            for (int i = 0; i < 5; i++)
            {
                var fields = lines[i + 1].Split('\t');
                Assert.Equal(7, fields.Length);
                Assert.True(File.Exists(Path.Combine(folder, fields[0])));
                var parsed = ShapeSceneGenerator.ParseScene(fields[1]);
                Assert.Equal(scenes[i].Shapes.Select(s => (s.Kind, s.Colour, s.Size)), parsed.Shapes.Select(s => (s.Kind, s.Colour, s.Size)));
                Assert.All(fields.Skip(2).Where(c => c.Length > 0), c => Assert.True(parsed.Check(c).Correct));
            }
            Assert.Throws<FormatException>(() => ShapeSceneGenerator.ParseScene("large red blob 0.1 0.2"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
