using System.Numerics.Tensors;

namespace MLNet.Sequence.Audio;

/// <summary>What an <see cref="AudioFeaturizer"/> computes.</summary>
public enum AudioFeatureKind
{
    /// <summary>The spectrogram: FftSize / 2 + 1 values per frame.</summary>
    Spectrogram,
    /// <summary>The spectrogram through mel filters: MelBands values per frame (log-mel with a <see cref="LogScale"/>).</summary>
    MelSpectrogram,
    /// <summary>The DCT-II of the log-mel spectrogram: MfccCount values per frame.</summary>
    Mfcc,
}

/// <summary>How values are compressed before they are used.</summary>
public enum LogScale
{
    /// <summary>Left as they are.</summary>
    None,
    /// <summary>ln(x + LogOffset) (torchaudio's MFCC with <c>log_mels=True</c>).</summary>
    Natural,
    /// <summary>10 log10(max(x, 1e-10)) for power, 20 log10 for magnitude, floored TopDb below the clip's peak (torchaudio's AmplitudeToDB).</summary>
    Decibels,
}

/// <summary>Settings of audio features, with torchaudio 0.13's defaults.</summary>
public sealed class AudioFeatureSettings
{
    /// <summary>What to compute.</summary>
    public AudioFeatureKind Kind = AudioFeatureKind.MelSpectrogram;

    /// <summary>The frames and their transform.</summary>
    public SpectrogramSettings Spectrogram = new();

    /// <summary>Mel bands (MelSpectrogram and Mfcc).</summary>
    public int MelBands = 128;

    /// <summary>The lowest mel edge in Hz.</summary>
    public double MinFrequency;

    /// <summary>The highest mel edge in Hz; 0 means half the sample rate.</summary>
    public double MaxFrequency;

    /// <summary>The mel scale.</summary>
    public MelScale MelScale = MelScale.Htk;

    /// <summary>The scaling of each mel filter.</summary>
    public MelNorm MelNorm = MelNorm.None;

    /// <summary>
    /// The compression of spectrogram or mel values. An MFCC is always taken of compressed values: None there means
    /// torchaudio's choice, decibels with an 80 dB floor.
    /// </summary>
    public LogScale Log = LogScale.None;

    /// <summary>Added before the natural log.</summary>
    public float LogOffset = 1e-6f;

    /// <summary>With decibels: values more than this far below the clip's peak are raised to it; 0 turns the floor off.</summary>
    public float TopDb;

    /// <summary>Coefficients kept (Mfcc), at most MelBands.</summary>
    public int MfccCount = 40;

    /// <summary>DCT-II with orthonormal scaling (torchaudio's <c>norm="ortho"</c>); otherwise the unscaled DCT-II times 2.</summary>
    public bool OrthonormalDct = true;

    /// <summary>A deep copy.</summary>
    public AudioFeatureSettings Clone()
    {
        var copy = (AudioFeatureSettings)MemberwiseClone();
        copy.Spectrogram = Spectrogram.Clone();
        return copy;
    }
}

/// <summary>
/// Spectrogram, (log-)mel spectrogram or MFCC of a signal, computed as torchaudio 0.13's transforms compute them,
/// as frames x features, frame-major. One featurizer serves one sample rate and any number of threads.
/// </summary>
public sealed class AudioFeaturizer
{
    private readonly AudioFeatureSettings _settings;
    private readonly Spectrogram _spectrogram;
    private readonly MelFilterBank? _mel;
    private readonly float[][]? _dct; // per coefficient, its weights on the mel bands

