using MLNet.Sequence.Metrics;

namespace MLNet.Sequence.Core.Tests.Metrics;

/// <summary>
/// The tokenisers against sacreBLEU's rules. The expected strings are what sacreBLEU's own regular expressions give
/// in Python 3.11 (re for 13a, the regex module for intl); the lowercasing ones are Python's str.lower().
/// </summary>
public class BleuTokenizerTests
{
    [Theory]
    [InlineData("Hello, world! It's 3.14 and 1,000 - ok.",
        "Hello , world ! It's 3.14 and 1,000 - ok .",
        "Hello , world ! It ' s 3.14 and 1,000 - ok .",
        "H e l l o , w o r l d ! I t ' s 3 . 1 4 a n d 1 , 0 0 0 - o k .")]
    [InlineData("Price: $5.00 (approx.) -- e.g. A&amp;B &lt;tag&gt; &quot;q&quot; &amp;lt;",
        "Price : $ 5.00 ( approx . ) -- e . g . A & B < tag > \" q \" <",
        "Price : $ 5.00 ( approx . ) - - e . g . A & amp ; B & lt ; tag & gt ; & quot ; q & quot ; & amp ; lt ;",
        "P r i c e : $ 5 . 0 0 ( a p p r o x . ) - - e . g . A & a m p ; B & l t ; t a g & g t ; & q u o t ; q & q u o t ; & a m p ; l t ;")]
    [InlineData("1990-2000, 5.5. end. v1.2.3 a..b ,x, 4,",
        "1990 - 2000 , 5.5 . end . v1.2.3 a . . b , x , 4 ,",
        "1990-2000 , 5.5 . end . v1.2.3 a . . b , x , 4,",
        "1 9 9 0 - 2 0 0 0 , 5 . 5 . e n d . v 1 . 2 . 3 a . . b , x , 4 ,")]
    [InlineData("Ein \"Zitat\" \u2013 mit \u00ABAnf\u00FChrung\u00BB und \U0001F600 Emoji\u2026 12.5% \u00A92024 x\u00B2",
        "Ein \" Zitat \" \u2013 mit \u00ABAnf\u00FChrung\u00BB und \U0001F600 Emoji\u2026 12.5 % \u00A92024 x\u00B2",
        "Ein \" Zitat \" \u2013 mit \u00AB Anf\u00FChrung \u00BB und \U0001F600 Emoji \u2026 12.5 % \u00A9 2024 x\u00B2",
        "E i n \" Z i t a t \" \u2013 m i t \u00AB A n f \u00FC h r u n g \u00BB u n d \U0001F600 E m o j i \u2026 1 2 . 5 % \u00A9 2 0 2 4 x \u00B2")]
    [InlineData("a.b,c 3,4 x-y 5-6 <skipped> line-\nbreak\nnew",
        "a . b , c 3,4 x-y 5 - 6 linebreak new",
        "a . b , c 3,4 x - y 5-6 < skipped > line - break new",
        "a . b , c 3 , 4 x - y 5 - 6 < s k i p p e d > l i n e - b r e a k n e w")]
    [InlineData("\u65E5\u672C\u8A9E\u3001\u30C6\u30B9\u30C8\u3002 \U0001F44D\U0001F3FD!",
        "\u65E5\u672C\u8A9E\u3001\u30C6\u30B9\u30C8\u3002 \U0001F44D\U0001F3FD !",
        "\u65E5\u672C\u8A9E \u3001 \u30C6\u30B9\u30C8 \u3002 \U0001F44D \U0001F3FD !",
        "\u65E5 \u672C \u8A9E \u3001 \u30C6 \u30B9 \u30C8 \u3002 \U0001F44D \U0001F3FD !")]
    [InlineData("don't stop\u2014ever; (yes) [no] {maybe} ~tilde^ `tick` |pipe| @at #hash \\back/slash_",
        "don't stop\u2014ever ; ( yes ) [ no ] { maybe } ~ tilde ^ ` tick ` | pipe | @ at # hash \\ back / slash _",
        "don ' t stop \u2014 ever ; ( yes ) [ no ] { maybe } ~ tilde ^ ` tick ` | pipe | @ at # hash \\ back / slash _",
        "d o n ' t s t o p \u2014 e v e r ; ( y e s ) [ n o ] { m a y b e } ~ t i l d e ^ ` t i c k ` | p i p e | @ a t # h a s h \\ b a c k / s l a s h _")]
    [InlineData("\u0661\u0662.\u0663 \u00BD. \u2167, done",
        "\u0661\u0662 . \u0663 \u00BD . \u2167 , done",
        "\u0661\u0662.\u0663 \u00BD . \u2167 , done",
        "\u0661 \u0662 . \u0663 \u00BD . \u2167 , d o n e")]
    public void TokenizesAsSacreBleuDoes(string segment, string mteval13a, string international, string characters)
    {
        Assert.Equal(mteval13a, BleuTokenizer.Tokenize(segment, BleuTokenization.Mteval13a));
        Assert.Equal(international, BleuTokenizer.Tokenize(segment, BleuTokenization.International));
        Assert.Equal(characters, string.Join(' ', BleuTokenizer.Tokens(segment, BleuTokenization.Character)));
        Assert.Equal(segment, BleuTokenizer.Tokenize(segment, BleuTokenization.None));
    }

    [Theory]
    [InlineData("\u039F\u0394\u039F\u03A3 \u03A3\u0391\u03A3.", "\u03BF\u03B4\u03BF\u03C2 \u03C3\u03B1\u03C2.")]
    [InlineData("\u0130stanbul", "i\u0307stanbul")]
    [InlineData("A\u03A3'", "a\u03C2'")]
    [InlineData("\u03A3", "\u03C3")]
    [InlineData("\u03A3a", "\u03C3a")]
    [InlineData("a\u03A3\u0301b", "a\u03C3\u0301b")]
    [InlineData("a\u03A3\u0301", "a\u03C2\u0301")]
    public void LowercasesAsPythonDoes(string text, string lower) => Assert.Equal(lower, PythonText.Lower(text));

    [Fact]
    public void SplitsAtPythonWhiteSpace()
    {
        // U+001C..U+001F separate words in Python's str.split(); .NET's char.IsWhiteSpace does not count them.
        Assert.Equal(["a", "b", "c", "d"], PythonText.Split("a\u001Fb\u00A0c\u3000d "));
        Assert.Equal(["x", "y"], BleuTokenizer.Tokens(" x \t y\n", BleuTokenization.None));
        Assert.Empty(BleuTokenizer.Tokens("   ", BleuTokenization.Mteval13a));
    }

    [Fact]
    public void SignatureNamesAreSacreBleus()
    {
        Assert.Equal("13a", BleuTokenizer.SignatureName(BleuTokenization.Mteval13a));
        Assert.Equal("none", BleuTokenizer.SignatureName(BleuTokenization.None));
        Assert.Equal("char", BleuTokenizer.SignatureName(BleuTokenization.Character));
        Assert.Equal("intl", BleuTokenizer.SignatureName(BleuTokenization.International));
        Assert.Throws<ArgumentOutOfRangeException>(() => BleuTokenizer.Tokenize("a", (BleuTokenization)9));
    }
}
