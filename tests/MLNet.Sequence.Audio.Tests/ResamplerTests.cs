using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class ResamplerTests
{
    public static TheoryData<string> Cases() => new(TorchaudioCases.Of("resample").Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTorchaudioResample(string name)
    {
        var c = TorchaudioCases.Named("resample", name);
        var resampler = new Resampler(c.GetProperty("from").GetInt32(), c.GetProperty("to").GetInt32(),
            c.GetProperty("lowpassFilterWidth").GetInt32(), c.GetProperty("rolloff").GetDouble(),
            c.GetProperty("window").GetString() == "kaiser" ? ResamplingWindow.Kaiser : ResamplingWindow.Hann, c.GetProperty("beta").GetDouble());

        var output = resampler.Resample(c.Floats("input"));

        // torchaudio builds its filters in float32, these in float64: the two differ by about 1e-5 of the peak.
        TorchaudioCases.AssertClose(c.Floats("output"), output, 1e-4, name);
    }

    [Theory]
    [InlineData(8000, 16000, 100, 200)]
    [InlineData(16000, 8000, 101, 51)] // ceil(101 / 2)
    [InlineData(22050, 16000, 441, 320)]
    [InlineData(44100, 48000, 1, 2)] // ceil(160 / 147)
    public void TheOutputHasCeilOfLengthTimesTheRatioSamples(int from, int to, int length, int expected)
    {
        var resampler = new Resampler(from, to);

        Assert.Equal(expected, resampler.OutputLength(length));
        Assert.Equal(expected, resampler.Resample(new float[length]).Length);
    }

    [Fact]
    public void ASineKeepsItsFrequencyAndAmplitudeAwayFromTheEdges()
    {
        const int from = 16000, to = 8000;
        var signal = Enumerable.Range(0, 1600).Select(i => (float)Math.Sin(2 * Math.PI * 500 * i / from)).ToArray();

        var output = Resampler.Resample(signal, from, to);

        for (int i = 100; i < 700; i++) // the filter reaches 48 samples into the zero padding at each end
            Assert.Equal(Math.Sin(2 * Math.PI * 500 * i / to), output[i], 2e-3);
    }

    [Fact]
    public void ATonePastTheNewNyquistIsFilteredOut()
    {
        // 6 kHz cannot exist at 8 kHz; without the low-pass it would alias to 2 kHz at full strength. The
        // width-6 Hann filter's stop band is about 55 dB down.
        var signal = Enumerable.Range(0, 3200).Select(i => (float)Math.Sin(2 * Math.PI * 6000 * i / 16000.0)).ToArray();

        var output = Resampler.Resample(signal, 16000, 8000);

        Assert.True(output[100..1500].Max(Math.Abs) < 3e-3, $"peak {output[100..1500].Max(Math.Abs)}");
    }

    [Fact]
    public void EqualRatesGiveACopy()
    {
        float[] signal = [0.1f, 0.2f];

        var output = Resampler.Resample(signal, 16000, 16000);

        Assert.Equal(signal, output);
        Assert.NotSame(signal, output);
    }

    [Fact]
    public void BadSettingsAreRefusedByName()
    {
        Assert.Equal("fromRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(0, 8000)).ParamName);
        Assert.Equal("toRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(8000, -1)).ParamName);
        Assert.Equal("lowpassFilterWidth", Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(8000, 16000, 0)).ParamName);
        Assert.Equal("rolloff", Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(8000, 16000, rolloff: double.NaN)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(8000, 16000, window: ResamplingWindow.Kaiser, beta: -1)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => new Resampler(44100, 22051));
        Assert.StartsWith("resampling from 44,100 Hz to 22,051 Hz reduces to the ratio 44,100:22,051", e.Message);
    }
}
