using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Embeddings.GloVe;
using MLNet.Sequence.Embeddings.Training;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings;

/// <summary>
/// Trains GloVe embeddings (Pennington et al. 2014) on a token or text column, the way Stanford's
/// reference tools do — vocabulary, co-occurrence counting in bounded memory, shuffling, AdaGrad — and
/// returns a <see cref="GloVeTransformer"/> that maps the column to pooled word vectors. Create it with
/// <see cref="EmbeddingsCatalog.GloVe(TransformsCatalog.TextTransforms, string, string?, GloVeEstimator.Options?)"/>.
/// </summary>
public sealed class GloVeEstimator : IEstimator<GloVeTransformer>
{
    /// <summary>Training and output settings; defaults follow Stanford's GloVe tools.</summary>
    public sealed class Options
    {
        /// <summary>Length of each word vector (<c>-vector-size</c>).</summary>
        public int Dimension = 100;

        /// <summary>Context words counted on each side (<c>-window-size</c>).</summary>
        public int WindowSize = 15;

        /// <summary>Count contexts on both sides (true) or on the left only (<c>-symmetric</c>).</summary>
        public bool Symmetric = true;

        /// <summary>Weight a pair at distance d by 1/d (<c>-distance-weighting</c>).</summary>
        public bool DistanceWeighting = true;

        /// <summary>Words seen fewer times are left out (<c>-vocab-min-count</c>).</summary>
        public int MinimumCount = 5;

        /// <summary>Keep at most this many most frequent words (0: no bound; <c>-max-vocab</c>).</summary>
        public int MaximumVocabularySize;

        /// <summary>Counts at or above x_max get full weight in the loss (<c>-x-max</c>).</summary>
        public double XMax = 100;

        /// <summary>Exponent of the weighting function f(x) = (x / x_max)^alpha (<c>-alpha</c>).</summary>
        public double Alpha = 0.75;

        /// <summary>AdaGrad's initial learning rate eta (<c>-eta</c>).</summary>
        public float LearningRate = 0.05f;

        /// <summary>Passes over the co-occurrence pairs (<c>-iter</c>).</summary>
        public int Iterations = 25;

        /// <summary>Training threads (default: the number of processors).</summary>
        public int? NumberOfThreads;

        /// <summary>Seed of initialisation and shuffling (default: drawn from the MLContext's seed).</summary>
        public int? Seed;

        /// <summary>Memory bound, in GiB, for co-occurrence counting and shuffling (<c>-memory</c>); what does not fit goes to temporary files.</summary>
        public double MemoryLimitGB = 4.0;

        /// <summary>Output W + W~ (GloVe's <c>-model 2</c>, the default) or the word vectors W alone (<c>-model 1</c>).</summary>
        public bool AddContextVectors = true;

        /// <summary>Folder for temporary files (default: the system's temporary folder); they are deleted when training ends.</summary>
        public string? TempDirectory;

        /// <summary>How a text column (not a token vector) is split into tokens.</summary>
        public TokenSplitting TokenSplitting = TokenSplitting.WhiteSpace;

        /// <summary>How the transformer combines the vectors of a row's tokens.</summary>
        public EmbeddingPooling Pooling = EmbeddingPooling.Mean;

        /// <summary>Keep vectors, biases and AdaGrad sums in the transformer (and its zip) so that <see cref="ContinueFrom"/> can resume training.</summary>
        public bool KeepTrainingState;

        /// <summary>Resume training of a transformer that kept its state, over its vocabulary; words outside it are ignored.</summary>
        public GloVeTransformer? ContinueFrom;
    }

    private readonly IHost _host;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly Options _options;

