using System.Numerics;

namespace MLNet.Sequence.Audio;

/// <summary>How frequencies map to mels.</summary>
public enum MelScale
{
    /// <summary>2595 log10(1 + f / 700) (HTK; torchaudio's default).</summary>
    Htk,
    /// <summary>Linear below 1 kHz, logarithmic above (Slaney's Auditory Toolbox; librosa's default).</summary>
    Slaney,
}

/// <summary>How each triangular mel filter is scaled.</summary>
public enum MelNorm
{
    /// <summary>Every triangle peaks at 1 (torchaudio's default).</summary>
    None,
    /// <summary>Each triangle is divided by its width in Hz / 2, so each band has about the same energy.</summary>
    Slaney,
}

/// <summary>Triangular mel filters over the bins of a spectrogram, built as torchaudio's <c>melscale_fbanks</c> builds them.</summary>
public sealed class MelFilterBank
{
    private readonly float[][] _filters; // per mel band, its weight on each frequency bin
    private readonly (int First, int End)[] _support; // the bins where a band's weights are not zero

    /// <summary>Builds the filters.</summary>
    /// <param name="frequencyBins">Bins of the spectrogram (FftSize / 2 + 1), spread evenly over 0 to sampleRate / 2.</param>
    /// <param name="sampleRate">The signal's sample rate in Hz.</param>
    /// <param name="melBands">Filters to build.</param>
    /// <param name="minFrequency">The lowest edge in Hz.</param>
    /// <param name="maxFrequency">The highest edge in Hz; 0 means sampleRate / 2.</param>
    /// <param name="scale">The mel scale.</param>
    /// <param name="norm">The scaling of each filter.</param>
    public MelFilterBank(int frequencyBins, int sampleRate, int melBands, double minFrequency = 0, double maxFrequency = 0,
        MelScale scale = MelScale.Htk, MelNorm norm = MelNorm.None)
    {
        if (frequencyBins < 2)
            throw new ArgumentOutOfRangeException(nameof(frequencyBins), frequencyBins, "a mel filter bank needs at least 2 frequency bins");
        if (sampleRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "the sample rate must be positive");
        if (melBands <= 0)
            throw new ArgumentOutOfRangeException(nameof(melBands), melBands, "the number of mel bands must be positive");
        double nyquist = sampleRate / 2; // integer division, as torchaudio's linspace(0, sample_rate // 2, n_freqs)
        double fMax = maxFrequency == 0 ? nyquist : maxFrequency;
        if (!double.IsFinite(minFrequency) || minFrequency < 0)
            throw new ArgumentOutOfRangeException(nameof(minFrequency), minFrequency, "the lowest frequency must be finite and not negative");
        if (!double.IsFinite(fMax) || fMax <= minFrequency || fMax > sampleRate / 2.0)
            throw new ArgumentOutOfRangeException(nameof(maxFrequency), maxFrequency,
                $"the highest frequency must be above the lowest ({minFrequency} Hz) and at most half the sample rate ({sampleRate / 2.0} Hz)");
        if (!Enum.IsDefined(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "unknown mel scale");
        if (!Enum.IsDefined(norm))
            throw new ArgumentOutOfRangeException(nameof(norm), norm, "unknown mel norm");
        FrequencyBins = frequencyBins;
        MelBands = melBands;

        double melMin = HzToMel(minFrequency, scale), melMax = HzToMel(fMax, scale);
        var edges = new double[melBands + 2]; // in Hz
        for (int i = 0; i < edges.Length; i++)
            edges[i] = MelToHz(melMin + (melMax - melMin) * i / (melBands + 1), scale);
        _filters = new float[melBands][];
        _support = new (int, int)[melBands];
        for (int m = 0; m < melBands; m++)
        {
            var filter = _filters[m] = new float[frequencyBins];
            double lower = edges[m], centre = edges[m + 1], upper = edges[m + 2];
            double enorm = norm == MelNorm.Slaney ? 2 / (upper - lower) : 1;
            int first = frequencyBins, end = 0;
            for (int k = 0; k < frequencyBins; k++)
            {
                double f = nyquist * k / (frequencyBins - 1);
                double weight = Math.Max(0, Math.Min((f - lower) / (centre - lower), (upper - f) / (upper - centre)));
                filter[k] = (float)(weight * enorm);
                if (filter[k] != 0)
                {
                    first = Math.Min(first, k);
                    end = k + 1;
                }
            }
            _support[m] = (Math.Min(first, end), end);
        }
    }

    /// <summary>Frequency bins each filter reads.</summary>
    public int FrequencyBins { get; }

    /// <summary>Mel bands.</summary>
    public int MelBands { get; }

    /// <summary>The weight of band <paramref name="band"/> on bin <paramref name="bin"/>.</summary>
    public float this[int band, int bin] => _filters[band][bin];

    /// <summary>Whether some band has no bin under it (more bands than the spectrogram can resolve).</summary>
    public bool HasEmptyBand => _support.Any(s => s.End <= s.First);

    /// <summary>Applies the filters to each frame: frames x bins in, frames x bands out.</summary>
    public float[] Apply(ReadOnlySpan<float> spectrogram, int frames)
    {
        if (spectrogram.Length != (long)frames * FrequencyBins)
            throw new ArgumentException($"{spectrogram.Length} values are not {frames} frames of {FrequencyBins} bins", nameof(spectrogram));
        var output = new float[(long)frames * MelBands];
        for (int t = 0; t < frames; t++)
        {
            var frame = spectrogram.Slice(t * FrequencyBins, FrequencyBins);
            for (int m = 0; m < MelBands; m++)
            {
                var (first, end) = _support[m];
                output[t * MelBands + m] = end > first
                    ? System.Numerics.Tensors.TensorPrimitives.Dot(frame[first..end], _filters[m].AsSpan(first, end - first))
                    : 0;
            }
        }
        return output;
    }

    // The filters on frames held one per SIMD lane (Spectrogram's transform): bands[m] = sum_k weight[m, k] bins[k].
    internal void Apply(ReadOnlySpan<Vector<double>> bins, Span<Vector<double>> bands)
    {
        for (int m = 0; m < MelBands; m++)
        {
            var (first, end) = _support[m];
            var filter = _filters[m];
            var sum = Vector<double>.Zero;
            for (int k = first; k < end; k++)
                sum += bins[k] * filter[k];
            bands[m] = sum;
        }
    }

    /// <summary>Hz to mels.</summary>
    public static double HzToMel(double hz, MelScale scale)
    {
        if (scale == MelScale.Htk)
            return 2595 * Math.Log10(1 + hz / 700);
        const double linearStep = 200.0 / 3, logStart = 1000, logStartMel = logStart / linearStep;
        double logStep = Math.Log(6.4) / 27;
        return hz >= logStart ? logStartMel + Math.Log(hz / logStart) / logStep : hz / linearStep;
    }

    /// <summary>Mels to Hz.</summary>
    public static double MelToHz(double mel, MelScale scale)
    {
        if (scale == MelScale.Htk)
            return 700 * (Math.Pow(10, mel / 2595) - 1);
        const double linearStep = 200.0 / 3, logStart = 1000, logStartMel = logStart / linearStep;
        double logStep = Math.Log(6.4) / 27;
        return mel >= logStartMel ? logStart * Math.Exp(logStep * (mel - logStartMel)) : mel * linearStep;
    }
}
