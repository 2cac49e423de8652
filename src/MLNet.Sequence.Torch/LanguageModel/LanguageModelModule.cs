using MLNet.Sequence.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.LanguageModel;

/// <summary>Embeddings → unidirectional recurrent encoder → dropout → a logit for every vocabulary entry at every step.</summary>
internal sealed class LanguageModelModule : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly RecurrentEncoder encoder;
    private readonly Dropout dropout;
    private readonly Linear output;

    /// <summary>The network <paramref name="settings"/> describe, over <paramref name="embedding"/>.</summary>
    public LanguageModelModule(Embedding embedding, LanguageModelTransformer.Settings settings)
        : base(nameof(LanguageModelModule))
    {
        this.embedding = embedding;
        encoder = new RecurrentEncoder((int)embedding.weight!.shape[1], settings.Network.Encoder);
        dropout = nn.Dropout(settings.Network.Dropout);
        output = nn.Linear(encoder.OutputSize, settings.Input.Tokens.Count);
        RegisterComponents();
    }

    /// <summary>Logits [batch, time, vocabulary] of the next token after each input position.</summary>
    public override Tensor forward(Tensor ids, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var (outputs, _) = encoder.call(dropout.call(embedding.call(ids)), lengths);
        return output.call(dropout.call(outputs)).MoveToOuterDisposeScope();
    }

    /// <summary>Logits [batch, time, vocabulary] for unpadded ids, continuing from <paramref name="state"/>.</summary>
    public (Tensor Logits, RecurrentState State) Step(Tensor ids, RecurrentState? state)
    {
        var (outputs, next) = encoder.Step(embedding.call(ids), state);
        return (output.call(outputs), next);
    }
}
