using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings;

/// <summary>Receives the tokens of a column row by row; a struct so that the JIT inlines the calls.</summary>
internal interface ITokenVisitor
{
    /// <summary>One non-empty token of the current row.</summary>
    void OnToken(ReadOnlySpan<char> token);

    /// <summary>The current row has ended.</summary>
    void OnRowEnd();
}

/// <summary>
/// A text column (one string per row, split by <see cref="TokenSplitting"/>) or a token column (a vector
/// of strings per row) of an <see cref="IDataView"/>, read with a cursor: rows stream through and are
/// never copied into memory as strings.
/// </summary>
internal sealed class TokenColumn
{
    private readonly IHost _host;
    private readonly IDataView _data;
    private readonly DataViewSchema.Column _column;
    private readonly TokenSplitting _splitting;

    public TokenColumn(IHost host, IDataView data, string columnName, TokenSplitting splitting)
    {
        _host = host;
        _data = data;
        _splitting = splitting;
        var column = data.Schema.GetColumnOrNull(columnName);
        if (column == null)
            throw host.ExceptSchemaMismatch(nameof(data), "input", columnName);
        if (!IsTokenType(column.Value.Type))
            throw host.ExceptSchemaMismatch(nameof(data), "input", columnName, "Text or vector of Text", column.Value.Type.ToString());
        _column = column.Value;
    }

    /// <summary>Whether a column of this type can be read as tokens.</summary>
    public static bool IsTokenType(DataViewType type) =>
        type is TextDataViewType || type is VectorDataViewType { ItemType: TextDataViewType };

    /// <summary>Reads every row once, calling <paramref name="visitor"/>; checks for cancellation as it goes.</summary>
    public void Read<TVisitor>(ref TVisitor visitor) where TVisitor : struct, ITokenVisitor
    {
        using var cursor = _data.GetRowCursor(new[] { _column });
        if (_column.Type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(_column);
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                if ((cursor.Position & 0x3FF) == 0)
                    _host.CheckAlive();
                getter(ref text);
                TokenSplitter.Split(text.Span, _splitting, ref visitor, static (token, ref v) => v.OnToken(token));
                visitor.OnRowEnd();
            }
        }
        else
        {
            var getter = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(_column);
            VBuffer<ReadOnlyMemory<char>> tokens = default;
            while (cursor.MoveNext())
            {
                if ((cursor.Position & 0x3FF) == 0)
                    _host.CheckAlive();
                getter(ref tokens);
                foreach (var token in tokens.GetValues())
                {
                    var span = token.Span.Trim();
                    if (!span.IsEmpty)
                        visitor.OnToken(span);
                }
                visitor.OnRowEnd();
            }
        }
    }
}
