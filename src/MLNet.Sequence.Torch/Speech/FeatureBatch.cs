using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Speech;

/// <summary>SpecAugment's masks (Park et al. 2019) without time warping: bands of frames and of features set to 0, the standardised mean.</summary>
internal sealed record SpecAugment(int TimeMasks, int TimeMaskWidth, int FrequencyMasks, int FrequencyMaskWidth, Random Random)
{
    public void Apply(Span<float> row, int frames, int features)
    {
        for (int m = 0; m < TimeMasks && TimeMaskWidth > 0; m++)
        {
            int width = Random.Next(TimeMaskWidth + 1);
            // At most a fifth of the utterance, so that short ones keep something to learn from.
            width = Math.Min(width, frames / 5);
            int start = Random.Next(Math.Max(1, frames - width + 1));
            row.Slice(start * features, width * features).Clear();
        }
        for (int m = 0; m < FrequencyMasks && FrequencyMaskWidth > 0; m++)
        {
            int width = Random.Next(FrequencyMaskWidth + 1);
            int start = Random.Next(features - width + 1);
            for (int t = 0; t < frames; t++)
                row.Slice(t * features + start, width).Clear();
        }
    }
}

/// <summary>Builds a batch of standardised feature rows: [batch, longest, features] padded with zeros, and the frame counts (int64 on the CPU).</summary>
internal static class FeatureBatch
{
    public static (Tensor Features, Tensor Lengths) Create(IReadOnlyList<float[]> rows, int[] batch, int features, Device device, SpecAugment? augment = null)
    {
        int longest = batch.Max(r => rows[r].Length / features);
        var values = new float[(long)batch.Length * longest * features];
        var lengths = new long[batch.Length];
        for (int b = 0; b < batch.Length; b++)
        {
            var row = rows[batch[b]];
            lengths[b] = row.Length / features;
            var target = values.AsSpan(b * longest * features, row.Length);
            row.CopyTo(target);
            augment?.Apply(target, (int)lengths[b], features);
        }
        var tensor = torch.tensor(values, [batch.Length, longest, features]);
        if (device.type != DeviceType.CPU)
            tensor = tensor.to(device);
        return (tensor, torch.tensor(lengths));
    }
}
