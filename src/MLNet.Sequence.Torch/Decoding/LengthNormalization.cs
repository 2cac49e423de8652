namespace MLNet.Sequence.Torch.Decoding;

/// <summary>The length penalties of beam search, on their own so that they can be checked by hand.</summary>
public static class LengthNormalization
{
    /// <summary>
    /// The score of a hypothesis of <paramref name="length"/> tokens (its end token counted) and log-probability
    /// <paramref name="logProbability"/>: log P / T^alpha (<see cref="LengthPenalty.Average"/>), log P / ((5 + T) / 6)^alpha
    /// (<see cref="LengthPenalty.Gnmt"/>), or log P.
    /// </summary>
    /// <param name="logProbability">log P(y | x), at most 0.</param>
    /// <param name="length">T, at least 1.</param>
    /// <param name="penalty">Which normalisation.</param>
    /// <param name="alpha">Its exponent.</param>
    public static double Score(double logProbability, int length, LengthPenalty penalty, double alpha)
    {
        if (length < 1)
            throw new ArgumentOutOfRangeException(nameof(length), length, "A hypothesis has at least one step (its end token).");
        return penalty switch
        {
            LengthPenalty.Average => logProbability / Math.Pow(length, alpha),
            LengthPenalty.Gnmt => logProbability / Math.Pow((5.0 + length) / 6.0, alpha),
            _ => logProbability,
        };
    }
}
