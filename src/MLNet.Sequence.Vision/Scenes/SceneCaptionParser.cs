namespace MLNet.Sequence.Vision.Scenes;

/// <summary>A shape as a caption names it.</summary>
internal sealed record NamedShape(ShapeKind Kind, ShapeColour Colour, ShapeSize? Size);

/// <summary>
/// Reads the facts of a caption in the scene grammar: the shapes it names ("a [size] colour kind") and the
/// relations it states between consecutive ones ("left of", "to the right of", "over", "under", "then", or a
/// list "from left to right"). Other words are fillers; a shape phrase missing its colour or kind makes the
/// caption unreadable.
/// </summary>
internal static class SceneCaptionParser
{
    public static (List<NamedShape> Shapes, List<(int First, ShapeRelation Relation, int Second)> Relations)? Parse(string caption)
    {
        var words = caption.ToLowerInvariant().Split([' ', '\t', ',', '.', ':'], StringSplitOptions.RemoveEmptyEntries);
        var shapes = new List<NamedShape>();
        var relations = new List<(int, ShapeRelation, int)>();
        ShapeRelation? pending = null;
        bool leftToRight = caption.Contains("from left to right", StringComparison.OrdinalIgnoreCase);
        for (int i = 0; i < words.Length; i++)
        {
            string w = words[i];
            if (w == "a" && i + 1 < words.Length && (Size(words[i + 1]) != null || Colour(words[i + 1]) != null))
            {
                int j = i + 1;
                var size = Size(words[j]);
                if (size != null)
                    j++;
                if (j + 1 >= words.Length || Colour(words[j]) is not { } colour || Kind(words[j + 1]) is not { } kind)
                    return null;
                shapes.Add(new NamedShape(kind, colour, size));
                if (shapes.Count > 1 && (pending ?? (leftToRight ? ShapeRelation.LeftOf : null)) is { } relation)
                    relations.Add((shapes.Count - 2, relation, shapes.Count - 1));
                pending = null;
                i = j + 1;
                continue;
            }
            var stated = w switch
            {
                "left" when Next(words, i) == "of" => ShapeRelation.LeftOf,
                "right" when Next(words, i) == "of" => ShapeRelation.RightOf,
                "above" or "over" => ShapeRelation.Above,
                "below" or "under" => ShapeRelation.Below,
                "then" => ShapeRelation.LeftOf,
                _ => (ShapeRelation?)null,
            };
            if (stated != null && shapes.Count > 0)
                pending = stated;
        }
        return shapes.Count == 0 ? null : (shapes, relations);
    }

    private static string? Next(string[] words, int i) => i + 1 < words.Length ? words[i + 1] : null;

    private static ShapeSize? Size(string w) => w switch
    {
        "small" or "little" => ShapeSize.Small,
        "large" or "big" => ShapeSize.Large,
        _ => null,
    };

    private static ShapeColour? Colour(string w) => Enum.TryParse<ShapeColour>(w, ignoreCase: true, out var c) && char.IsLetter(w[0]) ? c : null;

    private static ShapeKind? Kind(string w) => Enum.TryParse<ShapeKind>(w, ignoreCase: true, out var k) && char.IsLetter(w[0]) ? k : null;
}
