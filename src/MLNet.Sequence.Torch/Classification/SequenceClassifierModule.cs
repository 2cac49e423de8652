using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Classification;

/// <summary>How a sequence classifier turns a row's token vectors into class scores.</summary>
public enum SequenceClassifierArchitecture
{
    /// <summary>The mean of the row's word embeddings, then a softmax layer (the curriculum's first sentiment model).</summary>
    MeanEmbedding = 0,

    /// <summary>Word embeddings through a recurrent encoder (usually a biLSTM); its final state feeds the softmax layer.</summary>
    Recurrent = 1,
}

/// <summary>How the recurrent architecture turns the encoder's outputs into one vector per row.</summary>
public enum RecurrentPooling
{
    /// <summary>The final states: the last step of the forward direction next to the first of the backward one.</summary>
    FinalState = 0,
    /// <summary>The element-wise maximum of the outputs over the row's steps; keeps evidence from anywhere in a long row.</summary>
    Max = 1,
    /// <summary>The mean of the outputs over the row's steps.</summary>
    Mean = 2,
}

/// <summary>Embeddings → mean or recurrent encoder → dropout → linear layer, giving one logit per class.</summary>
internal sealed class SequenceClassifierModule : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly RecurrentEncoder? encoder;
    private readonly Dropout dropout;
    private readonly Linear output;
    private readonly RecurrentPooling pooling;

    /// <summary>The network <paramref name="settings"/> describe, over <paramref name="embedding"/>: one logit (binary) or one per class.</summary>
    public SequenceClassifierModule(Embedding embedding, SequenceClassifierTransformer.Settings settings) : base(nameof(SequenceClassifierModule))
    {
        this.embedding = embedding;
        pooling = settings.Pooling;
        int width = (int)embedding.weight!.shape[1];
        if (settings.Architecture == SequenceClassifierArchitecture.Recurrent)
        {
            encoder = new RecurrentEncoder(width, settings.Network.Encoder);
            width = encoder.OutputSize;
        }
        dropout = nn.Dropout(settings.Network.Dropout);
        output = nn.Linear(width, settings.Labels.IsBinary ? 1 : settings.Labels.ClassCount);
        RegisterComponents();
    }

    public Tensor EmbeddingWeights => embedding.weight!;

    /// <summary>Logits [batch, outputs] for ids [batch, time] whose rows have <paramref name="lengths"/> (CPU int64).</summary>
    public override Tensor forward(Tensor ids, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var vectors = embedding.call(ids);
        Tensor features;
        var counts = lengths.to(vectors.device).to_type(vectors.dtype).unsqueeze(1);
        if (encoder == null)
        {
            // Masked mean: the padding row is zero, so the sum only counts real tokens.
            features = vectors.sum(1) / counts;
        }
        else
        {
            var (outputs, final) = encoder.call(vectors, lengths);
            features = pooling switch
            {
                // Padded outputs are zero: they cannot change a sum, but must not win a maximum.
                RecurrentPooling.Max => outputs.masked_fill(ids.eq(0).unsqueeze(2), float.NegativeInfinity).amax(new long[] { 1 }),
                RecurrentPooling.Mean => outputs.sum(1) / counts,
                _ => encoder.TopLayer(final),
            };
        }
        return output.call(dropout.call(features)).MoveToOuterDisposeScope();
    }
}
