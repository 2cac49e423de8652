using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Embeddings.Training;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings;

/// <summary>The Word2Vec architecture.</summary>
public enum Word2VecModel
{
    /// <summary>Skip-gram: each word predicts the words around it. Better for rare words.</summary>
    SkipGram = 0,

    /// <summary>Continuous bag of words: the mean of the context vectors predicts the centre word. Faster.</summary>
    Cbow = 1,
}

/// <summary>
/// Trains Word2Vec embeddings (Mikolov et al. 2013) on a token or text column of any
/// <see cref="IDataView"/> and returns a <see cref="Word2VecTransformer"/> that maps that column to
/// pooled word vectors. The data is streamed with cursors, once to count the vocabulary and once per
/// epoch; it is never held in memory as strings. Create it with
/// <see cref="EmbeddingsCatalog.Word2Vec(TransformsCatalog.TextTransforms, string, string?, Word2VecEstimator.Options?)"/>.
/// </summary>
public sealed class Word2VecEstimator : IEstimator<Word2VecTransformer>
{
    /// <summary>Training and output settings. Defaults follow word2vec.c and gensim.</summary>
    public sealed class Options
    {
        /// <summary>Skip-gram or CBOW.</summary>
        public Word2VecModel Model = Word2VecModel.SkipGram;

        /// <summary>Length of each word vector.</summary>
        public int Dimension = 100;

        /// <summary>Maximum distance between the centre word and a context word; each position draws its window uniformly from 1..WindowSize.</summary>
        public int WindowSize = 5;

        /// <summary>Negative samples per prediction (0 turns negative sampling off; then <see cref="HierarchicalSoftmax"/> must be on).</summary>
        public int NegativeSamples = 5;

        /// <summary>Exponent of the unigram distribution negative samples are drawn from.</summary>
        public double NegativeSamplingExponent = 0.75;

        /// <summary>Use hierarchical softmax over a Huffman tree (may be combined with negative sampling).</summary>
        public bool HierarchicalSoftmax;

        /// <summary>Sub-sampling threshold t: occurrences of words more frequent than t are randomly dropped (0: keep all). Useful range 1e-5 to 1e-3.</summary>
        public double SubSampling = 1e-3;

        /// <summary>Words seen fewer times are left out of the vocabulary.</summary>
        public int MinimumCount = 5;

        /// <summary>Bound on distinct words while counting (0: none); when exceeded, the rarest words are pruned as word2vec.c does.</summary>
        public int MaximumVocabularySize;

        /// <summary>Starting learning rate alpha; it decays linearly to alpha x 1e-4 over all epochs.</summary>
        public float LearningRate = 0.025f;

        /// <summary>Passes over the corpus.</summary>
        public int Epochs = 5;

        /// <summary>Training threads (default: the number of processors). Results are bit-identical run to run only with one thread.</summary>
        public int? NumberOfThreads;

        /// <summary>Seed of the random initialisation and sampling (default: drawn from the MLContext's seed).</summary>
        public int? Seed;

        /// <summary>Longer rows are cut into sentences of this many in-vocabulary words; context windows never cross a sentence.</summary>
        public int MaximumSentenceLength = 10_000;

        /// <summary>How a text column (not a token vector) is split into tokens, for training and for mapping.</summary>
        public TokenSplitting TokenSplitting = TokenSplitting.WhiteSpace;

        /// <summary>How the transformer combines the vectors of a row's tokens.</summary>
        public EmbeddingPooling Pooling = EmbeddingPooling.Mean;

        /// <summary>
        /// Continued training from a table (trained here, or loaded with <see cref="WordVectorFile.Load"/>):
        /// its words keep their vectors as the starting point, words of the new data seen at least
        /// <see cref="MinimumCount"/> times are added, and training goes on over the new data. Its
        /// dimension must equal <see cref="Dimension"/>. Output weights start at zero.
        /// </summary>
        public WordVectors? InitialVectors;

        /// <summary>
        /// Continued training from an earlier Word2Vec transformer. If it kept its training state
        /// (<see cref="KeepTrainingState"/>), the output weights carry over too, so training resumes
        /// where it stopped; otherwise this works as <see cref="InitialVectors"/>.
        /// </summary>
        public Word2VecTransformer? ContinueFrom;

        /// <summary>
        /// Keep the output weights (negative sampling and hierarchical softmax) in the transformer and
        /// its model zip, so that <see cref="ContinueFrom"/> can resume training exactly. Doubles the
        /// size of the saved model.
        /// </summary>
        public bool KeepTrainingState;
    }

