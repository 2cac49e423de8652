using MLNet.Sequence.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Training;

/// <summary>Builds the tensors of a batch of token-id rows: ids padded with <see cref="TokenIndex.Padding"/> and lengths.</summary>
internal static class PaddedBatch
{
    /// <summary>
    /// Ids [batch, longest] (int64 on <paramref name="device"/>) and lengths [batch] (int64 on the CPU, as
    /// packing wants). Every row must hold at least one id.
    /// </summary>
    public static (Tensor Ids, Tensor Lengths) Create(IReadOnlyList<int[]> rows, int[] batch, Device device)
    {
        int longest = 1;
        foreach (int row in batch)
            longest = Math.Max(longest, rows[row].Length);
        var ids = new long[batch.Length * longest];
        var lengths = new long[batch.Length];
        for (int b = 0; b < batch.Length; b++)
        {
            var row = rows[batch[b]];
            lengths[b] = row.Length;
            for (int t = 0; t < row.Length; t++)
                ids[b * longest + t] = row[t];
        }
        var idTensor = tensor(ids, new long[] { batch.Length, longest });
        if (device.type != DeviceType.CPU)
            idTensor = idTensor.to(device);
        return (idTensor, tensor(lengths));
    }

    /// <summary>Ids of other per-token streams of the same batch, padded to <paramref name="longest"/> with <paramref name="pad"/>.</summary>
    public static Tensor Ids(IReadOnlyList<int[]> rows, int[] batch, long longest, Device device, long pad = TokenIndex.Padding)
    {
        var ids = new long[batch.Length * longest];
        Array.Fill(ids, pad);
        for (int b = 0; b < batch.Length; b++)
        {
            var row = rows[batch[b]];
            for (int t = 0; t < row.Length; t++)
                ids[b * longest + t] = row[t];
        }
        var result = tensor(ids, new long[] { batch.Length, longest });
        return device.type == DeviceType.CPU ? result : result.to(device);
    }

    /// <summary>A mask [batch, time] that is 1 at real positions and 0 at padding.</summary>
    public static Tensor Mask(Tensor ids) => ids.ne(TokenIndex.Padding);
}
