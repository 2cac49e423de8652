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

/// <summary>Embeddings → mean or recurrent encoder → dropout → linear layer, giving one logit per class.</summary>
internal sealed class SequenceClassifierModule : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding embedding;
    private readonly RecurrentEncoder? encoder;
    private readonly Dropout dropout;
    private readonly Linear output;

    public SequenceClassifierModule(Embedding embedding, SequenceClassifierArchitecture architecture, RecurrentEncoderOptions encoderOptions,
        double dropout, int outputs) : base(nameof(SequenceClassifierModule))
    {
        this.embedding = embedding;
        int width = (int)embedding.weight!.shape[1];
        if (architecture == SequenceClassifierArchitecture.Recurrent)
        {
            encoder = new RecurrentEncoder(width, encoderOptions);
            width = encoder.OutputSize;
        }
        this.dropout = nn.Dropout(dropout);
        output = nn.Linear(width, outputs);
        RegisterComponents();
    }

    public Tensor EmbeddingWeights => embedding.weight!;

    /// <summary>Logits [batch, outputs] for ids [batch, time] whose rows have <paramref name="lengths"/> (CPU int64).</summary>
    public override Tensor forward(Tensor ids, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var vectors = embedding.call(ids);
        Tensor features;
        if (encoder == null)
        {
            // Masked mean: the padding row is zero, so the sum only counts real tokens.
            var counts = lengths.to(vectors.device).to_type(vectors.dtype).unsqueeze(1);
            features = vectors.sum(1) / counts;
        }
        else
        {
            features = encoder.call(vectors, lengths).Final;
        }
        return output.call(dropout.call(features)).MoveToOuterDisposeScope();
    }
}
