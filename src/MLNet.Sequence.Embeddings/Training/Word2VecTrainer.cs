using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings.Training;

/// <summary>
/// The Word2Vec training loop (Mikolov et al. 2013, as word2vec.c and gensim run it): epochs over the corpus,
/// frequent-word sub-sampling, a learning rate decayed linearly to 1e-4 of its start, and Hogwild SGD on several
/// threads. The architecture (<see cref="SkipGram"/>, <see cref="Cbow"/>) and the output layers
/// (<see cref="NegativeSampling"/>, <see cref="HierarchicalSoftmax"/>) each have their own file. The calling
/// thread streams the corpus through a cursor and hands word-id chunks to the workers
/// (<see cref="ChunkQueue"/>); each worker owns its random generator and scratch vectors, and no lock guards
/// the inner loop.
/// </summary>
internal sealed class Word2VecTrainer
{
    private readonly Word2VecEstimator.Options _options;
    private readonly Vocabulary _vocabulary;
    private readonly int _dim;
    private readonly int _threads;
    private readonly ulong _seed;
    private readonly float[] _vectors;
    private readonly OutputLayers _outputs;
    private readonly float[] _keepProbability;
    private readonly long _totalWords;
    private long _processed;
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

        // Input vectors start uniform in [-0.5/d, 0.5/d], output vectors at zero, as in word2vec.c.
        _vectors = new float[(long)vocabulary.Count * _dim];
        var rng = new FastRandom(seed);
        for (int i = 0; i < _vectors.Length; i++)
            _vectors[i] = (rng.NextFloat() - 0.5f) / _dim;
        if (initial?.Input != null)
        {
            // Rows the earlier model had replace the random ones; NaN marks a new word.
            for (int i = 0; i < _vectors.Length; i++)
            {
                if (!float.IsNaN(initial.Input[i]))
                    _vectors[i] = initial.Input[i];
            }
        }
        NegativeSampling? negative = null;
        if (options.NegativeSamples > 0)
        {
            negative = new NegativeSampling(initial?.NegativeOutput ?? new float[_vectors.Length],
                new NegativeSampler(vocabulary.Counts, options.NegativeSamplingExponent), options.NegativeSamples, _dim);
        }
        HierarchicalSoftmax? tree = null;
        if (options.HierarchicalSoftmax)
        {
            var huffman = new HuffmanTree(vocabulary.Counts);
            tree = new HierarchicalSoftmax(initial?.TreeOutput ?? new float[(long)Math.Max(1, huffman.InnerNodeCount) * _dim], huffman, _dim);
        }
        _outputs = new OutputLayers(negative, tree);
        _keepProbability = SubSampling.KeepProbabilities(vocabulary.Counts, vocabulary.TotalCount, options.SubSampling);
        _totalWords = wordsPerEpoch * options.Epochs;
    }

    /// <summary>The input vectors: the embedding table being trained.</summary>
    public float[] InputVectors => _vectors;

    /// <summary>All trained weights, for keeping the training state.</summary>
    public Word2VecWeights Weights => new(_vectors, _outputs.Negative?.Outputs, _outputs.Tree?.Nodes);

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

        using var queue = new ChunkQueue(_threads, _options.MaximumSentenceLength);
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
                    RunWorker(index, queue, failed.Token);
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
            var producer = new ChunkProducer(_vocabulary, queue, _options.MaximumSentenceLength, failed.Token, Report);
            for (int epoch = 0; epoch < _options.Epochs; epoch++)
            {
                corpus.Read(ref producer);
                producer.Flush();
                // Let the workers finish this epoch's chunks so that its loss is complete: a bubble of
                // about one chunk per thread, once per epoch.
                while (queue.Pending > 0 && !failed.IsCancellationRequested)
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
            queue.Complete();
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
            queue.Complete();
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

    private void RunWorker(int index, ChunkQueue queue, CancellationToken cancel)
    {
        var rng = new FastRandom(_seed ^ (0x5851F42D4C957F2DUL * (ulong)(index + 1)));
        var work = new float[_dim];
        var hidden = new float[_dim];
        var sentence = new int[_options.MaximumSentenceLength];
        bool skipGram = _options.Model == Word2VecModel.SkipGram;
        int window = _options.WindowSize;
        foreach (var chunk in queue.Consume(cancel))
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
                if (skipGram)
                    SkipGram.TrainSentence(sentence.AsSpan(0, length), _vectors, _dim, window, _outputs, alpha, ref rng, work, ref loss, ref predictions);
                else
                    Cbow.TrainSentence(sentence.AsSpan(0, length), _vectors, _dim, window, _outputs, alpha, ref rng, work, hidden, ref loss, ref predictions);
            }
            lock (_lossLock)
            {
                _epochLoss += loss;
                _epochPredictions += predictions;
            }
            Interlocked.Add(ref _processed, chunk.WordCount);
            queue.Return(chunk);
        }
    }
}
