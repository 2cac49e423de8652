namespace MLNet.Sequence.Embeddings;

/// <summary>What a Word2Vec training run did and how fast.</summary>
/// <param name="Words">In-vocabulary words processed over all epochs (before sub-sampling), as word2vec.c counts them.</param>
/// <param name="Epochs">Passes over the corpus.</param>
/// <param name="Seconds">Wall-clock time of the training passes (vocabulary building excluded).</param>
/// <param name="Threads">Training threads.</param>
/// <param name="VocabularySize">Words in the vocabulary.</param>
public sealed record Word2VecTrainingSummary(long Words, int Epochs, double Seconds, int Threads, int VocabularySize)
{
    /// <summary>Words per second over all threads.</summary>
    public double WordsPerSecond => Seconds > 0 ? Words / Seconds : 0;

    /// <summary>Mean loss per prediction in each epoch: -log σ summed over a prediction's binary decisions (true word and negatives, and/or the Huffman path), measured before each update.</summary>
    public IReadOnlyList<double> EpochLosses { get; init; } = Array.Empty<double>();

    /// <summary>Seconds spent building the vocabulary (one pass over the corpus).</summary>
    public double VocabularySeconds { get; init; }
}
