using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;

namespace MLNet.Sequence.Torch.Speech;

/// <summary>Per-feature mean and standard deviation over every training frame; features are standardised with them before the network sees them.</summary>
internal sealed class FeatureNormalizer
{
    private readonly float[] _mean;
    private readonly float[] _scale; // 1 / standard deviation

    private FeatureNormalizer(float[] mean, float[] scale)
    {
        _mean = mean;
        _scale = scale;
    }

    public int FeatureCount => _mean.Length;

    public static FeatureNormalizer Fit(IReadOnlyList<float[]> rows, int featureCount)
    {
        var sum = new double[featureCount];
        var squares = new double[featureCount];
        long frames = 0;
        foreach (var row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                sum[i % featureCount] += row[i];
                squares[i % featureCount] += (double)row[i] * row[i];
            }
            frames += row.Length / featureCount;
        }
        var mean = new float[featureCount];
        var scale = new float[featureCount];
        for (int f = 0; f < featureCount; f++)
        {
            double m = sum[f] / frames;
            double variance = Math.Max(0, squares[f] / frames - m * m);
            mean[f] = (float)m;
            scale[f] = (float)(1 / Math.Sqrt(variance + 1e-5)); // a constant feature is only centred
        }
        return new FeatureNormalizer(mean, scale);
    }

    /// <summary>
    /// Subtracts a row's own mean from each of its features in place (cepstral mean normalisation): a recording
    /// channel's constant colouring of the spectrum is a constant in log features, and goes.
    /// </summary>
    public static void SubtractOwnMean(float[] row, int featureCount)
    {
        int frames = row.Length / featureCount;
        if (frames == 0)
            return;
        var mean = new double[featureCount];
        for (int i = 0; i < row.Length; i++)
            mean[i % featureCount] += row[i];
        for (int i = 0; i < row.Length; i++)
            row[i] -= (float)(mean[i % featureCount] / frames);
    }

    /// <summary>Standardises a row in place.</summary>
    public void Apply(float[] row)
    {
        int n = _mean.Length;
        for (int i = 0; i < row.Length; i++)
            row[i] = (row[i] - _mean[i % n]) * _scale[i % n];
    }

    public void Write(BinaryWriter w)
    {
        w.WriteFloats(_mean);
        w.WriteFloats(_scale);
    }

    public static FeatureNormalizer Read(IExceptionContext ectx, BinaryReader r, int featureCount)
    {
        var mean = r.ReadFloats("feature means", featureCount);
        var scale = r.ReadFloats("feature scales", featureCount);
        ectx.CheckDecode(scale.All(s => s > 0), "Bad feature scales in the speech model.");
        return new FeatureNormalizer(mean, scale);
    }
}