    internal GloVeEstimator(IHostEnvironment env, string outputColumnName, string? inputColumnName, Options? options)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(GloVeEstimator));
        _host.CheckNonWhiteSpace(outputColumnName, nameof(outputColumnName));
        _outputColumnName = outputColumnName;
        _inputColumnName = string.IsNullOrWhiteSpace(inputColumnName) ? outputColumnName : inputColumnName;
        _options = options ?? new Options();
        CheckOptions(_host, _options);
    }

    private static void CheckOptions(IHost host, Options o)
    {
        host.CheckUserArg(o.Dimension > 0, nameof(o.Dimension), "Must be positive.");
        host.CheckUserArg(o.WindowSize > 0, nameof(o.WindowSize), "Must be positive.");
        host.CheckUserArg(o.MinimumCount >= 1, nameof(o.MinimumCount), "Must be at least 1.");
        host.CheckUserArg(o.MaximumVocabularySize >= 0, nameof(o.MaximumVocabularySize), "Cannot be negative (0 means no bound).");
        host.CheckUserArg(o.XMax > 0 && double.IsFinite(o.XMax), nameof(o.XMax), "Must be a positive number.");
        host.CheckUserArg(o.Alpha >= 0 && double.IsFinite(o.Alpha), nameof(o.Alpha), "Must be 0 or a positive number.");
        host.CheckUserArg(o.LearningRate > 0 && float.IsFinite(o.LearningRate), nameof(o.LearningRate), "Must be a positive number.");
        host.CheckUserArg(o.Iterations >= 1, nameof(o.Iterations), "Must be at least 1.");
        host.CheckUserArg(o.NumberOfThreads is null or >= 1, nameof(o.NumberOfThreads), "Must be at least 1.");
        host.CheckUserArg(o.MemoryLimitGB > 0 && double.IsFinite(o.MemoryLimitGB), nameof(o.MemoryLimitGB), "Must be a positive number of GiB.");
        host.CheckUserArg(Enum.IsDefined(o.TokenSplitting), nameof(o.TokenSplitting), "Unknown token splitting.");
        host.CheckUserArg(Enum.IsDefined(o.Pooling), nameof(o.Pooling), "Unknown pooling.");
        host.CheckUserArg(o.ContinueFrom == null || o.ContinueFrom.TrainingState != null, nameof(o.ContinueFrom),
            "The transformer to continue from did not keep its training state; train it with KeepTrainingState = true.");
        host.CheckUserArg(o.ContinueFrom == null || o.ContinueFrom.Vectors.Dimension == o.Dimension, nameof(o.Dimension),
            $"The transformer to continue from has {o.ContinueFrom?.Vectors.Dimension} dimensions; set Dimension to match.");
    }

    /// <summary>Builds the vocabulary, counts co-occurrences, shuffles and trains.</summary>
    public GloVeTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        var corpus = new TokenColumn(_host, input, _inputColumnName, _options.TokenSplitting);
        var clock = Stopwatch.StartNew();
        string temp = Path.Combine(_options.TempDirectory ?? Path.GetTempPath(), "mlnet-seq-glove-" + Guid.NewGuid().ToString("N"));
        long memory = (long)(_options.MemoryLimitGB * (1L << 30));
        int threads = _options.NumberOfThreads ?? Environment.ProcessorCount;
        var rng = new FastRandom((ulong)(uint)(_options.Seed ?? _host.Rand.Next()));
        try
        {
            using var ch = _host.Start("GloVe");
            var vocabulary = BuildVocabulary(ch, corpus);
            // Word and context vectors share one array, next to their AdaGrad sums.
            TableSize.Check(_host, 2L * vocabulary.Count, _options.Dimension, nameof(Options.Dimension), "GloVe's word and context vectors", tables: 2);
            double vocabularySeconds = clock.Elapsed.TotalSeconds;

            // Co-occurrences, merged to one sorted file so that the counting memory is freed before shuffling.
            string merged = Path.Combine(temp, "cooccurrence.bin");
            long pairCount;
            int spills;
            long peakAfterCounting;
            using (var counter = new CooccurrenceCounter(vocabulary.Count, memory, temp))
            {
                var visitor = new SentenceCounter(vocabulary, counter, _options);
                corpus.Read(ref visitor);
                Directory.CreateDirectory(temp);
                using (var stream = new FileStream(merged, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                    pairCount = WriteRecords(stream, counter.Merge());
                spills = counter.SpillsWritten;
                using var process = Process.GetCurrentProcess();
                peakAfterCounting = process.PeakWorkingSet64;
            }
            if (pairCount == 0)
                throw _host.Except($"Column '{_inputColumnName}' has no two in-vocabulary words within {_options.WindowSize} of each other: there are no co-occurrences to train GloVe on.");
            double cooccurSeconds = clock.Elapsed.TotalSeconds - vocabularySeconds;
            ch.Info(FormattableString.Invariant(
                $"Co-occurrences: {pairCount:N0} non-zero pairs; {spills} spill file(s); {cooccurSeconds:F2} s; peak working set {peakAfterCounting / (1 << 20):N0} MiB (limit {memory / (1 << 20):N0} MiB)."));

            double xMax = _options.XMax, alpha = _options.Alpha;
            var pairs = RecordFile.ReadAll<Cooccurrence>(merged).Select(c => new GloVePair
            {
                Word = c.Word,
                Context = c.Context,
                LogCount = (float)Math.Log(c.Count),
                Weight = c.Count < xMax ? (float)Math.Pow(c.Count / xMax, alpha) : 1f,
            });
            using var shuffled = ShuffledPairs.Create(pairs, (long)(0.95 * memory / 16), temp, ref rng);
            File.Delete(merged);
            double shuffleSeconds = clock.Elapsed.TotalSeconds - vocabularySeconds - cooccurSeconds;
            ch.Info(FormattableString.Invariant($"Shuffled {shuffled.Count:N0} pairs {(shuffled.OnDisk ? "through a temporary file" : "in memory")}; {shuffleSeconds:F2} s."));

            var trainer = new GloVeTrainer(vocabulary.Count, _options.Dimension, _options.LearningRate, threads, rng.Next(), _options.ContinueFrom?.TrainingState);
            int first = (_options.ContinueFrom?.TrainingState?.CompletedIterations ?? 0) + 1;
            var costs = trainer.Train(_host, shuffled, _options.Iterations, first);
            double trainSeconds = clock.Elapsed.TotalSeconds - vocabularySeconds - cooccurSeconds - shuffleSeconds;

            var summary = new GloVeTrainingSummary(_options.Iterations, costs, shuffled.Count, vocabulary.Count, threads,
                vocabularySeconds, cooccurSeconds, shuffleSeconds, trainSeconds, spills, peakAfterCounting);
            var vectors = new WordVectors(vocabulary, trainer.OutputVectors(_options.AddContextVectors), _options.Dimension);
            var state = _options.KeepTrainingState ? trainer.State(first - 1 + _options.Iterations) : null;
            return new GloVeTransformer(_host, vectors, _options.Pooling, _options.TokenSplitting, summary, state, (_outputColumnName, _inputColumnName));
        }
        finally
        {
            try
            {
                if (Directory.Exists(temp))
                    Directory.Delete(temp, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private Vocabulary BuildVocabulary(IChannel ch, TokenColumn corpus)
    {
        if (_options.ContinueFrom != null)
        {
            ch.Info($"Continuing from a GloVe model of {_options.ContinueFrom.Vectors.Count:N0} words; its vocabulary is kept.");
            return _options.ContinueFrom.Vectors.Vocabulary;
        }
        var builder = VocabularyBuilder.Count(_host, corpus, _inputColumnName, 0, "GloVe");
        var vocabulary = builder.Build(_options.MinimumCount, _options.MaximumVocabularySize);
        if (vocabulary.Count == 0)
            throw builder.NoFrequentWords(_host, _inputColumnName, _options.MinimumCount);
        ch.Info(FormattableString.Invariant(
            $"Vocabulary: {vocabulary.Count:N0} words with count >= {_options.MinimumCount} out of {builder.DistinctCount:N0} distinct; {builder.TokenCount:N0} tokens in {builder.RowCount:N0} rows."));
        return vocabulary;
    }

    private static long WriteRecords(Stream stream, IEnumerable<Cooccurrence> records)
    {
        var block = new Cooccurrence[1 << 14];
        int n = 0;
        long total = 0;
        foreach (var r in records)
        {
            block[n++] = r;
            total++;
            if (n == block.Length)
            {
                RecordFile.Write<Cooccurrence>(stream, block);
                n = 0;
            }
        }
        RecordFile.Write<Cooccurrence>(stream, block.AsSpan(0, n));
        return total;
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        WordVectorsTransformerBase.GetOutputSchema(_host, inputSchema, _outputColumnName, _inputColumnName);

    /// <summary>Collects a row's in-vocabulary ids and counts their co-occurrences at the row's end.</summary>
    private struct SentenceCounter : ITokenVisitor
    {
        private readonly Vocabulary _vocabulary;
        private readonly CooccurrenceCounter _counter;
        private readonly int _window;
        private readonly bool _symmetric;
        private readonly bool _distanceWeighting;
        private readonly List<int> _ids;

        public SentenceCounter(Vocabulary vocabulary, CooccurrenceCounter counter, Options options)
        {
            _vocabulary = vocabulary;
            _counter = counter;
            _window = options.WindowSize;
            _symmetric = options.Symmetric;
            _distanceWeighting = options.DistanceWeighting;
            _ids = new List<int>(256);
        }

        public void OnToken(ReadOnlySpan<char> token)
        {
            // Unknown words are skipped before distances are measured, as in GloVe's cooccur.
            if (_vocabulary.TryGetId(token, out int id))
                _ids.Add(id);
        }

        public void OnRowEnd()
        {
            _counter.AddSentence(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_ids), _window, _symmetric, _distanceWeighting);
            _ids.Clear();
        }
    }
}

/// <summary>What a GloVe training run did and how long each phase took.</summary>
/// <param name="Iterations">Passes over the pairs.</param>
/// <param name="Costs">Mean cost per pair in each iteration, as the reference prints it.</param>
/// <param name="Pairs">Non-zero co-occurrence pairs trained on.</param>
/// <param name="VocabularySize">Words in the vocabulary.</param>
/// <param name="Threads">Training threads.</param>
/// <param name="VocabularySeconds">Time to count the vocabulary.</param>
/// <param name="CooccurrenceSeconds">Time to count and merge co-occurrences.</param>
/// <param name="ShuffleSeconds">Time to shuffle the pairs.</param>
/// <param name="TrainingSeconds">Time of the AdaGrad iterations.</param>
/// <param name="SpillFiles">Temporary spill files written while counting (merged as they accumulate).</param>
/// <param name="PeakWorkingSetAfterCounting">The process's peak working set (bytes) when counting ended.</param>
public sealed record GloVeTrainingSummary(int Iterations, IReadOnlyList<double> Costs, long Pairs, int VocabularySize, int Threads,
    double VocabularySeconds, double CooccurrenceSeconds, double ShuffleSeconds, double TrainingSeconds, int SpillFiles, long PeakWorkingSetAfterCounting)
{
    /// <summary>All phases together.</summary>
    public double TotalSeconds => VocabularySeconds + CooccurrenceSeconds + ShuffleSeconds + TrainingSeconds;
}
