using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class CtcDecoderTests
{
    private static readonly CtcUnits Letters = new(["_", " ", "a", "c", "e", "h", "i", "k", "o", "t", "y"]);

    // Frames given as the unit each one is sure of (probability `sure`), the rest shared by the others; "_" is the
    // blank. A frame written "c/k:0.45" gives c 0.45 and k the rest of the mass left after the others' share.
    internal static float[] Posteriors(CtcUnits units, params string[] frames) => Posteriors(units, 0.9, frames);

    internal static float[] Posteriors(CtcUnits units, double sure, params string[] frames)
    {
        var values = new float[frames.Length * units.Count];
        for (int t = 0; t < frames.Length; t++)
        {
            var row = new double[units.Count];
            var parts = frames[t].Split(':');
            var chosen = parts[0].Split('/');
            double first = parts.Length > 1 ? double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : sure;
            double rest = (1 - sure) / (units.Count - chosen.Length);
            for (int u = 0; u < units.Count; u++)
                row[u] = rest;
            row[Index(units, chosen[0])] = first;
            if (chosen.Length == 2)
                row[Index(units, chosen[1])] = sure - first;
            double sum = row.Sum();
            for (int u = 0; u < units.Count; u++)
                values[t * units.Count + u] = (float)Math.Log(row[u] / sum);
        }
        return values;
    }

    private static int Index(CtcUnits units, string unit) => unit == "_" ? units.Blank : units.Units.ToList().IndexOf(unit == "~" ? " " : unit);

    [Fact]
    public void GreedyCollapsesRepeatsAndDropsBlanks()
    {
        var p = Posteriors(Letters, "h", "h", "i", "_", "i", "~", "~", "y", "o", "o");

        var result = CtcDecoder.Greedy(p, 10, Letters);

        Assert.Equal("hii yo", result.Text);
        Assert.Equal(10 * Math.Log(0.9), result.AcousticLogProbability, 4);
        Assert.Equal(0, result.LanguageModelScore);
    }

    [Fact]
    public void BeamSearchSumsPathsAndFindsWhatGreedyMisses()
    {
        // Two frames of blank 0.6, a 0.4: greedy's best path is blank-blank (0.36), but the paths of "a" together
        // have 0.16 + 0.24 + 0.24 = 0.64.
        var units = new CtcUnits(["_", "a", " "]);
        float[] p = [(float)Math.Log(0.6), (float)Math.Log(0.4), float.NegativeInfinity, (float)Math.Log(0.6), (float)Math.Log(0.4), float.NegativeInfinity];

        var greedy = CtcDecoder.Greedy(p, 2, units);
        var beam = CtcDecoder.BeamSearch(p, 2, units, new CtcDecoderOptions { BeamWidth = 4, NBest = 2 });

        Assert.Equal("", greedy.Text);
        Assert.Equal(Math.Log(0.36), greedy.AcousticLogProbability, 5);
        Assert.Equal(["a", ""], beam.Select(h => h.Text));
        Assert.Equal(Math.Log(0.64), beam[0].AcousticLogProbability, 5);
        Assert.Equal(Math.Log(0.36), beam[1].AcousticLogProbability, 5);
    }

    [Fact]
    public void ARepeatedLetterNeedsABlankBetween()
    {
        var once = CtcDecoder.BeamSearch(Posteriors(Letters, "o", "o", "o"), 3, Letters, new CtcDecoderOptions { BeamWidth = 8 });
        var twice = CtcDecoder.BeamSearch(Posteriors(Letters, "o", "_", "o"), 3, Letters, new CtcDecoderOptions { BeamWidth = 8 });

        Assert.Equal("o", once[0].Text);
        Assert.Equal("oo", twice[0].Text);
    }

    [Fact]
    public void TheLanguageModelOverturnsAnAcousticallyLikelierMisspelling()
    {
        // "kat" is a little likelier to the ear; the language model has seen "the cat" and never "kat".
        var p = Posteriors(Letters, "t", "h", "e", "~", "k/c:0.5", "a", "t");
        var lm = ArpaModelBuilder.Build([["the", "cat"], ["a", "cat"], ["the", "hat"], ["the", "cat", "ate"]], order: 2);

        var plain = CtcDecoder.BeamSearch(p, 7, Letters, new CtcDecoderOptions { BeamWidth = 16 });
        var fused = CtcDecoder.BeamSearch(p, 7, Letters, new CtcDecoderOptions { BeamWidth = 16, LanguageModel = lm, LanguageModelWeight = 0.5 });

        Assert.Equal("the kat", plain[0].Text);
        Assert.Equal("the cat", fused[0].Text);
        Assert.Equal(2 * 1.0, plain[0].LanguageModelScore, 9); // no model: beta for each word
        Assert.Equal(0.5 * lm.SentenceLogProbability(["the", "cat"]) + 2 * 1.0, fused[0].LanguageModelScore, 5);
        Assert.Equal(fused[0].AcousticLogProbability + fused[0].LanguageModelScore, fused[0].Score, 9);
    }

    [Fact]
    public void AHotwordIsBoostedIntoTheTranscript()
    {
        var p = Posteriors(Letters, "t", "h", "e", "~", "k/c:0.5", "a", "t");

        var boosted = CtcDecoder.BeamSearch(p, 7, Letters, new CtcDecoderOptions { BeamWidth = 16, Hotwords = [new Hotword("cat", 2.0)] });
        var phrase = CtcDecoder.BeamSearch(p, 7, Letters, new CtcDecoderOptions { BeamWidth = 16, Hotwords = [new Hotword("the cat", 2.0)] });

        Assert.Equal("the cat", boosted[0].Text);
        Assert.Equal(2.0 + 2 * 1.0, boosted[0].LanguageModelScore, 9); // the hotword plus beta for each of the two words
        Assert.Equal("the cat", phrase[0].Text);
    }

    [Fact]
    public void WordTimingsComeFromTheFramesTheirLettersOccupy()
    {
        var p = Posteriors(Letters, "h", "h", "i", "_", "~", "y", "o", "o", "_");

        var result = CtcDecoder.BeamSearch(p, 9, Letters, new CtcDecoderOptions { FrameSeconds = 0.04 })[0];

        Assert.Equal("hi yo", result.Text);
        Assert.Equal([new WordTiming("hi", 0, 0.12), new WordTiming("yo", 0.2, 0.32)], result.Words.Select(w => w with { Start = Math.Round(w.Start, 9), End = Math.Round(w.End, 9) }));
    }

    [Fact]
    public void SubwordUnitsWithWordStartMarkersSpellWords()
    {
        var units = new CtcUnits(["<b>", "\u2581he", "llo", "\u2581wor", "ld"], blank: 0, wordSeparator: null, wordStartMarker: "\u2581");
        var p = Posteriors(units, "\u2581he", "llo", "_", "\u2581wor", "ld");

        Assert.Equal("hello world", CtcDecoder.Greedy(p, 5, units).Text);
        Assert.Equal("hello world", CtcDecoder.BeamSearch(p, 5, units)[0].Text);
    }

    [Fact]
    public void BadInputIsRefusedByName()
    {
        var p = Posteriors(Letters, "h", "i");
        string Param(CtcDecoderOptions o) => Assert.ThrowsAny<ArgumentException>(() => CtcDecoder.BeamSearch(p, 2, Letters, o)).ParamName!;

        Assert.Equal("BeamWidth", Param(new CtcDecoderOptions { BeamWidth = 0 }));
        Assert.Equal("NBest", Param(new CtcDecoderOptions { BeamWidth = 2, NBest = 3 }));
        Assert.Equal("LanguageModelWeight", Param(new CtcDecoderOptions { LanguageModelWeight = double.NaN }));
        Assert.Equal("Hotwords", Param(new CtcDecoderOptions { Hotwords = [new Hotword(" ", 1)] }));
        Assert.Equal("4 log-probabilities are not 2 frames of 11 units", Assert.Throws<ArgumentException>(() => CtcDecoder.Greedy(new float[4], 2, Letters)).Message.Split(" (")[0]);
        var nan = (float[])p.Clone();
        nan[13] = float.NaN;
        Assert.StartsWith("frame 1, unit 2 has NaN", Assert.Throws<ArgumentException>(() => CtcDecoder.Greedy(nan, 2, Letters)).Message);
        Assert.StartsWith("the word separator '|' is not one of the units", Assert.Throws<ArgumentException>(() => new CtcUnits(["_", "a"], wordSeparator: "|")).Message);
    }
}
