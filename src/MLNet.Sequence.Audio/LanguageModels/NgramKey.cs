namespace MLNet.Sequence.Audio;

/// <summary>An n-gram of up to <see cref="ArpaLanguageModel.MaxOrder"/> word ids, as a dictionary key: its history and its last word.</summary>
internal readonly record struct NgramKey(int Length, int W0, int W1, int W2, int W3, int W4, int W5)
{
    public static NgramKey Of(ReadOnlySpan<int> history, int word)
    {
        Span<int> w = stackalloc int[ArpaLanguageModel.MaxOrder];
        w.Fill(-1);
        history.CopyTo(w);
        w[history.Length] = word;
        return new NgramKey(history.Length + 1, w[0], w[1], w[2], w[3], w[4], w[5]);
    }

    public static NgramKey Of(ReadOnlySpan<int> words) => Of(words[..^1], words[^1]);

    public int this[int i] => i switch { 0 => W0, 1 => W1, 2 => W2, 3 => W3, 4 => W4, _ => W5 };

    /// <summary>All but the first word (the n-gram one order down that this one backs off to).</summary>
    public NgramKey Suffix() => new(Length - 1, W1, W2, W3, W4, W5, -1);

    /// <summary>All but the last word (the context).</summary>
    public NgramKey Prefix() => Length switch
    {
        1 => new(0, -1, -1, -1, -1, -1, -1),
        2 => new(1, W0, -1, -1, -1, -1, -1),
        3 => new(2, W0, W1, -1, -1, -1, -1),
        4 => new(3, W0, W1, W2, -1, -1, -1),
        5 => new(4, W0, W1, W2, W3, -1, -1),
        _ => new(5, W0, W1, W2, W3, W4, -1),
    };

    public int Last => this[Length - 1];
}
