using System.Numerics;

namespace MLNet.Sequence.Audio;

/// <summary>
/// A discrete Fourier transform of one fixed length, any length, in double precision, of <see cref="Lanes"/> signals
/// at once: each value is a SIMD vector whose lanes belong to different signals (a spectrogram's successive frames),
/// so every butterfly works on all of them together. An iterative mixed-radix Stockham FFT (Govindaraju et al. 2008)
/// over the length's prime factors, with butterflies written out for radices 2 to 5, a direct sum for larger ones,
/// and every twiddle precomputed. Spectrogram sizes such as 200 and 400 (2^4 · 5^2) need no power of two. Real
/// signals of even length go through a transform of half the length.
/// </summary>
internal sealed class Fft
{
    private readonly int _n;
    private readonly Stage[] _stages;
    private readonly Fft? _half; // the n / 2 transform a real signal of even length packs into
    private readonly double[] _realCos, _realSin; // exp(-2 pi i k / n) = cos - i sin, k <= n / 2, for unpacking it

    // One pass of the Stockham FFT: radix R combines transforms of length Span into transforms of length Span * R.
    // Twiddle (j % Span) * R + r is exp(-2 pi i r (j % Span) / (Span R)); Roots[k] is exp(-2 pi i k / R).
    private sealed record Stage(int Radix, int Span, double[] TwiddleRe, double[] TwiddleIm, double[] RootRe, double[] RootIm);

