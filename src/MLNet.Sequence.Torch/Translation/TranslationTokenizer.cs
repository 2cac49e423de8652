using System.Text;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Torch.Translation;

/// <summary>What a translation model's tokens are.</summary>
public enum TranslationUnit
{
    /// <summary>Characters, white space included (dates, spelling, transliteration).</summary>
    Characters = 0,

    /// <summary>Words and punctuation marks (Microsoft.ML.Tokenizers' word-or-punctuation pre-tokenizer); a mark
    /// written against the previous token carries a joiner, so that the output detokenises to plain text.</summary>
    Words = 1,
}

/// <summary>How one side of a translation model turns text into tokens and tokens back into text.</summary>
public sealed class TranslationTokenizerOptions
{
    /// <summary>Characters or words.</summary>
    public TranslationUnit Unit = TranslationUnit.Words;

    /// <summary>Lowercase the text first.</summary>
    public bool LowerCase;

    internal void Validate(IExceptionContext ectx, string name) =>
        ectx.CheckUserArg(Enum.IsDefined(Unit), name, "Unknown translation unit.");
}

/// <summary>
/// The tokeniser of one side of a translation model, saved with it: text → tokens for the encoder or the
/// reference, tokens → plain text for the output.
/// </summary>
internal sealed class TranslationTokenizer
{
    /// <summary>Marks a word token written against the previous token, as OpenNMT's tokenizer does (U+FFED).</summary>
    public const string Joiner = "\uFFED";

    public TranslationTokenizer(TranslationUnit unit, bool lowerCase)
    {
        Unit = unit;
        LowerCase = lowerCase;
    }

    public TranslationUnit Unit { get; }

    public bool LowerCase { get; }

    public string[] Tokenize(string text)
    {
        text = text.Trim();
        if (LowerCase)
            text = text.ToLowerInvariant();
        if (Unit == TranslationUnit.Characters)
        {
            var chars = new List<string>(text.Length);
            foreach (var rune in text.EnumerateRunes())
                chars.Add(rune.ToString());
            return chars.ToArray();
        }
        var tokens = new List<string>();
        TokenSplitter.Split(text.AsSpan(), TokenSplitting.WordOrPunctuation, ref tokens, static (token, ref list) => list.Add(token.ToString()));
        // Find each token in order to know whether white space precedes it.
        int end = 0;
        var result = new string[tokens.Count];
        for (int i = 0; i < tokens.Count; i++)
        {
            int at = text.IndexOf(tokens[i], end, StringComparison.Ordinal);
            bool joined = i > 0 && at == end;
            result[i] = joined ? Joiner + tokens[i] : tokens[i];
            end = at + tokens[i].Length;
        }
        return result;
    }

    public string Detokenize(IEnumerable<string> tokens)
    {
        if (Unit == TranslationUnit.Characters)
            return string.Concat(tokens);
        var sb = new StringBuilder();
        foreach (var token in tokens)
        {
            if (token.StartsWith(Joiner, StringComparison.Ordinal))
                sb.Append(token, Joiner.Length, token.Length - Joiner.Length);
            else
            {
                if (sb.Length > 0)
                    sb.Append(' ');
                sb.Append(token);
            }
        }
        return sb.ToString();
    }

    /// <summary>A token as a user reads it (without the joiner).</summary>
    public static string Display(string token) => token.StartsWith(Joiner, StringComparison.Ordinal) ? token[Joiner.Length..] : token;

    public void Write(BinaryWriter writer)
    {
        writer.Write((int)Unit);
        writer.Write(LowerCase);
    }

    public static TranslationTokenizer Read(IExceptionContext ectx, BinaryReader reader)
    {
        var unit = (TranslationUnit)reader.ReadInt32();
        ectx.CheckDecode(Enum.IsDefined(unit), "Unknown translation unit in the model.");
        return new TranslationTokenizer(unit, reader.ReadBoolean());
    }
}
