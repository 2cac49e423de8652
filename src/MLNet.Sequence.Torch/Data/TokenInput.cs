using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Torch.Data;

/// <summary>
/// The input of a token model: the column it reads, how a row becomes tokens (<see cref="SequenceColumn"/>) and
/// the ids of those tokens (<see cref="TokenIndex"/>). The trainer builds it and hands it to the transformer,
/// which saves it in the model zip, so that a model sees at prediction exactly the ids it was trained on.
/// </summary>
internal sealed class TokenInput
{
    public TokenInput(string columnName, SequenceColumn reader, TokenIndex tokens)
    {
        ColumnName = columnName;
        Reader = reader;
        Tokens = tokens;
    }

    /// <summary>The input column.</summary>
    public string ColumnName { get; }

    /// <summary>How a row of the column becomes tokens.</summary>
    public SequenceColumn Reader { get; }

    /// <summary>The token ids.</summary>
    public TokenIndex Tokens { get; }

    /// <summary>Finds the input column in <paramref name="schema"/>, naming it and its <paramref name="role"/> if it is missing or of another type.</summary>
    public DataViewSchema.Column Find(IExceptionContext ectx, DataViewSchema schema, string role) => SequenceColumn.Find(ectx, schema, ColumnName, role);

    /// <summary>A getter of the current row's tokens.</summary>
    public Func<string[]> MakeGetter(DataViewRow row) => Reader.MakeGetter(row, row.Schema[ColumnName]);

    /// <summary>The ids of <paramref name="tokens"/>; unknown tokens get <see cref="TokenIndex.Unknown"/>.</summary>
    public int[] Encode(IReadOnlyList<string> tokens)
    {
        var ids = new int[tokens.Count];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = Tokens.IdOf(tokens[i]);
        return ids;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(ColumnName);
        Reader.Write(writer);
        Tokens.Write(writer);
    }

    public static TokenInput Read(IExceptionContext ectx, BinaryReader reader, string what)
    {
        string column = reader.ReadString();
        var tokenReader = SequenceColumn.Read(ectx, reader);
        return new TokenInput(column, tokenReader, TokenIndex.Read(reader, what));
    }
}