    public Fft(int n)
    {
        if (n <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), n, "the transform length must be positive");
        _n = n;
        var stages = new List<Stage>();
        int span = 1;
        foreach (int radix in Factor(n))
        {
            var re = new double[span * radix];
            var im = new double[span * radix];
            for (int j = 0; j < span; j++)
                for (int r = 0; r < radix; r++)
                    (im[j * radix + r], re[j * radix + r]) = Math.SinCos(-2 * Math.PI * r * j / (span * radix));
            var rootRe = new double[radix];
            var rootIm = new double[radix];
            for (int k = 0; k < radix; k++)
                (rootIm[k], rootRe[k]) = Math.SinCos(-2 * Math.PI * k / radix);
            stages.Add(new Stage(radix, span, re, im, rootRe, rootIm));
            span *= radix;
        }
        _stages = stages.ToArray();
        _realCos = _realSin = [];
        if (n % 2 == 0 && n >= 4)
        {
            _half = new Fft(n / 2);
            _realCos = new double[n / 2 + 1];
            _realSin = new double[n / 2 + 1];
            for (int k = 0; k <= n / 2; k++)
                (_realSin[k], _realCos[k]) = Math.SinCos(2 * Math.PI * k / n);
        }
    }

    /// <summary>Signals transformed together: the lanes of a <see cref="Vector{T}"/> of doubles.</summary>
    public static int Lanes => Vector<double>.Count;

    public int Length => _n;

    /// <summary>The scratch <see cref="ForwardReal(ReadOnlySpan{Vector{double}}, Span{Vector{double}}, Span{Vector{double}}, Span{Vector{double}})"/> needs.</summary>
    public int ScratchLength => 4 * _n;

    /// <summary>X[k] = sum_t x[t] exp(-2 pi i k t / n) of one signal.</summary>
    public Complex[] Forward(ReadOnlySpan<Complex> input)
    {
        if (input.Length != _n)
            throw new ArgumentException($"the transform is of length {_n}", nameof(input));
        var re = new Vector<double>[_n];
        var im = new Vector<double>[_n];
        for (int t = 0; t < _n; t++)
            (re[t], im[t]) = (new Vector<double>(input[t].Real), new Vector<double>(input[t].Imaginary));
        Forward(re, im, new Vector<double>[_n], new Vector<double>[_n]);
        return Enumerable.Range(0, _n).Select(k => new Complex(re[k][0], im[k][0])).ToArray();
    }

    /// <summary>X[k] for k = 0 .. n / 2 of one real signal (the other half is their conjugate mirror).</summary>
    public Complex[] ForwardReal(ReadOnlySpan<double> input)
    {
        if (input.Length != _n)
            throw new ArgumentException($"the transform is of length {_n}", nameof(input));
        var x = new Vector<double>[_n];
        for (int t = 0; t < _n; t++)
            x[t] = new Vector<double>(input[t]);
        var re = new Vector<double>[_n / 2 + 1];
        var im = new Vector<double>[_n / 2 + 1];
        ForwardReal(x, re, im, new Vector<double>[ScratchLength]);
        return Enumerable.Range(0, re.Length).Select(k => new Complex(re[k][0], im[k][0])).ToArray();
    }

    /// <summary>
    /// The transforms, k = 0 .. n / 2, of <see cref="Lanes"/> real signals: <paramref name="input"/>[t] holds sample t
    /// of each; <paramref name="scratch"/> holds <see cref="ScratchLength"/> values.
    /// </summary>
    public void ForwardReal(ReadOnlySpan<Vector<double>> input, Span<Vector<double>> re, Span<Vector<double>> im, Span<Vector<double>> scratch)
    {
        int bins = _n / 2 + 1;
        if (input.Length != _n || re.Length != bins || im.Length != bins || scratch.Length < ScratchLength)
            throw new ArgumentException($"the transform is of length {_n}");
        if (_half == null)
        {
            var fullRe = scratch[.._n];
            var fullIm = scratch.Slice(_n, _n);
            input.CopyTo(fullRe);
            fullIm.Clear();
            Forward(fullRe, fullIm, scratch.Slice(2 * _n, _n), scratch.Slice(3 * _n, _n));
            fullRe[..bins].CopyTo(re);
            fullIm[..bins].CopyTo(im);
            return;
        }
        // z[t] = x[2t] + i x[2t + 1]; with Z its transform, X[k] = E[k] + W^k O[k], where E[k] = (Z[k] + conj Z[m - k]) / 2
        // and O[k] = (Z[k] - conj Z[m - k]) / 2i are the transforms of the even and odd samples (m = n / 2).
        int m = _n / 2;
        var zRe = scratch[..m];
        var zIm = scratch.Slice(m, m);
        for (int t = 0; t < m; t++)
            (zRe[t], zIm[t]) = (input[2 * t], input[2 * t + 1]);
        _half.Forward(zRe, zIm, scratch.Slice(2 * m, m), scratch.Slice(3 * m, m));
        var half = new Vector<double>(0.5);
        for (int k = 0; k <= m; k++)
        {
            int a = k == m ? 0 : k, b = k == 0 ? 0 : m - k; // k mod m and (m - k) mod m
            var evenRe = (zRe[a] + zRe[b]) * half;
            var evenIm = (zIm[a] - zIm[b]) * half;
            // (Z[k] - conj Z[m - k]) / 2i
            var oddRe = (zIm[a] + zIm[b]) * half;
            var oddIm = (zRe[b] - zRe[a]) * half;
            double c = _realCos[k], s = _realSin[k]; // W^k = c - i s
            re[k] = evenRe + oddRe * c + oddIm * s;
            im[k] = evenIm + oddIm * c - oddRe * s;
        }
    }

    // In place in re/im; the passes alternate between them and the work buffers, starting in the work buffers when
    // the number of passes is odd so that the last one writes re/im.
    private void Forward(Span<Vector<double>> re, Span<Vector<double>> im, Span<Vector<double>> workRe, Span<Vector<double>> workIm)
    {
        bool odd = _stages.Length % 2 == 1;
        if (odd)
        {
            re.CopyTo(workRe);
            im.CopyTo(workIm);
        }
        for (int s = 0; s < _stages.Length; s++)
        {
            // With an odd pass count the even passes read the work buffers; with an even count the odd ones do.
            if ((s % 2 == 0) == odd)
                Pass(_stages[s], workRe, workIm, re, im);
            else
                Pass(_stages[s], re, im, workRe, workIm);
        }
    }

    // Output j = group * span + phase of the stride inputs j, j + stride, ... goes to group * span * radix + phase + k * span.
    private void Pass(Stage stage, ReadOnlySpan<Vector<double>> fromRe, ReadOnlySpan<Vector<double>> fromIm,
        Span<Vector<double>> toRe, Span<Vector<double>> toIm)
    {
        int radix = stage.Radix, span = stage.Span, stride = _n / radix, groups = stride / span;
        if (radix > 5)
        {
            DirectPass(stage, fromRe, fromIm, toRe, toIm);
            return;
        }
        // The butterflies' inputs are locals, not an array: the JIT keeps them in registers.
        for (int group = 0, j = 0; group < groups; group++)
        {
            int targetBase = group * span * radix;
            for (int phase = 0; phase < span; phase++, j++)
            {
                int target = targetBase + phase, tw = phase * radix;
                bool rotate = phase > 0; // phase 0's twiddles are all 1
                var v0 = new Lane(fromRe[j], fromIm[j]);
                var v1 = Input(fromRe, fromIm, j + stride, stage, tw + 1, rotate);
                switch (radix)
                {
                    case 2:
                        Store(toRe, toIm, target, v0 + v1);
                        Store(toRe, toIm, target + span, v0 - v1);
                        break;
                    case 3:
                        Radix3(v0, v1, Input(fromRe, fromIm, j + 2 * stride, stage, tw + 2, rotate), toRe, toIm, target, span);
                        break;
                    case 4:
                        Radix4(v0, v1, Input(fromRe, fromIm, j + 2 * stride, stage, tw + 2, rotate),
                            Input(fromRe, fromIm, j + 3 * stride, stage, tw + 3, rotate), toRe, toIm, target, span);
                        break;
                    default:
                        Radix5(v0, v1, Input(fromRe, fromIm, j + 2 * stride, stage, tw + 2, rotate),
                            Input(fromRe, fromIm, j + 3 * stride, stage, tw + 3, rotate),
                            Input(fromRe, fromIm, j + 4 * stride, stage, tw + 4, rotate), toRe, toIm, target, span, stage);
                        break;
                }
            }
        }
    }

    // A radix above 5: each output a direct sum over the radix.
    private void DirectPass(Stage stage, ReadOnlySpan<Vector<double>> fromRe, ReadOnlySpan<Vector<double>> fromIm,
        Span<Vector<double>> toRe, Span<Vector<double>> toIm)
    {
        int radix = stage.Radix, span = stage.Span, stride = _n / radix, groups = stride / span;
        var v = new Lane[radix];
        for (int group = 0, j = 0; group < groups; group++)
            for (int phase = 0; phase < span; phase++, j++)
            {
                int target = group * span * radix + phase, tw = phase * radix;
                for (int r = 0; r < radix; r++)
                    v[r] = Input(fromRe, fromIm, j + r * stride, stage, tw + r, phase > 0);
                for (int k = 0; k < radix; k++)
                {
                    var sum = v[0];
                    for (int r = 1; r < radix; r++)
                        sum += v[r].Times(stage.RootRe[r * k % radix], stage.RootIm[r * k % radix]);
                    Store(toRe, toIm, target + k * span, sum);
                }
            }
    }

    private static Lane Input(ReadOnlySpan<Vector<double>> re, ReadOnlySpan<Vector<double>> im, int at, Stage stage, int twiddle, bool rotate)
    {
        var value = new Lane(re[at], im[at]);
        return rotate ? value.Times(stage.TwiddleRe[twiddle], stage.TwiddleIm[twiddle]) : value;
    }

    private static void Store(Span<Vector<double>> re, Span<Vector<double>> im, int at, Lane value) => (re[at], im[at]) = (value.Re, value.Im);

    private static void Radix3(Lane v0, Lane v1, Lane v2, Span<Vector<double>> re, Span<Vector<double>> im, int target, int span)
    {
        const double S = -0.86602540378443864676; // sin(-2 pi / 3)
        var sum = v1 + v2;
        var middle = v0 - sum * 0.5;
        var rotated = (v1 - v2).TimesI() * S;
        Store(re, im, target, v0 + sum);
        Store(re, im, target + span, middle + rotated);
        Store(re, im, target + 2 * span, middle - rotated);
    }

    private static void Radix4(Lane v0, Lane v1, Lane v2, Lane v3, Span<Vector<double>> re, Span<Vector<double>> im, int target, int span)
    {
        var a = v0 + v2;
        var b = v0 - v2;
        var c = v1 + v3;
        var minusID = (v1 - v3).TimesMinusI();
        Store(re, im, target, a + c);
        Store(re, im, target + span, b + minusID);
        Store(re, im, target + 2 * span, a - c);
        Store(re, im, target + 3 * span, b - minusID);
    }

    private static void Radix5(Lane v0, Lane v1, Lane v2, Lane v3, Lane v4, Span<Vector<double>> re, Span<Vector<double>> im, int target, int span, Stage stage)
    {
        // X[k] = v0 + sum_r v_r w^(rk); pairing r with 5 - r, whose roots are conjugates.
        double c1 = stage.RootRe[1], s1 = stage.RootIm[1], c2 = stage.RootRe[2], s2 = stage.RootIm[2];
        var p1 = v1 + v4;
        var m1 = v1 - v4;
        var p2 = v2 + v3;
        var m2 = v2 - v3;
        var real1 = v0 + p1 * c1 + p2 * c2;
        var real2 = v0 + p1 * c2 + p2 * c1;
        // i (s1 m1 + s2 m2) and i (s2 m1 - s1 m2): sin(4 pi / 5) = -sin(6 pi / 5) pairs them.
        var i1 = (m1 * s1 + m2 * s2).TimesI();
        var i2 = (m1 * s2 - m2 * s1).TimesI();
        Store(re, im, target, v0 + p1 + p2);
        Store(re, im, target + span, real1 + i1);
        Store(re, im, target + 2 * span, real2 + i2);
        Store(re, im, target + 3 * span, real2 - i2);
        Store(re, im, target + 4 * span, real1 - i1);
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

    /// <summary>One complex value in each lane.</summary>
    private readonly struct Lane(Vector<double> re, Vector<double> im)
    {
        public readonly Vector<double> Re = re, Im = im;

        public static Lane operator +(Lane a, Lane b) => new(a.Re + b.Re, a.Im + b.Im);

        public static Lane operator -(Lane a, Lane b) => new(a.Re - b.Re, a.Im - b.Im);

        public static Lane operator *(Lane a, double s) => new(a.Re * s, a.Im * s);

        public Lane Times(double re, double im) => new(Re * re - Im * im, Re * im + Im * re);

        public Lane TimesI() => new(-Im, Re);

        public Lane TimesMinusI() => new(Im, -Re);
    }
}
