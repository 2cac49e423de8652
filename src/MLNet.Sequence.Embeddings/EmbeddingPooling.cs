namespace MLNet.Sequence.Embeddings;

/// <summary>How the vectors of a row's tokens combine into the row's output vector. Unknown tokens are skipped; a row with no known token gives zeros.</summary>
public enum EmbeddingPooling
{
    /// <summary>The mean of the token vectors (output size: the dimension).</summary>
    Mean = 0,

    /// <summary>The sum of the token vectors (output size: the dimension).</summary>
    Sum = 1,

    /// <summary>ML.NET's word-embedding layout: element-wise minimum, mean and maximum, concatenated (output size: 3 x the dimension).</summary>
    MinMeanMax = 2,
}
