namespace MLNet.Sequence.Torch.Decoding;

/// <summary>One output of a search: its tokens, its log-probability under the model and the score it was ranked by.</summary>
public sealed class Hypothesis
{
    internal Hypothesis(long[] tokens, double logProbability, double score, bool ended, float[][]? attention)
    {
        Tokens = tokens;
        LogProbability = logProbability;
        Score = score;
        Ended = ended;
        Attention = attention;
    }

    /// <summary>The output token ids, without the end token.</summary>
    public IReadOnlyList<long> Tokens { get; }

    /// <summary>log P(output | input): the sum of the chosen tokens' log-probabilities, the end token's included.</summary>
    public double LogProbability { get; }

    /// <summary>The log-probability after the length penalty; beam search ranks finished hypotheses by it.</summary>
    public double Score { get; }

    /// <summary>Whether the model chose the end token; false when the output reached its maximum length first
    /// (the end token was then forced, and its log-probability is still counted).</summary>
    public bool Ended { get; }

    /// <summary>For each output step (the tokens, then the end token), the attention weights over the source
    /// positions; null unless asked for and the model has attention.</summary>
    public IReadOnlyList<float[]>? Attention { get; }

    /// <summary>The length the penalty counts: the tokens and the end token.</summary>
    public int PenaltyLength => Tokens.Count + 1;
}
