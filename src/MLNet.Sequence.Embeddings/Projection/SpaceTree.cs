namespace MLNet.Sequence.Embeddings.Projection;

/// <summary>
/// A Barnes–Hut space-partitioning tree over points in 2 or 3 dimensions (quadtree or octree) with
/// cubic cells: each cell keeps its points' centre of mass, so t-SNE's repulsive force from a far cell
/// is computed once for all its points when (cell side)² &lt; theta² · distance². Nodes live in flat
/// arrays that are reused from one iteration to the next, so rebuilding allocates nothing.
/// </summary>
internal sealed class SpaceTree
{
    private readonly int _dims;
    private readonly int _fanOut;
    private double[] _center = Array.Empty<double>();  // node x dims
    private double[] _mass = Array.Empty<double>();    // centre of mass, node x dims
    private double[] _half = Array.Empty<double>();    // half side of the cubic cell
    private int[] _count = Array.Empty<int>();
    private int[] _point = Array.Empty<int>();         // a leaf's point, or -1
    private int[] _firstChild = Array.Empty<int>();    // index of the first of 2^dims children, or -1
    private int _nodes;
    private double[] _data = Array.Empty<double>();

    public SpaceTree(int dims)
    {
        _dims = dims;
        _fanOut = 1 << dims;
    }

    /// <summary>Rebuilds the tree over <paramref name="n"/> points stored row-major in <paramref name="y"/>.</summary>
    public void Build(double[] y, int n)
    {
        _data = y;
        _nodes = 0;
        Span<double> min = stackalloc double[_dims];
        Span<double> max = stackalloc double[_dims];
        min.Fill(double.PositiveInfinity);
        max.Fill(double.NegativeInfinity);
        for (int i = 0; i < n; i++)
        {
            for (int d = 0; d < _dims; d++)
            {
                min[d] = Math.Min(min[d], y[i * _dims + d]);
                max[d] = Math.Max(max[d], y[i * _dims + d]);
            }
        }
        double half = 1e-5;
        for (int d = 0; d < _dims; d++)
            half = Math.Max(half, (max[d] - min[d]) / 2);
        int root = NewNode();
        for (int d = 0; d < _dims; d++)
            _center[root * _dims + d] = (min[d] + max[d]) / 2;
        _half[root] = half * 1.00001;
        for (int i = 0; i < n; i++)
            Insert(root, i);
    }

    private int NewNode()
    {
        if (_nodes == _count.Length)
        {
            int capacity = Math.Max(64, _count.Length * 2);
            Array.Resize(ref _center, capacity * _dims);
            Array.Resize(ref _mass, capacity * _dims);
            Array.Resize(ref _half, capacity);
            Array.Resize(ref _count, capacity);
            Array.Resize(ref _point, capacity);
            Array.Resize(ref _firstChild, capacity);
        }
        int node = _nodes++;
        _count[node] = 0;
        _point[node] = -1;
        _firstChild[node] = -1;
        Array.Clear(_mass, node * _dims, _dims);
        return node;
    }

    private void Insert(int node, int index)
    {
        for (int depth = 0; ; depth++)
        {
            int count = ++_count[node];
            for (int d = 0; d < _dims; d++)
                _mass[node * _dims + d] += (_data[index * _dims + d] - _mass[node * _dims + d]) / count;
            if (_firstChild[node] < 0)
            {
                if (count == 1)
                {
                    _point[node] = index;
                    return;
                }
                // Duplicates, or too deep to split further: the leaf holds several points.
                if (depth > 50 || SamePosition(_point[node], index))
                    return;
                Subdivide(node);
                int old = _point[node];
                _point[node] = -1;
                Insert(ChildOf(node, old), old);
            }
            node = ChildOf(node, index);
        }
    }

    private bool SamePosition(int a, int b)
    {
        for (int d = 0; d < _dims; d++)
        {
            if (Math.Abs(_data[a * _dims + d] - _data[b * _dims + d]) > 1e-12)
                return false;
        }
        return true;
    }

    private void Subdivide(int node)
    {
        int first = _nodes;
        for (int c = 0; c < _fanOut; c++)
        {
            int child = NewNode();
            double half = _half[node] / 2;
            _half[child] = half;
            for (int d = 0; d < _dims; d++)
                _center[child * _dims + d] = _center[node * _dims + d] + (((c >> d) & 1) == 1 ? half : -half);
        }
        _firstChild[node] = first;
    }

    private int ChildOf(int node, int index)
    {
        int c = 0;
        for (int d = 0; d < _dims; d++)
        {
            if (_data[index * _dims + d] > _center[node * _dims + d])
                c |= 1 << d;
        }
        return _firstChild[node] + c;
    }

    /// <summary>
    /// Adds the (unnormalised) repulsive force on point <paramref name="index"/> to <paramref name="force"/>
    /// and returns its contribution to Z = Σ (1 + |y_i - y_j|²)^-1.
    /// </summary>
    public double Repulsion(int index, double theta, Span<double> force)
    {
        Span<double> point = stackalloc double[_dims];
        for (int d = 0; d < _dims; d++)
            point[d] = _data[index * _dims + d];
        return Repulsion(0, index, point, theta * theta, force);
    }

    /// <summary>The repulsion on a point that is not in the tree (index -1 matches no stored point).</summary>
    public double Repulsion(ReadOnlySpan<double> point, double theta, Span<double> force) =>
        Repulsion(0, -1, point, theta * theta, force);

    private double Repulsion(int node, int index, ReadOnlySpan<double> point, double thetaSquared, Span<double> force)
    {
        int count = _count[node];
        bool leaf = _firstChild[node] < 0;
        if (count == 0 || (leaf && _point[node] == index && count == 1))
            return 0;
        int m = node * _dims;
        double dist2 = 0;
        for (int d = 0; d < point.Length; d++)
        {
            double diff = point[d] - _mass[m + d];
            dist2 += diff * diff;
        }
        double side = 2 * _half[node];
        if (leaf || side * side < thetaSquared * dist2)
        {
            // The cell acts as one body of its points (less the query point if it sits in this leaf).
            if (leaf && _point[node] == index)
                count--;
            if (count <= 0)
                return 0;
            double q = 1 / (1 + dist2);
            double mult = count * q * q;
            for (int d = 0; d < point.Length; d++)
                force[d] += mult * (point[d] - _mass[m + d]);
            return count * q;
        }
        double z = 0;
        int first = _firstChild[node];
        for (int c = 0; c < _fanOut; c++)
        {
            if (_count[first + c] > 0)
                z += Repulsion(first + c, index, point, thetaSquared, force);
        }
        return z;
    }
}
