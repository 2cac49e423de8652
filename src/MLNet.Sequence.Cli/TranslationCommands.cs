using System.Globalization;
using System.Text;
using MLNet.Sequence.Metrics;

namespace MLNet.Sequence.Cli;

/// <summary>Translation from the command line: BLEU and chrF of a system's output against reference files.</summary>
internal static class TranslationCommands
{
    public static readonly Command Bleu = new("bleu",
        "Corpus BLEU and chrF of a file of translations (one segment per line) against one or more reference files, as sacreBLEU scores them.",
        new[]
        {
            Flag.Required("i", "FILE", "the translations, detokenised, one per line"),
            Flag.Choice("tok", "13a", "BLEU's tokeniser", "13a", "none", "char", "intl"),
            Flag.Choice("smooth", "exp", "BLEU's smoothing", "exp", "floor", "add-k", "none"),
            Flag.Number("smooth-value", "default", "the value of floor (0.1) or add-k (1)"),
            Flag.Bool("lc", false, "lowercase before scoring"),
            Flag.Bool("eff", false, "effective order: average only the orders a segment has"),
            Flag.Int("chrf-word-order", 0, "word n-gram orders of chrF (2: chrF++)", 0),
            Flag.Bool("sentence", false, "also print each segment's sentence BLEU and chrF"),
        },
        RunBleu, positional: "REF [REF...]");

    private static int RunBleu(Arguments a)
    {
        if (a.Positional.Count == 0)
            throw new UsageException("Give at least one reference file: mlnet-seq bleu REF [REF...] -i FILE.");
        string hypothesisFile = a.ExistingFile("i");
        var hypotheses = ReadLines(hypothesisFile);
        var streams = a.Positional.Select(path =>
        {
            if (!File.Exists(path))
                throw new UsageException($"Reference file '{path}' does not exist.");
            var lines = ReadLines(path);
            if (lines.Length != hypotheses.Length)
                throw new InvalidDataException($"Reference file '{path}' has {lines.Length} lines but '{hypothesisFile}' has {hypotheses.Length}; each translation needs a reference line (empty to leave it out).");
            return lines;
        }).ToList();
        var references = Enumerable.Range(0, hypotheses.Length)
            .Select(i => (IReadOnlyList<string?>)streams.Select(s => s[i]).ToList()).ToList();
        int missing = references.FindIndex(refs => refs.All(string.IsNullOrEmpty));
        if (missing >= 0)
            throw new InvalidDataException($"Line {missing + 1} has no reference: it is empty in every reference file ({string.Join(", ", a.Positional)}).");

        var bleuOptions = new BleuOptions
        {
            Tokenization = a.Text("tok") switch
            {
                "none" => BleuTokenization.None,
                "char" => BleuTokenization.Character,
                "intl" => BleuTokenization.International,
                _ => BleuTokenization.Mteval13a,
            },
            Smoothing = a.Text("smooth") switch
            {
                "floor" => BleuSmoothing.Floor,
                "add-k" => BleuSmoothing.AddK,
                "none" => BleuSmoothing.None,
                _ => BleuSmoothing.Exponential,
            },
            SmoothingValue = a.NumberOrNull("smooth-value"),
            Lowercase = a.Bool("lc"),
            EffectiveOrder = a.Bool("eff"),
        };
        var chrFOptions = new ChrFOptions { WordOrder = a.Int("chrf-word-order"), Lowercase = a.Bool("lc") };

        if (a.Bool("sentence"))
        {
            for (int i = 0; i < hypotheses.Length; i++)
            {
                var bleu = Metrics.Bleu.SentenceScore(hypotheses[i], references[i], bleuOptions);
                var chrF = ChrF.SentenceScore(hypotheses[i], references[i], chrFOptions);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1}\tBLEU {bleu.Score:F2}\t{chrF.Name} {chrF.Score:F2}"));
            }
        }
        var corpusBleu = Metrics.Bleu.CorpusScore(hypotheses, references, bleuOptions);
        var corpusChrF = ChrF.CorpusScore(hypotheses, references, chrFOptions);
        Console.WriteLine($"BLEU|{corpusBleu.Signature} = {corpusBleu.ToString()["BLEU = ".Length..]}");
        Console.WriteLine($"{corpusChrF.Name}|{corpusChrF.Signature} = {corpusChrF.Score.ToString("F2", CultureInfo.InvariantCulture)}");
        return 0;
    }

    // The file's lines; a file that is not UTF-8 text is refused with its name.
    private static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"'{path}' is not UTF-8 text.");
        }
    }
}
