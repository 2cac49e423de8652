namespace MLNet.Sequence.Metrics;

/// <summary>What BLEU does with an n-gram order that has no match (Chen and Cherry 2014's names in brackets).</summary>
public enum BleuSmoothing
{
    /// <summary>"none": a precision of zero makes the score zero.</summary>
    None = 0,

    /// <summary>"floor" (method 1): a zero count is replaced by <see cref="BleuOptions.SmoothingValue"/> (0.1 by default).</summary>
    Floor = 1,

    /// <summary>"add-k" (method 2): k (1 by default) is added to the matches and the totals of every order above 1.</summary>
    AddK = 2,

    /// <summary>"exp" (method 3, the NIST one and sacreBLEU's default): the k-th order with no match gets 1 / (2^k total).</summary>
    Exponential = 3,
}

/// <summary>Settings of sacreBLEU-compatible BLEU. The defaults are sacreBLEU's corpus defaults.</summary>
public sealed class BleuOptions
{
    /// <summary>The tokeniser applied to hypotheses and references ("13a" by default).</summary>
    public BleuTokenization Tokenization = BleuTokenization.Mteval13a;

    /// <summary>Smoothing of orders without matches ("exp" by default).</summary>
    public BleuSmoothing Smoothing = BleuSmoothing.Exponential;

    /// <summary>The value of "floor" (default 0.1) or "add-k" (default 1); null takes the default. Ignored by the others.</summary>
    public double? SmoothingValue;

    /// <summary>Lowercase hypotheses and references first (Python's lowercasing rules).</summary>
    public bool Lowercase;

    /// <summary>The highest n-gram order (4).</summary>
    public int MaxNgramOrder = 4;

    /// <summary>Average over the orders the hypothesis has n-grams of, instead of all of them (for sentence BLEU of
    /// hypotheses shorter than the highest order).</summary>
    public bool EffectiveOrder;

    /// <summary>sacreBLEU's settings for sentence BLEU (<c>sacrebleu.sentence_bleu</c>): "exp" smoothing and effective order.</summary>
    public static BleuOptions Sentence => new() { EffectiveOrder = true };

    internal double SmoothingValueOrDefault => SmoothingValue ?? Smoothing switch
    {
        BleuSmoothing.Floor => 0.1,
        BleuSmoothing.AddK => 1.0,
        _ => 0.0,
    };

    internal void Check()
    {
        if (MaxNgramOrder < 1 || MaxNgramOrder > 100)
            throw new ArgumentOutOfRangeException(nameof(MaxNgramOrder), MaxNgramOrder, "BleuOptions.MaxNgramOrder must be between 1 and 100.");
        if (!Enum.IsDefined(Smoothing))
            throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, "BleuOptions.Smoothing is not a known smoothing method.");
        if (!Enum.IsDefined(Tokenization))
            throw new ArgumentOutOfRangeException(nameof(Tokenization), Tokenization, "BleuOptions.Tokenization is not a known tokeniser.");
        if (SmoothingValue is double v && (!double.IsFinite(v) || v < 0))
            throw new ArgumentOutOfRangeException(nameof(SmoothingValue), v, "BleuOptions.SmoothingValue must be a finite number of at least 0.");
    }
}
