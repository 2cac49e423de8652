using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Translation;

namespace MLNet.Sequence.Torch.Tests.Translation;

/// <summary>Characters, words with joiners, learned subwords and a user's SentencePiece model: text to tokens and back.</summary>
public class TranslationTokenizerTests
{
    private static readonly IExceptionContext s_ectx = new MLContext(seed: 1);
    private static string SentencePieceModel => Path.Combine(AppContext.BaseDirectory, "fixtures/spm/colours.model");

    private static TranslationTokenizer Create(TranslationUnit unit, IEnumerable<string>? training = null, int merges = 8000) =>
        TranslationTokenizer.Create(s_ectx, new TranslationTokenizerOptions { Unit = unit, SubwordMerges = merges, SentencePieceModel = SentencePieceModel }, training ?? []);

    private static readonly string[] s_sentences =
    [
        "A man, smiling, sits on a bench.",
        "Two dogs don't play in the snow!",
        "\"Hello\" (she said) -- 3.5 km away; e-mail: a@b.c",
        "Ein Mädchen in einem Karateanzug bricht ein Brett mit einem Tritt.",
        "Leute reparieren das Dach eines Hauses 😀.",
    ];

    [Fact]
    public void WordsCarryJoinersAndDetokeniseToTheText()
    {
        var words = Create(TranslationUnit.Words);
        Assert.Equal(["A", "man", "\uFFED,", "smiling", "\uFFED,", "sits", "on", "a", "bench", "\uFFED."], words.Tokenize(s_sentences[0]));
        foreach (var s in s_sentences)
            Assert.Equal(s, words.Detokenize(words.Tokenize(s)));
        Assert.Equal("a b", words.Detokenize(words.Tokenize("  a   b  ")));
        // Symbols the pre-tokenizer passes over are tokens of their own, not lost.
        Assert.Equal(["a", "\uFFED+", "\uFFEDb", "€", "\uFFED3", "😀"], words.Tokenize("a+b €3 😀"));
    }

    [Fact]
    public void CharactersKeepSpacesAndCodePoints()
    {
        var chars = Create(TranslationUnit.Characters);
        Assert.Equal(["a", " ", "😀"], chars.Tokenize("a 😀"));
        foreach (var s in s_sentences)
            Assert.Equal(s, chars.Detokenize(chars.Tokenize(s)));
    }

    [Fact]
    public void BytePairMergesFollowSennrichsExample()
    {
        // Sennrich et al. 2016, section 3.2: low x5, lower x2, newest x6, widest x3. The first merges are e+s and
        // es+t (9 each), then l+o (7); the end-of-word mark sits on the last character.
        var counts = new Dictionary<string, long> { ["low"] = 5, ["lower"] = 2, ["newest"] = 6, ["widest"] = 3 };
        var (merges, symbols) = BpeTrainer.Learn(counts, 3);
        Assert.Equal([("e", "s"), ("es", "t</w>"), ("l", "o")], merges);
        Assert.Contains("est</w>", symbols);
        // With enough merges every training word is one symbol; nothing occurs twice after that.
        var (all, _) = BpeTrainer.Learn(counts, 1000);
        Assert.True(all.Count < 1000);
        var tokenizer = Create(TranslationUnit.Subwords, ["low lower newest widest low newest"], merges: 1000);
        Assert.Equal(["newest</w>"], tokenizer.Tokenize("newest"));
    }

    [Fact]
    public void SubwordsSplitRareWordsIntoKnownPiecesAndDetokenise()
    {
        var training = Enumerable.Repeat(s_sentences, 5).SelectMany(s => s).Concat(["the smaller houses", "smallest house", "housing"]).ToList();
        var subwords = Create(TranslationUnit.Subwords, training, merges: 60);
        foreach (var s in s_sentences)
            Assert.Equal(s, subwords.Detokenize(subwords.Tokenize(s)));
        // A word never seen is made of pieces, the last one ending the word.
        var pieces = subwords.Tokenize("smallhouses!");
        Assert.True(pieces.Length > 2);
        Assert.EndsWith("</w>", pieces[^2]);
        Assert.Equal("\uFFED!</w>", pieces[^1]);
        Assert.Equal("smallhouses!", subwords.Detokenize(pieces));
        // A character never seen becomes the unknown piece, and the text around it survives.
        Assert.Equal("a <unk> b", subwords.Detokenize(subwords.Tokenize("a ж b")));
        // Saved and read back, the same pieces.
        var copy = RoundTrip(subwords);
        Assert.Equal(subwords.Tokenize(s_sentences[3]), copy.Tokenize(s_sentences[3]));
    }

