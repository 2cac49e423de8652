using System.Numerics.Tensors;

namespace MLNet.Sequence.Embeddings.Training;

/// <summary>
/// Hierarchical softmax (Morin and Bengio 2005, as word2vec.c runs it): a prediction is the chain of binary
/// decisions along the word's path in a Huffman tree, one output vector per inner node.
/// </summary>
internal sealed class HierarchicalSoftmax
{
    private readonly float[] _nodes;
    private readonly HuffmanTree _tree;
    private readonly int _dim;

    /// <param name="nodes">(Vocabulary - 1) x dimension inner-node vectors (zeros, or those of a run to resume).</param>
    /// <param name="tree">The Huffman tree of the vocabulary's counts.</param>
    /// <param name="dim">The dimension.</param>
    public HierarchicalSoftmax(float[] nodes, HuffmanTree tree, int dim)
    {
        _nodes = nodes;
        _tree = tree;
        _dim = dim;
    }

    /// <summary>The inner-node vectors, for keeping the training state.</summary>
    public float[] Nodes => _nodes;

    /// <summary>
    /// Updates the nodes on <paramref name="word"/>'s path for a prediction from <paramref name="input"/>, and
    /// accumulates the input's gradient in <paramref name="work"/>. Returns the loss before the update.
    /// </summary>
    public float Update(ReadOnlySpan<float> input, int word, float alpha, Span<float> work)
    {
        float loss = 0;
        var code = _tree.GetCode(word);
        var points = _tree.GetPoints(word);
        for (int d = 0; d < code.Length; d++)
            loss += Step(input, _nodes.AsSpan(points[d] * _dim, _dim), code[d], alpha, work);
        return loss;
    }

    /// <summary>
    /// One step along a Huffman path: g = (1 - code - σ(f))·α. Like word2vec.c it skips nodes where |f| is beyond
    /// the sigmoid table, whose gradient is negligible.
    /// </summary>
    /// <returns>The loss of the decision: -log σ(f) for code 0, -log σ(-f) for code 1.</returns>
    public static float Step(ReadOnlySpan<float> input, Span<float> node, byte code, float alpha, Span<float> inputGradient)
    {
        float f = TensorPrimitives.Dot(input, node);
        float loss = SigmoidTable.NegativeLogSigmoid(code == 0 ? f : -f);
        if (f <= -SigmoidTable.MaxExp || f >= SigmoidTable.MaxExp)
            return loss;
        float g = (1 - code - SigmoidTable.Sigmoid(f)) * alpha;
        TensorPrimitives.MultiplyAdd(node, g, inputGradient, inputGradient);
        TensorPrimitives.MultiplyAdd(input, g, node, node);
        return loss;
    }
}
