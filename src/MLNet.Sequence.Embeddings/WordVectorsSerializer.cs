using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings;

/// <summary>Writes a <see cref="WordVectors"/> table into a model stream and reads it back with full validation.</summary>
internal static class WordVectorsSerializer
{
    public static void Write(BinaryWriter writer, WordVectors vectors)
    {
        writer.Write(vectors.Dimension);
        writer.WriteStrings(vectors.Vocabulary.Words);
        writer.WriteLongs(vectors.Vocabulary.Counts.ToArray());
        writer.WriteFloats(vectors.EmbeddingMatrix.Span);
    }

    public static WordVectors Read(BinaryReader reader)
    {
        int dimension = reader.ReadCount("word-vector dimension", 0);
        Contracts.CheckDecode(dimension > 0, "The word-vector dimension must be positive.");
        var words = reader.ReadStrings("vocabulary");
        var counts = reader.ReadLongs("word counts", words.Length);
        Contracts.CheckDecode((long)words.Length * dimension <= Array.MaxLength,
            $"{words.Length} words x {dimension} dimensions do not fit one array; the model is corrupt.");
        var matrix = reader.ReadFloats("embedding matrix", words.Length * dimension);
        try
        {
            return new WordVectors(new Vocabulary(words, counts), matrix, dimension);
        }
        catch (ArgumentException e)
        {
            throw Contracts.ExceptDecode(e, "The stored word-vector table is invalid: " + e.Message);
        }
    }
}
