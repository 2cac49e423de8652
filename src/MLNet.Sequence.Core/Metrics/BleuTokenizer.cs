using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MLNet.Sequence.Metrics;

/// <summary>How BLEU splits a detokenised segment into words: sacreBLEU's tokenisers, under the names its signature uses.</summary>
public enum BleuTokenization
{
    /// <summary>"13a", the default: mteval-v13a.pl's rules, as WMT scores are computed (punctuation split off, except
    /// periods and commas inside numbers and dashes after letters).</summary>
    Mteval13a = 0,

    /// <summary>"none": the segment is already tokenised; split at white space only.</summary>
    None = 1,

    /// <summary>"char": every character apart from white space is a token (for languages written without spaces).</summary>
    Character = 2,

    /// <summary>"intl": mteval-v14.pl's international rules, which split off any Unicode punctuation or symbol.</summary>
    International = 3,
}

/// <summary>sacreBLEU's tokenisers, reproduced rule for rule (they decide which n-grams match, so the score depends on them).</summary>
public static partial class BleuTokenizer
{
    /// <summary>The name sacreBLEU's signature gives the tokeniser ("13a", "none", "char", "intl").</summary>
    /// <param name="tokenization">The tokeniser.</param>
    public static string SignatureName(BleuTokenization tokenization) => tokenization switch
    {
        BleuTokenization.Mteval13a => "13a",
        BleuTokenization.None => "none",
        BleuTokenization.Character => "char",
        BleuTokenization.International => "intl",
        _ => throw new ArgumentOutOfRangeException(nameof(tokenization), tokenization, "Unknown BLEU tokenization."),
    };

    /// <summary>The segment as sacreBLEU tokenises it: tokens joined by single spaces.</summary>
    /// <param name="segment">A detokenised segment.</param>
    /// <param name="tokenization">The tokeniser.</param>
    public static string Tokenize(string segment, BleuTokenization tokenization)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return tokenization switch
        {
            BleuTokenization.Mteval13a => Mteval13a(segment),
            BleuTokenization.None => segment,
            BleuTokenization.Character => Characters(segment),
            BleuTokenization.International => International(segment),
            _ => throw new ArgumentOutOfRangeException(nameof(tokenization), tokenization, "Unknown BLEU tokenization."),
        };
    }

    /// <summary>The tokens of the segment.</summary>
    /// <param name="segment">A detokenised segment.</param>
    /// <param name="tokenization">The tokeniser.</param>
    public static IReadOnlyList<string> Tokens(string segment, BleuTokenization tokenization) =>
        PythonText.Split(Tokenize(segment, tokenization));

    // mteval-v13a: unescape a few entities, pad with spaces, then four substitutions. The classes are ASCII, so the
    // UTF-16 regexes give the same text as Python's code-point ones (a surrogate never matches them).
    private static string Mteval13a(string line)
    {
        line = line.Replace("<skipped>", "").Replace("-\n", "").Replace("\n", " ");
        if (line.Contains('&'))
            line = line.Replace("&quot;", "\"").Replace("&amp;", "&").Replace("&lt;", "<").Replace("&gt;", ">");
        line = " " + line + " ";
        line = AsciiSymbol().Replace(line, " $1 ");
        line = PeriodCommaAfterNonDigit().Replace(line, "$1 $2 ");
        line = PeriodCommaBeforeNonDigit().Replace(line, " $1 $2");
        line = DashAfterDigit().Replace(line, "$1 $2 ");
        return string.Join(' ', PythonText.Split(line));
    }

    // Python's " ".join(line): one token per code point; the white-space ones vanish when the result is split.
    private static string Characters(string line)
    {
        var sb = new StringBuilder(line.Length * 2);
        int[] starts = PythonText.CodePointStarts(line);
        for (int i = 0; i + 1 < starts.Length; i++)
        {
            if (i > 0)
                sb.Append(' ');
            sb.Append(line, starts[i], starts[i + 1] - starts[i]);
        }
        return sb.ToString();
    }

    // mteval-v14 international: the three substitutions of sacreBLEU's "intl", applied by code point so that
    // characters outside the BMP (emoji are symbols) get their Unicode category.
    private static string International(string line)
    {
        var runes = ToRunes(line);
        runes = SubstitutePairs(runes, (a, b) => !IsNumber(a) && IsPunctuation(b), spaceBefore: false);
        runes = SubstitutePairs(runes, (a, b) => IsPunctuation(a) && !IsNumber(b), spaceBefore: true);
        var sb = new StringBuilder(line.Length * 2);
        foreach (var r in runes)
        {
            if (IsSymbol(r))
                sb.Append(' ').Append(r.ToString()).Append(' ');
            else
                sb.Append(r.ToString());
        }
        return string.Join(' ', PythonText.Split(sb.ToString()));
    }

    // re.sub of a two-character pattern: scan left to right, replace a matching pair and skip past it.
    // The replacement is "\1 \2 " (spaceBefore false) or " \1 \2" (spaceBefore true).
    private static List<Rune> SubstitutePairs(List<Rune> runes, Func<Rune, Rune, bool> matches, bool spaceBefore)
    {
        var result = new List<Rune>(runes.Count + 8);
        var space = new Rune(' ');
        int i = 0;
        while (i < runes.Count)
        {
            if (i + 1 < runes.Count && matches(runes[i], runes[i + 1]))
            {
                if (spaceBefore)
                    result.Add(space);
                result.Add(runes[i]);
                result.Add(space);
                result.Add(runes[i + 1]);
                if (!spaceBefore)
                    result.Add(space);
                i += 2;
            }
            else
                result.Add(runes[i++]);
        }
        return result;
    }

    private static List<Rune> ToRunes(string text)
    {
        var runes = new List<Rune>(text.Length);
        foreach (var r in text.EnumerateRunes())
            runes.Add(r);
        return runes;
    }

    private static bool IsNumber(Rune r) => Rune.GetUnicodeCategory(r) is
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    private static bool IsPunctuation(Rune r) => Rune.GetUnicodeCategory(r) is
        UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
        or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    private static bool IsSymbol(Rune r) => Rune.GetUnicodeCategory(r) is
        UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
        or UnicodeCategory.OtherSymbol;

    // ASCII punctuation and symbols other than the apostrophe, comma, dash and period.
    [GeneratedRegex(@"([\{-\~\[-\` -\&\(-\+\:-\@\/])")]
    private static partial Regex AsciiSymbol();

    [GeneratedRegex(@"([^0-9])([\.,])")]
    private static partial Regex PeriodCommaAfterNonDigit();

    [GeneratedRegex(@"([\.,])([^0-9])")]
    private static partial Regex PeriodCommaBeforeNonDigit();

    [GeneratedRegex(@"([0-9])(-)")]
    private static partial Regex DashAfterDigit();
}
