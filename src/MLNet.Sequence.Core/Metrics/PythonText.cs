using System.Globalization;
using System.Text;

namespace MLNet.Sequence.Metrics;

/// <summary>
/// The string rules of Python 3 that sacreBLEU's and NLTK's scores depend on: what <c>str.split()</c> treats as white
/// space, <c>str.lower()</c> (full case mapping with the final sigma), and slicing by code point rather than by UTF-16
/// unit. Reproducing them is what makes a score here equal to the reference's on any text, not only on ASCII.
/// </summary>
internal static class PythonText
{
    /// <summary>Whether <c>str.isspace()</c> holds for the character (Python adds U+001C..U+001F to .NET's set).</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\u001C' && c <= '\u001F');

    /// <summary><c>str.split()</c> with no argument: runs of non-space characters.</summary>
    public static List<string> Split(string text)
    {
        var words = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsSpace(text[i]))
                i++;
            int start = i;
            while (i < text.Length && !IsSpace(text[i]))
                i++;
            if (i > start)
                words.Add(text.Substring(start, i - start));
        }
        return words;
    }

    /// <summary><c>''.join(text.split())</c>: the text with every space removed.</summary>
    public static string RemoveSpaces(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
            if (!IsSpace(c))
                sb.Append(c);
        return sb.ToString();
    }

    /// <summary><c>str.rstrip()</c>.</summary>
    public static string TrimEnd(string text)
    {
        int end = text.Length;
        while (end > 0 && IsSpace(text[end - 1]))
            end--;
        return end == text.Length ? text : text.Substring(0, end);
    }

    /// <summary>
    /// <c>str.lower()</c>: .NET's invariant simple mapping, plus the two places where Python's full mapping differs
    /// — U+0130 becomes "i" + U+0307, and a capital sigma at the end of a word becomes the final form U+03C2.
    /// </summary>
    public static string Lower(string text)
    {
        if (text.IndexOf('\u0130') < 0 && text.IndexOf('\u03A3') < 0)
            return text.ToLowerInvariant();

        var sb = new StringBuilder(text.Length + 4);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\u0130')
                sb.Append("i\u0307");
            else if (c == '\u03A3')
                sb.Append(IsFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(text.AsSpan(i, 2).ToString().ToLowerInvariant());
                i++;
            }
            else
                sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>The offsets where each code point starts, and the text's length at the end (so n-grams slice by code point).</summary>
    public static int[] CodePointStarts(string text)
    {
        var starts = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            starts.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
        }
        starts.Add(text.Length);
        return starts.ToArray();
    }

    /// <summary>The number of code points (Python's <c>len</c>).</summary>
    public static int CodePointCount(string text) => CodePointStarts(text).Length - 1;

    // Unicode's Final_Sigma context: a cased letter before (skipping case-ignorable characters) and none after.
    private static bool IsFinalSigma(string text, int index)
    {
        int j = index - 1;
        while (j >= 0 && IsCaseIgnorable(text[j]))
            j--;
        if (j < 0 || !IsCased(text[j]))
            return false;
        j = index + 1;
        while (j < text.Length && IsCaseIgnorable(text[j]))
            j++;
        return j == text.Length || !IsCased(text[j]);
    }

    private static bool IsCased(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(char c) =>
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || c is '\'' or '.' or ':' or '\u00B7' or '\u2018' or '\u2019' or '\u2024' or '\uFE52' or '\uFF07' or '\uFF0E' or '\u00AD';
}
