using System.Numerics.Tensors;

namespace MLNet.Sequence.Audio;

/// <summary>The window that tapers the sinc filter of <see cref="Resampler"/>.</summary>
public enum ResamplingWindow
{
    /// <summary>A Hann window (torchaudio's <c>sinc_interpolation</c>, its default).</summary>
    Hann,
    /// <summary>A Kaiser window with shape <see cref="Resampler.Beta"/> (torchaudio's <c>kaiser_window</c>).</summary>
    Kaiser,
}

/// <summary>
/// Band-limited resampling by windowed-sinc interpolation between integer sample rates, the method and output
/// of torchaudio's <c>functional.resample</c>: the rates are reduced by their greatest common divisor, each of
/// the reduced target rate's phases gets its own filter, and the output has ceil(length · to / from) samples.
/// </summary>
/// <remarks>The filters are built once per pair of rates; one resampler serves any number of signals and threads.</remarks>
public sealed class Resampler
{
    // Phases x taps beyond this would take more than 256 MB: rates whose ratio reduces to such large integers
    // (44,100 -> 22,051, say) are better rounded first.
    private const long MaxKernelElements = 1L << 26;

    private readonly float[][] _phases;
    private readonly int _width;
    private readonly int _from;
    private readonly int _to;

    /// <summary>Builds the filters that take a signal from one sample rate to another.</summary>
    /// <param name="fromRate">The signal's sample rate in Hz.</param>
    /// <param name="toRate">The rate wanted, in Hz.</param>
    /// <param name="lowpassFilterWidth">Zero crossings of the sinc on each side; more is sharper and slower (torchaudio's default 6).</param>
    /// <param name="rolloff">The filter's cut-off as a fraction of the lower rate's Nyquist frequency (default 0.99).</param>
    /// <param name="window">The taper of the sinc.</param>
    /// <param name="beta">The Kaiser window's shape; ignored for Hann.</param>
    public Resampler(int fromRate, int toRate, int lowpassFilterWidth = 6, double rolloff = 0.99,
        ResamplingWindow window = ResamplingWindow.Hann, double beta = Beta)
    {
        if (fromRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(fromRate), fromRate, "the source sample rate must be positive");
        if (toRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(toRate), toRate, "the target sample rate must be positive");
        if (lowpassFilterWidth <= 0)
            throw new ArgumentOutOfRangeException(nameof(lowpassFilterWidth), lowpassFilterWidth, "the low-pass filter width must be positive");
        if (!(rolloff > 0 && rolloff <= 1))
            throw new ArgumentOutOfRangeException(nameof(rolloff), rolloff, "the roll-off must be in (0, 1]");
        if (!double.IsFinite(beta) || beta < 0)
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "the Kaiser window's beta must be finite and not negative");
        FromRate = fromRate;
        ToRate = toRate;
        int gcd = Gcd(fromRate, toRate);
        _from = fromRate / gcd;
        _to = toRate / gcd;
        double baseFreq = Math.Min(_from, _to) * rolloff;
        _width = (int)Math.Ceiling(lowpassFilterWidth * _from / baseFreq);
        int taps = 2 * _width + _from;
        if ((long)taps * _to > MaxKernelElements)
            throw new ArgumentException(
                $"resampling from {fromRate:N0} Hz to {toRate:N0} Hz reduces to the ratio {_from:N0}:{_to:N0}, whose filters would hold " +
                $"{(long)taps * _to:N0} weights; round one of the rates so that their ratio is simpler", nameof(toRate));

        double i0Beta = BesselI0(beta);
        _phases = new float[_to][];
        for (int j = 0; j < _to; j++)
        {
            var phase = _phases[j] = new float[taps];
            for (int k = 0; k < taps; k++)
            {
                // Where tap k falls, in units of the filter's zero crossings, for output phase j.
                double t = ((double)(k - _width) / _from - (double)j / _to) * baseFreq;
                t = Math.Clamp(t, -lowpassFilterWidth, lowpassFilterWidth);
                double w = window == ResamplingWindow.Hann
                    ? Math.Pow(Math.Cos(t * Math.PI / lowpassFilterWidth / 2), 2)
                    : BesselI0(beta * Math.Sqrt(1 - Math.Pow(t / lowpassFilterWidth, 2))) / i0Beta;
                t *= Math.PI;
                double sinc = t == 0 ? 1 : Math.Sin(t) / t;
                phase[k] = (float)(sinc * w * baseFreq / _from);
            }
        }
    }

    /// <summary>torchaudio's default shape of the Kaiser window.</summary>
    public const double Beta = 14.769656459379492;

    /// <summary>The source sample rate.</summary>
    public int FromRate { get; }

    /// <summary>The target sample rate.</summary>
    public int ToRate { get; }

    /// <summary>The number of samples <see cref="Resample(ReadOnlySpan{float})"/> returns for a signal of <paramref name="length"/> samples.</summary>
    public long OutputLength(long length) => (long)Math.Ceiling((double)_to * length / _from);

    /// <summary>Resamples a signal; at equal rates it returns a copy.</summary>
    public float[] Resample(ReadOnlySpan<float> signal)
    {
        if (FromRate == ToRate)
            return signal.ToArray();
        long outLength = OutputLength(signal.Length);
        if (outLength > Array.MaxLength)
            throw new ArgumentException($"{signal.Length:N0} samples at {FromRate:N0} Hz make more than one array can hold at {ToRate:N0} Hz", nameof(signal));
        // The signal with `width` zeros before and `width + from` after, as torchaudio pads it.
        var padded = new float[signal.Length + 2 * _width + _from];
        signal.CopyTo(padded.AsSpan(_width));
        int taps = _phases[0].Length;
        var output = new float[outLength];
        for (long i = 0; i < outLength; i++)
        {
            long block = i / _to;
            int phase = (int)(i % _to);
            output[i] = TensorPrimitives.Dot(padded.AsSpan((int)(block * _from), taps), _phases[phase]);
        }
        return output;
    }

    /// <summary>Resamples a signal from one rate to another with torchaudio's default filter.</summary>
    public static float[] Resample(ReadOnlySpan<float> signal, int fromRate, int toRate) =>
        fromRate == toRate ? signal.ToArray() : new Resampler(fromRate, toRate).Resample(signal);

    private static int Gcd(int a, int b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }

    // The modified Bessel function of the first kind, order 0, by its power series (converges for every x).
    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 500 && term > 1e-17 * sum; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
        }
        return sum;
    }
}
