namespace MLNet.Sequence.Embeddings.Debias;

/// <summary>Built-in word lists for the gender dimension, in lower case. Any other bias dimension works with lists of the user's.</summary>
public static class GenderWordLists
{
    /// <summary>Pairs whose difference defines the gender direction.</summary>
    public static IReadOnlyList<(string Female, string Male)> DefinitionalPairs { get; } = new[]
    {
        ("she", "he"), ("her", "his"), ("woman", "man"), ("herself", "himself"), ("daughter", "son"),
        ("mother", "father"), ("girl", "boy"), ("female", "male"), ("mary", "john"), ("gal", "guy"),
    };

    /// <summary>Pairs made equidistant from every neutral word by equalize.</summary>
    public static IReadOnlyList<(string Female, string Male)> EqualityPairs { get; } = new[]
    {
        ("woman", "man"), ("girl", "boy"), ("she", "he"), ("mother", "father"), ("daughter", "son"),
        ("gal", "guy"), ("female", "male"), ("her", "his"), ("herself", "himself"), ("queen", "king"),
        ("sister", "brother"), ("wife", "husband"), ("aunt", "uncle"), ("niece", "nephew"),
        ("grandmother", "grandfather"), ("bride", "groom"), ("lady", "gentleman"), ("women", "men"),
        ("girls", "boys"), ("mothers", "fathers"), ("daughters", "sons"), ("sisters", "brothers"),
    };

    /// <summary>Words whose gender component is their meaning: neutralize leaves them alone.</summary>
    public static IReadOnlyList<string> SpecificWords { get; } = EqualityPairs.SelectMany(p => new[] { p.Female, p.Male })
        .Concat(new[]
        {
            "him", "hers", "mrs.", "mr.", "mrs", "mr", "miss", "madam", "sir", "ladies", "gentlemen", "wives", "husbands",
            "aunts", "uncles", "nieces", "nephews", "queens", "kings", "princess", "prince", "actress", "actor",
            "waitress", "waiter", "heroine", "hero", "widow", "widower", "mom", "dad", "mama", "papa", "grandma", "grandpa",
            "housewife", "fiance", "fiancee", "boyfriend", "girlfriend", "spokeswoman", "spokesman", "businesswoman",
            "businessman", "chairwoman", "chairman", "congresswoman", "congressman", "mary", "john", "feminine", "masculine",
            "maternal", "paternal", "pregnant", "pregnancy", "sorority", "fraternity", "nun", "monk", "priest", "priestess",
        })
        .Distinct(StringComparer.Ordinal)
        .ToArray();
}
