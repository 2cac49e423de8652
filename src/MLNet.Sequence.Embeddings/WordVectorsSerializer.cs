using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings;

/// <summary>
/// Writes a <see cref="WordVectors"/> table into a model stream and reads it back with full validation:
/// dimension, words, counts, then the rows as length-prefixed float arrays, one per block of the table. A
/// table that fits one array is one array, as the first version of the format wrote it.
/// </summary>
internal static class WordVectorsSerializer
{
    public static void Write(BinaryWriter writer, WordVectors vectors)
    {
        writer.Write(vectors.Dimension);
        writer.WriteStrings(vectors.Vocabulary.Words);
        writer.WriteLongs(vectors.Vocabulary.Counts.ToArray());
        foreach (var block in vectors.Rows.Blocks)
            writer.WriteFloats(block);
    }

    public static WordVectors Read(BinaryReader reader)
    {
        int dimension = reader.ReadCount("word-vector dimension", 0);
        Contracts.CheckDecode(dimension > 0, "The word-vector dimension must be positive.");
        var words = reader.ReadStrings("vocabulary");
        var counts = reader.ReadLongs("word counts", words.Length);
        reader.CheckRemaining((long)words.Length * dimension, sizeof(float), "embedding matrix");
        var rows = VectorRows.Allocate(words.Length, dimension);
        int filled = 0;
        do
        {
            int length = reader.ReadCount("embedding matrix", sizeof(float));
            Contracts.CheckDecode(length % dimension == 0 && length / dimension <= words.Length - filled && (length > 0 || words.Length == 0),
                $"embedding matrix: a block of {length} values does not hold whole rows of {dimension} for the {words.Length - filled} words left; the model is corrupt.");
            for (int end = filled + length / dimension; filled < end;)
            {
                var run = rows.Run(filled, end - filled);
                reader.ReadFloatsInto(run, "embedding matrix");
                filled += run.Length / dimension;
            }
        }
        while (filled < words.Length);
        try
        {
            return new WordVectors(new Vocabulary(words, counts), rows);
        }
        catch (ArgumentException e)
        {
            string what = e.ParamName == "matrix" ? "embedding matrix" : "vocabulary";
            throw Contracts.ExceptDecode(e, $"The stored word-vector table is invalid ({what}): {e.PlainMessage()}");
        }
    }
}
