using Microsoft.ML.Tokenizers;

namespace MLNet.Sequence.Text;

/// <summary>How a text column is split into tokens before its words are looked up.</summary>
public enum TokenSplitting
{
    /// <summary>Runs of non-white-space characters (what word2vec.c and GloVe read).</summary>
    WhiteSpace = 0,

    /// <summary>Runs of letters, digits and underscores, and single punctuation characters.</summary>
    WordOrPunctuation = 1,

    /// <summary>Runs of word characters, and runs of other non-space characters.</summary>
    WordOrNonWord = 2,
}

/// <summary>Splits text into token ranges with the pre-tokenizers of Microsoft.ML.Tokenizers.</summary>
internal static class TokenSplitter
{
    private static readonly PreTokenizer s_wordOrPunctuation = PreTokenizer.CreateWordOrPunctuation();
    private static readonly PreTokenizer s_wordOrNonWord = PreTokenizer.CreateWordOrNonWord();

    /// <summary>Calls <paramref name="onToken"/> with each token of <paramref name="text"/>, in order.</summary>
    public static void Split<TState>(ReadOnlySpan<char> text, TokenSplitting splitting, ref TState state, SpanAction<TState> onToken)
    {
        if (splitting == TokenSplitting.WhiteSpace)
        {
            // The common case runs without the regex and without allocating.
            int i = 0;
            while (i < text.Length)
            {
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                    i++;
                int start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                    i++;
                if (i > start)
                    onToken(text.Slice(start, i - start), ref state);
            }
            return;
        }

        var preTokenizer = splitting switch
        {
            TokenSplitting.WordOrPunctuation => s_wordOrPunctuation,
            TokenSplitting.WordOrNonWord => s_wordOrNonWord,
            _ => throw new ArgumentOutOfRangeException(nameof(splitting), splitting, "Unknown token splitting."),
        };
        foreach (var (offset, length) in preTokenizer.PreTokenize(text))
            onToken(text.Slice(offset, length), ref state);
    }

    /// <summary>Receives one token.</summary>
    public delegate void SpanAction<TState>(ReadOnlySpan<char> token, ref TState state);
}
