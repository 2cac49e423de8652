using System.Text;
using Microsoft.ML.Runtime;
using Microsoft.ML.Tokenizers;
using MLNet.Sequence.Internal;

namespace MLNet.Sequence.Torch.Translation;

/// <summary>What a translation model's tokens are.</summary>
public enum TranslationUnit
{
    /// <summary>Characters, white space included (dates, spelling, transliteration).</summary>
    Characters = 0,

    /// <summary>Words and punctuation marks (Microsoft.ML.Tokenizers' word-or-punctuation pre-tokenizer); a mark
    /// written against the previous token carries a joiner, so that the output detokenises to plain text.</summary>
    Words = 1,

    /// <summary>Subwords: the words split by byte-pair-encoding merges learned here from the training text and
    /// encoded with Microsoft.ML.Tokenizers' <c>BpeTokenizer</c> (rare words become known pieces).</summary>
    Subwords = 2,

    /// <summary>The pieces of a SentencePiece model the user brings (<see cref="TranslationTokenizerOptions.SentencePieceModel"/>),
    /// with Microsoft.ML.Tokenizers' <c>SentencePieceTokenizer</c>; the model is saved in the zip.</summary>
    SentencePiece = 3,
}

/// <summary>How one side of a translation model turns text into tokens and tokens back into text.</summary>
public sealed class TranslationTokenizerOptions
{
    /// <summary>Characters, words, learned subwords or a SentencePiece model.</summary>
    public TranslationUnit Unit = TranslationUnit.Words;

    /// <summary>Lowercase the text first.</summary>
    public bool LowerCase;

    /// <summary>Subwords: how many byte-pair merges to learn (fewer stop early when no pair occurs twice).</summary>
    public int SubwordMerges = 8000;

    /// <summary>SentencePiece: the path of the <c>.model</c> file (spm_train's output).</summary>
    public string? SentencePieceModel;

    internal void Validate(IExceptionContext ectx, string name)
    {
        ectx.CheckUserArg(Enum.IsDefined(Unit), name, "Unknown translation unit.");
        ectx.CheckUserArg(SubwordMerges > 0, name, $"{nameof(SubwordMerges)} must be positive.");
        if (Unit == TranslationUnit.SentencePiece)
        {
            ectx.CheckUserArg(!string.IsNullOrEmpty(SentencePieceModel), name, $"{nameof(SentencePieceModel)} must name the .model file of a SentencePiece model.");
            ectx.CheckUserArg(File.Exists(SentencePieceModel), name, $"The SentencePiece model '{SentencePieceModel}' does not exist.");
        }
    }
}

/// <summary>
/// The tokeniser of one side of a translation model, saved with it: text → tokens for the encoder or the
/// reference, tokens → plain text for the output.
/// </summary>
internal sealed class TranslationTokenizer
{
    /// <summary>Marks a word token written against the previous token, as OpenNMT's tokenizer does (U+FFED).</summary>
    public const string Joiner = "\uFFED";

    private readonly BpeTokenizer? _bpe;
    private readonly List<(string Left, string Right)>? _merges;
    private readonly List<string>? _symbols;
    private readonly SentencePieceTokenizer? _sentencePiece;
    private readonly byte[]? _sentencePieceModel;

