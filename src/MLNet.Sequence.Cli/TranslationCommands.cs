using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Plots;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Translation;

namespace MLNet.Sequence.Cli;

/// <summary>Translation from the command line: train, translate, the beam-search error analysis, BLEU and chrF.</summary>
internal static class TranslationCommands
{
    /// <summary>How a saved translator decodes.</summary>
    private static readonly Flag[] Search =
    {
        Flag.Int("beam", 1, "beam size B (1: greedy search)", 1),
        Flag.Number("alpha", 0.7, "length-penalty exponent (beam search)"),
        Flag.Choice("penalty", "average", "length penalty: log P / T^alpha, GNMT's, or none", "average", "gnmt", "none"),
        Flag.Int("n-best", 1, "translations printed per source, best first (at most -beam)", 1),
        Flag.Int("max-length", 100, "most output tokens", 1),
    };

    public static readonly Command Train = new("translate-train",
        "Trains an encoder-decoder with attention on TSV rows of source and target text, and scores the test rows with BLEU.",
        SequenceCommands.Splits(header: false).Concat(new[]
        {
            Flag.Int("source-column", 0, "0-based column of the source text", 0),
            Flag.Int("target-column", 1, "0-based column of the target text", 0),
            Flag.Choice("unit", "words", "what a token is, both sides: words, characters, BPE subwords learned on -train, or -spm's pieces", "words", "chars", "subwords", "sentencepiece"),
            Flag.Int("merges", 8000, "byte-pair merges learned per side (-unit subwords)", 1),
            Flag.Text("spm", "FILE", "a SentencePiece .model for both sides (-unit sentencepiece)"),
            Flag.Bool("lower", false, "lowercase both sides first"),
            Flag.Int("min-count", 1, "tokens seen fewer times share the unknown token", 1),
            Flag.Int("max-vocab", 0, "keep at most this many tokens per side (0: all)", 0),
            Flag.Choice("attention", "additive", "how the decoder attends", "additive", "dot", "general", "concat"),
            Flag.Int("attention-hidden", 256, "width of the additive or concat attention", 1),
            Flag.Int("decoder-hidden", 256, "width of the decoder's state", 1),
            Flag.Int("decoder-layers", 1, "decoder layers", 1),
            Flag.Bool("input-feeding", true, "Luong attention: feed the last attentional vector back"),
            Flag.Bool("feed-previous", true, "feed the previous output token (0: the curriculum's date model)"),
            Flag.Choice("bridge", "dense", "how the decoder starts from the encoder", "dense", "zeros"),
            Flag.Number("dropout", 0.2, "dropout on embeddings and attentional vectors"),
            Flag.Number("label-smoothing", 0, "label smoothing of the loss"),
            Flag.Choice("early-stop", "loss", "what -patience watches on -valid", "loss", "bleu"),
        }).Concat(SequenceCommands.Network(256, bidirectional: true)).Concat(SequenceCommands.Training)
        .Where(f => f.Name is not ("vectors" or "limit" or "freeze")),
        RunTrain);

    public static readonly Command Translate = new("translate",
        "Translates the lines of a file (or standard input with -i -) with a model saved by translate-train: greedy or beam search, with an n-best list.",
        new[]
        {
            Flag.Required("model", "MODEL.zip", "a model saved by translate-train"),
            Flag.Required("i", "FILE", "the sources, one per line ('-': standard input)"),
            Flag.Text("attention", "DIR", "also draw each translation's attention as DIR/N.png"),
        }.Concat(Search),
        RunTranslate);

    public static readonly Command Analysis = new("beam-analysis",
        "The curriculum's beam-search error analysis on dev pairs: search errors (the model prefers the reference) against model errors, for each beam size and alpha.",
        new[]
        {
            Flag.Required("model", "MODEL.zip", "a model saved by translate-train"),
            Flag.Required("src", "FILE", "the dev sources, one per line"),
            Flag.Required("ref", "FILE", "their references, one per line"),
            Flag.Text("beams", "1,3,5,10", "beam sizes", "1,3,5,10"),
            Flag.Text("alphas", "0,0.5,0.7,1", "length-penalty exponents", "0,0.5,0.7,1"),
            Flag.Int("rows", 10, "wrong pairs printed for the first setting with B > 1", 0),
            Flag.Int("max-length", 100, "most output tokens", 1),
        },
        RunAnalysis);

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

