namespace MLNet.Sequence.Vision.Scenes;

/// <summary>The kinds of shape a scene holds.</summary>
public enum ShapeKind
{
    /// <summary>A filled circle.</summary>
    Circle = 0,

    /// <summary>A filled axis-aligned square.</summary>
    Square = 1,

    /// <summary>A filled upright triangle.</summary>
    Triangle = 2,

    /// <summary>A filled square standing on a corner.</summary>
    Diamond = 3,
}

/// <summary>The colours a shape is painted in (each with some jitter of hue and brightness).</summary>
public enum ShapeColour
{
    /// <summary>Red.</summary>
    Red = 0,

    /// <summary>Green.</summary>
    Green = 1,

    /// <summary>Blue.</summary>
    Blue = 2,

    /// <summary>Yellow.</summary>
    Yellow = 3,

    /// <summary>Purple.</summary>
    Purple = 4,
}

/// <summary>Small or large.</summary>
public enum ShapeSize
{
    /// <summary>About a fifth of the picture across.</summary>
    Small = 0,

    /// <summary>About a third of the picture across.</summary>
    Large = 1,
}

/// <summary>Where one shape is from another, on the axis along which they are further apart.</summary>
public enum ShapeRelation
{
    /// <summary>The first is left of the second.</summary>
    LeftOf = 0,

    /// <summary>The first is right of the second.</summary>
    RightOf = 1,

    /// <summary>The first is above the second.</summary>
    Above = 2,

    /// <summary>The first is below the second.</summary>
    Below = 3,
}

/// <summary>One shape of a scene; its centre is in [0, 1] × [0, 1] of the picture, y down.</summary>
/// <param name="Kind">Circle, square, triangle or diamond.</param>
/// <param name="Colour">Its colour.</param>
/// <param name="Size">Small or large.</param>
/// <param name="X">Centre, from the left edge (0) to the right edge (1).</param>
/// <param name="Y">Centre, from the top edge (0) to the bottom edge (1).</param>
public sealed record SceneShape(ShapeKind Kind, ShapeColour Colour, ShapeSize Size, double X, double Y)
{
    /// <summary>Half the shape's width, as a share of the picture's.</summary>
    public double Radius => Size == ShapeSize.Small ? 0.1 : 0.17;

    /// <summary>The words a caption uses for it without its size: "red circle".</summary>
    public string Noun => $"{ShapeScene.Word(Colour)} {ShapeScene.Word(Kind)}";

    /// <summary>Where this shape is from <paramref name="other"/>, on the axis along which they are further apart.</summary>
    public ShapeRelation RelationTo(SceneShape other)
    {
        double dx = X - other.X, dy = Y - other.Y;
        return Math.Abs(dx) >= Math.Abs(dy)
            ? dx < 0 ? ShapeRelation.LeftOf : ShapeRelation.RightOf
            : dy < 0 ? ShapeRelation.Above : ShapeRelation.Below;
    }
}

/// <summary>
/// A scene of one to three shapes over a background: what it holds, the captions a grammar writes for it (several
/// paraphrases), and a check of any caption against it that names the kind of each mistake.
/// </summary>
public sealed class ShapeScene
{
    private static readonly string[][] SizeWords = [["small", "little"], ["large", "big"]];

