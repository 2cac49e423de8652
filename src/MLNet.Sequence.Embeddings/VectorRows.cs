using MLNet.Sequence.Internal;

namespace MLNet.Sequence.Embeddings;

/// <summary>
/// Rows of equal width, row-major, in blocks of whole rows, each block one .NET array. A table of up to
/// <see cref="Array.MaxLength"/> values (every published one: GoogleNews, 3,000,000 x 300, is 0.9 billion) is a
/// single block; a larger one takes several, so a table of any size that fits in memory can be held.
/// </summary>
internal sealed class VectorRows
{
    private readonly float[][] _blocks;

    private VectorRows(float[][] blocks, int count, int width, int rowsPerBlock)
    {
        _blocks = blocks;
        Count = count;
        Width = width;
        RowsPerBlock = rowsPerBlock;
    }

    /// <summary>Rows held.</summary>
    public int Count { get; }

    /// <summary>Values per row.</summary>
    public int Width { get; }

    /// <summary>Rows of every block but the last.</summary>
    public int RowsPerBlock { get; }

    /// <summary>The blocks, in row order.</summary>
    public IReadOnlyList<float[]> Blocks => _blocks;

    /// <summary>Wraps one array of <c>matrix.Length / width</c> rows without copying it.</summary>
    public static VectorRows Wrap(float[] matrix, int width) =>
        new(new[] { matrix }, matrix.Length / width, width, Math.Max(1, matrix.Length / width));

    /// <summary>
    /// Room for <paramref name="count"/> rows, not zeroed (every row is about to be written), in blocks of
    /// <paramref name="rowsPerBlock"/> rows (default: as many as one array holds).
    /// </summary>
    public static VectorRows Allocate(int count, int width, int rowsPerBlock = 0)
    {
        if (rowsPerBlock <= 0)
            rowsPerBlock = DefaultRowsPerBlock(width);
        int blockCount = count == 0 ? 1 : (int)(((long)count + rowsPerBlock - 1) / rowsPerBlock);
        var blocks = new float[blockCount][];
        for (int b = 0; b < blockCount; b++)
        {
            int rows = (int)Math.Min(rowsPerBlock, (long)count - (long)b * rowsPerBlock);
            blocks[b] = GC.AllocateUninitializedArray<float>(rows * width);
        }
        return new VectorRows(blocks, count, width, rowsPerBlock);
    }

    /// <summary>The most rows of <paramref name="width"/> values one array holds.</summary>
    public static int DefaultRowsPerBlock(int width) => Math.Max(1, Array.MaxLength / width);

    /// <summary>Row <paramref name="row"/> (not range-checked beyond the arrays' own checks).</summary>
    public Span<float> Row(int row)
    {
        if (_blocks.Length == 1)
            return _blocks[0].AsSpan(row * Width, Width);
        var (block, offset) = Math.DivRem(row, RowsPerBlock);
        return _blocks[block].AsSpan(offset * Width, Width);
    }

    /// <summary>
    /// The rows from <paramref name="first"/> on that lie in the same block, at most <paramref name="count"/> of
    /// them, as one span: bulk readers and writers go block by block with it.
    /// </summary>
    public Span<float> Run(int first, int count)
    {
        var (block, offset) = Math.DivRem(first, RowsPerBlock);
        int rows = Math.Min(count, _blocks[block].Length / Width - offset);
        return _blocks[block].AsSpan(offset * Width, rows * Width);
    }

    /// <summary>A deep copy with the same blocks.</summary>
    public VectorRows Clone() => new(_blocks.Select(b => (float[])b.Clone()).ToArray(), Count, Width, RowsPerBlock);

    /// <summary>The first row holding a NaN or infinity, and the position in it; (-1, -1) if every value is finite.</summary>
    public (int Row, int Position) FirstNonFinite()
    {
        int rowBase = 0;
        foreach (var block in _blocks)
        {
            int bad = ModelStateIO.IndexOfNonFinite(block);
            if (bad >= 0)
                return (rowBase + bad / Width, bad % Width);
            rowBase += block.Length / Width;
        }
        return (-1, -1);
    }
}
