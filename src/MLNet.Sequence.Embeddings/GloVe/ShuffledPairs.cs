using MLNet.Sequence.Embeddings.Training;

namespace MLNet.Sequence.Embeddings.GloVe;

/// <summary>
/// The training pairs in random order, as GloVe's <c>shuffle</c> makes them: in memory when they fit
/// the memory bound, otherwise shuffled in memory-sized chunks written to temporary files, which are
/// then interleaved at random into one file (GloVe's shuffle-merge). Training reads them back in the
/// same order every iteration.
/// </summary>
internal sealed class ShuffledPairs : IDisposable
{
    private readonly GloVePair[]? _inMemory;
    private readonly string? _path;

    private ShuffledPairs(GloVePair[]? inMemory, string? path, long count)
    {
        _inMemory = inMemory;
        _path = path;
        Count = count;
    }

    /// <summary>Number of pairs.</summary>
    public long Count { get; }

    /// <summary>Whether the pairs live in a temporary file rather than in memory.</summary>
    public bool OnDisk => _path != null;

    /// <summary>Shuffles <paramref name="pairs"/> with at most <paramref name="chunkRecords"/> of them in memory at once.</summary>
    public static ShuffledPairs Create(IEnumerable<GloVePair> pairs, long chunkRecords, string tempDirectory, ref FastRandom rng)
    {
        int chunkSize = (int)Math.Clamp(chunkRecords, 1, Array.MaxLength);
        var chunk = new List<GloVePair>(Math.Min(chunkSize, 1 << 20));
        var files = new List<(string Path, long Count)>();
        try
        {
            foreach (var p in pairs)
            {
                chunk.Add(p);
                if (chunk.Count == chunkSize)
                {
                    files.Add(WriteShuffledChunk(chunk, tempDirectory, files.Count, ref rng));
                    chunk.Clear();
                }
            }
            if (files.Count == 0)
            {
                var all = chunk.ToArray();
                Shuffle(all.AsSpan(), ref rng);
                return new ShuffledPairs(all, null, all.Length);
            }
            if (chunk.Count > 0)
                files.Add(WriteShuffledChunk(chunk, tempDirectory, files.Count, ref rng));
            chunk = new List<GloVePair>();

            // Interleave: take from each chunk file in proportion to what it has left, shuffle, write.
            string path = Path.Combine(tempDirectory, "pairs.shuffled.bin");
            long total = files.Sum(f => f.Count);
            var readers = files.Select(f => new FileStream(f.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)).ToArray();
            try
            {
                using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                var buffer = new GloVePair[chunkSize];
                int slice = Math.Max(1, chunkSize / files.Count);
                while (true)
                {
                    int filled = 0;
                    for (int f = 0; f < readers.Length; f++)
                        filled += RecordFile.Read<GloVePair>(readers[f], buffer.AsSpan(filled, Math.Min(slice, buffer.Length - filled)), files[f].Path);
                    if (filled == 0)
                        break;
                    Shuffle(buffer.AsSpan(0, filled), ref rng);
                    RecordFile.Write<GloVePair>(output, buffer.AsSpan(0, filled));
                }
            }
            finally
            {
                foreach (var r in readers)
                    r.Dispose();
            }
            return new ShuffledPairs(null, path, total);
        }
        finally
        {
            foreach (var (p, _) in files)
                File.Delete(p);
        }
    }

    private static (string, long) WriteShuffledChunk(List<GloVePair> chunk, string tempDirectory, int index, ref FastRandom rng)
    {
        var array = chunk.ToArray();
        Shuffle(array.AsSpan(), ref rng);
        Directory.CreateDirectory(tempDirectory);
        string path = Path.Combine(tempDirectory, $"pairs.{index:D4}.bin");
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        RecordFile.Write<GloVePair>(stream, array);
        return (path, array.Length);
    }

    private static void Shuffle(Span<GloVePair> items, ref FastRandom rng)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)((rng.Next() >> 1) % (ulong)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Calls <paramref name="process"/> on consecutive blocks of pairs [start, start + count).</summary>
    public void ForEachBlock(long start, long count, GloVePair[] buffer, Action<ReadOnlySpan<GloVePair>> process)
    {
        if (_inMemory != null)
        {
            process(_inMemory.AsSpan((int)start, (int)count));
            return;
        }
        using var stream = new FileStream(_path!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        stream.Seek(start * 16, SeekOrigin.Begin);
        long left = count;
        while (left > 0)
        {
            int n = RecordFile.Read<GloVePair>(stream, buffer.AsSpan(0, (int)Math.Min(buffer.Length, left)), _path!);
            if (n == 0)
                throw new InvalidDataException($"Temporary file '{_path}' is shorter than expected; it was changed during training.");
            process(buffer.AsSpan(0, n));
            left -= n;
        }
    }

    public void Dispose()
    {
        if (_path != null && File.Exists(_path))
            File.Delete(_path);
    }
}