    [Fact]
    public void ASentencePieceModelAUserBringsTokenisesAsSpmEncodeDoes()
    {
        var spm = Create(TranslationUnit.SentencePiece);
        // spm_encode --model=colours.model on the same sentence (tests/fixtures/spm/README.md).
        Assert.Equal("▁ t h e ▁ d o g ▁ r un s ▁over ▁ a ▁small ▁ h o u s e .".Split(' '), spm.Tokenize("the dog runs over a small house."));
        Assert.Equal("the dog runs over a small house.", spm.Detokenize(spm.Tokenize("the dog runs over a small house.")));
        Assert.Equal("▁ a ▁large ▁ c a t ▁jumps".Split(' '), spm.Tokenize("a large cat jumps"));
        var copy = RoundTrip(spm);
        Assert.Equal(spm.Tokenize("a large cat jumps"), copy.Tokenize("a large cat jumps"));

        string bad = Path.Combine(Path.GetTempPath(), $"not-a-model-{Guid.NewGuid():N}.model");
        File.WriteAllText(bad, "this is not a protobuf");
        try
        {
            var e = Assert.ThrowsAny<ArgumentException>(() => TranslationTokenizer.Create(s_ectx,
                new TranslationTokenizerOptions { Unit = TranslationUnit.SentencePiece, SentencePieceModel = bad }, []));
            Assert.Contains("SentencePieceModel", e.Message);
            Assert.Contains(bad, e.Message);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public void ATranslatorOnSubwordsAndOnSentencePieceSavesItsTokenisers()
    {
        var ml = new MLContext(seed: 1);
        var pairs = TranslationData.Reversal(400, 5);
        foreach (var options in new[]
                 {
                     new TranslationTokenizerOptions { Unit = TranslationUnit.Subwords, SubwordMerges = 20 },
                     new TranslationTokenizerOptions { Unit = TranslationUnit.SentencePiece, SentencePieceModel = SentencePieceModel },
                 })
        {
            var trainer = ml.Translation().Trainers.Seq2SeqAttention(new Seq2SeqAttentionTrainer.Options
            {
                SourceTokenizer = options,
                TargetTokenizer = options,
                SourceEmbedding = new EmbeddingOptions { Dimension = 16 },
                TargetEmbedding = new EmbeddingOptions { Dimension = 16 },
                Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Gru, HiddenSize = 32, Bidirectional = true },
                DecoderCell = RecurrentCellType.Gru,
                DecoderHiddenSize = 32,
                AttentionHiddenSize = 32,
                Epochs = 2,
                Seed = 1,
            });
            var data = ml.Data.LoadFromEnumerable(pairs);
            var model = trainer.Fit(data);
            string path = Path.Combine(Path.GetTempPath(), $"mlnet-seq-tok-{Guid.NewGuid():N}.zip");
            try
            {
                ml.Model.Save(model, data.Schema, path);
                var loaded = (Seq2SeqAttentionTransformer)new MLContext().Model.Load(path, out _);
                Assert.Equal(model.TokenizeSource("red blue gold"), loaded.TokenizeSource("red blue gold"));
                var sources = pairs.Take(20).Select(p => p.Source).ToList();
                Assert.Equal(model.Translate(sources).Select(t => t.Text), loaded.Translate(sources).Select(t => t.Text));
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    private static TranslationTokenizer RoundTrip(TranslationTokenizer tokenizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            tokenizer.Write(writer);
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        return TranslationTokenizer.Read(s_ectx, reader);
    }
}
