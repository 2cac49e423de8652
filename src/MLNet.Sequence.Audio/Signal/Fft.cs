using System.Numerics;

namespace MLNet.Sequence.Audio;

/// <summary>
/// A discrete Fourier transform of one fixed length, any length, in double precision: an iterative mixed-radix
/// Stockham FFT (Govindaraju et al. 2008) over the length's prime factors, with butterflies written out for radices
/// 2 to 5 and a direct sum for larger ones, and every twiddle precomputed. Spectrogram sizes such as 200 and 400
/// (2^4 · 5^2) need no power of two. Real signals of even length go through a transform of half the length.
/// </summary>
internal sealed class Fft
{
    private readonly int _n;
    private readonly Stage[] _stages;
    private readonly Fft? _half; // the n / 2 transform a real signal of even length packs into
    private readonly Complex[] _realTwiddles; // exp(-2 pi i k / n), k <= n / 2, for unpacking that transform

    // One pass of the Stockham FFT: radix R combines transforms of length Ns into transforms of length Ns * R.
    // Twiddles[(j % Ns) * R + r] = exp(-2 pi i r (j % Ns) / (Ns R)).
    private sealed record Stage(int Radix, int Span, Complex[] Twiddles, Complex[] Roots);

    public Fft(int n)
    {
        if (n <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), n, "the transform length must be positive");
        _n = n;
        var stages = new List<Stage>();
        int span = 1;
        foreach (int radix in Factor(n))
        {
            var twiddles = new Complex[span * radix];
            for (int j = 0; j < span; j++)
                for (int r = 0; r < radix; r++)
                    twiddles[j * radix + r] = Complex.FromPolarCoordinates(1, -2 * Math.PI * r * j / (span * radix));
            var roots = Enumerable.Range(0, radix).Select(k => Complex.FromPolarCoordinates(1, -2 * Math.PI * k / radix)).ToArray();
            stages.Add(new Stage(radix, span, twiddles, roots));
            span *= radix;
        }
        _stages = stages.ToArray();
        _realTwiddles = [];
        if (n % 2 == 0 && n >= 4)
        {
            _half = new Fft(n / 2);
            _realTwiddles = Enumerable.Range(0, n / 2 + 1).Select(k => Complex.FromPolarCoordinates(1, -2 * Math.PI * k / n)).ToArray();
        }
    }

    public int Length => _n;

    /// <summary>X[k] = sum_t x[t] exp(-2 pi i k t / n), for every k; <paramref name="scratch"/> holds n values.</summary>
    public void Forward(ReadOnlySpan<Complex> input, Span<Complex> output, Span<Complex> scratch)
    {
        if (input.Length != _n || output.Length != _n || scratch.Length < _n)
            throw new ArgumentException($"the transform is of length {_n}");
        // The passes alternate between output and scratch; an odd number of them starts in scratch so that the
        // last one writes output.
        Span<Complex> from = _stages.Length % 2 == 0 ? output : scratch[.._n], to = _stages.Length % 2 == 0 ? scratch[.._n] : output;
        input.CopyTo(from);
        foreach (var stage in _stages)
        {
            Pass(stage, from, to);
            var swap = from;
            from = to;
            to = swap;
        }
    }

    /// <summary>
    /// X[k] for k = 0 .. n / 2 of a real signal (the other half is their conjugate mirror); <paramref name="scratch"/>
    /// holds n values.
    /// </summary>
    public void ForwardReal(ReadOnlySpan<double> input, Span<Complex> output, Span<Complex> scratch)
    {
        if (input.Length != _n || output.Length != _n / 2 + 1 || scratch.Length < _n)
            throw new ArgumentException($"the transform is of length {_n}");
        if (_half == null)
        {
            var full = scratch[.._n];
            Span<Complex> buffer = new Complex[2 * _n];
            for (int t = 0; t < _n; t++)
                buffer[t] = input[t];
            Forward(buffer[.._n], full, buffer[_n..]);
            full[..output.Length].CopyTo(output);
            return;
        }
        // z[t] = x[2t] + i x[2t + 1]; with Z its transform, X[k] = E[k] + W^k O[k], where E[k] = (Z[k] + conj Z[m - k]) / 2
        // and O[k] = (Z[k] - conj Z[m - k]) / 2i are the transforms of the even and odd samples (m = n / 2).
        int m = _n / 2;
        var z = scratch[..m];
        var transformed = scratch.Slice(m, m);
        Span<Complex> work = output[..m];
        for (int t = 0; t < m; t++)
            work[t] = new Complex(input[2 * t], input[2 * t + 1]);
        _half.Forward(work, transformed, z);
        for (int k = 0; k <= m; k++)
        {
            var a = transformed[k % m];
            var b = Complex.Conjugate(transformed[(m - k) % m]);
            var even = (a + b) * 0.5;
            var odd = (a - b) * new Complex(0, -0.5);
            output[k] = even + _realTwiddles[k] * odd;
        }
    }

    // Output j = group * span + phase of the stride inputs j, j + stride, ... goes to group * span * radix + phase + k * span.
    private void Pass(Stage stage, ReadOnlySpan<Complex> from, Span<Complex> to)
    {
        int radix = stage.Radix, span = stage.Span, stride = _n / radix, groups = stride / span;
        var twiddles = stage.Twiddles;
        Span<Complex> v = radix <= 8 ? stackalloc Complex[8] : new Complex[radix];
        for (int group = 0, j = 0; group < groups; group++)
        {
            int targetBase = group * span * radix;
            for (int phase = 0; phase < span; phase++, j++)
            {
                int target = targetBase + phase, tw = phase * radix;
                v[0] = from[j];
                for (int r = 1; r < radix; r++)
                    v[r] = from[j + r * stride] * twiddles[tw + r];
                switch (radix)
                {
                    case 2:
                        to[target] = v[0] + v[1];
                        to[target + span] = v[0] - v[1];
                        break;
                    case 3:
                        Radix3(v, to, target, span);
                        break;
                    case 4:
                        Radix4(v, to, target, span);
                        break;
                    case 5:
                        Radix5(v, to, target, span, stage.Roots);
                        break;
                    default:
                        for (int k = 0; k < radix; k++)
                        {
                            Complex sum = v[0];
                            for (int r = 1; r < radix; r++)
                                sum += v[r] * stage.Roots[r * k % radix];
                            to[target + k * span] = sum;
                        }
                        break;
                }
            }
        }
    }

    private static void Radix3(ReadOnlySpan<Complex> v, Span<Complex> to, int target, int span)
    {
        const double S = -0.86602540378443864676; // sin(-2 pi / 3)
        var sum = v[1] + v[2];
        var diff = v[1] - v[2];
        var middle = v[0] - 0.5 * sum;
        var rotated = new Complex(-S * diff.Imaginary, S * diff.Real); // i S diff
        to[target] = v[0] + sum;
        to[target + span] = middle + rotated;
        to[target + 2 * span] = middle - rotated;
    }

    private static void Radix4(ReadOnlySpan<Complex> v, Span<Complex> to, int target, int span)
    {
        var a = v[0] + v[2];
        var b = v[0] - v[2];
        var c = v[1] + v[3];
        var d = v[1] - v[3];
        var minusID = new Complex(d.Imaginary, -d.Real); // -i d
        to[target] = a + c;
        to[target + span] = b + minusID;
        to[target + 2 * span] = a - c;
        to[target + 3 * span] = b - minusID;
    }

    private static void Radix5(ReadOnlySpan<Complex> v, Span<Complex> to, int target, int span, Complex[] roots)
    {
        // X[k] = v0 + sum_r v_r w^(rk); pairing r with 5 - r, whose roots are conjugates.
        double c1 = roots[1].Real, s1 = roots[1].Imaginary, c2 = roots[2].Real, s2 = roots[2].Imaginary;
        var p1 = v[1] + v[4];
        var m1 = v[1] - v[4];
        var p2 = v[2] + v[3];
        var m2 = v[2] - v[3];
        var real1 = v[0] + c1 * p1 + c2 * p2;
        var real2 = v[0] + c2 * p1 + c1 * p2;
        // i (s1 m1 + s2 m2) and i (s2 m1 - s1 m2): sin(4 pi / 5) = -sin(6 pi / 5) pairs them.
        var imag1 = s1 * m1 + s2 * m2;
        var imag2 = s2 * m1 - s1 * m2;
        var i1 = new Complex(-imag1.Imaginary, imag1.Real);
        var i2 = new Complex(-imag2.Imaginary, imag2.Real);
        to[target] = v[0] + p1 + p2;
        to[target + span] = real1 + i1;
        to[target + 2 * span] = real2 + i2;
        to[target + 3 * span] = real2 - i2;
        to[target + 4 * span] = real1 - i1;
    }

    private static int[] Factor(int n)
    {
        var factors = new List<int>();
        foreach (int p in new[] { 4, 2, 3, 5 })
            while (n % p == 0)
            {
                factors.Add(p);
                n /= p;
            }
        for (int p = 7; (long)p * p <= n; p += 2)
            while (n % p == 0)
            {
                factors.Add(p);
                n /= p;
            }
        if (n > 1)
            factors.Add(n);
        return factors.ToArray();
    }
}
