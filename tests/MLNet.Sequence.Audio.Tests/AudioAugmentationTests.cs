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

    private static float[] Tone(double hz, int n, int rate = 8000) => Enumerable.Range(0, n).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    // The tone's frequency from its upward zero crossings, away from the edges.
    private static double Frequency(float[] x, int rate = 8000)
    {
        int from = x.Length / 10, to = x.Length - x.Length / 10, crossings = 0, first = -1, last = -1;
        for (int i = from + 1; i < to; i++)
            if (x[i - 1] < 0 && x[i] >= 0)
            {
                if (first < 0)
                    first = i;
                last = i;
                crossings++;
            }
        return (crossings - 1) * (double)rate / (last - first);
    }

    [Fact]
    public void SpeedChangeMovesTempoAndPitchTogether()
    {
        var faster = AudioAugmentation.ChangeSpeed(Tone(400, 8000), 1.25);

        Assert.Equal(6400, faster.Length);
        Assert.Equal(500, Frequency(faster), 0);
        Assert.Equal(8000, AudioAugmentation.ChangeSpeed(Tone(400, 8000), 1.0).Length);
    }

    [Fact]
    public void TimeStretchKeepsThePitch()
    {
        var longer = AudioAugmentation.TimeStretch(Tone(400, 8000), 0.5, 8000);
        var shorter = AudioAugmentation.TimeStretch(Tone(400, 8000), 1.6, 8000);

        Assert.Equal(16000, longer.Length);
        Assert.Equal(5000, shorter.Length);
        Assert.Equal(400, Frequency(longer), 0);
        Assert.Equal(400, Frequency(shorter), 0);
        // Overlap-add of aligned frames keeps the level: the RMS of a 0.5 sine is 0.354.
        Assert.Equal(0.354, Math.Sqrt(AudioAugmentation.Power(longer.AsSpan(400, 15000))), 2);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(1.6)]
    public void TimeStretchKeepsTheLevelToTheFirstAndLastSamples(double rate)
    {
        var stretched = AudioAugmentation.TimeStretch(Tone(400, 8000), rate, 8000);

        // 10 ms at each end (four periods of the 400 Hz tone) and the middle: a 0.5 sine's RMS, 0.354.
        double Rms(int from) => Math.Sqrt(AudioAugmentation.Power(stretched.AsSpan(from, 80)));
        Assert.Equal(0.354, Rms(stretched.Length / 2), 2);
        Assert.InRange(Rms(0), 0.3, 0.4);
        Assert.InRange(Rms(stretched.Length - 80), 0.3, 0.4);
    }

    [Fact]
    public void PitchShiftKeepsTheLength()
    {
        var octaveUp = AudioAugmentation.ShiftPitch(Tone(300, 8000), 12, 8000);
        var down = AudioAugmentation.ShiftPitch(Tone(600, 8000), -12, 8000);

        Assert.Equal(8000, octaveUp.Length);
        Assert.Equal(600, Frequency(octaveUp), 0);
        Assert.Equal(300, Frequency(down), 0);
    }

    [Fact]
    public void BadSpeedStretchAndPitchAreRefused()
    {
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => AudioAugmentation.ChangeSpeed(Sine(10), 3)).ParamName);
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => AudioAugmentation.ChangeSpeed(Sine(10), double.NaN)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => AudioAugmentation.TimeStretch(Sine(10), 0, 8000)).ParamName);
        Assert.Equal("semitones", Assert.Throws<ArgumentOutOfRangeException>(() => AudioAugmentation.ShiftPitch(Sine(10), 13, 8000)).ParamName);
    }

    [Fact]
    public void TrimSilenceKeepsTheSoundAndTwentyMillisecondsEitherSide()
    {
        // 0.3 s of near-silence (1% of the peak), 0.5 s of tone, 0.3 s of zeros, at 8 kHz (80-sample frames).
        var signal = new float[2400].Select((_, i) => i % 2 == 0 ? 0.005f : -0.005f).Concat(Sine(4000)).Concat(new float[2400]).ToArray();

        var trimmed = AudioAugmentation.TrimSilence(signal, 8000);

        // Frames 30-79 hold the tone; frames 28-81 are kept.
        Assert.Equal(54 * 80, trimmed.Length);
        Assert.Equal(signal.AsSpan(28 * 80, 54 * 80).ToArray(), trimmed);
        Assert.Empty(AudioAugmentation.TrimSilence(new float[800], 8000));
        Assert.Equal("relativeThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => AudioAugmentation.TrimSilence(signal, 8000, 1)).ParamName);
    }
}
