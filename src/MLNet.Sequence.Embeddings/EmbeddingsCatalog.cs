using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings;

/// <summary>Catalog methods that add the embedding components to <c>mlContext.Transforms.Text</c>.</summary>
public static class EmbeddingsCatalog
{
    /// <summary>
    /// Trains Word2Vec vectors on <paramref name="inputColumnName"/> (a vector of tokens, or text split by
    /// <see cref="Word2VecEstimator.Options.TokenSplitting"/>) and maps it to the pooled vectors of its tokens.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The vector column to create.</param>
    /// <param name="inputColumnName">The token or text column to train on and to map (default: <paramref name="outputColumnName"/>).</param>
    /// <param name="options">Training settings (default: skip-gram, 100 dimensions, window 5, 5 negatives, 5 epochs).</param>
    public static Word2VecEstimator Word2Vec(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string? inputColumnName = null, Word2VecEstimator.Options? options = null) =>
        new(CatalogUtils.GetEnvironment(catalog), outputColumnName, inputColumnName, options);

    /// <summary>Trains Word2Vec vectors with the most used settings given directly.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The vector column to create.</param>
    /// <param name="inputColumnName">The token or text column to train on and to map.</param>
    /// <param name="model">Skip-gram or CBOW.</param>
    /// <param name="dimension">Length of the word vectors.</param>
    /// <param name="windowSize">Maximum context distance.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="minCount">Words seen fewer times are ignored.</param>
    public static Word2VecEstimator Word2Vec(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string inputColumnName, Word2VecModel model, int dimension = 100, int windowSize = 5, int epochs = 5, int minCount = 5) =>
        new(CatalogUtils.GetEnvironment(catalog), outputColumnName, inputColumnName, new Word2VecEstimator.Options
        {
            Model = model,
            Dimension = dimension,
            WindowSize = windowSize,
            Epochs = epochs,
            MinimumCount = minCount,
        });

    /// <summary>
    /// Trains GloVe vectors on <paramref name="inputColumnName"/> (a vector of tokens, or text split by
    /// <see cref="GloVeEstimator.Options.TokenSplitting"/>) and maps it to the pooled vectors of its tokens.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The vector column to create.</param>
    /// <param name="inputColumnName">The token or text column to train on and to map (default: <paramref name="outputColumnName"/>).</param>
    /// <param name="options">Training settings (default: 100 dimensions, symmetric window 15, x_max 100, 25 iterations).</param>
    public static GloVeEstimator GloVe(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string? inputColumnName = null, GloVeEstimator.Options? options = null) =>
        new(CatalogUtils.GetEnvironment(catalog), outputColumnName, inputColumnName, options);

    /// <summary>
    /// Maps a token or text column to the pooled vectors of its tokens in an existing table, such as one
    /// loaded with <see cref="WordVectorFile.Load"/> from a word2vec, fastText or GloVe file.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="vectors">The word-vector table; it is saved with the model.</param>
    /// <param name="outputColumnName">The vector column to create.</param>
    /// <param name="inputColumnName">The token or text column to map (default: <paramref name="outputColumnName"/>).</param>
    /// <param name="pooling">How the vectors of a row's tokens combine.</param>
    /// <param name="tokenSplitting">How a text column is split into tokens.</param>
    public static WordVectorsEstimator ApplyWordVectors(this TransformsCatalog.TextTransforms catalog, WordVectors vectors,
        string outputColumnName, string? inputColumnName = null, EmbeddingPooling pooling = EmbeddingPooling.Mean,
        TokenSplitting tokenSplitting = TokenSplitting.WhiteSpace) =>
        new(CatalogUtils.GetEnvironment(catalog), vectors, outputColumnName, inputColumnName, pooling, tokenSplitting);

    /// <summary>
    /// Debiases <paramref name="vectors"/> (hard debiasing: bias subspace, neutralize, equalize; gender
    /// by default) and maps a token or text column to the debiased vectors.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="vectors">The table to debias (trained here or loaded from a file); the debiased copy is saved with the model.</param>
    /// <param name="outputColumnName">The vector column to create.</param>
    /// <param name="inputColumnName">The token or text column to map (default: <paramref name="outputColumnName"/>).</param>
    /// <param name="options">Word lists and method (default: the built-in gender lists, one principal direction).</param>
    public static DebiasEstimator Debias(this TransformsCatalog.TextTransforms catalog, WordVectors vectors, string outputColumnName,
        string? inputColumnName = null, DebiasEstimator.Options? options = null) =>
        new(CatalogUtils.GetEnvironment(catalog), vectors, outputColumnName, inputColumnName, options);

    /// <summary>
    /// Fits a t-SNE map (2-D or 3-D) of a known-size float vector column; the transformer returns each
    /// row's map position, placing rows it was not fitted on against the fixed map.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The map-coordinates column to create.</param>
    /// <param name="inputColumnName">The vector column to project (default: <paramref name="outputColumnName"/>).</param>
    /// <param name="options">Perplexity, theta, iterations and the rest (default: 2-D, perplexity 30, Barnes–Hut 0.5, 1000 iterations).</param>
    public static TsneEstimator Tsne(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        Projection.TsneOptions? options = null) =>
        new(CatalogUtils.GetEnvironment(catalog), outputColumnName, inputColumnName, options);
}
