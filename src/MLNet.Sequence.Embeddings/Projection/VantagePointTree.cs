using System.Numerics.Tensors;

namespace MLNet.Sequence.Embeddings.Projection;

/// <summary>
/// A vantage-point tree (Yianilos 1993) over float rows for exact k-nearest-neighbour queries in
/// Euclidean distance: each node splits its points by the median distance to a vantage point, and a
/// search skips every subtree that cannot hold a point closer than the current k-th neighbour.
/// </summary>
internal sealed class VantagePointTree
{
    private readonly float[] _data;
    private readonly int _dim;
    private readonly int[] _items;        // point index of each node
    private readonly float[] _threshold;  // median distance to the node's point
    private readonly int[] _inside;       // child with points closer than the threshold, or -1
    private readonly int[] _outside;      // child with the others, or -1
    private int _nodes;

    public VantagePointTree(float[] data, int n, int dim, int seed = 1)
    {
        _data = data;
        _dim = dim;
        _items = new int[n];
        _threshold = new float[n];
        _inside = new int[n];
        _outside = new int[n];
        var order = Enumerable.Range(0, n).ToArray();
        var distances = new float[n];
        Build(order, distances, 0, n, new Random(seed));
    }

    private float Distance(int a, int b) => TensorPrimitives.Distance(_data.AsSpan(a * _dim, _dim), _data.AsSpan(b * _dim, _dim));

    private int Build(int[] order, float[] distances, int lo, int hi, Random rng)
    {
        if (lo >= hi)
            return -1;
        int node = _nodes++;
        // A random vantage point, moved to the front of the range.
        int pick = rng.Next(lo, hi);
        (order[lo], order[pick]) = (order[pick], order[lo]);
        int vantage = order[lo];
        _items[node] = vantage;
        _inside[node] = _outside[node] = -1;
        if (hi - lo == 1)
            return node;
        for (int i = lo + 1; i < hi; i++)
            distances[i] = Distance(vantage, order[i]);
        // Sort the rest by distance to the vantage point; the median splits inside from outside.
        Array.Sort(distances, order, lo + 1, hi - lo - 1);
        int median = (lo + 1 + hi) / 2;
        _threshold[node] = distances[median];
        _inside[node] = Build(order, distances, lo + 1, median, rng);
        _outside[node] = Build(order, distances, median, hi, rng);
        return node;
    }

    /// <summary>The <paramref name="k"/> nearest rows to row <paramref name="query"/> (itself excluded), nearest first, with their squared distances.</summary>
    public (int[] Indices, double[] SquaredDistances) Nearest(int query, int k)
    {
        var heap = new PriorityQueue<int, float>(k + 1, Comparer<float>.Create((a, b) => b.CompareTo(a))); // farthest on top
        float tau = float.MaxValue;
        var stack = new Stack<int>();
        if (_nodes > 0)
            stack.Push(0);
        var q = _data.AsSpan(query * _dim, _dim);
        while (stack.Count > 0)
        {
            int node = stack.Pop();
            int item = _items[node];
            float d = TensorPrimitives.Distance(q, _data.AsSpan(item * _dim, _dim));
            if (item != query && d < tau)
            {
                heap.Enqueue(item, d);
                if (heap.Count > k)
                    heap.Dequeue();
                if (heap.Count == k)
                    heap.TryPeek(out _, out tau);
            }
            int inside = _inside[node], outside = _outside[node];
            if (inside < 0 && outside < 0)
                continue;
            float t = _threshold[node];
            // Visit the more promising side last (it is popped first); prune sides that cannot hold a closer point.
            if (d < t)
            {
                if (outside >= 0 && d + tau >= t)
                    stack.Push(outside);
                if (inside >= 0 && d - tau <= t)
                    stack.Push(inside);
            }
            else
            {
                if (inside >= 0 && d - tau <= t)
                    stack.Push(inside);
                if (outside >= 0 && d + tau >= t)
                    stack.Push(outside);
            }
        }
        var indices = new int[heap.Count];
        var squared = new double[heap.Count];
        for (int m = indices.Length - 1; m >= 0; m--)
        {
            heap.TryDequeue(out indices[m], out float dist);
            squared[m] = (double)dist * dist;
        }
        return (indices, squared);
    }
}
