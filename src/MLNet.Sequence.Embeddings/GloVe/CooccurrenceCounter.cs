namespace MLNet.Sequence.Embeddings.GloVe;

/// <summary>
/// Accumulates the co-occurrence matrix X in bounded memory, as GloVe's <c>cooccur</c> does: pairs of
/// frequent words (rank(i) x rank(j) below a bound) go to a dense table, the rest to a buffer that is
/// sorted, combined and spilled to a temporary file when full. <see cref="Merge"/> streams the sum of
/// everything, sorted by (word, context). The memory bound sets both sizes; spill files are merged
/// whenever there are too many, so there are never more than <see cref="MaxSpillFiles"/>, and all are
/// deleted on <see cref="Dispose"/>.
/// </summary>
internal sealed class CooccurrenceCounter : IDisposable
{
    public const int MaxSpillFiles = 32;
    private const int RecordBytes = 16;

    private readonly int _vocabularySize;
    private readonly long _maxProduct;
    private readonly long[] _rowStart;   // dense row of word w: _dense[_rowStart[w] .. _rowStart[w + 1])
    private readonly double[] _dense;
    private readonly int _overflowCapacity;
    private Cooccurrence[] _overflow;
    private int _overflowCount;
    private readonly string _tempDirectory;
    private readonly List<string> _spills = new();
    private int _spillSerial;

    /// <param name="vocabularySize">Words, ids 0..V-1 by descending frequency.</param>
    /// <param name="memoryBytes">Bound on the memory of the dense table and the overflow buffer together.</param>
    /// <param name="tempDirectory">Folder for spill files; created here, deleted on dispose.</param>
    public CooccurrenceCounter(int vocabularySize, long memoryBytes, string tempDirectory)
    {
        _vocabularySize = vocabularySize;
        // GloVe's split: with R = 0.85 x memory / 16 bytes, the dense table holds about R doubles
        // (max_product n solves n (ln n + 0.154) = R) and the overflow buffer R / 6 records.
        double records = 0.85 * memoryBytes / RecordBytes;
        _maxProduct = SolveMaxProduct(records);
        _rowStart = new long[vocabularySize + 1];
        while (true)
        {
            for (int w = 0; w < vocabularySize; w++)
                _rowStart[w + 1] = _rowStart[w] + RowLength(w);
            if (_rowStart[vocabularySize] <= Array.MaxLength)
                break;
            _maxProduct /= 2; // one .NET array holds at most Array.MaxLength values
        }
        _dense = new double[_rowStart[vocabularySize]];
        _overflowCapacity = (int)Math.Clamp(records / 6, 16, Array.MaxLength);
        _overflow = new Cooccurrence[Math.Min(_overflowCapacity, 1 << 16)];
        _tempDirectory = tempDirectory;
    }

    /// <summary>Distinct entries in the dense table, for reporting.</summary>
    public long DenseEntries => _dense.LongLength;

    /// <summary>Spill files written so far (merged ones included).</summary>
    public int SpillsWritten => _spillSerial;

    /// <summary>Spill files on disk now.</summary>
    public int SpillFiles => _spills.Count;

    private int RowLength(int word) => (int)Math.Min(_maxProduct / (word + 1), _vocabularySize);

    /// <summary>The largest n with n (ln n + 0.1544313298) at most <paramref name="records"/>.</summary>
    internal static long SolveMaxProduct(double records)
    {
        if (records < 2)
            return 0;
        double n = records;
        for (int i = 0; i < 100; i++)
            n = records / (Math.Log(n) + 0.1544313298);
        return (long)Math.Max(0, n);
    }

    /// <summary>Adds <paramref name="count"/> to X[word, context].</summary>
    public void Add(int word, int context, double count)
    {
        if (context < _rowStart[word + 1] - _rowStart[word])
        {
            _dense[_rowStart[word] + context] += count;
            return;
        }
        if (_overflowCount == _overflow.Length)
        {
            if (_overflow.Length < _overflowCapacity)
                Array.Resize(ref _overflow, (int)Math.Min((long)_overflow.Length * 2, _overflowCapacity));
            else
                Spill();
        }
        _overflow[_overflowCount++] = new Cooccurrence(word, context, count);
    }

