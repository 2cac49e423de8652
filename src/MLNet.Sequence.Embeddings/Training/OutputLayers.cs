namespace MLNet.Sequence.Embeddings.Training;

/// <summary>The output layers one prediction updates: negative sampling, hierarchical softmax, or both (word2vec.c allows both).</summary>
internal sealed class OutputLayers
{
    public OutputLayers(NegativeSampling? negative, HierarchicalSoftmax? tree)
    {
        Negative = negative;
        Tree = tree;
    }

    public NegativeSampling? Negative { get; }

    public HierarchicalSoftmax? Tree { get; }

    /// <summary>
    /// Updates the output weights for predicting <paramref name="word"/> from <paramref name="input"/> and
    /// accumulates the input's gradient in <paramref name="work"/>. Returns the loss of the prediction before the
    /// update: -log σ of every binary decision (the Huffman path, and/or the true word against the negatives).
    /// </summary>
    public float Update(ReadOnlySpan<float> input, int word, float alpha, ref FastRandom rng, Span<float> work)
    {
        float loss = 0;
        if (Tree != null)
            loss += Tree.Update(input, word, alpha, work);
        if (Negative != null)
            loss += Negative.Update(input, word, alpha, ref rng, work);
        return loss;
    }
}
