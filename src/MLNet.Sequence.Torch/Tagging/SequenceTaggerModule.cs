using MLNet.Sequence.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Tagging;

/// <summary>
/// Word embedding, joined by an embedding of the word's last three letters and of its shape (case, digits),
/// through a recurrent encoder (a biLSTM by default) to one logit per tag at every position.
/// </summary>
internal sealed class SequenceTaggerModule : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
    private readonly Embedding words;
    private readonly Embedding? suffixes;
    private readonly Embedding? shapes;
    private readonly Dropout dropout;
    private readonly RecurrentEncoder encoder;
    private readonly Linear output;

    /// <summary>The network <paramref name="settings"/> describe, over the word embedding <paramref name="words"/>.</summary>
    public SequenceTaggerModule(Embedding words, SequenceTaggerTransformer.Settings settings)
        : base(nameof(SequenceTaggerModule))
    {
        this.words = words;
        long width = words.weight!.shape[1];
        if (settings.Input.SuffixCount > 0)
        {
            suffixes = nn.Embedding(settings.Input.SuffixCount, SuffixDimension, padding_idx: 0);
            shapes = nn.Embedding(WordShape.Count, ShapeDimension, padding_idx: 0);
            width += SuffixDimension + ShapeDimension;
        }
        dropout = nn.Dropout(settings.Network.Dropout);
        encoder = new RecurrentEncoder((int)width, settings.Network.Encoder);
        output = nn.Linear(encoder.OutputSize, settings.Tags.Count);
        RegisterComponents();
    }

    public const int SuffixDimension = 32;
    public const int ShapeDimension = 8;

    /// <summary>Logits [batch, time, tags] for word, suffix and shape ids [batch, time] and row lengths (CPU int64).</summary>
    public override Tensor forward(Tensor wordIds, Tensor suffixIds, Tensor shapeIds, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var x = words.call(wordIds);
        if (suffixes != null && shapes != null)
            x = cat(new[] { x, suffixes.call(suffixIds), shapes.call(shapeIds) }, 2);
        var (outputs, _) = encoder.call(dropout.call(x), lengths);
        return output.call(dropout.call(outputs)).MoveToOuterDisposeScope();
    }
}

/// <summary>The shape class of a word: how it is written, which a tagger needs for unknown words.</summary>
internal static class WordShape
{
    public const int Count = 7;

    /// <summary>1 lower-case, 2 capitalised, 3 all capitals, 4 has a digit, 5 no letter or digit, 6 mixed (0 pads).</summary>
    public static int Of(string word)
    {
        bool anyDigit = false, anyLetter = false, anyLower = false, anyUpper = false;
        foreach (char c in word)
        {
            if (char.IsDigit(c)) anyDigit = true;
            if (char.IsLetter(c))
            {
                anyLetter = true;
                if (char.IsUpper(c)) anyUpper = true; else anyLower = true;
            }
        }
        if (anyDigit)
            return 4;
        if (!anyLetter)
            return 5;
        if (!anyUpper)
            return 1;
        if (!anyLower)
            return 3;
        return char.IsUpper(word[0]) ? 2 : 6;
    }

    /// <summary>The last three characters, lower-cased (the whole word if shorter).</summary>
    public static string Suffix(string word) => (word.Length <= 3 ? word : word[^3..]).ToLowerInvariant();
}