    private readonly IHost _host;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly Options _options;

    internal Word2VecEstimator(IHostEnvironment env, string outputColumnName, string? inputColumnName, Options? options)
    {
        Contracts.CheckValue(env, nameof(env));
        _host = env.Register(nameof(Word2VecEstimator));
        _host.CheckNonWhiteSpace(outputColumnName, nameof(outputColumnName));
        _outputColumnName = outputColumnName;
        _inputColumnName = string.IsNullOrWhiteSpace(inputColumnName) ? outputColumnName : inputColumnName;
        _options = options ?? new Options();
        CheckOptions(_host, _options);
    }

    private static void CheckOptions(IHost host, Options o)
    {
        host.CheckUserArg(Enum.IsDefined(o.Model), nameof(o.Model), "Unknown Word2Vec model.");
        host.CheckUserArg(o.Dimension > 0, nameof(o.Dimension), "Must be positive.");
        host.CheckUserArg(o.WindowSize > 0, nameof(o.WindowSize), "Must be positive.");
        host.CheckUserArg(o.NegativeSamples >= 0, nameof(o.NegativeSamples), "Cannot be negative.");
        host.CheckUserArg(o.NegativeSamples > 0 || o.HierarchicalSoftmax, nameof(o.NegativeSamples),
            "Set NegativeSamples above 0 or turn HierarchicalSoftmax on; with neither there is nothing to train.");
        host.CheckUserArg(double.IsFinite(o.NegativeSamplingExponent), nameof(o.NegativeSamplingExponent), "Must be a finite number.");
        host.CheckUserArg(o.SubSampling >= 0 && double.IsFinite(o.SubSampling), nameof(o.SubSampling), "Must be 0 or a positive number.");
        host.CheckUserArg(o.MinimumCount >= 1, nameof(o.MinimumCount), "Must be at least 1.");
        host.CheckUserArg(o.MaximumVocabularySize >= 0, nameof(o.MaximumVocabularySize), "Cannot be negative (0 means no bound).");
        host.CheckUserArg(o.LearningRate > 0 && float.IsFinite(o.LearningRate), nameof(o.LearningRate), "Must be a positive number.");
        host.CheckUserArg(o.Epochs >= 1, nameof(o.Epochs), "Must be at least 1.");
        host.CheckUserArg(o.NumberOfThreads is null or >= 1, nameof(o.NumberOfThreads), "Must be at least 1.");
        host.CheckUserArg(o.MaximumSentenceLength >= 1, nameof(o.MaximumSentenceLength), "Must be at least 1.");
        host.CheckUserArg(Enum.IsDefined(o.TokenSplitting), nameof(o.TokenSplitting), "Unknown token splitting.");
        host.CheckUserArg(Enum.IsDefined(o.Pooling), nameof(o.Pooling), "Unknown pooling.");
        host.CheckUserArg(o.InitialVectors == null || o.ContinueFrom == null, nameof(o.InitialVectors),
            "Set InitialVectors or ContinueFrom, not both.");
        var start = o.ContinueFrom?.Vectors ?? o.InitialVectors;
        host.CheckUserArg(start == null || start.Dimension == o.Dimension, nameof(o.Dimension),
            $"The table to continue from has {start?.Dimension} dimensions; set Dimension to match.");
    }

    /// <summary>Builds the vocabulary and trains the vectors on the input column of <paramref name="input"/>.</summary>
    public Word2VecTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        var corpus = new TokenColumn(_host, input, _inputColumnName, _options.TokenSplitting);
        var clock = Stopwatch.StartNew();

        var builder = VocabularyBuilder.Count(_host, corpus, _inputColumnName, _options.MaximumVocabularySize, "Word2Vec");

