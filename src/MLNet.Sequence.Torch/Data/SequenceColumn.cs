using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Torch.Data;

/// <summary>What one step of a sequence is.</summary>
public enum SequenceUnit
{
    /// <summary>A word: a token of a token-vector column, or of a text column split by the options' token splitting.</summary>
    Word = 0,

    /// <summary>A character of the text (for a token-vector column, the tokens joined by single spaces).</summary>
    Character = 1,
}

/// <summary>
/// How a text or token-vector column becomes the token strings of each row: the unit, the splitting, the
/// case folding and the length bound. Shared by training (reading every row through a cursor) and the
/// transformers' getters, so that a model sees at prediction exactly the tokens it was trained on.
/// </summary>
internal sealed class SequenceColumn
{
    public SequenceColumn(SequenceUnit unit, TokenSplitting splitting, bool lowerCase, int maximumLength = 0)
    {
        Unit = unit;
        Splitting = splitting;
        LowerCase = lowerCase;
        MaximumLength = maximumLength;
    }

    public SequenceUnit Unit { get; }
    public TokenSplitting Splitting { get; }
    public bool LowerCase { get; }

    /// <summary>Only the first this many tokens of a row are read; 0: all.</summary>
    public int MaximumLength { get; }

    /// <summary>The same reading with another length bound.</summary>
    public SequenceColumn WithMaximumLength(int maximumLength) => new(Unit, Splitting, LowerCase, maximumLength);

    /// <summary>Whether a column of this type can be read: Text, or a vector of Text.</summary>
    public static bool IsSupported(DataViewType type) =>
        type is TextDataViewType || type is VectorDataViewType { ItemType: TextDataViewType };

    /// <summary>Finds <paramref name="columnName"/> and checks its type, naming it in the error.</summary>
    public static DataViewSchema.Column Find(IExceptionContext ectx, DataViewSchema schema, string columnName, string role)
    {
        var column = schema.GetColumnOrNull(columnName);
        if (column == null)
            throw ectx.ExceptSchemaMismatch(nameof(schema), role, columnName);
        if (!IsSupported(column.Value.Type))
            throw ectx.ExceptSchemaMismatch(nameof(schema), role, columnName, "Text or vector of Text", column.Value.Type.ToString());
        return column.Value;
    }

    /// <summary>A getter returning the tokens of the current row of <paramref name="row"/>, at most <see cref="MaximumLength"/> of them.</summary>
    public Func<string[]> MakeGetter(DataViewRow row, DataViewSchema.Column column)
    {
        var tokens = MakeFullGetter(row, column);
        int max = MaximumLength;
        return max <= 0 ? tokens : () =>
        {
            var all = tokens();
            return all.Length > max ? all[..max] : all;
        };
    }

    private Func<string[]> MakeFullGetter(DataViewRow row, DataViewSchema.Column column)
    {
        var tokens = new List<string>();
        if (column.Type is TextDataViewType)
        {
            var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> text = default;
            return () =>
            {
                getter(ref text);
                tokens.Clear();
                AddTokens(text.Span, tokens);
                return tokens.ToArray();
            };
        }
        var vectorGetter = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
        VBuffer<ReadOnlyMemory<char>> values = default;
        var joined = new StringBuilder();
        return () =>
        {
            vectorGetter(ref values);
            tokens.Clear();
            if (Unit == SequenceUnit.Character)
            {
                joined.Clear();
                foreach (var value in values.DenseValues())
                {
                    var span = value.Span.Trim();
                    if (span.IsEmpty)
                        continue;
                    if (joined.Length > 0)
                        joined.Append(' ');
                    joined.Append(span);
                }
                AddTokens(joined.ToString(), tokens);
            }
            else
            {
                foreach (var value in values.DenseValues())
                {
                    var span = value.Span.Trim();
                    if (!span.IsEmpty)
                        tokens.Add(Fold(span));
                }
            }
            return tokens.ToArray();
        };
    }

    /// <summary>Reads the tokens of every row (cancellation is checked as it goes).</summary>
    public List<string[]> ReadAll(IHost host, IDataView data, DataViewSchema.Column column)
    {
        var result = new List<string[]>();
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = MakeGetter(cursor, column);
        while (cursor.MoveNext())
        {
            if ((cursor.Position & 0x3FF) == 0)
                host.CheckAlive();
            result.Add(getter());
        }
        return result;
    }

    private void AddTokens(ReadOnlySpan<char> text, List<string> tokens)
    {
        if (Unit == SequenceUnit.Character)
        {
            // Runs of white space collapse to one space, and the ends are trimmed, as in the word case.
            text = text.Trim();
            bool space = false;
            foreach (char c in text)
            {
                if (char.IsWhiteSpace(c))
                {
                    space = true;
                    continue;
                }
                if (space)
                    tokens.Add(" ");
                space = false;
                tokens.Add(Fold(new ReadOnlySpan<char>(in c)));
            }
            return;
        }
        var state = (this, tokens);
        TokenSplitter.Split(text, Splitting, ref state, static (token, ref s) => s.tokens.Add(s.Item1.Fold(token)));
    }

    private string Fold(ReadOnlySpan<char> token) => LowerCase ? LowerInvariant(token) : token.ToString();

    private static string LowerInvariant(ReadOnlySpan<char> token)
    {
        Span<char> buffer = token.Length <= 256 ? stackalloc char[token.Length] : new char[token.Length];
        token.ToLowerInvariant(buffer);
        return buffer.ToString();
    }

    /// <summary>Writes the token settings (unit, splitting, case, length bound) to a model stream.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write((int)Unit);
        writer.Write((int)Splitting);
        writer.Write(LowerCase);
        writer.Write(MaximumLength);
    }

    /// <summary>Reads the token settings written by <see cref="Write"/>; models of the first format wrote no length bound.</summary>
    public static SequenceColumn Read(IExceptionContext ectx, BinaryReader reader, bool withLengthBound = true)
    {
        var unit = (SequenceUnit)reader.ReadInt32();
        var splitting = (TokenSplitting)reader.ReadInt32();
        bool lowerCase = reader.ReadBoolean();
        int maximumLength = withLengthBound ? reader.ReadInt32() : 0;
        ectx.CheckDecode(Enum.IsDefined(unit) && Enum.IsDefined(splitting) && maximumLength >= 0, "Unknown token settings in the model.");
        return new SequenceColumn(unit, splitting, lowerCase, maximumLength);
    }
}
