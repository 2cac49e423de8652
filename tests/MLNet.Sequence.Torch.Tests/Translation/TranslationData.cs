namespace MLNet.Sequence.Torch.Tests.Translation;

public sealed class Pair
{
    public string Source { get; set; } = "";
    public string Target { get; set; } = "";
}

/// <summary>Seeded pairs whose translation is a rule: reversal of a word sequence, so attention must align position t with n - 1 - t.</summary>
public static class TranslationData
{
    public static readonly string[] Words = "red blue green gold pink gray black white".Split(' ');

    /// <summary>Reversed colour words; with <paramref name="rareWords"/> above 0, that share of the words are made-up names seen once
    /// (unknown to a model that keeps only tokens seen twice), which a translator must copy across.</summary>
    public static List<Pair> Reversal(int count, int seed, int minLength = 3, int maxLength = 7, double rareWords = 0)
    {
        var random = new Random(seed);
        string Name() => new string(Enumerable.Range(0, 6).Select(_ => (char)('a' + random.Next(26))).ToArray());
        return Enumerable.Range(0, count).Select(_ =>
        {
            var words = Enumerable.Range(0, random.Next(minLength, maxLength + 1))
                .Select(_ => random.NextDouble() < rareWords ? Name() : Words[random.Next(Words.Length)]).ToArray();
            return new Pair { Source = string.Join(' ', words), Target = string.Join(' ', words.Reverse()) };
        }).ToList();
    }
}
