using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Torch.Data;

namespace MLNet.Sequence.Torch.Tagging;

/// <summary>Rows of tokens and their tags, read for training and for evaluation.</summary>
internal static class TaggedRows
{
    /// <summary>Reads aligned token and tag rows; a row whose counts differ, or without tokens, is an error naming both columns.</summary>
    public static (List<string[]> Tokens, List<string[]> Tags) Read(IHost host, IDataView data, string tokensColumn, string tagsColumn, string what)
    {
        var tokenCol = SequenceColumn.Find(host, data.Schema, tokensColumn, "tokens");
        var tagCol = SequenceColumn.Find(host, data.Schema, tagsColumn, "label");
        var tokens = new List<string[]>();
        var tags = new List<string[]>();
        using var cursor = data.GetRowCursor(new[] { tokenCol, tagCol });
        var getTokens = TaggerInput.CasedWords.MakeGetter(cursor, tokenCol);
        var getTags = TaggerInput.CasedWords.MakeGetter(cursor, tagCol);
        while (cursor.MoveNext())
        {
            if ((cursor.Position & 0x3FF) == 0)
                host.CheckAlive();
            var t = getTokens();
            var g = getTags();
            if (t.Length == 0)
                throw host.Except($"Row {cursor.Position} of the {what} data has no tokens in column '{tokensColumn}'.");
            if (t.Length != g.Length)
                throw host.Except($"Row {cursor.Position} of the {what} data has {t.Length} tokens in column '{tokensColumn}' but {g.Length} tags in column '{tagsColumn}'; they must pair up.");
            tokens.Add(t);
            tags.Add(g);
        }
        return (tokens, tags);
    }
}
