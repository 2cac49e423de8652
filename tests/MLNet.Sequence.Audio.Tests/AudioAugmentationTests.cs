using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class AudioAugmentationTests
{
    private static float[] Sine(int n) => Enumerable.Range(0, n).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * i / 40.0))).ToArray();

    [Theory]
    [InlineData(0.0)]
    [InlineData(10.0)]
    [InlineData(-5.0)]
    public void NoiseIsMixedAtTheAskedRatio(double snr)
    {
        var signal = Sine(8000);
        var noise = AudioAugmentation.WhiteNoise(3000, new Random(1)); // shorter than the signal: looped

        var mixed = AudioAugmentation.AddNoise(signal, noise, snr, new Random(2));

        var added = mixed.Zip(signal, (m, s) => m - s).ToArray();
        double measured = 10 * Math.Log10(AudioAugmentation.Power(signal) / AudioAugmentation.Power(added));
        Assert.Equal(snr, measured, 3);
    }

    [Fact]
    public void GainScalesTheAmplitudeByDecibels()
    {
        var louder = AudioAugmentation.Gain([0.1f, -0.2f], 20);

        Assert.Equal(1f, louder[0], 6);
        Assert.Equal(-2f, louder[1], 6);
        Assert.Equal(10 * Math.Log10(0.25), 10 * Math.Log10(AudioAugmentation.Power(AudioAugmentation.Gain(Sine(400), -6.0206)) / AudioAugmentation.Power(Sine(400))), 3);
    }

    [Fact]
    public void TimeShiftMovesTheSignalAndFillsWithSilence()
    {
        float[] signal = [1, 2, 3, 4];

        Assert.Equal([0, 0, 1, 2], AudioAugmentation.TimeShift(signal, 2));
        Assert.Equal([3, 4, 0, 0], AudioAugmentation.TimeShift(signal, -2));
        Assert.Equal([0, 0, 0, 0], AudioAugmentation.TimeShift(signal, 9));
    }

    [Fact]
    public void SilenceAndBadRatiosAreRefused()
    {
        var random = new Random(1);
        Assert.Equal("signal", Assert.Throws<ArgumentException>(() => AudioAugmentation.AddNoise(new float[10], [1f], 10, random)).ParamName);
        Assert.Equal("noise", Assert.Throws<ArgumentException>(() => AudioAugmentation.AddNoise(Sine(10), new float[5], 10, random)).ParamName);
        Assert.Equal("noise", Assert.Throws<ArgumentException>(() => AudioAugmentation.AddNoise(Sine(10), [], 10, random)).ParamName);
        Assert.Equal("snrDb", Assert.Throws<ArgumentOutOfRangeException>(() => AudioAugmentation.AddNoise(Sine(10), [1f], double.NaN, random)).ParamName);
    }
}