        var start = _options.ContinueFrom?.Vectors ?? _options.InitialVectors;
        Vocabulary vocabulary;
        long wordsPerEpoch;
        Word2VecWeights? initial = null;
        using (var ch = _host.Start("Vocabulary"))
        {
            if (start == null)
            {
                vocabulary = builder.Build(_options.MinimumCount);
                wordsPerEpoch = vocabulary.TotalCount;
            }
            else
            {
                (vocabulary, wordsPerEpoch, var oldIds) = builder.BuildOnto(start.Vocabulary, _options.MinimumCount);
                initial = StartingWeights(ch, start, vocabulary, oldIds);
                ch.Info($"Continuing from a table of {start.Count:N0} words; {oldIds.Count(id => id < 0):N0} new words added.");
            }
            if (wordsPerEpoch == 0)
                throw builder.NoFrequentWords(_host, _inputColumnName, _options.MinimumCount);
            // Input and output weights (one table per output layer) live side by side during training.
            int tables = 1 + (_options.NegativeSamples > 0 ? 1 : 0) + (_options.HierarchicalSoftmax ? 1 : 0);
            TableSize.Check(_host, vocabulary.Count, _options.Dimension, nameof(Options.Dimension), "Word2Vec's weights", tables);
            if (_options.HierarchicalSoftmax && vocabulary.Count < 2)
                throw _host.Except($"Hierarchical softmax needs at least two words in the vocabulary of column '{_inputColumnName}'; found one ('{vocabulary[0]}').");
            ch.Info(FormattableString.Invariant(
                $"Vocabulary: {vocabulary.Count:N0} words with count >= {_options.MinimumCount} out of {builder.DistinctCount:N0} distinct; {builder.TokenCount:N0} tokens in {builder.RowCount:N0} rows; {clock.Elapsed.TotalSeconds:F2} s."));
            if (builder.Prunings > 0)
                ch.Warning($"The vocabulary was pruned {builder.Prunings} time(s) to stay within MaximumVocabularySize={_options.MaximumVocabularySize}; the rarest words were dropped.");
        }
        double vocabularySeconds = clock.Elapsed.TotalSeconds;

        int threads = _options.NumberOfThreads ?? Environment.ProcessorCount;
        ulong seed = (ulong)(uint)(_options.Seed ?? _host.Rand.Next());
        var trainer = new Word2VecTrainer(vocabulary, _options, threads, seed, wordsPerEpoch, initial);
        var summary = trainer.Train(_host, corpus) with { VocabularySeconds = vocabularySeconds };
        // The last updates can overflow after the last epoch's loss was measured.
        int bad = ModelStateIO.IndexOfNonFinite(trainer.InputVectors);
        if (bad >= 0)
            throw _host.Except(trainer.Diverged(_options.Epochs, $"the vector of '{vocabulary[bad / _options.Dimension]}' holds {trainer.InputVectors[bad]}"));

        var vectors = new WordVectors(vocabulary, trainer.InputVectors, _options.Dimension);
        var state = _options.KeepTrainingState ? trainer.Weights with { Input = null } : null;
        return new Word2VecTransformer(_host, vectors, _options.Pooling, _options.TokenSplitting, summary, state, (_outputColumnName, _inputColumnName));
    }

    /// <summary>
    /// Lays the weights of the table to continue from out for the new vocabulary: old rows are copied
    /// (NaN marks new words' input rows, which training initialises), output rows of new words start at zero.
    /// </summary>
    private Word2VecWeights StartingWeights(IChannel ch, WordVectors start, Vocabulary vocabulary, int[] oldIds)
    {
        int dim = _options.Dimension;
        var input = new float[(long)vocabulary.Count * dim];
        for (int i = 0; i < oldIds.Length; i++)
        {
            var row = input.AsSpan(i * dim, dim);
            if (oldIds[i] >= 0)
                start.GetVector(oldIds[i]).CopyTo(row);
            else
                row.Fill(float.NaN);
        }

        var state = _options.ContinueFrom?.TrainingState;
        float[]? negative = null;
        if (state?.NegativeOutput != null && _options.NegativeSamples > 0)
        {
            negative = new float[input.Length];
            for (int i = 0; i < oldIds.Length; i++)
            {
                if (oldIds[i] >= 0)
                    state.NegativeOutput.AsSpan(oldIds[i] * dim, dim).CopyTo(negative.AsSpan(i * dim, dim));
            }
        }
        float[]? tree = null;
        if (state?.TreeOutput != null && _options.HierarchicalSoftmax)
        {
            // Inner nodes are only the same nodes when the Huffman tree is: same words in the same order.
            bool sameTree = oldIds.Length == start.Count && oldIds.Select((id, i) => id == i).All(x => x);
            if (sameTree)
                tree = (float[])state.TreeOutput.Clone();
            else
                ch.Warning("The vocabulary changed, so the Huffman tree did: hierarchical-softmax weights restart from zero.");
        }
        return new Word2VecWeights(input, negative, tree);
    }

    /// <summary>Checks the input column and describes the output column (a known-size vector of Single).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        WordVectorsTransformerBase.GetOutputSchema(_host, inputSchema, _outputColumnName, _inputColumnName);
}
