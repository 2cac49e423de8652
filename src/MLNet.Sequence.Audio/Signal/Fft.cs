using System.Numerics;

namespace MLNet.Sequence.Audio;

/// <summary>
/// A discrete Fourier transform of one fixed length, any length: mixed-radix Cooley-Tukey over the length's
/// prime factors (a direct sum for each factor), in double precision. Spectrogram sizes such as 400 (2^4 · 5^2)
/// need no power of two.
/// </summary>
internal sealed class Fft
{
    private readonly int _n;
    private readonly int[] _factors;
    private readonly Complex[] _twiddles; // exp(-2 pi i k / n), k < n

    public Fft(int n)
    {
        if (n <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), n, "the transform length must be positive");
        _n = n;
        _factors = Factor(n);
        _twiddles = new Complex[n];
        for (int k = 0; k < n; k++)
        {
            double angle = -2 * Math.PI * k / n;
            _twiddles[k] = new Complex(Math.Cos(angle), Math.Sin(angle));
        }
    }

    public int Length => _n;

    /// <summary>X[k] = sum_t x[t] exp(-2 pi i k t / n), for every k; <paramref name="scratch"/> holds n values.</summary>
    public void Forward(ReadOnlySpan<Complex> input, Span<Complex> output, Span<Complex> scratch)
    {
        if (input.Length != _n || output.Length != _n || scratch.Length < _n)
            throw new ArgumentException($"the transform is of length {_n}");
        Transform(input, 1, output, scratch, _n, 0, 1);
    }

    // Decimation in time: split x into p interleaved sub-sequences (p the first remaining factor), transform each
    // of length m = n / p, then combine them with the twiddles. `twiddleStep` is the full length over n.
    private void Transform(ReadOnlySpan<Complex> input, int stride, Span<Complex> output, Span<Complex> scratch, int n, int factor, int twiddleStep)
    {
        if (n == 1)
        {
            output[0] = input[0];
            return;
        }
        int p = _factors[factor];
        int m = n / p;
        for (int r = 0; r < p; r++)
            Transform(input[(r * stride)..], stride * p, output.Slice(r * m, m), scratch, m, factor + 1, twiddleStep * p);

        // output[r * m + k] now holds sub-transform r at k; X[k + q m] = sum_r W^(r (k + q m)) S_r[k], W = exp(-2 pi i / n).
        var combined = scratch[..n];
        for (int k = 0; k < m; k++)
        {
            for (int q = 0; q < p; q++)
            {
                int bin = k + q * m;
                Complex sum = output[k];
                for (int r = 1; r < p; r++)
                    sum += output[r * m + k] * _twiddles[(int)((long)r * bin * twiddleStep % _n)];
                combined[bin] = sum;
            }
        }
        combined.CopyTo(output);
    }

    private static int[] Factor(int n)
    {
        var factors = new List<int>();
        foreach (int p in new[] { 4, 2, 3, 5 })
            while (n % p == 0 && (p != 4 || n % 4 == 0))
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
