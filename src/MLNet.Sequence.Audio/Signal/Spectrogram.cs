using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.InteropServices;

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
    private readonly double[] _window; // FftSize long: the window centred in zeros (float values, as torch's)
    private readonly double _scale; // applied to each complex value before the power
    private readonly Fft _fft;

    /// <summary>Prepares the window and the transform for the given settings.</summary>
    public Spectrogram(SpectrogramSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Check();
        _settings = settings.Clone();
        int n = _settings.FftSize, length = _settings.EffectiveWindowLength;
        _window = new double[n];
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
    public float[] Compute(ReadOnlySpan<float> signal) => Compute(signal, null);

    /// <summary>
    /// The spectrogram, or with <paramref name="mel"/> its mel spectrogram (frames of <see cref="MelFilterBank.MelBands"/>
    /// values): the filters are applied to the frames while they are in the transform's lanes.
    /// </summary>
    internal float[] Compute(ReadOnlySpan<float> signal, MelFilterBank? mel)
    {
        if (signal.Length < MinimumLength)
            throw new ArgumentException(
                $"a signal of {signal.Length} samples is too short for a spectrogram with FftSize {_settings.FftSize}" +
                $"{(_settings.Center ? $", centred with {_settings.PadMode} padding" : "")}: it needs at least {MinimumLength}", nameof(signal));
        if (mel != null && mel.FrequencyBins != FrequencyBins)
            throw new ArgumentException($"the mel filters read {mel.FrequencyBins} bins, the spectrogram has {FrequencyBins}", nameof(mel));
        var padded = PadSignal(signal);
        int n = _settings.FftSize, hop = _settings.EffectiveHopLength, bins = FrequencyBins, width = mel?.MelBands ?? bins;
        int frames = 1 + (padded.Length - n) / hop;
        var output = new float[(long)frames * width];
        // Fft.Lanes frames at a time, frame l of a group in lane l: the frames are transposed into the lanes, and the
        // values back out of them. The last group's spare lanes transform zeros.
        int lanes = Fft.Lanes;
        var x = new Vector<double>[n];
        var re = new Vector<double>[bins];
        var im = new Vector<double>[bins];
        var scratch = new Vector<double>[_fft.ScratchLength];
        var bands = mel == null ? re : new Vector<double>[width];
        var scale2 = new Vector<double>(_scale * _scale);
        float power = _settings.Power;
        for (int first = 0; first < frames; first += lanes)
        {
            int count = Math.Min(lanes, frames - first);
            FramesToLanes(padded, first * hop, hop, count, x);
            _fft.ForwardReal(x, re, im, scratch);
            for (int k = 0; k < bins; k++)
            {
                var squared = (re[k] * re[k] + im[k] * im[k]) * scale2;
                re[k] = power == 2f ? squared : power == 1f ? Vector.SquareRoot(squared) : Pow(squared, power / 2);
            }
            mel?.Apply(re, bands);
            LanesToFrames(bands, output.AsSpan(first * width, count * width), count);
        }
        return output;
    }

    private static Vector<double> Pow(Vector<double> x, double exponent)
    {
        Span<double> values = stackalloc double[Vector<double>.Count];
        x.CopyTo(values);
        foreach (ref double value in values)
            value = Math.Pow(value, exponent);
        return new Vector<double>(values);
    }

    // x[t] lane l = sample t of the frame at start + l * hop, windowed, for l < count (zeros in the other lanes). With
    // AVX, four samples of four frames are loaded and transposed together: half the cost of lane-by-lane stores.
    private void FramesToLanes(float[] padded, int start, int hop, int count, Span<Vector<double>> x)
    {
        int n = x.Length, t = 0;
        if (count == 4 && Vector<double>.Count == 4 && Avx.IsSupported)
        {
            ref float s0 = ref padded[start], s1 = ref padded[start + hop], s2 = ref padded[start + 2 * hop], s3 = ref padded[start + 3 * hop];
            for (; t + 4 <= n; t += 4)
            {
                var (c0, c1, c2, c3) = Transpose(
                    Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref s0, (nuint)t)), Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref s1, (nuint)t)),
                    Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref s2, (nuint)t)), Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref s3, (nuint)t)));
                x[t] = c0.AsVector() * _window[t];
                x[t + 1] = c1.AsVector() * _window[t + 1];
                x[t + 2] = c2.AsVector() * _window[t + 2];
                x[t + 3] = c3.AsVector() * _window[t + 3];
            }
        }
        Span<double> lane = stackalloc double[Vector<double>.Count];
        lane.Clear();
        for (; t < n; t++)
        {
            for (int l = 0; l < count; l++)
                lane[l] = padded[start + l * hop + t];
            x[t] = new Vector<double>(lane) * _window[t];
        }
    }

    // The inverse for the values: lane l of values[k] goes to frames[l * width + k], as floats, for l < count.
    private static void LanesToFrames(ReadOnlySpan<Vector<double>> values, Span<float> frames, int count)
    {
        int width = values.Length, k = 0;
        if (count == 4 && Vector<double>.Count == 4 && Avx.IsSupported)
        {
            for (; k + 4 <= width; k += 4)
            {
                var (r0, r1, r2, r3) = Transpose(values[k].AsVector256(), values[k + 1].AsVector256(), values[k + 2].AsVector256(), values[k + 3].AsVector256());
                Avx.ConvertToVector128Single(r0).CopyTo(frames.Slice(k, 4));
                Avx.ConvertToVector128Single(r1).CopyTo(frames.Slice(width + k, 4));
                Avx.ConvertToVector128Single(r2).CopyTo(frames.Slice(2 * width + k, 4));
                Avx.ConvertToVector128Single(r3).CopyTo(frames.Slice(3 * width + k, 4));
            }
        }
        for (; k < width; k++)
            for (int l = 0; l < count; l++)
                frames[l * width + k] = (float)values[k][l];
    }

    // Rows a, b, c, d of a 4 x 4 block to its columns.
    private static (Vector256<double>, Vector256<double>, Vector256<double>, Vector256<double>) Transpose(
        Vector256<double> a, Vector256<double> b, Vector256<double> c, Vector256<double> d)
    {
        var abLow = Avx.UnpackLow(a, b); // a0 b0 a2 b2
        var abHigh = Avx.UnpackHigh(a, b); // a1 b1 a3 b3
        var cdLow = Avx.UnpackLow(c, d);
        var cdHigh = Avx.UnpackHigh(c, d);
        return (Avx.Permute2x128(abLow, cdLow, 0x20), Avx.Permute2x128(abHigh, cdHigh, 0x20),
            Avx.Permute2x128(abLow, cdLow, 0x31), Avx.Permute2x128(abHigh, cdHigh, 0x31));
    }

    private float[] PadSignal(ReadOnlySpan<float> signal)
    {
        // One array: the zeros of Pad, then the centring half frame on each side, read from the zero-padded signal x.
        int pad = _settings.Pad, half = _settings.Center ? _settings.FftSize / 2 : 0, length = signal.Length + 2 * pad;
        var padded = new float[length + 2 * half];
        signal.CopyTo(padded.AsSpan(half + pad));
        if (!_settings.Center)
            return padded;
        var x = padded.AsSpan(half, length);
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
