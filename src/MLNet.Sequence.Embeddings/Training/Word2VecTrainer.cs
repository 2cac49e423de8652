using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.ML;
using MLNet.Sequence.Embeddings;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings.Training;

/// <summary>
/// The Word2Vec training loop (Mikolov et al. 2013, as word2vec.c and gensim run it): skip-gram or CBOW,
/// negative sampling and/or hierarchical softmax, frequent-word sub-sampling, a uniformly shrunk window,
/// a learning rate decayed linearly to 1e-4 of its start, and Hogwild SGD on several threads.
/// The calling thread streams the corpus through a cursor and hands word-id chunks to the workers;
/// each worker owns its random generator and scratch vectors, and no lock guards the inner loop.
/// </summary>
internal sealed class Word2VecTrainer
{
    private const int ChunkWords = 10_000;
    private const float MaxExp = 6f;
    private const int SigmoidTableSize = 4096;
    private static readonly float[] s_sigmoid = BuildSigmoidTable();
    private static readonly float[] s_negativeLogSigmoid = BuildNegativeLogSigmoidTable();

    private readonly Word2VecEstimator.Options _options;
    private readonly Vocabulary _vocabulary;
    private readonly int _dim;
    private readonly int _threads;
    private readonly ulong _seed;
    private readonly float[] _syn0;
    private readonly float[]? _syn1Negative;
    private readonly float[]? _syn1Tree;
    private readonly HuffmanTree? _tree;
    private readonly NegativeSampler? _sampler;
    private readonly float[] _keepProbability;
    private readonly long _totalWords;
    private long _processed;
    private long _pendingChunks;
    private readonly object _lossLock = new();
    private double _epochLoss;
    private long _epochPredictions;

    /// <summary>Prepares training.</summary>
    /// <param name="vocabulary">Words sorted by descending count.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="threads">Training threads.</param>
    /// <param name="seed">Seed of initialisation and sampling.</param>
    /// <param name="wordsPerEpoch">In-vocabulary tokens of the corpus (drives the learning-rate schedule and progress).</param>
    /// <param name="initial">Weights to start from (continued training), already laid out for <paramref name="vocabulary"/>.</param>
    public Word2VecTrainer(Vocabulary vocabulary, Word2VecEstimator.Options options, int threads, ulong seed, long wordsPerEpoch,
        Word2VecWeights? initial = null)
    {
        _options = options;
        _vocabulary = vocabulary;
        _dim = options.Dimension;
        _threads = threads;
        _seed = seed;
        int v = vocabulary.Count;

        // Input vectors start uniform in [-0.5/d, 0.5/d], output vectors at zero, as in word2vec.c.
        _syn0 = new float[(long)v * _dim];
        var rng = new FastRandom(seed);
        for (int i = 0; i < _syn0.Length; i++)
            _syn0[i] = (rng.NextFloat() - 0.5f) / _dim;
        if (initial?.Input != null)
        {
            // Rows the earlier model had replace the random ones; NaN marks a new word.
            for (int i = 0; i < _syn0.Length; i++)
            {
                if (!float.IsNaN(initial.Input[i]))
                    _syn0[i] = initial.Input[i];
            }
        }
        if (options.NegativeSamples > 0)
        {
            _syn1Negative = initial?.NegativeOutput ?? new float[_syn0.Length];
            _sampler = new NegativeSampler(vocabulary.Counts, options.NegativeSamplingExponent);
        }
        if (options.HierarchicalSoftmax)
        {
            _tree = new HuffmanTree(vocabulary.Counts);
            _syn1Tree = initial?.TreeOutput ?? new float[(long)Math.Max(1, _tree.InnerNodeCount) * _dim];
        }

        _keepProbability = SubSamplingKeepProbabilities(vocabulary.Counts, vocabulary.TotalCount, options.SubSampling);
        _totalWords = wordsPerEpoch * options.Epochs;
    }

    /// <summary>The input vectors: the embedding table being trained.</summary>
    public float[] InputVectors => _syn0;

    /// <summary>All trained weights, for keeping the training state.</summary>
    public Word2VecWeights Weights => new(_syn0, _syn1Negative, _syn1Tree);