    /// <summary>A scene of these shapes; a scene of three has them from left to right.</summary>
    public ShapeScene(IReadOnlyList<SceneShape> shapes, int background)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        if (shapes.Count is < 1 or > 3)
            throw new ArgumentException($"A scene holds one to three shapes, not {shapes.Count}.", nameof(shapes));
        Shapes = shapes;
        Background = background;
    }

    /// <summary>The shapes, in the order the scene's captions name them.</summary>
    public IReadOnlyList<SceneShape> Shapes { get; }

    /// <summary>The seed of the background's gradient and noise.</summary>
    public int Background { get; }

    /// <summary>The word for a colour.</summary>
    public static string Word(ShapeColour colour) => colour.ToString().ToLowerInvariant();

    /// <summary>The word for a kind of shape.</summary>
    public static string Word(ShapeKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Whether two or more shapes are set in relation (a caption states where they are from each other).</summary>
    public bool HasRelation => Shapes.Count > 1;

    /// <summary>
    /// <paramref name="count"/> different captions from the grammar, drawn with <paramref name="random"/>: size words
    /// and phrasing vary ("a big red circle left of a small blue square", "a small blue square to the right of a
    /// big red circle"); the facts do not.
    /// </summary>
    public IReadOnlyList<string> Captions(Random random, int count)
    {
        ArgumentNullException.ThrowIfNull(random);
        var all = new List<string>();
        for (int attempt = 0; attempt < 200 && all.Count < count; attempt++)
        {
            var caption = Caption(random);
            if (!all.Contains(caption))
                all.Add(caption);
        }
        return all;
    }

    private string Caption(Random random)
    {
        string Phrase(SceneShape s) => $"a {SizeWords[(int)s.Size][random.Next(2)]} {s.Noun}";
        switch (Shapes.Count)
        {
            case 1:
                return random.Next(4) switch
                {
                    0 => Phrase(Shapes[0]),
                    1 => $"there is {Phrase(Shapes[0])}",
                    2 => $"a picture of {Phrase(Shapes[0])}",
                    _ => $"{Phrase(Shapes[0])} in the picture",
                };
            case 2:
            {
                var (a, b) = (Shapes[0], Shapes[1]);
                if (random.Next(2) == 1)
                    (a, b) = (b, a);
                string relation = a.RelationTo(b) switch
                {
                    ShapeRelation.LeftOf => random.Next(2) == 0 ? "left of" : "to the left of",
                    ShapeRelation.RightOf => random.Next(2) == 0 ? "right of" : "to the right of",
                    ShapeRelation.Above => random.Next(2) == 0 ? "above" : "over",
                    _ => random.Next(2) == 0 ? "below" : "under",
                };
                return random.Next(3) == 0 ? $"there is {Phrase(a)} {relation} {Phrase(b)}" : $"{Phrase(a)} {relation} {Phrase(b)}";
            }
            default:
            {
                var (a, b, c) = (Phrase(Shapes[0]), Phrase(Shapes[1]), Phrase(Shapes[2]));
                return random.Next(4) switch
                {
                    0 => $"{a} {b} and {c} from left to right",
                    1 => $"from left to right {a} {b} and {c}",
                    2 => $"{a} then {b} then {c}",
                    _ => $"{a} left of {b} left of {c}",
                };
            }
        }
    }

    /// <summary>
    /// Checks a caption against the scene: the shapes it names (each matched to one of the scene's, same kind and,
    /// where it can, same colour), their colours and sizes, the relations it states between shapes it named right,
    /// and whether it names as many shapes as there are. A caption the grammar cannot read counts as unreadable.
    /// </summary>
    public CaptionCheck Check(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        var parsed = SceneCaptionParser.Parse(caption);
        if (parsed is null)
            return new CaptionCheck(Readable: false, WrongCount: true, WrongShape: true, WrongColour: false, WrongSize: false, WrongRelation: false, JudgedRelations: 0);
        var (named, relations) = parsed.Value;
        bool wrongCount = named.Count != Shapes.Count;
        var free = Shapes.ToList();
        var matched = new SceneShape?[named.Count];
        bool wrongShape = false, wrongColour = false, wrongSize = false, wrongRelation = false;
        // Same kind and colour first, then same kind: a colour mistake is not also counted as a shape mistake.
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < named.Count; i++)
            {
                if (matched[i] != null)
                    continue;
                var n = named[i];
                var m = free.FirstOrDefault(s => s.Kind == n.Kind && (pass == 1 || s.Colour == n.Colour));
                if (m == null)
                    continue;
                matched[i] = m;
                free.Remove(m);
            }
        }
        for (int i = 0; i < named.Count; i++)
        {
            if (matched[i] is not { } m)
            {
                wrongShape = true;
                continue;
            }
            wrongColour |= m.Colour != named[i].Colour;
            wrongSize |= named[i].Size is { } size && m.Size != size;
        }
        // A relation is judged only between shapes named right in kind and colour: between a misnamed pair it would
        // count a binding mistake ("a red triangle under a blue square" for a red square under a blue triangle) twice.
        int judged = 0;
        foreach (var (first, relation, second) in relations)
        {
            if (matched[first] is { } a && matched[second] is { } b && a.Colour == named[first].Colour && b.Colour == named[second].Colour)
            {
                judged++;
                wrongRelation |= a.RelationTo(b) != relation;
            }
        }
        if (named.Count > 1 && relations.Count == 0 && HasRelation)
            wrongRelation = true;
        return new CaptionCheck(true, wrongCount, wrongShape, wrongColour, wrongSize, wrongRelation, judged);
    }

    /// <summary>The scene as one line, for a data file: "large red circle 0.31 0.50; small blue square 0.72 0.48".</summary>
    public override string ToString() =>
        string.Join("; ", Shapes.Select(s => FormattableString.Invariant($"{s.Size.ToString().ToLowerInvariant()} {s.Noun} {s.X:0.###} {s.Y:0.###}")));
}

/// <summary>What is wrong in a caption of a scene (see <see cref="ShapeScene.Check"/>).</summary>
/// <param name="Readable">Whether the grammar could read it at all.</param>
/// <param name="WrongCount">It names more or fewer shapes than the scene has.</param>
/// <param name="WrongShape">It names a kind of shape the scene does not have (in that number).</param>
/// <param name="WrongColour">A named shape has another colour in the scene.</param>
/// <param name="WrongSize">A named shape has another size in the scene.</param>
/// <param name="WrongRelation">A stated relation does not hold between two shapes named right in kind and colour (or a caption of several shapes states none).</param>
/// <param name="JudgedRelations">Stated relations between two shapes both named right in kind and colour, which could be judged.</param>
public sealed record CaptionCheck(bool Readable, bool WrongCount, bool WrongShape, bool WrongColour, bool WrongSize, bool WrongRelation, int JudgedRelations)
{
    /// <summary>Whether every fact in the caption is right.</summary>
    public bool Correct => Readable && !WrongCount && !WrongShape && !WrongColour && !WrongSize && !WrongRelation;
}
