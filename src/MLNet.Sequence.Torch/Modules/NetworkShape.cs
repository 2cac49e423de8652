using Microsoft.ML.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Modules;

/// <summary>
/// The shape of a sequence network that its saved weights need to be loaded into: the embedding width, the
/// recurrent encoder and the dropout. Every TorchSharp transformer saves it the same way.
/// </summary>
/// <param name="EmbeddingDimension">Width of the token embedding.</param>
/// <param name="Encoder">The recurrent encoder's cell, width, depth and direction.</param>
/// <param name="Dropout">Dropout on the network's features.</param>
internal sealed record NetworkShape(long EmbeddingDimension, RecurrentEncoderOptions Encoder, double Dropout)
{
    /// <summary>An embedding layer of this width for <paramref name="tokens"/> ids, to load saved weights into.</summary>
    public Embedding NewEmbedding(int tokens) => nn.Embedding(tokens, EmbeddingDimension, padding_idx: 0);

    public void Write(BinaryWriter writer)
    {
        writer.Write(EmbeddingDimension);
        Encoder.Write(writer);
        writer.Write(Dropout);
    }

    public static NetworkShape Read(IExceptionContext ectx, BinaryReader reader)
    {
        long dimension = reader.ReadInt64();
        var encoder = RecurrentEncoderOptions.Read(reader);
        double dropout = reader.ReadDouble();
        return Checked(ectx, dimension, encoder, dropout);
    }

    /// <summary>A shape read from a model (in any layout), checked before anything is allocated for it.</summary>
    public static NetworkShape Checked(IExceptionContext ectx, long dimension, RecurrentEncoderOptions encoder, double dropout)
    {
        ectx.CheckDecode(dimension > 0 && dimension <= int.MaxValue, "Bad embedding dimension in the model.");
        ectx.CheckDecode(dropout >= 0 && dropout < 1, "Bad dropout in the model.");
        return new NetworkShape(dimension, encoder, dropout);
    }
}
