using System.Collections.Concurrent;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings.Training;

/// <summary>A block of word ids; -1 ends a sentence.</summary>
internal sealed class Chunk
{
    public Chunk(int capacity) => Ids = new int[capacity];

    public int[] Ids { get; }

    public int Length { get; set; }

    /// <summary>In-vocabulary words in the chunk (separators excluded), before sub-sampling.</summary>
    public int WordCount { get; set; }
}

/// <summary>
/// The chunks the corpus reader hands to the training threads, bounded so that the corpus streams through,
/// with their buffers recycled and a count of those still being trained on.
/// </summary>
internal sealed class ChunkQueue : IDisposable
{
    /// <summary>Words per chunk: large enough that a thread takes a chunk rarely, small enough to share the work.</summary>
    public const int ChunkWords = 10_000;

    private readonly BlockingCollection<Chunk> _queue;
    private readonly ConcurrentBag<Chunk> _pool = new();
    private readonly int _chunkCapacity;
    private long _pending;

    public ChunkQueue(int threads, int maximumSentenceLength)
    {
        _queue = new BlockingCollection<Chunk>(boundedCapacity: 2 * threads);
        _chunkCapacity = ChunkWords + maximumSentenceLength + 2;
    }

    /// <summary>Chunks sent and not yet returned by a training thread.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    public Chunk Rent() => _pool.TryTake(out var chunk) ? chunk : new Chunk(_chunkCapacity);

    public void Send(Chunk chunk, CancellationToken cancel)
    {
        Interlocked.Increment(ref _pending);
        _queue.Add(chunk, cancel);
    }

    public IEnumerable<Chunk> Consume(CancellationToken cancel) => _queue.GetConsumingEnumerable(cancel);

    /// <summary>A chunk a training thread has finished with.</summary>
    public void Return(Chunk chunk)
    {
        chunk.Length = 0;
        chunk.WordCount = 0;
        _pool.Add(chunk);
        Interlocked.Decrement(ref _pending);
    }

    public void Complete() => _queue.CompleteAdding();

    public void Dispose() => _queue.Dispose();
}

/// <summary>Maps a row's tokens to ids, cuts sentences at the length limit and sends full chunks.</summary>
internal struct ChunkProducer : ITokenVisitor
{
    private readonly Vocabulary _vocabulary;
    private readonly ChunkQueue _queue;
    private readonly CancellationToken _cancel;
    private readonly Action<bool> _report;
    private readonly int _maxSentence;
    private Chunk _chunk;
    private int _sentenceLength;

    public ChunkProducer(Vocabulary vocabulary, ChunkQueue queue, int maximumSentenceLength, CancellationToken cancel, Action<bool> report)
    {
        _vocabulary = vocabulary;
        _queue = queue;
        _cancel = cancel;
        _report = report;
        _maxSentence = maximumSentenceLength;
        _chunk = queue.Rent();
        _sentenceLength = 0;
    }

    public void OnToken(ReadOnlySpan<char> token)
    {
        if (!_vocabulary.TryGetId(token, out int id))
            return;
        if (_sentenceLength == _maxSentence)
            EndSentence();
        _chunk.Ids[_chunk.Length++] = id;
        _chunk.WordCount++;
        _sentenceLength++;
    }

    public void OnRowEnd() => EndSentence();

    /// <summary>Sends what is left at the end of an epoch.</summary>
    public void Flush()
    {
        EndSentence();
        if (_chunk.Length > 0)
            Send();
    }

    private void EndSentence()
    {
        if (_sentenceLength == 0)
            return;
        _chunk.Ids[_chunk.Length++] = -1;
        _sentenceLength = 0;
        if (_chunk.Length >= ChunkQueue.ChunkWords)
            Send();
    }

    private void Send()
    {
        _queue.Send(_chunk, _cancel);
        _chunk = _queue.Rent();
        _report(false);
    }
}