    private TranslationTokenizer(TranslationUnit unit, bool lowerCase, List<(string, string)>? merges = null, List<string>? symbols = null, byte[]? sentencePieceModel = null)
    {
        Unit = unit;
        LowerCase = lowerCase;
        if (unit == TranslationUnit.Subwords)
        {
            _merges = merges!;
            _symbols = symbols!;
            var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal) { ["<unk>"] = 0 };
            foreach (var s in _symbols)
                vocabulary.TryAdd(s, vocabulary.Count);
            _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = _merges.Select(m => m.Left + " " + m.Right),
                EndOfWordSuffix = BpeTrainer.EndOfWord,
                UnknownToken = "<unk>",
                PreTokenizer = null,
            });
        }
        else if (unit == TranslationUnit.SentencePiece)
        {
            _sentencePieceModel = sentencePieceModel!;
            using var stream = new MemoryStream(_sentencePieceModel, writable: false);
            _sentencePiece = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
    }

    public TranslationUnit Unit { get; }

    public bool LowerCase { get; }

    /// <summary>The tokeniser for <paramref name="options"/>; subwords learn their merges from <paramref name="trainingTexts"/>.</summary>
    public static TranslationTokenizer Create(IExceptionContext ectx, TranslationTokenizerOptions options, IEnumerable<string> trainingTexts)
    {
        switch (options.Unit)
        {
            case TranslationUnit.Subwords:
                var words = new TranslationTokenizer(TranslationUnit.Words, options.LowerCase);
                var counts = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var text in trainingTexts)
                    foreach (var token in words.Tokenize(text))
                    {
                        string word = Display(token);
                        counts[word] = counts.GetValueOrDefault(word) + 1;
                    }
                var (merges, symbols) = BpeTrainer.Learn(counts, options.SubwordMerges);
                return new TranslationTokenizer(TranslationUnit.Subwords, options.LowerCase, merges, symbols);
            case TranslationUnit.SentencePiece:
                byte[] model = File.ReadAllBytes(options.SentencePieceModel!);
                try
                {
                    return new TranslationTokenizer(TranslationUnit.SentencePiece, options.LowerCase, sentencePieceModel: model);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or InvalidDataException
                    or Google.Protobuf.InvalidProtocolBufferException)
                {
                    throw ectx.ExceptUserArg(nameof(TranslationTokenizerOptions.SentencePieceModel), $"'{options.SentencePieceModel}' is not a SentencePiece model that Microsoft.ML.Tokenizers can read: {e.Message}");
                }
            default:
                return new TranslationTokenizer(options.Unit, options.LowerCase);
        }
    }

    public string[] Tokenize(string text)
    {
        text = text.Trim();
        if (LowerCase)
            text = text.ToLowerInvariant();
        switch (Unit)
        {
            case TranslationUnit.Characters:
                var chars = new List<string>(text.Length);
                foreach (var rune in text.EnumerateRunes())
                    chars.Add(rune.ToString());
                return chars.ToArray();
            case TranslationUnit.SentencePiece:
                if (text.Length == 0)
                    return [];
                return _sentencePiece!.EncodeToTokens(text, out _, addBeginningOfSentence: false, addEndOfSentence: false).Select(t => t.Value).ToArray();
        }
        var words = Words(text);
        if (Unit == TranslationUnit.Words)
            return words;
        // Subwords: each word's pieces, the first with the word's joiner, the last with the end-of-word suffix.
        var pieces = new List<string>(words.Length * 2);
        foreach (var token in words)
        {
            bool joined = token.StartsWith(Joiner, StringComparison.Ordinal);
            var encoded = _bpe!.EncodeToTokens(Display(token), out _, considerPreTokenization: false, considerNormalization: false);
            for (int i = 0; i < encoded.Count; i++)
            {
                string piece = encoded[i].Value;
                if (piece.EndsWith(BpeTrainer.EndOfWord, StringComparison.Ordinal))
                    piece = piece[..^BpeTrainer.EndOfWord.Length];
                if (i == encoded.Count - 1)
                    piece += BpeTrainer.EndOfWord;
                pieces.Add(i == 0 && joined ? Joiner + piece : piece);
            }
        }
        return pieces.ToArray();
    }

    private static readonly PreTokenizer s_wordOrPunctuation = PreTokenizer.CreateWordOrPunctuation();

    // Words and punctuation (Microsoft.ML.Tokenizers' pre-tokenizer), then each other character it passes over
    // (symbols such as "+", "€" or emoji, which it leaves out) on its own; a joiner on those written against the
    // previous token, so that nothing of the text is lost.
    private static string[] Words(string text)
    {
        var tokens = new List<string>();
        int end = 0;
        void Add(int offset, int length)
        {
            string token = text.Substring(offset, length);
            tokens.Add(tokens.Count > 0 && offset == end ? Joiner + token : token);
            end = offset + length;
        }
        void Gap(int from, int to)
        {
            int i = from;
            while (i < to)
            {
                if (char.IsWhiteSpace(text[i]))
                {
                    i++;
                    continue;
                }
                int width = char.IsSurrogatePair(text, i) ? 2 : 1;
                Add(i, width);
                i += width;
            }
        }
        foreach (var (offset, length) in s_wordOrPunctuation.PreTokenize(text))
        {
            Gap(end, offset);
            Add(offset, length);
        }
        Gap(end, text.Length);
        return tokens.ToArray();
    }

    public string Detokenize(IEnumerable<string> tokens)
    {
        switch (Unit)
        {
            case TranslationUnit.Characters:
                return string.Concat(tokens);
            case TranslationUnit.SentencePiece:
                var ids = tokens.Select(t => _sentencePiece!.Vocabulary.TryGetValue(t, out int id) ? id : _sentencePiece.UnknownId);
                return _sentencePiece!.Decode(ids);
            case TranslationUnit.Subwords:
                return JoinWords(SubwordsToWords(tokens));
            default:
                return JoinWords(tokens);
        }
    }

    // Pieces back into words: a word ends at a piece with the end-of-word suffix (or at the end of the output).
    private static IEnumerable<string> SubwordsToWords(IEnumerable<string> pieces)
    {
        var word = new StringBuilder();
        foreach (var piece in pieces)
        {
            bool ends = piece.EndsWith(BpeTrainer.EndOfWord, StringComparison.Ordinal);
            word.Append(ends ? piece[..^BpeTrainer.EndOfWord.Length] : piece);
            if (ends)
            {
                yield return word.ToString();
                word.Clear();
            }
        }
        if (word.Length > 0)
            yield return word.ToString();
    }

    private static string JoinWords(IEnumerable<string> tokens)
    {
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

    /// <summary>A token as a user reads it (without the joiner, the end-of-word suffix or SentencePiece's space mark).</summary>
    public static string Display(string token)
    {
        if (token.StartsWith(Joiner, StringComparison.Ordinal))
            token = token[Joiner.Length..];
        if (token.EndsWith(BpeTrainer.EndOfWord, StringComparison.Ordinal) && token.Length > BpeTrainer.EndOfWord.Length)
            token = token[..^BpeTrainer.EndOfWord.Length];
        return token;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write((int)Unit);
        writer.Write(LowerCase);
        if (Unit == TranslationUnit.Subwords)
        {
            writer.WriteStrings(_merges!.SelectMany(m => new[] { m.Left, m.Right }).ToArray());
            writer.WriteStrings(_symbols!.ToArray());
        }
        else if (Unit == TranslationUnit.SentencePiece)
        {
            writer.Write(_sentencePieceModel!.Length);
            writer.Write(_sentencePieceModel);
        }
    }

    public static TranslationTokenizer Read(IExceptionContext ectx, BinaryReader reader)
    {
        var unit = (TranslationUnit)reader.ReadInt32();
        ectx.CheckDecode(Enum.IsDefined(unit), "Unknown translation unit in the model.");
        bool lowerCase = reader.ReadBoolean();
        switch (unit)
        {
            case TranslationUnit.Subwords:
                var flat = reader.ReadStrings("subword merges");
                ectx.CheckDecode(flat.Length % 2 == 0, "The model's subword merges are not pairs.");
                var merges = Enumerable.Range(0, flat.Length / 2).Select(i => (flat[2 * i], flat[2 * i + 1])).ToList();
                var symbols = reader.ReadStrings("subword symbols").ToList();
                return new TranslationTokenizer(unit, lowerCase, merges, symbols);
            case TranslationUnit.SentencePiece:
                int length = reader.ReadInt32();
                ectx.CheckDecode(length > 0 && length <= reader.BaseStream.Length - reader.BaseStream.Position, "The model's SentencePiece model has a bad length.");
                return new TranslationTokenizer(unit, lowerCase, sentencePieceModel: reader.ReadBytes(length));
            default:
                return new TranslationTokenizer(unit, lowerCase);
        }
    }
}
