using System.Numerics.Tensors;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Embeddings;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Modules;

/// <summary>Where the embedding layer of a model starts from.</summary>
public sealed class EmbeddingOptions
{
    /// <summary>Width of each token vector; taken from <see cref="Pretrained"/> when that is set.</summary>
    public int Dimension = 100;

    /// <summary>
    /// A word-vector table (Word2Vec, GloVe or a file read with <see cref="WordVectorFile"/>) whose vectors
    /// start the rows of the tokens it holds; other rows start at random. Null: every row starts at random.
    /// </summary>
    public WordVectors? Pretrained;

    /// <summary>Whether the embedding rows stay as they start (only useful with <see cref="Pretrained"/>).</summary>
    public bool Freeze;

    /// <summary>
    /// With <see cref="Pretrained"/>: also give an id to every word of the table that training never saw,
    /// so that such words are known at prediction (the table's words join the vocabulary).
    /// </summary>
    public bool IncludePretrainedVocabulary;

    internal int ResolvedDimension => Pretrained?.Dimension ?? Dimension;

    internal void Validate(IExceptionContext ectx)
    {
        ectx.CheckUserArg(Pretrained != null || Dimension > 0, nameof(Dimension), "Must be positive.");
        ectx.CheckUserArg(!Freeze || Pretrained != null, nameof(Freeze), "Freezing needs a Pretrained table; random rows would never learn.");
    }
}

/// <summary>Builds embedding layers over a <see cref="TokenIndex"/>.</summary>
internal static class TokenEmbedding
{
    /// <summary>
    /// An embedding layer for <paramref name="index"/>: rows of words in <paramref name="options"/>' table
    /// copy their vectors, the padding row is zero and stays zero, the rest start from N(0, σ²) with σ the
    /// spread of the table's values (or 1 without a table, as torch does).
    /// </summary>
    public static Embedding Create(IExceptionContext ectx, TokenIndex index, EmbeddingOptions options, out int pretrainedRows)
    {
        int dim = options.ResolvedDimension;
        TableSize.Check(ectx, index.Count, dim, $"{nameof(SequenceModelOptions.Embedding)}.{nameof(EmbeddingOptions.Dimension)}", "The embedding table");
        var embedding = nn.Embedding(index.Count, dim, padding_idx: TokenIndex.Padding);
        pretrainedRows = 0;
        var table = options.Pretrained;
        if (table != null)
        {
            double sum = 0, sumSq = 0;
            // Row sums in float, their total in double: exact enough for a spread, and vectorised.
            for (int i = 0; i < table.Count; i++)
            {
                var row = table.GetVector(i);
                sum += TensorPrimitives.Sum(row);
                sumSq += TensorPrimitives.SumOfSquares(row);
            }
            double values = Math.Max(1, (double)table.Count * table.Dimension);
            double mean = sum / values;
            double std = Math.Sqrt(Math.Max(1e-12, sumSq / values - mean * mean));
            var weights = new float[(long)index.Count * dim];
            using (no_grad())
            using (var random = normal(0, std, new long[] { index.Count, dim }))
                random.data<float>().CopyTo(weights, 0);
            for (int id = TokenIndex.ReservedCount; id < index.Count; id++)
            {
                if (table.TryGetVector(index[id], out var vector))
                {
                    vector.CopyTo(weights.AsSpan((int)((long)id * dim), dim));
                    pretrainedRows++;
                }
            }
            Array.Clear(weights, TokenIndex.Padding * dim, dim);
            using (no_grad())
            using (var source = tensor(weights, new long[] { index.Count, dim }))
                embedding.weight!.copy_(source);
        }
        embedding.weight!.requires_grad = !options.Freeze;
        return embedding;
    }

    /// <summary>The tokens a model should know: the training tokens, plus the table's words when asked.</summary>
    public static TokenIndex BuildIndex(List<string[]> sequences, EmbeddingOptions options, int minCount, int maxSize)
    {
        var index = TokenIndex.Build(sequences, minCount, maxSize);
        if (options.Pretrained == null || !options.IncludePretrainedVocabulary)
            return index;
        var extra = options.Pretrained.Vocabulary.Words.Where(w => !index.Contains(w));
        return TokenIndex.FromTokens(index.Tokens.Skip(TokenIndex.ReservedCount).Concat(extra));
    }
}
