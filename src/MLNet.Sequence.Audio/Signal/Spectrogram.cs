using System.Numerics;

namespace MLNet.Sequence.Audio;

/// <summary>The taper applied to each frame before its Fourier transform (torch's periodic windows).</summary>
public enum WindowFunction
{
    /// <summary>0.5 - 0.5 cos(2 pi n / N): torch.hann_window, torchaudio's default.</summary>
    Hann,
    /// <summary>0.54 - 0.46 cos(2 pi n / N): torch.hamming_window.</summary>
    Hamming,
    /// <summary>0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N): torch.blackman_window.</summary>
    Blackman,
    /// <summary>All ones.</summary>
    Rectangular,
}

/// <summary>How a centred spectrogram pads the signal by half a frame at each end (torch.stft's pad_mode).</summary>
public enum PaddingMode
{
    /// <summary>Mirror the signal without repeating its edge sample (torchaudio's default).</summary>
    Reflect,
    /// <summary>Zeros.</summary>
    Constant,
    /// <summary>Repeat the edge sample.</summary>
    Replicate,
    /// <summary>Wrap around.</summary>
    Circular,
}

/// <summary>How the spectrogram's complex values are scaled (torchaudio's <c>normalized</c>).</summary>
public enum SpectrogramNormalization
{
    /// <summary>Not scaled.</summary>
    None,
    /// <summary>Divided by the window's L2 norm (torchaudio's <c>normalized=True</c> or <c>"window"</c>).</summary>
    Window,
    /// <summary>Divided by the square root of the FFT size (<c>"frame_length"</c>).</summary>
    FrameLength,
}

/// <summary>The short-time Fourier transform behind every feature: frames, window and power, with torchaudio's defaults.</summary>
public sealed class SpectrogramSettings
{
    /// <summary>The FFT size; a frame gives FftSize / 2 + 1 frequency bins.</summary>
    public int FftSize = 400;

    /// <summary>The window's length, at most <see cref="FftSize"/> (centred in it, zeros around); 0 means FftSize.</summary>
    public int WindowLength;

    /// <summary>Samples between the starts of successive frames; 0 means half the window length.</summary>
    public int HopLength;

    /// <summary>Zeros added at both ends of the signal before anything else.</summary>
    public int Pad;

    /// <summary>The window function.</summary>
    public WindowFunction Window = WindowFunction.Hann;

    /// <summary>Pad the signal by FftSize / 2 at each end so that frame t is centred on sample t · hop.</summary>
    public bool Center = true;

    /// <summary>How <see cref="Center"/> pads.</summary>
    public PaddingMode PadMode = PaddingMode.Reflect;

    /// <summary>The exponent of the magnitude: 2 for power (the default), 1 for magnitude.</summary>
    public float Power = 2f;

    /// <summary>How the complex values are scaled before the power.</summary>
    public SpectrogramNormalization Normalization = SpectrogramNormalization.None;

    /// <summary>The window length in effect.</summary>
    public int EffectiveWindowLength => WindowLength == 0 ? FftSize : WindowLength;

    /// <summary>The hop in effect.</summary>
    public int EffectiveHopLength => HopLength == 0 ? EffectiveWindowLength / 2 : HopLength;

    /// <summary>Frequency bins per frame.</summary>
    public int FrequencyBins => FftSize / 2 + 1;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Check()
    {
        if (FftSize < 2 || FftSize > 1 << 16)
            throw new ArgumentOutOfRangeException(nameof(FftSize), FftSize, "FftSize must be between 2 and 65,536");
        if (WindowLength < 0 || WindowLength > FftSize)
            throw new ArgumentOutOfRangeException(nameof(WindowLength), WindowLength, $"WindowLength must be between 1 and FftSize ({FftSize}), or 0 for FftSize");
        if (HopLength < 0 || EffectiveHopLength == 0)
            throw new ArgumentOutOfRangeException(nameof(HopLength), HopLength, "HopLength must be positive, or 0 for half the window length");
        if (Pad < 0)
            throw new ArgumentOutOfRangeException(nameof(Pad), Pad, "Pad must not be negative");
        if (!(Power > 0) || !float.IsFinite(Power))
            throw new ArgumentOutOfRangeException(nameof(Power), Power, "Power must be positive and finite (2 for power, 1 for magnitude)");
        if (!Enum.IsDefined(Window))
            throw new ArgumentOutOfRangeException(nameof(Window), Window, "unknown window function");
        if (!Enum.IsDefined(PadMode))
            throw new ArgumentOutOfRangeException(nameof(PadMode), PadMode, "unknown padding mode");
        if (!Enum.IsDefined(Normalization))
            throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, "unknown normalization");
    }

    /// <summary>A copy, so that a component's settings cannot change under it.</summary>
    public SpectrogramSettings Clone() => (SpectrogramSettings)MemberwiseClone();
}

/// <summary>
/// Computes spectrograms as torchaudio 0.13's <c>transforms.Spectrogram</c> does (torch.stft underneath), as frames x
/// frequency bins, frame-major.
/// </summary>
public sealed class Spectrogram
{
    private readonly SpectrogramSettings _settings;
    private readonly float[] _window; // FftSize long: the window centred in zeros
    private readonly double _scale; // applied to each complex value before the power
    private readonly Fft _fft;

