using System.Globalization;
using System.Text;

namespace MLNet.Sequence.Metrics;

/// <summary>
/// The text normalisation applied before WER and CER: Unicode NFKC, lower case (invariant culture), every character
/// that is neither a letter, a digit, an apostrophe between letters nor white space replaced by a space, then words
/// split on white space. So "Hello, World!" and "hello world" are the same two words, and "don't" stays one word.
/// </summary>
public static class TranscriptNormalizer
{
    /// <summary>The words of a transcript after normalisation.</summary>
    public static string[] Words(string text) =>
        Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The characters CER counts: the normalised words joined by single spaces (spaces count as characters).</summary>
    public static string[] Characters(string text) =>
        string.Join(' ', Words(text)).EnumerateRunes().Select(r => r.ToString()).ToArray();

    /// <summary>The normalised text: lower case, punctuation removed, single spaces.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var b = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            bool keep = char.IsLetterOrDigit(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                || (c is '\'' or '\u2019' && i > 0 && i + 1 < s.Length && char.IsLetter(s[i - 1]) && char.IsLetter(s[i + 1]));
            b.Append(keep ? (c == '\u2019' ? '\'' : c) : ' ');
        }
        return string.Join(' ', b.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
