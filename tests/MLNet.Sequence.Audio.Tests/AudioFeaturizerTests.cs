using System.Text.Json;
using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class AudioFeaturizerTests
{
    public static TheoryData<string> Cases() => new(TorchaudioCases.Of("features").Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTorchaudio(string name)
    {
        var c = TorchaudioCases.Named("features", name);
        var featurizer = new AudioFeaturizer(SettingsOf(c), c.GetProperty("rate").GetInt32());
        var input = c.Floats("input");

        var output = featurizer.Compute(input);

        Assert.Equal(c.GetProperty("frames").GetInt32(), featurizer.FrameCount(input.Length));
        TorchaudioCases.AssertClose(c.Floats("output"), output, 1e-4, name);
        if (c.GetProperty("log").ValueKind == JsonValueKind.Null && c.GetProperty("kind").GetString() != "mfcc")
            AssertEachClose(c.Floats("output"), output, 1e-4, name);
    }

    [Fact]
    public void ASineLandsInItsFrequencyBinAndTheWindowNormMakesItsPowerKnown()
    {
        // 1 kHz at 16 kHz with FftSize 400 is bin 25 exactly. A periodic Hann window of 400 sums to 200, so a
        // unit sine's bin holds (200 / 2)^2 = 10,000 before normalisation.
        var signal = Enumerable.Range(0, 4000).Select(i => (float)Math.Sin(2 * Math.PI * 1000 * i / 16000.0)).ToArray();
        var featurizer = new AudioFeaturizer(new AudioFeatureSettings { Kind = AudioFeatureKind.Spectrogram }, 16000);

        var spectrogram = featurizer.Compute(signal);

        Assert.Equal(201, featurizer.FeatureCount);
        Assert.Equal(1 + 4000 / 200, featurizer.FrameCount(4000));
        var middle = spectrogram.AsSpan(10 * 201, 201).ToArray();
        Assert.Equal(25, Array.IndexOf(middle, middle.Max()));
        Assert.Equal(10000, middle[25], 1e-2 * 10000);
    }

    // The spectrogram transforms several frames at once, one per SIMD lane: every frame count around the lane width,
    // and sizes whose samples and bins are not multiples of four, must give each frame its own direct transform.
    [Theory]
    [InlineData(98, 37)]
    [InlineData(102, 40)]
    [InlineData(200, 80)]
    public void EachFrameIsItsOwnTransformWhateverTheFrameCount(int fftSize, int hop)
    {
        var random = new Random(fftSize);
        var settings = new SpectrogramSettings { FftSize = fftSize, HopLength = hop, Center = false };
        var spectrogram = new Spectrogram(settings);
        var window = Enumerable.Range(0, fftSize).Select(i => (double)(float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / fftSize))).ToArray();
        for (int frames = 1; frames <= 10; frames++)
        {
            var signal = Enumerable.Range(0, fftSize + (frames - 1) * hop).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

            var output = spectrogram.Compute(signal);

            Assert.Equal(frames * (fftSize / 2 + 1), output.Length);
            for (int f = 0; f < frames; f++)
                for (int k = 0; k <= fftSize / 2; k++)
                {
                    double re = 0, im = 0;
                    for (int t = 0; t < fftSize; t++)
                    {
                        double value = signal[f * hop + t] * window[t], angle = -2 * Math.PI * k * t / fftSize;
                        re += value * Math.Cos(angle);
                        im += value * Math.Sin(angle);
                    }
                    double expected = re * re + im * im;
                    Assert.True(Math.Abs(output[f * (fftSize / 2 + 1) + k] - expected) <= 1e-5 * (1 + expected),
                        $"{frames} frames: frame {f}, bin {k} is {output[f * (fftSize / 2 + 1) + k]}, the direct sum {expected}");
                }
        }
    }

    [Fact]
    public void MelFiltersAreTrianglesThatPeakAtOneAndTileTheBand()
    {
        var bank = new MelFilterBank(201, 16000, 10);

        for (int m = 0; m < 10; m++)
        {
            float peak = Enumerable.Range(0, 201).Max(k => bank[m, k]);
            Assert.InRange(peak, 0.9f, 1f); // the centre falls between bins
        }
        // Between the first centre and the last, neighbouring triangles sum to 1.
        for (int k = 20; k < 150; k++)
            Assert.Equal(1f, Enumerable.Range(0, 10).Sum(m => bank[m, k]), 1e-5);
        Assert.False(bank.HasEmptyBand);
        Assert.True(new MelFilterBank(11, 16000, 40).HasEmptyBand);
    }

    [Theory]
    [InlineData(0.0, MelScale.Htk, 0.0)]
    [InlineData(700.0, MelScale.Htk, 781.17284)] // 2595 log10 2
    [InlineData(500.0, MelScale.Slaney, 7.5)] // linear below 1 kHz: 500 / (200 / 3)
    [InlineData(6400.0, MelScale.Slaney, 42.0)] // 15 + ln(6.4) / (ln(6.4) / 27)
    public void TheMelScalesAreThePublishedFormulas(double hz, MelScale scale, double mel)
    {
        Assert.Equal(mel, MelFilterBank.HzToMel(hz, scale), 4);
        Assert.Equal(hz, MelFilterBank.MelToHz(mel, scale), 3);
    }

    [Fact]
    public void TheOrthonormalDctIsOrthonormal()
    {
        var dct = AudioFeaturizer.DctII(8, 8, orthonormal: true);

        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++)
                Assert.Equal(i == j ? 1.0 : 0.0, dct[i].Zip(dct[j], (a, b) => (double)a * b).Sum(), 1e-6);
    }

    [Fact]
    public void ASignalTooShortForAFrameIsRefusedWithWhatItNeeds()
    {
        var featurizer = new AudioFeaturizer(new AudioFeatureSettings(), 16000);

        var e = Assert.Throws<ArgumentException>(() => featurizer.Compute(new float[150]));

        Assert.StartsWith("a signal of 150 samples is too short for a spectrogram with FftSize 400, centred with Reflect padding: it needs at least 201", e.Message);
        Assert.Equal(2, featurizer.Compute(new float[201]).Length / 128);
    }

    [Fact]
    public void BadSettingsAreRefusedByName()
    {
        string Param(AudioFeatureSettings s, int rate = 16000) => Assert.ThrowsAny<ArgumentException>(() => new AudioFeaturizer(s, rate)).ParamName!;

        Assert.Equal("FftSize", Param(new AudioFeatureSettings { Spectrogram = { FftSize = 1 } }));
        Assert.Equal("WindowLength", Param(new AudioFeatureSettings { Spectrogram = { WindowLength = 500 } }));
        Assert.Equal("HopLength", Param(new AudioFeatureSettings { Spectrogram = { HopLength = -1 } }));
        Assert.Equal("Power", Param(new AudioFeatureSettings { Spectrogram = { Power = float.NaN } }));
        Assert.Equal("melBands", Param(new AudioFeatureSettings { MelBands = 0 }));
        Assert.Equal("maxFrequency", Param(new AudioFeatureSettings { MaxFrequency = 9000 }));
        Assert.Equal("MfccCount", Param(new AudioFeatureSettings { Kind = AudioFeatureKind.Mfcc, MfccCount = 200 }));
        Assert.Equal("TopDb", Param(new AudioFeatureSettings { TopDb = -3 }));
        Assert.Equal("LogOffset", Param(new AudioFeatureSettings { LogOffset = 0 }));
        Assert.Equal("sampleRate", Param(new AudioFeatureSettings(), 0));
    }

    // Every value within `relative` of its own magnitude, for values at least 1e-3 of the peak (the power spectrogram
    // spans many orders of magnitude, and the peak-relative check says little about the small ones).
    private static void AssertEachClose(float[] expected, float[] actual, double relative, string what)
    {
        double floor = 1e-3 * expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i]) < floor)
                continue;
            double error = Math.Abs(expected[i] - actual[i]) / Math.Abs(expected[i]);
            Assert.True(error <= relative, $"{what}: value {i} is {actual[i]}, torchaudio's {expected[i]} ({error:E2} of itself)");
        }
    }

    private static AudioFeatureSettings SettingsOf(JsonElement c)
    {
        var spec = c.GetProperty("spectrogram");
        var mel = c.GetProperty("mel");
        var mfcc = c.GetProperty("mfcc");
        int Int(JsonElement e, string p, int fallback) => e.TryGetProperty(p, out var v) ? v.GetInt32() : fallback;
        double Double(JsonElement e, string p, double fallback) => e.TryGetProperty(p, out var v) ? v.GetDouble() : fallback;
        string? Str(JsonElement e, string p) => e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        var normalized = spec.TryGetProperty("normalized", out var n) ? n : default;
        var settings = new AudioFeatureSettings
        {
            Kind = c.GetProperty("kind").GetString() switch { "spectrogram" => AudioFeatureKind.Spectrogram, "mel" => AudioFeatureKind.MelSpectrogram, _ => AudioFeatureKind.Mfcc },
            Spectrogram =
            {
                FftSize = Int(spec, "n_fft", 400),
                WindowLength = Int(spec, "win_length", 0),
                HopLength = Int(spec, "hop_length", 0),
                Pad = Int(spec, "pad", 0),
                Window = Str(spec, "window") switch { "hamming" => WindowFunction.Hamming, "blackman" => WindowFunction.Blackman, _ => WindowFunction.Hann },
                Center = !spec.TryGetProperty("center", out var center) || center.GetBoolean(),
                PadMode = Str(spec, "pad_mode") switch { "constant" => PaddingMode.Constant, "replicate" => PaddingMode.Replicate, "circular" => PaddingMode.Circular, _ => PaddingMode.Reflect },
                Power = (float)Double(spec, "power", 2),
                Normalization = normalized.ValueKind switch
                {
                    JsonValueKind.True => SpectrogramNormalization.Window,
                    JsonValueKind.String => normalized.GetString() == "window" ? SpectrogramNormalization.Window : SpectrogramNormalization.FrameLength,
                    _ => SpectrogramNormalization.None,
                },
            },
            MelBands = Int(mel, "n_mels", 128),
            MinFrequency = Double(mel, "f_min", 0),
            MaxFrequency = Double(mel, "f_max", 0),
            MelScale = Str(mel, "mel_scale") == "slaney" ? MelScale.Slaney : MelScale.Htk,
            MelNorm = Str(mel, "norm") == "slaney" ? MelNorm.Slaney : MelNorm.None,
            MfccCount = Int(mfcc, "n_mfcc", 40),
            OrthonormalDct = !mfcc.TryGetProperty("norm", out var norm) || norm.ValueKind != JsonValueKind.Null,
        };
        var log = c.GetProperty("log");
        if (log.ValueKind == JsonValueKind.Array)
        {
            bool db = log[0].GetString() == "db";
            settings.Log = db ? LogScale.Decibels : LogScale.Natural;
            if (db)
                settings.TopDb = log[1].ValueKind == JsonValueKind.Null ? 0 : log[1].GetSingle();
            else
                settings.LogOffset = log[1].GetSingle();
        }
        if (mfcc.TryGetProperty("log_mels", out var logMels) && logMels.GetBoolean())
            settings.Log = LogScale.Natural;
        return settings;
    }
}
