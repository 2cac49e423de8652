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

    public static List<Pair> Reversal(int count, int seed, int minLength = 3, int maxLength = 7)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var words = Enumerable.Range(0, random.Next(minLength, maxLength + 1)).Select(_ => Words[random.Next(Words.Length)]).ToArray();
            return new Pair { Source = string.Join(' ', words), Target = string.Join(' ', words.Reverse()) };
        }).ToList();
    }
}
