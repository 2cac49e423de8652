namespace MLNet.Sequence.Embeddings.Training;

/// <summary>
/// The binary Huffman tree of hierarchical softmax (Mikolov et al. 2013): frequent words get short
/// codes. Word w's path from the root visits the inner nodes <see cref="GetPoints"/> (rows of the
/// output matrix, 0..V-2) and turns left or right by <see cref="GetCode"/> bits. Built in O(V) from
/// counts sorted in descending order, with word2vec.c's tie-breaking, so codes match word2vec.c's.
/// </summary>
internal sealed class HuffmanTree
{
    private readonly byte[] _codes;   // all words' codes, concatenated
    private readonly int[] _points;   // all words' inner-node paths, concatenated
    private readonly int[] _offsets;  // word w's code/points run from _offsets[w] to _offsets[w + 1]

    public HuffmanTree(IReadOnlyList<long> countsDescending)
    {
        int v = countsDescending.Count;
        if (v < 2)
            throw new ArgumentException("Hierarchical softmax needs at least two words.", nameof(countsDescending));
        var count = new long[2 * v - 1];
        var parent = new int[2 * v - 1];
        var binary = new byte[2 * v - 1];
        for (int i = 0; i < v; i++)
        {
            count[i] = countsDescending[i];
            if (i > 0 && count[i] > count[i - 1])
                throw new ArgumentException("Counts must be sorted in descending order.", nameof(countsDescending));
        }
        for (int i = v; i < count.Length; i++)
            count[i] = long.MaxValue;

        // Two cursors: leaves from the rarest up, inner nodes in creation order (already sorted).
        int pos1 = v - 1, pos2 = v;
        for (int a = 0; a < v - 1; a++)
        {
            int min1 = pos1 >= 0 && count[pos1] < count[pos2] ? pos1-- : pos2++;
            int min2 = pos1 >= 0 && count[pos1] < count[pos2] ? pos1-- : pos2++;
            count[v + a] = count[min1] + count[min2];
            parent[min1] = v + a;
            parent[min2] = v + a;
            binary[min2] = 1;
        }

        int root = 2 * v - 2;
        _offsets = new int[v + 1];
        var codes = new List<byte>(v * 8);
        var points = new List<int>(v * 8);
        var pathCodes = new List<byte>();
        var pathNodes = new List<int>();
        for (int w = 0; w < v; w++)
        {
            pathCodes.Clear();
            pathNodes.Clear();
            for (int node = w; node != root; node = parent[node])
            {
                pathCodes.Add(binary[node]);
                pathNodes.Add(parent[node] - v);
            }
            // Collected leaf-to-root; store root-to-leaf.
            for (int k = pathCodes.Count - 1; k >= 0; k--)
            {
                codes.Add(pathCodes[k]);
                points.Add(pathNodes[k]);
            }
            _offsets[w + 1] = codes.Count;
        }
        _codes = codes.ToArray();
        _points = points.ToArray();
    }

    /// <summary>Number of inner nodes (rows of the hierarchical-softmax output matrix).</summary>
    public int InnerNodeCount => _offsets.Length - 2;

    /// <summary>The code bits of word <paramref name="word"/>, root to leaf.</summary>
    public ReadOnlySpan<byte> GetCode(int word) => _codes.AsSpan(_offsets[word], _offsets[word + 1] - _offsets[word]);

    /// <summary>The inner nodes on the path of word <paramref name="word"/>, root first.</summary>
    public ReadOnlySpan<int> GetPoints(int word) => _points.AsSpan(_offsets[word], _offsets[word + 1] - _offsets[word]);
}
