using System.Numerics;
using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class FftTests
{
    private static Complex[] Direct(IReadOnlyList<Complex> x)
    {
        int n = x.Count;
        var result = new Complex[n];
        for (int k = 0; k < n; k++)
            for (int t = 0; t < n; t++)
                result[k] += x[t] * Complex.FromPolarCoordinates(1, -2 * Math.PI * ((long)k * t % n) / n);
        return result;
    }

    // Every butterfly (2, 3, 4, 5, a direct 7, 11 and 97), mixed radices, odd and even lengths, the real path's halving.
    public static TheoryData<int> Lengths() => new(1, 2, 3, 4, 5, 6, 7, 8, 12, 15, 97, 194, 200, 256, 400, 462, 512);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void MatchesTheDirectSum(int n)
    {
        var random = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => new Complex(random.NextDouble() - 0.5, random.NextDouble() - 0.5)).ToArray();
        var fft = new Fft(n);
        var output = fft.Forward(x);
        var expected = Direct(x);
        for (int k = 0; k < n; k++)
            Assert.True(Complex.Abs(output[k] - expected[k]) < 1e-9 * n, $"n {n}, bin {k}: {output[k]} against {expected[k]}");

        var real = x.Select(c => c.Real).ToArray();
        var half = fft.ForwardReal(real);
        var expectedReal = Direct(real.Select(r => new Complex(r, 0)).ToArray());
        for (int k = 0; k <= n / 2; k++)
            Assert.True(Complex.Abs(half[k] - expectedReal[k]) < 1e-9 * n, $"real, n {n}, bin {k}: {half[k]} against {expectedReal[k]}");
    }
}