    private static int RunTrain(Arguments a)
    {
        var ml = SequenceCommands.NewContext(a);
        var columns = new[]
        {
            new TextLoader.Column("Source", DataKind.String, a.Int("source-column")),
            new TextLoader.Column("Target", DataKind.String, a.Int("target-column")),
        };
        var (train, valid, test) = SequenceCommands.LoadSplits(ml, a, columns);
        string output = a.Required("output");
        var unit = a.Text("unit") switch
        {
            "chars" => TranslationUnit.Characters,
            "subwords" => TranslationUnit.Subwords,
            "sentencepiece" => TranslationUnit.SentencePiece,
            _ => TranslationUnit.Words,
        };
        string? spm = a.Text("spm");
        if (unit == TranslationUnit.SentencePiece && spm == null)
            throw new UsageException("-unit sentencepiece needs -spm FILE, the SentencePiece model.");
        var tokenizer = new TranslationTokenizerOptions
        {
            Unit = unit,
            LowerCase = a.Bool("lower"),
            SubwordMerges = a.Int("merges"),
            SentencePieceModel = spm == null ? null : a.ExistingFile("spm"),
        };
        int dim = a.Int("dim");
        var options = new Seq2SeqAttentionTrainer.Options
        {
            SourceTokenizer = tokenizer,
            TargetTokenizer = tokenizer,
            MinimumTokenCount = a.Int("min-count"),
            MaximumVocabularySize = a.Int("max-vocab"),
            SourceEmbedding = new EmbeddingOptions { Dimension = dim },
            TargetEmbedding = new EmbeddingOptions { Dimension = dim },
            Encoder = SequenceCommands.Encoder(a),
            DecoderCell = SequenceCommands.Encoder(a).CellType,
            DecoderHiddenSize = a.Int("decoder-hidden"),
            DecoderLayers = a.Int("decoder-layers"),
            Attention = a.Text("attention") switch
            {
                "dot" => AttentionType.Dot,
                "general" => AttentionType.General,
                "concat" => AttentionType.Concat,
                _ => AttentionType.Additive,
            },
            AttentionHiddenSize = a.Int("attention-hidden"),
            InputFeeding = a.Bool("input-feeding"),
            FeedPreviousToken = a.Bool("feed-previous"),
            Bridge = a.Text("bridge") == "zeros" ? BridgeType.Zeros : BridgeType.Dense,
            Dropout = a.Number("dropout"),
            LabelSmoothing = a.Number("label-smoothing"),
            EarlyStoppingMetric = a.Text("early-stop") == "bleu" ? TranslationEarlyStopping.Bleu : TranslationEarlyStopping.Loss,
        };
        SequenceCommands.SetTraining(a, options);
        var model = ml.Translation().Trainers.Seq2SeqAttention(options).Fit(train, valid);
        ml.Model.Save(model, train.Schema, output);
        Console.WriteLine($"Saved {output}");
        if (test != null)
        {
            var metrics = ml.Translation().Evaluate(model.Transform(test), labelColumnName: "Target");
            Console.WriteLine($"Test: {metrics.BleuScore}   {metrics.ChrFScore}");
        }
        return 0;
    }

