using System.Numerics.Tensors;

namespace MLNet.Sequence.Embeddings.Training;

/// <summary>
/// Negative sampling (Mikolov et al. 2013): a prediction is a logistic regression of the true word against
/// k words drawn from the unigram distribution raised to a power, each with its own output vector.
/// </summary>
internal sealed class NegativeSampling
{
    private readonly float[] _outputs;
    private readonly NegativeSampler _sampler;
    private readonly int _negatives;
    private readonly int _dim;

    /// <param name="outputs">Vocabulary x dimension output vectors (zeros, or those of a run to resume).</param>
    /// <param name="sampler">Draws the negative words.</param>
    /// <param name="negatives">Negative words per prediction.</param>
    /// <param name="dim">The dimension.</param>
    public NegativeSampling(float[] outputs, NegativeSampler sampler, int negatives, int dim)
    {
        _outputs = outputs;
        _sampler = sampler;
        _negatives = negatives;
        _dim = dim;
    }

    /// <summary>The output vectors, for keeping the training state.</summary>
    public float[] Outputs => _outputs;

    /// <summary>
    /// Updates the output vectors of <paramref name="word"/> and its negatives for a prediction from
    /// <paramref name="input"/>, and accumulates the input's gradient in <paramref name="work"/>. Returns the loss
    /// before the update.
    /// </summary>
    public float Update(ReadOnlySpan<float> input, int word, float alpha, ref FastRandom rng, Span<float> work)
    {
        float loss = Step(input, _outputs.AsSpan(word * _dim, _dim), 1f, alpha, work);
        for (int d = 0; d < _negatives; d++)
        {
            int target = _sampler.Sample(rng.Next());
            if (target == word)
                continue;
            loss += Step(input, _outputs.AsSpan(target * _dim, _dim), 0f, alpha, work);
        }
        return loss;
    }

    /// <summary>
    /// One logistic-regression step: with f = input·output and g = (label - σ(f))·α, adds g·output to
    /// <paramref name="inputGradient"/> and g·input to <paramref name="output"/>. Returns the loss before the
    /// step: -log σ(f) for the true word, -log σ(-f) for a negative.
    /// </summary>
    public static float Step(ReadOnlySpan<float> input, Span<float> output, float label, float alpha, Span<float> inputGradient)
    {
        float f = TensorPrimitives.Dot(input, output);
        float g = (label - SigmoidTable.Sigmoid(f)) * alpha;
        TensorPrimitives.MultiplyAdd(output, g, inputGradient, inputGradient);
        TensorPrimitives.MultiplyAdd(input, g, output, output);
        return SigmoidTable.NegativeLogSigmoid(label > 0 ? f : -f);
    }
}
