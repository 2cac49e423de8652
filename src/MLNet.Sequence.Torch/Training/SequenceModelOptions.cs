using Microsoft.ML.Runtime;
using MLNet.Sequence.Torch.Modules;

namespace MLNet.Sequence.Torch.Training;

/// <summary>Settings of the network every sequence trainer here builds: embeddings, a recurrent encoder, dropout and the vocabulary bound.</summary>
public abstract class SequenceModelOptions : TorchTrainerOptions
{
    /// <summary>The embedding layer: width, a pre-trained table, frozen or fine-tuned.</summary>
    public EmbeddingOptions Embedding = new();

    /// <summary>The recurrent encoder (each trainer documents its default).</summary>
    public RecurrentEncoderOptions Encoder = new();

    /// <summary>Dropout on the network's features (each trainer documents where).</summary>
    public double Dropout = 0.2;

    /// <summary>Tokens seen fewer times in training share the unknown id.</summary>
    public int MinimumTokenCount = 1;

    internal override void Validate(IExceptionContext ectx)
    {
        base.Validate(ectx);
        ectx.CheckUserArg(Dropout >= 0 && Dropout < 1, nameof(Dropout), "Must be in [0, 1).");
        ectx.CheckUserArg(MinimumTokenCount > 0, nameof(MinimumTokenCount), "Must be positive.");
        ectx.CheckValue(Embedding, nameof(Embedding));
        ectx.CheckValue(Encoder, nameof(Encoder));
        Embedding.Validate(ectx);
        Encoder.Validate(ectx);
    }
}