    /// <summary>Prepares the window and the transform for the given settings.</summary>
    public Spectrogram(SpectrogramSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Check();
        _settings = settings.Clone();
        int n = _settings.FftSize, length = _settings.EffectiveWindowLength;
        _window = new float[n];
        int left = (n - length) / 2;
        double sumSquares = 0;
        for (int i = 0; i < length; i++)
        {
            double w = WindowValue(_settings.Window, i, length);
            _window[left + i] = (float)w;
            sumSquares += (double)(float)w * (float)w;
        }
        _scale = _settings.Normalization switch
        {
            SpectrogramNormalization.Window => 1 / Math.Sqrt(sumSquares),
            SpectrogramNormalization.FrameLength => 1 / Math.Sqrt(n),
            _ => 1,
        };
        _fft = new Fft(n);
    }

    /// <summary>The settings in effect.</summary>
    public SpectrogramSettings Settings => _settings.Clone();

    /// <summary>Frequency bins per frame.</summary>
    public int FrequencyBins => _settings.FrequencyBins;

    /// <summary>The number of frames a signal of <paramref name="length"/> samples gives, or 0 when it is too short for one.</summary>
    public int FrameCount(int length)
    {
        long padded = length + 2L * _settings.Pad + (_settings.Center ? 2L * (_settings.FftSize / 2) : 0);
        return padded < _settings.FftSize ? 0 : (int)(1 + (padded - _settings.FftSize) / _settings.EffectiveHopLength);
    }

    /// <summary>The shortest signal that gives a frame (and, when reflecting, that can be reflected).</summary>
    public int MinimumLength
    {
        get
        {
            int n = _settings.FftSize, half = _settings.Center ? n / 2 : 0;
            int forFrame = Math.Max(1, n - 2 * _settings.Pad - 2 * half);
            // Reflecting by `half` needs more than `half` samples after Pad; wrapping needs at least `half`.
            int forPadding = !_settings.Center ? 1 : _settings.PadMode switch
            {
                PaddingMode.Reflect => half + 1 - 2 * _settings.Pad,
                PaddingMode.Circular => half - 2 * _settings.Pad,
                _ => 1,
            };
            return Math.Max(forFrame, Math.Max(1, forPadding));
        }
    }

    /// <summary>The spectrogram of a signal: <see cref="FrameCount"/> frames of <see cref="FrequencyBins"/> values.</summary>
    /// <exception cref="ArgumentException">The signal is shorter than <see cref="MinimumLength"/>.</exception>
    public float[] Compute(ReadOnlySpan<float> signal)
    {
        if (signal.Length < MinimumLength)
            throw new ArgumentException(
                $"a signal of {signal.Length} samples is too short for a spectrogram with FftSize {_settings.FftSize}" +
                $"{(_settings.Center ? $", centred with {_settings.PadMode} padding" : "")}: it needs at least {MinimumLength}", nameof(signal));
        var padded = PadSignal(signal);
        int n = _settings.FftSize, hop = _settings.EffectiveHopLength, bins = FrequencyBins;
        int frames = 1 + (padded.Length - n) / hop;
        var output = new float[(long)frames * bins];
        var frame = new double[n];
        var spectrum = new Complex[bins];
        var scratch = new Complex[n];
        float power = _settings.Power;
        double scale2 = _scale * _scale;
        for (int f = 0; f < frames; f++)
        {
            int start = f * hop;
            for (int t = 0; t < n; t++)
                frame[t] = padded[start + t] * _window[t];
            _fft.ForwardReal(frame, spectrum, scratch);
            var row = output.AsSpan(f * bins, bins);
            for (int k = 0; k < bins; k++)
            {
                var c = spectrum[k];
                double squared = (c.Real * c.Real + c.Imaginary * c.Imaginary) * scale2;
                row[k] = (float)(power == 2f ? squared : power == 1f ? Math.Sqrt(squared) : Math.Pow(squared, power / 2));
            }
        }
        return output;
    }

    private float[] PadSignal(ReadOnlySpan<float> signal)
    {
        int pad = _settings.Pad;
        var x = new float[signal.Length + 2 * pad];
        signal.CopyTo(x.AsSpan(pad));
        if (!_settings.Center)
            return x;
        int half = _settings.FftSize / 2, length = x.Length;
        var padded = new float[length + 2 * half];
        x.CopyTo(padded.AsSpan(half));
        for (int i = 1; i <= half; i++)
        {
            // padded[half - i] is the sample i before the first; padded[half + length - 1 + i] the one i after the last.
            (float before, float after) = _settings.PadMode switch
            {
                PaddingMode.Reflect => (x[i], x[length - 1 - i]),
                PaddingMode.Replicate => (x[0], x[length - 1]),
                PaddingMode.Circular => (x[length - i], x[i - 1]),
                _ => (0f, 0f),
            };
            padded[half - i] = before;
            padded[half + length - 1 + i] = after;
        }
        return padded;
    }

    private static double WindowValue(WindowFunction window, int i, int length)
    {
        double phase = 2 * Math.PI * i / length; // periodic: the denominator is the length, not length - 1
        return window switch
        {
            WindowFunction.Hann => 0.5 - 0.5 * Math.Cos(phase),
            WindowFunction.Hamming => 0.54 - 0.46 * Math.Cos(phase),
            WindowFunction.Blackman => 0.42 - 0.5 * Math.Cos(phase) + 0.08 * Math.Cos(2 * phase),
            _ => 1,
        };
    }
}