    /// <summary>Prepares the transform, filters and DCT for signals at <paramref name="sampleRate"/>.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public AudioFeaturizer(AudioFeatureSettings settings, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(settings.Spectrogram, nameof(settings.Spectrogram));
        if (sampleRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "the sample rate must be positive");
        if (!Enum.IsDefined(settings.Kind))
            throw new ArgumentOutOfRangeException(nameof(settings.Kind), settings.Kind, "unknown feature kind");
        if (!Enum.IsDefined(settings.Log))
            throw new ArgumentOutOfRangeException(nameof(settings.Log), settings.Log, "unknown log scale");
        if (!(settings.LogOffset > 0) || !float.IsFinite(settings.LogOffset))
            throw new ArgumentOutOfRangeException(nameof(settings.LogOffset), settings.LogOffset, "LogOffset must be positive and finite");
        if (!(settings.TopDb >= 0) || !float.IsFinite(settings.TopDb))
            throw new ArgumentOutOfRangeException(nameof(settings.TopDb), settings.TopDb, "TopDb must be finite and not negative (0 for no floor)");
        _settings = settings.Clone();
        SampleRate = sampleRate;
        _spectrogram = new Spectrogram(_settings.Spectrogram);
        if (_settings.Kind != AudioFeatureKind.Spectrogram)
        {
            _mel = new MelFilterBank(_spectrogram.FrequencyBins, sampleRate, _settings.MelBands, _settings.MinFrequency, _settings.MaxFrequency,
                _settings.MelScale, _settings.MelNorm);
        }
        if (_settings.Kind == AudioFeatureKind.Mfcc)
        {
            if (_settings.MfccCount <= 0 || _settings.MfccCount > _settings.MelBands)
                throw new ArgumentOutOfRangeException(nameof(settings.MfccCount), _settings.MfccCount, $"MfccCount must be between 1 and MelBands ({_settings.MelBands})");
            _dct = DctII(_settings.MfccCount, _settings.MelBands, _settings.OrthonormalDct);
        }
        FeatureCount = _settings.Kind switch
        {
            AudioFeatureKind.Spectrogram => _spectrogram.FrequencyBins,
            AudioFeatureKind.MelSpectrogram => _settings.MelBands,
            _ => _settings.MfccCount,
        };
    }

    /// <summary>The sample rate the featurizer was built for.</summary>
    public int SampleRate { get; }

    /// <summary>Values per frame.</summary>
    public int FeatureCount { get; }

    /// <summary>The settings in effect.</summary>
    public AudioFeatureSettings Settings => _settings.Clone();

    /// <summary>The shortest signal that gives a frame.</summary>
    public int MinimumLength => _spectrogram.MinimumLength;

    /// <summary>Frames a signal of <paramref name="length"/> samples gives.</summary>
    public int FrameCount(int length) => _spectrogram.FrameCount(length);

    /// <summary>The features of a signal: <see cref="FrameCount"/> frames of <see cref="FeatureCount"/> values, frame-major.</summary>
    public float[] Compute(ReadOnlySpan<float> signal)
    {
        var values = _spectrogram.Compute(signal, _mel);
        int frames = values.Length / (_mel?.MelBands ?? _spectrogram.FrequencyBins);
        LogScale log = _settings.Kind == AudioFeatureKind.Mfcc && _settings.Log == LogScale.None ? LogScale.Decibels : _settings.Log;
        float topDb = _settings.Kind == AudioFeatureKind.Mfcc && _settings.Log == LogScale.None ? 80f : _settings.TopDb;
        Compress(values, log, topDb);
        if (_dct == null)
            return values;
        int bands = _settings.MelBands, count = _settings.MfccCount;
        var mfcc = new float[(long)frames * count];
        for (int t = 0; t < frames; t++)
        {
            var frame = values.AsSpan(t * bands, bands);
            for (int k = 0; k < count; k++)
                mfcc[t * count + k] = TensorPrimitives.Dot(frame, _dct[k]);
        }
        return mfcc;
    }

    private void Compress(float[] values, LogScale log, float topDb)
    {
        switch (log)
        {
            case LogScale.Natural:
                TensorPrimitives.Add(values, _settings.LogOffset, values);
                TensorPrimitives.Log(values, values);
                break;
            case LogScale.Decibels:
                // 10 log10 for power, 20 for magnitude; torchaudio's amin 1e-10 and reference 1.
                TensorPrimitives.Max(values, 1e-10f, values);
                TensorPrimitives.Log10(values, values);
                TensorPrimitives.Multiply(values, _settings.Spectrogram.Power == 1f ? 20f : 10f, values);
                if (topDb > 0 && values.Length > 0)
                    TensorPrimitives.Max(values, TensorPrimitives.Max(values) - topDb, values);
                break;
        }
    }

    // dct[k][n] = cos(pi / N (n + 1/2) k), scaled by sqrt(2 / N) (and 1 / sqrt 2 for k = 0) when orthonormal, by 2 otherwise.
    internal static float[][] DctII(int count, int bands, bool orthonormal)
    {
        var dct = new float[count][];
        for (int k = 0; k < count; k++)
        {
            dct[k] = new float[bands];
            double scale = orthonormal ? Math.Sqrt(2.0 / bands) * (k == 0 ? 1 / Math.Sqrt(2) : 1) : 2;
            for (int n = 0; n < bands; n++)
                dct[k][n] = (float)(Math.Cos(Math.PI / bands * (n + 0.5) * k) * scale);
        }
        return dct;
    }
}