    /// <summary>Runs all epochs over <paramref name="corpus"/>.</summary>
    public Word2VecTrainingSummary Train(IHost host, TokenColumn corpus)
    {
        using var ch = host.Start("Training Word2Vec");
        using var pch = host.StartProgressChannel("Word2Vec training");
        var clock = Stopwatch.StartNew();
        double wordsPerSecond = 0;
        double lastLoss = double.NaN;
        var epochLosses = new List<double>();
        pch.SetHeader(new ProgressHeader(new[] { "alpha", "words/sec", "loss" }, new[] { "words" }), e =>
        {
            e.SetProgress(0, Interlocked.Read(ref _processed), _totalWords);
            e.SetMetric(0, CurrentAlpha());
            e.SetMetric(1, wordsPerSecond);
            e.SetMetric(2, lastLoss);
        });

        using var queue = new BlockingCollection<Chunk>(boundedCapacity: 2 * _threads);
        var pool = new ConcurrentBag<Chunk>();
        using var failed = new CancellationTokenSource();
        Exception? workerError = null;
        var workers = new Thread[_threads];
        for (int t = 0; t < _threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                try
                {
                    RunWorker(index, queue, pool, failed.Token);
                }
                catch (OperationCanceledException) when (failed.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref workerError, e, null);
                    failed.Cancel();
                }
            })
            { IsBackground = true, Name = $"word2vec-{index}" };
            workers[t].Start();
        }

        long lastReport = 0;
        void Report(bool force)
        {
            long now = clock.ElapsedMilliseconds;
            if (!force && now - lastReport < 1000)
                return;
            lastReport = now;
            long done = Interlocked.Read(ref _processed);
            wordsPerSecond = done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            ch.Trace(FormattableString.Invariant(
                $"Alpha: {CurrentAlpha():F6}  Progress: {100.0 * done / Math.Max(1, _totalWords):F2}%  Words/thread/sec: {wordsPerSecond / _threads / 1000:F2}k"));
        }

        try
        {
            var producer = new ChunkProducer(this, queue, pool, failed.Token, Report);
            for (int epoch = 0; epoch < _options.Epochs; epoch++)
            {
                corpus.Read(ref producer);
                producer.Flush();
                // Let the workers finish this epoch's chunks so that its loss is complete: a bubble of
                // about one chunk per thread, once per epoch.
                while (Interlocked.Read(ref _pendingChunks) > 0 && !failed.IsCancellationRequested)
                {
                    Thread.Sleep(1);
                    Report(force: false);
                }
                failed.Token.ThrowIfCancellationRequested();
                double loss;
                long predictions;
                lock (_lossLock)
                {
                    predictions = _epochPredictions;
                    loss = predictions == 0 ? double.NaN : _epochLoss / predictions;
                    _epochLoss = 0;
                    _epochPredictions = 0;
                }
                // An epoch without predictions has no loss (NaN); with predictions, NaN or infinity is divergence.
                if (predictions > 0 && !double.IsFinite(loss))
                    throw ch.Except(Diverged(epoch + 1, $"the loss is {loss}"));
                lastLoss = loss;
                epochLosses.Add(loss);
                ch.Info(FormattableString.Invariant(
                    $"Epoch {epoch + 1}/{_options.Epochs}: loss {loss:F4} per prediction over {predictions:N0} predictions; {Interlocked.Read(ref _processed):N0} words trained so far, alpha {CurrentAlpha():F6}."));
            }
            queue.CompleteAdding();
        }
        catch (OperationCanceledException) when (workerError != null)
        {
        }
        catch
        {
            failed.Cancel();
            throw;
        }
        finally
        {
            queue.CompleteAdding();
            foreach (var worker in workers)
            {
                while (!worker.Join(1000))
                    Report(force: false);
            }
        }
        if (workerError != null)
            throw ch.Except(workerError, "A Word2Vec training thread failed: {0}", workerError.Message);

        Report(force: true);
        double seconds = clock.Elapsed.TotalSeconds;
        var summary = new Word2VecTrainingSummary(_processed, _options.Epochs, seconds, _threads, _vocabulary.Count) { EpochLosses = epochLosses };
        ch.Info(FormattableString.Invariant(
            $"Trained {summary.Words:N0} words in {seconds:F2} s: {summary.WordsPerSecond:N0} words/s on {_threads} thread(s)."));
        return summary;
    }

    /// <summary>The message of a run whose loss or weights stopped being finite numbers.</summary>
    internal string Diverged(int epoch, string what) =>
        FormattableString.Invariant($"Word2Vec training diverged in epoch {epoch}: {what}. Lower LearningRate (now {_options.LearningRate}).");

    private float CurrentAlpha()
    {
        float start = _options.LearningRate;
        double progress = (double)Interlocked.Read(ref _processed) / (_totalWords + 1);
        return (float)Math.Max(start * (1 - progress), start * 1e-4);
    }

    private void RunWorker(int index, BlockingCollection<Chunk> queue, ConcurrentBag<Chunk> pool, CancellationToken cancel)
    {
        var rng = new FastRandom(_seed ^ (0x5851F42D4C957F2DUL * (ulong)(index + 1)));
        var work = new float[_dim];
        var hidden = new float[_dim];
        var sentence = new int[_options.MaximumSentenceLength];
        foreach (var chunk in queue.GetConsumingEnumerable(cancel))
        {
            float alpha = CurrentAlpha();
            double loss = 0;
            long predictions = 0;
            var ids = chunk.Ids;
            int i = 0;
            while (i < chunk.Length)
            {
                int length = 0;
                for (; i < chunk.Length && ids[i] >= 0; i++)
                {
                    int w = ids[i];
                    float keep = _keepProbability[w];
                    if (keep < 1f && rng.NextFloat() >= keep)
                        continue;
                    sentence[length++] = w;
                }
                i++; // the sentence separator
                if (_options.Model == Word2VecModel.SkipGram)
                    TrainSkipGram(sentence.AsSpan(0, length), alpha, ref rng, work, ref loss, ref predictions);
                else
                    TrainCbow(sentence.AsSpan(0, length), alpha, ref rng, work, hidden, ref loss, ref predictions);
            }
            lock (_lossLock)
            {
                _epochLoss += loss;
                _epochPredictions += predictions;
            }
            Interlocked.Add(ref _processed, chunk.WordCount);
            Interlocked.Decrement(ref _pendingChunks);
            chunk.Length = 0;
            chunk.WordCount = 0;
            pool.Add(chunk);
        }
    }

    private void TrainSkipGram(ReadOnlySpan<int> sentence, float alpha, ref FastRandom rng, float[] work, ref double loss, ref long predictions)
    {
        int window = _options.WindowSize;
        for (int pos = 0; pos < sentence.Length; pos++)
        {
            int word = sentence[pos];
            int reduced = window - rng.NextInt(window);
            int start = Math.Max(0, pos - reduced), end = Math.Min(sentence.Length, pos + reduced + 1);
            for (int c = start; c < end; c++)
            {
                if (c == pos)
                    continue;
                // The context word's input vector predicts the centre word, as in word2vec.c.
                var input = _syn0.AsSpan(sentence[c] * _dim, _dim);
                Array.Clear(work);
                loss += UpdateOutputs(input, word, alpha, ref rng, work);
                predictions++;
                TensorPrimitives.Add(input, work, input);
            }
        }
    }

    private void TrainCbow(ReadOnlySpan<int> sentence, float alpha, ref FastRandom rng, float[] work, float[] hidden, ref double loss, ref long predictions)
    {
        int window = _options.WindowSize;
        for (int pos = 0; pos < sentence.Length; pos++)
        {
            int reduced = window - rng.NextInt(window);
            int start = Math.Max(0, pos - reduced), end = Math.Min(sentence.Length, pos + reduced + 1);
            Array.Clear(hidden);
            int contexts = 0;
            for (int c = start; c < end; c++)
            {
                if (c == pos)
                    continue;
                TensorPrimitives.Add(hidden, _syn0.AsSpan(sentence[c] * _dim, _dim), hidden);
                contexts++;
            }
            if (contexts == 0)
                continue;
            TensorPrimitives.Multiply(hidden, 1f / contexts, hidden);
            Array.Clear(work);
            loss += UpdateOutputs(hidden, sentence[pos], alpha, ref rng, work);
            predictions++;
            // Every context word gets the whole error, as word2vec.c and gensim (cbow_mean) do.
            for (int c = start; c < end; c++)
            {
                if (c == pos)
                    continue;
                var input = _syn0.AsSpan(sentence[c] * _dim, _dim);
                TensorPrimitives.Add(input, work, input);
            }
        }
    }

    /// <summary>
    /// Updates the output vectors for predicting <paramref name="word"/> from <paramref name="input"/>;
    /// accumulates the input's gradient in <paramref name="work"/>. Returns the loss of the prediction
    /// before the update: -log σ of every binary decision (the Huffman path, and/or the true word against the negatives).
    /// </summary>
    private float UpdateOutputs(ReadOnlySpan<float> input, int word, float alpha, ref FastRandom rng, Span<float> work)
    {
        float loss = 0;
        if (_tree != null)
        {
            var code = _tree.GetCode(word);
            var points = _tree.GetPoints(word);
            for (int d = 0; d < code.Length; d++)
                loss += HierarchicalSoftmaxStep(input, _syn1Tree.AsSpan(points[d] * _dim, _dim), code[d], alpha, work);
        }
        if (_sampler != null)
        {
            loss += NegativeSamplingStep(input, _syn1Negative.AsSpan(word * _dim, _dim), 1f, alpha, work);
            for (int d = 0; d < _options.NegativeSamples; d++)
            {
                int target = _sampler.Sample(rng.Next());
                if (target == word)
                    continue;
                loss += NegativeSamplingStep(input, _syn1Negative.AsSpan(target * _dim, _dim), 0f, alpha, work);
            }
        }
        return loss;
    }

    /// <summary>
    /// One logistic-regression step of negative sampling: with f = input·output and g = (label - σ(f))·α,
    /// adds g·output to <paramref name="inputGradient"/> and g·input to <paramref name="output"/>.
    /// Returns the loss before the step: -log σ(f) for the true word, -log σ(-f) for a negative.
    /// </summary>
    internal static float NegativeSamplingStep(ReadOnlySpan<float> input, Span<float> output, float label, float alpha, Span<float> inputGradient)
    {
        float f = TensorPrimitives.Dot(input, output);
        float g = (label - Sigmoid(f)) * alpha;
        TensorPrimitives.MultiplyAdd(output, g, inputGradient, inputGradient);
        TensorPrimitives.MultiplyAdd(input, g, output, output);
        return NegativeLogSigmoid(label > 0 ? f : -f);
    }

    /// <summary>
    /// One step along a Huffman path: g = (1 - code - σ(f))·α. Like word2vec.c it skips nodes where |f|
    /// is beyond the sigmoid table, whose gradient is negligible.
    /// </summary>
    /// <returns>The loss of the decision: -log σ(f) for code 0, -log σ(-f) for code 1.</returns>
    internal static float HierarchicalSoftmaxStep(ReadOnlySpan<float> input, Span<float> node, byte code, float alpha, Span<float> inputGradient)
    {
        float f = TensorPrimitives.Dot(input, node);
        float loss = NegativeLogSigmoid(code == 0 ? f : -f);
        if (f <= -MaxExp || f >= MaxExp)
            return loss;
        float g = (1 - code - Sigmoid(f)) * alpha;
        TensorPrimitives.MultiplyAdd(node, g, inputGradient, inputGradient);
        TensorPrimitives.MultiplyAdd(input, g, node, node);
        return loss;
    }

    /// <summary>σ(f) from a table of <see cref="SigmoidTableSize"/> bins over [-6, 6], saturated outside.</summary>
    internal static float Sigmoid(float f)
    {
        if (f >= MaxExp)
            return 1f;
        if (f <= -MaxExp)
            return 0f;
        return s_sigmoid[TableBin(f)];
    }

    /// <summary>-log σ(x) = log(1 + e^-x), from a table inside [-6, 6] and exactly outside it.</summary>
    internal static float NegativeLogSigmoid(float x)
    {
        if (x >= MaxExp || x <= -MaxExp)
            return MathF.Max(-x, 0) + MathF.Log(1 + MathF.Exp(-MathF.Abs(x)));
        return s_negativeLogSigmoid[TableBin(x)];
    }

    /// <summary>The table bin of x in (-6, 6). Float rounding maps the largest floats below 6 (5.9999995)
    /// to one past the last bin, so the index is capped.</summary>
    private static int TableBin(float x)
        => Math.Min((int)((x + MaxExp) * (SigmoidTableSize / (2 * MaxExp))), SigmoidTableSize - 1);

    private static float[] BuildNegativeLogSigmoidTable()
    {
        var table = new float[SigmoidTableSize];
        for (int i = 0; i < table.Length; i++)
        {
            double x = (i + 0.5) / SigmoidTableSize * 2 * MaxExp - MaxExp;
            table[i] = (float)Math.Log(1 + Math.Exp(-x));
        }
        return table;
    }

    private static float[] BuildSigmoidTable()
    {
        var table = new float[SigmoidTableSize];
        for (int i = 0; i < table.Length; i++)
        {
            // Each bin holds σ at its centre.
            double x = (i + 0.5) / SigmoidTableSize * 2 * MaxExp - MaxExp;
            table[i] = (float)(1 / (1 + Math.Exp(-x)));
        }
        return table;
    }

    /// <summary>
    /// The probability of keeping each occurrence of a word under sub-sampling with threshold t
    /// (word2vec.c's formula): (sqrt(c / (t·N)) + 1) · t·N / c, capped at 1; all 1 when t is 0.
    /// </summary>
    internal static float[] SubSamplingKeepProbabilities(IReadOnlyList<long> counts, long totalWords, double sample)
    {
        var keep = new float[counts.Count];
        double threshold = sample * totalWords;
        for (int i = 0; i < keep.Length; i++)
        {
            double c = counts[i];
            keep[i] = sample <= 0 || c <= 0 ? 1f : (float)Math.Min(1.0, (Math.Sqrt(c / threshold) + 1) * threshold / c);
        }
        return keep;
    }

    /// <summary>A block of word ids; -1 ends a sentence.</summary>
    private sealed class Chunk
    {
        public Chunk(int capacity) => Ids = new int[capacity];

        public int[] Ids { get; }

        public int Length { get; set; }

        /// <summary>In-vocabulary words in the chunk (separators excluded), before sub-sampling.</summary>
        public int WordCount { get; set; }
    }

    /// <summary>Maps tokens to ids, cuts sentences at the length limit and queues full chunks.</summary>
    private struct ChunkProducer : ITokenVisitor
    {
        private readonly Word2VecTrainer _trainer;
        private readonly BlockingCollection<Chunk> _queue;
        private readonly ConcurrentBag<Chunk> _pool;
        private readonly CancellationToken _cancel;
        private readonly Action<bool> _report;
        private readonly int _maxSentence;
        private Chunk _chunk;
        private int _sentenceLength;

        public ChunkProducer(Word2VecTrainer trainer, BlockingCollection<Chunk> queue, ConcurrentBag<Chunk> pool, CancellationToken cancel, Action<bool> report)
        {
            _trainer = trainer;
            _queue = queue;
            _pool = pool;
            _cancel = cancel;
            _report = report;
            _maxSentence = trainer._options.MaximumSentenceLength;
            _chunk = NewChunk();
            _sentenceLength = 0;
        }

        public void OnToken(ReadOnlySpan<char> token)
        {
            if (!_trainer._vocabulary.TryGetId(token, out int id))
                return;
            if (_sentenceLength == _maxSentence)
                EndSentence();
            _chunk.Ids[_chunk.Length++] = id;
            _chunk.WordCount++;
            _sentenceLength++;
        }

        public void OnRowEnd() => EndSentence();

        /// <summary>Queues what is left at the end of an epoch.</summary>
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
            if (_chunk.Length >= ChunkWords)
                Send();
        }

        private void Send()
        {
            Interlocked.Increment(ref _trainer._pendingChunks);
            _queue.Add(_chunk, _cancel);
            _chunk = NewChunk();
            _report(false);
        }

        private Chunk NewChunk() =>
            _pool.TryTake(out var chunk) ? chunk : new Chunk(ChunkWords + _maxSentence + 2);
    }
}

/// <summary>Word2Vec weights: input vectors (the embeddings), and the output weights of negative sampling and hierarchical softmax.</summary>
/// <param name="Input">Vocabulary x dimension input vectors.</param>
/// <param name="NegativeOutput">Vocabulary x dimension output vectors of negative sampling, or null.</param>
/// <param name="TreeOutput">(Vocabulary - 1) x dimension inner-node vectors of hierarchical softmax, or null.</param>
internal sealed record Word2VecWeights(float[]? Input, float[]? NegativeOutput, float[]? TreeOutput);