    /// <summary>
    /// Counts the pairs of one sentence of in-vocabulary word ids: each word with the
    /// <paramref name="window"/> words before it, weighted 1/distance (or 1), and the mirrored pair
    /// when <paramref name="symmetric"/>.
    /// </summary>
    public void AddSentence(ReadOnlySpan<int> ids, int window, bool symmetric, bool distanceWeighting)
    {
        for (int j = 0; j < ids.Length; j++)
        {
            int center = ids[j];
            for (int k = j - 1; k >= 0 && k >= j - window; k--)
            {
                double weight = distanceWeighting ? 1.0 / (j - k) : 1.0;
                Add(ids[k], center, weight);
                if (symmetric)
                    Add(center, ids[k], weight);
            }
        }
    }

    /// <summary>Sorts and combines the overflow buffer in place; returns the new length.</summary>
    private static int SortAndCombine(Cooccurrence[] records, int count)
    {
        Array.Sort(records, 0, count, Comparer<Cooccurrence>.Create((a, b) => a.Key.CompareTo(b.Key)));
        int write = -1;
        for (int i = 0; i < count; i++)
        {
            if (write >= 0 && records[write].Key == records[i].Key)
                records[write].Count += records[i].Count;
            else
                records[++write] = records[i];
        }
        return write + 1;
    }

    private void Spill()
    {
        int n = SortAndCombine(_overflow, _overflowCount);
        _overflowCount = 0;
        string path = NewSpillPath();
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            RecordFile.Write<Cooccurrence>(stream, _overflow.AsSpan(0, n));
        _spills.Add(path);
        if (_spills.Count >= MaxSpillFiles)
        {
            // Keep the number of files and of handles open during the final merge small.
            string merged = NewSpillPath();
            using (var stream = new FileStream(merged, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                WriteAll(stream, MergeSorted(_spills.Select(p => RecordFile.ReadAll<Cooccurrence>(p)).ToList()));
            foreach (var p in _spills)
                File.Delete(p);
            _spills.Clear();
            _spills.Add(merged);
        }
    }

    private string NewSpillPath()
    {
        Directory.CreateDirectory(_tempDirectory);
        return Path.Combine(_tempDirectory, $"cooccur.{_spillSerial++:D4}.bin");
    }

    private static void WriteAll(Stream stream, IEnumerable<Cooccurrence> records)
    {
        var block = new Cooccurrence[1 << 14];
        int n = 0;
        foreach (var r in records)
        {
            block[n++] = r;
            if (n == block.Length)
            {
                RecordFile.Write<Cooccurrence>(stream, block);
                n = 0;
            }
        }
        RecordFile.Write<Cooccurrence>(stream, block.AsSpan(0, n));
    }

    /// <summary>Everything counted, summed per (word, context), in sorted order.</summary>
    public IEnumerable<Cooccurrence> Merge()
    {
        int n = SortAndCombine(_overflow, _overflowCount);
        var sources = new List<IEnumerable<Cooccurrence>> { DenseEntriesInOrder(), _overflow.Take(n) };
        sources.AddRange(_spills.Select(p => RecordFile.ReadAll<Cooccurrence>(p)));
        return MergeSorted(sources);
    }

    private IEnumerable<Cooccurrence> DenseEntriesInOrder()
    {
        for (int w = 0; w < _vocabularySize; w++)
        {
            long start = _rowStart[w];
            int length = (int)(_rowStart[w + 1] - start);
            for (int c = 0; c < length; c++)
            {
                double x = _dense[start + c];
                if (x != 0)
                    yield return new Cooccurrence(w, c, x);
            }
        }
    }

    /// <summary>K-way merge of sorted runs, summing equal keys.</summary>
    internal static IEnumerable<Cooccurrence> MergeSorted(IReadOnlyList<IEnumerable<Cooccurrence>> runs)
    {
        var enumerators = runs.Select(r => r.GetEnumerator()).ToArray();
        try
        {
            var heap = new PriorityQueue<int, long>(enumerators.Length);
            for (int i = 0; i < enumerators.Length; i++)
            {
                if (enumerators[i].MoveNext())
                    heap.Enqueue(i, enumerators[i].Current.Key);
            }
            bool any = false;
            Cooccurrence pending = default;
            while (heap.TryDequeue(out int source, out long key))
            {
                var current = enumerators[source].Current;
                if (any && pending.Key == key)
                {
                    pending.Count += current.Count;
                }
                else
                {
                    if (any)
                        yield return pending;
                    pending = current;
                    any = true;
                }
                if (enumerators[source].MoveNext())
                    heap.Enqueue(source, enumerators[source].Current.Key);
            }
            if (any)
                yield return pending;
        }
        finally
        {
            foreach (var e in enumerators)
                e.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var p in _spills)
        {
            try
            {
                File.Delete(p);
            }
            catch (IOException)
            {
            }
        }
        _spills.Clear();
    }
}