    private static int RunTranslate(Arguments a)
    {
        var model = ModelFiles.Load<Seq2SeqAttentionTransformer>(a.Required("model"), "translation model");
        string input = a.Required("i");
        var lines = input == "-" ? ReadAll(Console.In) : ReadLines(a.ExistingFile("i"));
        var decoding = Decoding(a);
        string? pictures = a.Text("attention");
        decoding.KeepAttention = pictures != null;
        int empty = Array.FindIndex(lines, l => l.Trim().Length == 0);
        if (empty >= 0)
            throw new InvalidDataException($"Line {empty + 1} of '{input}' is empty: there is nothing to translate.");
        var translations = model.Translate(lines, decoding);
        if (pictures != null)
            Directory.CreateDirectory(pictures);
        for (int i = 0; i < translations.Count; i++)
        {
            var t = translations[i];
            if (decoding.NBest == 1)
                Console.WriteLine(t.Text);
            else
                foreach (var c in t.NBest)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1}\t{c.Score:F4}\t{c.LogProbability:F4}\t{c.Text}"));
            if (pictures != null)
                AttentionPlot.Save(Path.Combine(pictures, $"{i + 1}.png"), t.SourceTokens, t.Tokens, t.Attention!, t.Text);
        }
        return 0;
    }

    private static int RunAnalysis(Arguments a)
    {
        var model = ModelFiles.Load<Seq2SeqAttentionTransformer>(a.Required("model"), "translation model");
        string sourceFile = a.ExistingFile("src"), referenceFile = a.ExistingFile("ref");
        var sources = ReadLines(sourceFile);
        var references = ReadLines(referenceFile);
        if (sources.Length != references.Length)
            throw new InvalidDataException($"'{sourceFile}' has {sources.Length} lines but '{referenceFile}' has {references.Length}.");
        int empty = Array.FindIndex(sources, l => l.Trim().Length == 0);
        if (empty >= 0)
            throw new InvalidDataException($"Line {empty + 1} of '{sourceFile}' is empty: there is nothing to translate.");
        var beamValues = Numbers(a, "beams");
        if (beamValues.Any(b => b < 1 || b > 1000 || b != Math.Floor(b)))
            throw new UsageException("-beams are whole numbers from 1 to 1000, such as 1,3,5,10.");
        var beams = beamValues.Select(b => (int)b).ToArray();
        var alphas = Numbers(a, "alphas");
        if (alphas.Any(x => x < 0))
            throw new UsageException("-alphas are numbers of at least 0, such as 0,0.5,0.7,1.");
        var reports = BeamAnalysis.Sweep(model, sources, references, beams, alphas, maximumLength: a.Int("max-length"));
        Console.Write(BeamAnalysis.Table(reports));
        var shown = reports.FirstOrDefault(r => r.Search.BeamSize > 1) ?? reports[0];
        int rows = a.Int("rows");
        if (rows > 0)
        {
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrong pairs at B = {shown.Search.BeamSize}, alpha = {shown.Search.Alpha}: log P(y*|x), log P(y^|x), verdict"));
            foreach (var r in shown.Rows.Where(r => r.Verdict != BeamVerdict.Correct).Take(rows))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.ReferenceLogProbability,9:F3} {r.OutputLogProbability,9:F3}  {(r.Verdict == BeamVerdict.SearchError ? "search" : "model ")}  {r.Source}  |  {r.Reference}  |  {r.Output}"));
        }
        return 0;
    }

    private static DecodingOptions Decoding(Arguments a)
    {
        int beam = a.Int("beam"), nBest = a.Int("n-best");
        if (nBest > beam)
            throw new UsageException($"-n-best ({nBest}) cannot exceed -beam ({beam}).");
        double alpha = a.Number("alpha");
        if (alpha < 0)
            throw new UsageException("-alpha must be at least 0.");
        return new DecodingOptions
        {
            Strategy = beam > 1 ? DecodingStrategy.BeamSearch : DecodingStrategy.Greedy,
            BeamSize = beam,
            NBest = nBest,
            Alpha = alpha,
            LengthPenalty = a.Text("penalty") switch { "gnmt" => LengthPenalty.Gnmt, "none" => LengthPenalty.None, _ => LengthPenalty.Average },
            MaximumLength = a.Int("max-length"),
        };
    }

    private static double[] Numbers(Arguments a, string flag)
    {
        var text = a.Text(flag)!;
        var values = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw new UsageException($"-{flag} is a comma-separated list of numbers, not '{text}'.");
            values.Add(v);
        }
        if (values.Count == 0)
            throw new UsageException($"-{flag} names no values.");
        return values.ToArray();
    }

    private static string[] ReadAll(TextReader reader)
    {
        var lines = new List<string>();
        while (reader.ReadLine() is string line)
            lines.Add(line);
        return lines.ToArray();
    }

    // The file's lines; a file that is not UTF-8 text is refused with its name.
    internal static string[] ReadLines(string path)
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
