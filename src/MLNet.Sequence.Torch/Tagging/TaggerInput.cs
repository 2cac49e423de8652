using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Modules;

namespace MLNet.Sequence.Torch.Tagging;

/// <summary>Token rows turned into the tagger's three id streams.</summary>
internal sealed record EncodedRows(List<int[]> Words, List<int[]> Suffixes, List<int[]> Shapes);

/// <summary>
/// The tagger's input: its tokens column, read as written (case is a feature), and its vocabularies: the
/// lower-cased words and, with word features, the suffixes. Built by the trainer, saved with the model and used
/// by the transformer.
/// </summary>
internal sealed class TaggerInput
{
    /// <summary>How the tagger reads tokens and tags: words split at white space, case kept.</summary>
    public static readonly SequenceColumn CasedWords = new(SequenceUnit.Word, TokenSplitting.WhiteSpace, lowerCase: false);

    public TaggerInput(string columnName, TokenIndex words, TokenIndex? suffixes)
    {
        ColumnName = columnName;
        Words = words;
        Suffixes = suffixes;
    }

    /// <summary>The tokens column.</summary>
    public string ColumnName { get; }

    /// <summary>The lower-cased words.</summary>
    public TokenIndex Words { get; }

    /// <summary>The last three letters of the words, with word features; else null.</summary>
    public TokenIndex? Suffixes { get; }

    public int SuffixCount => Suffixes?.Count ?? 0;

    public static TaggerInput Build(string columnName, List<string[]> tokens, EmbeddingOptions embedding, int minCount, bool wordFeatures)
    {
        var lower = tokens.Select(r => r.Select(t => t.ToLowerInvariant()).ToArray()).ToList();
        var words = TokenEmbedding.BuildIndex(lower, embedding, minCount, 0);
        var suffixes = wordFeatures ? TokenIndex.Build(tokens.Select(r => r.Select(WordShape.Suffix).ToArray())) : null;
        return new TaggerInput(columnName, words, suffixes);
    }

    /// <summary>Finds the tokens column in <paramref name="schema"/>, naming it if it is missing or of another type.</summary>
    public DataViewSchema.Column Find(IExceptionContext ectx, DataViewSchema schema) => SequenceColumn.Find(ectx, schema, ColumnName, "tokens");

    /// <summary>A getter of the current row's tokens, as written.</summary>
    public Func<string[]> MakeGetter(DataViewRow row) => CasedWords.MakeGetter(row, row.Schema[ColumnName]);

    public EncodedRows Encode(IEnumerable<string[]> rows)
    {
        var words = new List<int[]>();
        var suffixes = new List<int[]>();
        var shapes = new List<int[]>();
        foreach (var row in rows)
        {
            words.Add(row.Select(t => Words.IdOf(t.ToLowerInvariant())).ToArray());
            suffixes.Add(Suffixes == null ? new int[row.Length] : row.Select(t => Suffixes.IdOf(WordShape.Suffix(t))).ToArray());
            shapes.Add(Suffixes == null ? new int[row.Length] : row.Select(WordShape.Of).ToArray());
        }
        return new EncodedRows(words, suffixes, shapes);
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(ColumnName);
        Words.Write(writer);
        writer.Write(Suffixes != null);
        Suffixes?.Write(writer);
    }

    public static TaggerInput Read(BinaryReader reader) => ReadVocabularies(reader.ReadString(), reader);

    /// <summary>The vocabularies after the column name (which the first layout saved elsewhere).</summary>
    public static TaggerInput ReadVocabularies(string columnName, BinaryReader reader)
    {
        var words = TokenIndex.Read(reader, "word vocabulary");
        var suffixes = reader.ReadBoolean() ? TokenIndex.Read(reader, "suffix vocabulary") : null;
        return new TaggerInput(columnName, words, suffixes);
    }
}
