namespace MLNet.Sequence.Embeddings.Training;

/// <summary>Word2Vec weights: input vectors (the embeddings), and the output weights of negative sampling and hierarchical softmax.</summary>
/// <param name="Input">Vocabulary x dimension input vectors.</param>
/// <param name="NegativeOutput">Vocabulary x dimension output vectors of negative sampling, or null.</param>
/// <param name="TreeOutput">(Vocabulary - 1) x dimension inner-node vectors of hierarchical softmax, or null.</param>
internal sealed record Word2VecWeights(float[]? Input, float[]? NegativeOutput, float[]? TreeOutput);
