namespace MLNet.Sequence.Embeddings.Projection;

/// <summary>
/// A Barnes–Hut space-partitioning tree over points in 2 or 3 dimensions (quadtree or octree): each
/// cell keeps its points' centre of mass, so the repulsive forces of t-SNE from a far cell are computed
/// once for all its points when cell size / distance &lt; theta.
/// </summary>
internal sealed class SpaceTree
{
    private readonly int _dims;
    private readonly double[] _center;     // cell centre
    private readonly double[] _halfWidth;  // half the cell's extent per dimension
    private readonly double[] _massCenter;
    private int _count;
    private int _point = -1;               // the single point of a leaf
    private SpaceTree[]? _children;
    private readonly double[] _data;

    private SpaceTree(double[] data, int dims, double[] center, double[] halfWidth)
    {
        _data = data;
        _dims = dims;
        _center = center;
        _halfWidth = halfWidth;
        _massCenter = new double[dims];
    }

    /// <summary>Builds the tree over <paramref name="n"/> points stored row-major in <paramref name="y"/>.</summary>
    public static SpaceTree Build(double[] y, int n, int dims)
    {
        var min = Enumerable.Repeat(double.PositiveInfinity, dims).ToArray();
        var max = Enumerable.Repeat(double.NegativeInfinity, dims).ToArray();
        for (int i = 0; i < n; i++)
        {
            for (int d = 0; d < dims; d++)
            {
                min[d] = Math.Min(min[d], y[i * dims + d]);
                max[d] = Math.Max(max[d], y[i * dims + d]);
            }
        }
        var center = new double[dims];
        var half = new double[dims];
        for (int d = 0; d < dims; d++)
        {
            center[d] = (min[d] + max[d]) / 2;
            half[d] = Math.Max((max[d] - min[d]) / 2, 1e-5) * 1.00001;
        }
        var root = new SpaceTree(y, dims, center, half);
        for (int i = 0; i < n; i++)
            root.Insert(i, 0);
        return root;
    }

    private void Insert(int index, int depth)
    {
        // Running centre of mass.
        _count++;
        for (int d = 0; d < _dims; d++)
            _massCenter[d] += (_data[index * _dims + d] - _massCenter[d]) / _count;

        if (_children == null && _point < 0 && _count == 1)
        {
            _point = index;
            return;
        }
        if (_children == null)
        {
            // Duplicate points, or too deep: keep them together in this leaf.
            if (depth > 50 || SamePosition(_point, index))
                return;
            Subdivide();
            int old = _point;
            _point = -1;
            Child(old).Insert(old, depth + 1); // its mass is already counted here; the child counts it now
        }
        Child(index).Insert(index, depth + 1);
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

    private void Subdivide()
    {
        int k = 1 << _dims;
        _children = new SpaceTree[k];
        for (int c = 0; c < k; c++)
        {
            var center = new double[_dims];
            var half = new double[_dims];
            for (int d = 0; d < _dims; d++)
            {
                half[d] = _halfWidth[d] / 2;
                center[d] = _center[d] + (((c >> d) & 1) == 1 ? half[d] : -half[d]);
            }
            _children[c] = new SpaceTree(_data, _dims, center, half);
        }
    }

    private SpaceTree Child(int index)
    {
        int c = 0;
        for (int d = 0; d < _dims; d++)
        {
            if (_data[index * _dims + d] > _center[d])
                c |= 1 << d;
        }
        return _children![c];
    }

    /// <summary>
    /// Adds the (unnormalised) repulsive force on point <paramref name="index"/> to <paramref name="force"/>
    /// and returns its contribution to Z = Σ (1 + |y_i - y_j|²)^-1.
    /// </summary>
    public double Repulsion(int index, double theta, Span<double> force)
    {
        if (_count == 0 || (_children == null && _point == index && _count == 1))
            return 0;
        double dist2 = 0;
        for (int d = 0; d < _dims; d++)
        {
            double diff = _data[index * _dims + d] - _massCenter[d];
            dist2 += diff * diff;
        }
        double maxWidth = 0;
        for (int d = 0; d < _dims; d++)
            maxWidth = Math.Max(maxWidth, 2 * _halfWidth[d]);
        bool leaf = _children == null;
        if (leaf || maxWidth * maxWidth < theta * theta * dist2)
        {
            // Treat the cell as one body of _count points (less the query point if it lies in this leaf).
            int n = _count;
            if (leaf && _point == index)
                n--;
            if (n <= 0)
                return 0;
            double q = 1 / (1 + dist2);
            double mult = n * q * q;
            for (int d = 0; d < _dims; d++)
                force[d] += mult * (_data[index * _dims + d] - _massCenter[d]);
            return n * q;
        }
        double z = 0;
        foreach (var child in _children!)
            z += child.Repulsion(index, theta, force);
        return z;
    }
}
