using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Torch.Data;

/// <summary>
/// The token ids a TorchSharp model sees: 0 pads, 1 stands for any unknown token, 2 and 3 mark the start
/// and end of a sequence; the training vocabulary follows from 4, most frequent first.
/// </summary>
public sealed class TokenIndex
{
    /// <summary>Id of the padding token; padded positions are masked and never predicted.</summary>
    public const int Padding = 0;
    /// <summary>Id of every token the vocabulary does not hold.</summary>
    public const int Unknown = 1;
    /// <summary>Id that starts a sequence (the language model's first input).</summary>
    public const int Start = 2;
    /// <summary>Id that ends a sequence (the language model's last target).</summary>
    public const int End = 3;
    /// <summary>Number of reserved ids in front of the vocabulary.</summary>
    public const int ReservedCount = 4;

    private static readonly string[] s_reserved = { "<pad>", "<unk>", "<s>", "</s>" };
    private readonly Vocabulary _vocabulary;

    private TokenIndex(Vocabulary vocabulary) => _vocabulary = vocabulary;

    /// <summary>Number of ids, reserved ones included.</summary>
    public int Count => _vocabulary.Count;

    /// <summary>The token of each id, reserved ones included.</summary>
    public IReadOnlyList<string> Tokens => _vocabulary.Words;

    /// <summary>The token of <paramref name="id"/>.</summary>
    public string this[int id] => _vocabulary[id];

    /// <summary>The id of <paramref name="token"/>, or <see cref="Unknown"/>.</summary>
    public int IdOf(ReadOnlySpan<char> token) => _vocabulary.TryGetId(token, out int id) ? id : Unknown;

    /// <summary>Whether <paramref name="token"/> has its own id.</summary>
    public bool Contains(string token) => _vocabulary.Contains(token);

    /// <summary>
    /// Builds the index from token sequences: tokens seen at least <paramref name="minCount"/> times, at most
    /// <paramref name="maxSize"/> of them (0: no limit), ordered by count then ordinally so that the result
    /// does not depend on the order of the rows.
    /// </summary>
    public static TokenIndex Build(IEnumerable<IReadOnlyList<string>> sequences, int minCount = 1, int maxSize = 0)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sequence in sequences)
        {
            foreach (var token in sequence)
                counts[token] = counts.GetValueOrDefault(token) + 1;
        }
        var kept = counts.Where(p => p.Value >= minCount && !s_reserved.Contains(p.Key))
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal);
        var words = kept.Select(p => p.Key);
        if (maxSize > 0)
            words = words.Take(maxSize);
        return FromTokens(words);
    }

    /// <summary>An index over <paramref name="tokens"/> (reserved ids are added in front).</summary>
    public static TokenIndex FromTokens(IEnumerable<string> tokens) =>
        new(new Vocabulary(s_reserved.Concat(tokens).ToArray()));

    internal void Write(BinaryWriter writer) => writer.WriteStrings(_vocabulary.Words.Skip(ReservedCount).ToArray());

    internal static TokenIndex Read(BinaryReader reader, string what)
    {
        var tokens = reader.ReadStrings(what);
        Contracts.CheckDecode(tokens.All(t => t.Length > 0), $"The {what} holds an empty token.");
        Contracts.CheckDecode(tokens.Distinct(StringComparer.Ordinal).Count() == tokens.Length, $"The {what} holds a token twice.");
        return FromTokens(tokens);
    }
}
