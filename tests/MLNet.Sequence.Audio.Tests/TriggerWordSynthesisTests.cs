using System.Numerics;
using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class TriggerWordSynthesisTests
{
    [Fact]
    public void LabelsAreOneForTheFiftyStepsAfterEachKeywordEnds()
    {
        // 10 s over 1,375 steps: 137.5 steps per second.
        var labels = TriggerWordLabels.Create([2.0], 10, 1375);
        Assert.Equal(Enumerable.Range(276, 50), Enumerable.Range(0, 1375).Where(t => labels[t] == 1));

        // Ending 0.1 s before the clip does (step 1361): only steps 1362-1374 fit.
        var late = TriggerWordLabels.Create([9.9], 10, 1375);
        Assert.Equal(Enumerable.Range(1362, 13), Enumerable.Range(0, 1375).Where(t => late[t] == 1));

        // Two keywords 0.2 s apart (steps 137 and 165): their windows merge.
        var close = TriggerWordLabels.Create([1.0, 1.2], 10, 1375);
        Assert.Equal(Enumerable.Range(138, 165 + 50 - 137), Enumerable.Range(0, 1375).Where(t => close[t] == 1));

        Assert.All(TriggerWordLabels.Create([], 10, 1375), v => Assert.Equal(0f, v));
        Assert.Equal(Enumerable.Range(1, 3), Enumerable.Range(0, 10).Where(t => TriggerWordLabels.Create([0.0], 1, 10, 3)[t] == 1));
        Assert.Contains("lie in the clip", Assert.Throws<ArgumentOutOfRangeException>(() => TriggerWordLabels.Create([10.5], 10, 1375)).Message);
        Assert.Equal("labelSteps", Assert.Throws<ArgumentOutOfRangeException>(() => TriggerWordLabels.Create([1.0], 10, 1375, 0)).ParamName);
    }

    private static float[] Tone(double hz, double seconds, int rate) =>
        Enumerable.Range(0, (int)(seconds * rate)).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    private static TriggerWordClipGenerator Generator(TriggerWordClipOptions options, int seed = 3) => new(options,
        [new SpokenClip("activate", Tone(440, 0.6, options.SampleRate), "tone A"), new SpokenClip("activate", Tone(470, 0.7, options.SampleRate), "tone B")],
        [new SpokenClip("motivate", Tone(300, 0.5, options.SampleRate), "tone C")],
        [new BackgroundAudio("pink", ColoredNoise.Generate(NoiseColor.Pink, options.SampleRate * 3, new Random(1)))], seed);

    [Fact]
    public void ClipsHoldNonOverlappingRecordingsAtTheChosenRatioAndTheirLabels()
    {
        var options = new TriggerWordClipOptions { SampleRate = 8000 };
        var clips = Generator(options).Generate(200).ToList();

        var keywordCounts = new HashSet<int>();
        foreach (var clip in clips)
        {
            Assert.Equal(80000, clip.Samples.Length);
            Assert.InRange(clip.SnrDb, 5, 20);
            // In time order, inside the clip, never overlapping.
            for (int i = 0; i < clip.Segments.Count; i++)
            {
                Assert.InRange(clip.Segments[i].Start, 0, clip.Segments[i].End);
                Assert.True(clip.Segments[i].End <= 10);
                if (i > 0)
                    Assert.True(clip.Segments[i - 1].End <= clip.Segments[i].Start, $"segments {i - 1} and {i} overlap");
            }
            var keywords = clip.Segments.Where(s => s.IsKeyword).ToList();
            Assert.InRange(keywords.Count, 0, 4);
            Assert.InRange(clip.Segments.Count - keywords.Count, 0, 2);
            Assert.All(keywords, k => Assert.Equal("activate", k.Text));
            keywordCounts.Add(keywords.Count);
            Assert.Equal(TriggerWordLabels.Create(keywords.Select(k => k.End), 10, 1375), clip.Labels);
        }
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, keywordCounts.Order());

        // A clip with nothing inserted is the background alone, at the ratio below the keywords' level (0.3 / sqrt 2; the
        // 3 s of noise repeated over 10 s keep their level within 1%).
        var quiet = clips.First(c => c.Segments.Count == 0);
        double expected = 0.3 / Math.Sqrt(2) / Math.Pow(10, quiet.SnrDb / 20);
        Assert.Equal(expected, Math.Sqrt(AudioAugmentation.Power(quiet.Samples)), expected * 0.01);

        // Seeded: the same seed gives the same clips, another seed others.
        Assert.Equal(clips[7].Samples, Generator(options).Generate(8).Last().Samples);
        Assert.NotEqual(clips[0].Samples, Generator(options, seed: 4).Next().Samples);
    }

    [Fact]
    public void BadSourcesAndSettingsAreRefusedByName()
    {
        var options = new TriggerWordClipOptions { SampleRate = 8000, ClipSeconds = 1 };
        var background = new[] { new BackgroundAudio("white", ColoredNoise.Generate(NoiseColor.White, 8000, new Random(1))) };
        var tone = new SpokenClip("activate", Tone(440, 0.5, 8000), "tone");

        var tooLong = Assert.Throws<ArgumentException>(() => new TriggerWordClipGenerator(options, [new SpokenClip("activate", Tone(440, 1.5, 8000), "long take")], [], background, 1));
        Assert.Contains("'activate' from long take has 12000 samples", tooLong.Message);
        var nan = Tone(440, 0.5, 8000);
        nan[100] = float.NaN;
        var notFinite = Assert.Throws<ArgumentException>(() => new TriggerWordClipGenerator(options, [tone], [new SpokenClip("motivate", nan, "bad take")], background, 1));
        Assert.Contains("'motivate' from bad take has a non-finite sample (NaN) at 100", notFinite.Message);
        var silent = Assert.Throws<ArgumentException>(() => new TriggerWordClipGenerator(options, [new SpokenClip("activate", new float[4000], "mute take")], [], background, 1));
        Assert.Contains("mute take", silent.Message);
        Assert.Contains("silent", silent.Message);
        Assert.Equal("keywords", Assert.Throws<ArgumentException>(() => new TriggerWordClipGenerator(options, [], [], background, 1)).ParamName);
        Assert.Equal("backgrounds", Assert.Throws<ArgumentException>(() => new TriggerWordClipGenerator(options, [tone], [], [], 1)).ParamName);
        Assert.Contains("LabelSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new TriggerWordClipGenerator(new TriggerWordClipOptions { LabelSteps = 0 }, [tone], [], background, 1)).Message);
        Assert.Contains("MinSnrDb", Assert.Throws<ArgumentOutOfRangeException>(() => new TriggerWordClipGenerator(new TriggerWordClipOptions { MinSnrDb = 30 }, [tone], [], background, 1)).Message);
    }

    // Mean power of frequency band [lo, hi) Hz over 256-point frames of 8 kHz noise.
    private static double BandPower(float[] noise, double lo, double hi)
    {
        var fft = new Fft(256);
        double total = 0;
        int frames = 0;
        for (int start = 0; start + 256 <= noise.Length; start += 256, frames++)
        {
            var spectrum = fft.ForwardReal(noise.AsSpan(start, 256).ToArray().Select(v => (double)v).ToArray());
            for (int k = (int)(lo / 31.25); k < (int)(hi / 31.25); k++)
                total += spectrum[k].Magnitude * spectrum[k].Magnitude;
        }
        return total / frames / ((int)(hi / 31.25) - (int)(lo / 31.25));
    }

    [Theory]
    [InlineData(NoiseColor.White, 1.0)]
    [InlineData(NoiseColor.Pink, 4.0)]
    [InlineData(NoiseColor.Brown, 16.0)]
    public void NoiseColoursFallAsTheirPowerLaw(NoiseColor color, double ratio)
    {
        var noise = ColoredNoise.Generate(color, 8000 * 8, new Random(5));
        Assert.Equal(1.0, Math.Sqrt(AudioAugmentation.Power(noise)), 3);
        // Power per bin around 250 Hz against around 1 kHz: two octaves, so 1, 4 and 16 times.
        double measured = BandPower(noise, 200, 300) / BandPower(noise, 800, 1200);
        Assert.InRange(measured, ratio / 1.6, ratio * 1.6);
    }

    [Fact]
    public void SynthesizedKeywordsAreTrimmedSpeechAndSilentOnesAreRefused()
    {
        var clips = SpokenClips.Synthesize("activate", [new SynthesisVoice(SynthesisEngine.EspeakNg, "en-us"), new SynthesisVoice(SynthesisEngine.Flite, "slt", Rate: 1.2)], 16000);
        Assert.Equal(2, clips.Count);
        Assert.All(clips, c => Assert.InRange(c.Samples.Length, 16000 * 0.3, 16000 * 1.2));
        Assert.Contains("slt", clips[1].Source);
        var silent = Assert.Throws<InvalidOperationException>(() => SpokenClips.Synthesize("...", [new SynthesisVoice(SynthesisEngine.EspeakNg, "en-us")], 16000));
        Assert.Contains("'...' synthesizes to silence in EspeakNg en-us", silent.Message);
    }

    [Fact]
    public void DetectionsFireAtTheThresholdAndWaitOutTheRefractoryPeriod()
    {
        // 0.1 s steps: a run above 0.5 at steps 2-4 (peak 0.9 at step 3), another at 6-7 within 0.5 s of the first,
        // one at 9 after it; exactly the threshold counts.
        float[] p = [0.1f, 0.4f, 0.6f, 0.9f, 0.7f, 0.2f, 0.8f, 0.95f, 0.1f, 0.5f];

        var detections = TriggerWordEvents.Find(p, 0.1, 0.5f, 0.5);
        Assert.Equal([(0.3, 0.9f), (0.8, 0.95f)], detections.Select(d => (Math.Round(d.Time, 6), d.Peak)));

        // No refractory period: every step at or above the threshold fires.
        var everyRun = TriggerWordEvents.Find(p, 0.1, 0.5f, 0);
        Assert.Equal([0.3, 0.4, 0.5, 0.7, 0.8, 1.0], everyRun.Select(d => Math.Round(d.Time, 6)));
        // A long period keeps the first detection only; a high threshold keeps the peaks above it.
        Assert.Single(TriggerWordEvents.Find(p, 0.1, 0.5f, 5));
        Assert.Equal([0.8], TriggerWordEvents.Find(p, 0.1, 0.92f, 0.5).Select(d => Math.Round(d.Time, 6)));
        Assert.Empty(TriggerWordEvents.Find([], 0.1, 0.5f, 0.5));
        foreach (float bad in new[] { 0f, 1f, -0.1f, float.NaN })
            Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => TriggerWordEvents.Find(p, 0.1, bad, 0.5)).ParamName);
        Assert.Equal("refractorySeconds", Assert.Throws<ArgumentOutOfRangeException>(() => TriggerWordEvents.Find(p, 0.1, 0.5f, -1)).ParamName);
    }

    [Fact]
    public void EvaluationGivesMissRatesAtFalseAlarmRatesAndPicksTheThreshold()
    {
        // 0.1 s steps. Keyword A (ending at 1.0 s) reaches 0.9 just after; keyword B (ending at 2.0 s) only 0.4.
        var a = new float[30];
        a[10] = a[11] = 0.9f;
        var b = new float[30];
        b[20] = 0.4f;
        // One hour of keyword-free audio with bumps of 0.6 and two of 0.3.
        var free = new float[36000];
        free[100] = 0.6f;
        free[200] = free[5000] = 0.3f;

        var evaluation = TriggerWordEvaluation.Compute([new KeywordClipScores(a, [1.0]), new KeywordClipScores(b, [2.0])], [free], 0.1, 0.5);

        Assert.Equal(2, evaluation.Keywords);
        Assert.Equal(1.0, evaluation.KeywordFreeHours, 9);
        Assert.Equal((0.0, 3.0), (evaluation.At(0.3f).MissRate, evaluation.At(0.3f).FalseAlarmsPerHour));
        Assert.Equal((0.0, 1.0), (evaluation.At(0.35f).MissRate, evaluation.At(0.35f).FalseAlarmsPerHour));
        Assert.Equal((0.5, 1.0), (evaluation.At(0.5f).MissRate, evaluation.At(0.5f).FalseAlarmsPerHour));
        Assert.Equal((0.5, 0.0), (evaluation.At(0.7f).MissRate, evaluation.At(0.7f).FalseAlarmsPerHour));
        Assert.Equal((1.0, 0.0), (evaluation.At(0.95f).MissRate, evaluation.At(0.95f).FalseAlarmsPerHour));
        // The most sensitive threshold within each rate.
        Assert.Equal(0.31f, evaluation.ForFalseAlarmRate(1).Threshold);
        Assert.Equal(0.0, evaluation.ForFalseAlarmRate(1).MissRate);
        Assert.Equal(0.61f, evaluation.ForFalseAlarmRate(0.1).Threshold);
        Assert.Equal(0.5, evaluation.ForFalseAlarmRate(0.1).MissRate);
        Assert.Contains("miss rate 50.0% at 0.1 false alarms per hour (threshold 0.61", evaluation.ToString());
        // Bumps of 1.0 fire at every threshold: no rate below one an hour is reachable, and the text says so.
        free[300] = 1.0f;
        var loud = TriggerWordEvaluation.Compute([new KeywordClipScores(a, [1.0])], [free], 0.1, 0.5);
        Assert.Equal(0.9999f, loud.ForFalseAlarmRate(0.1).Threshold);
        Assert.Contains("no threshold reaches 0.1 false alarms per hour (at 0.9999: 1.00 per hour, miss rate 100.0%)", loud.ToString());
        // Above 0.99 the grid is finer: a bump of 0.996 fires at 0.995 and not at 0.997.
        free[300] = 0.996f;
        var fine = TriggerWordEvaluation.Compute([new KeywordClipScores(a, [1.0])], [free], 0.1, 0.5);
        Assert.Equal((1.0, 0.0), (fine.At(0.995f).FalseAlarmsPerHour, fine.At(0.997f).FalseAlarmsPerHour));
        free[300] = 0;
        // The same from labels: keyword ends from where label runs start, keyword-free clips from all-zero labels.
        var aLabels = new float[30];
        aLabels[10] = aLabels[11] = aLabels[12] = 1; // keyword A ends in step 9 (at 1.0 s)
        var bLabels = new float[30];
        bLabels[20] = bLabels[21] = 1;
        var fromLabels = TriggerWordEvaluation.FromLabels([a, b, free], [aLabels, bLabels, new float[36000]], 0.1, 0.5);
        Assert.Equal(evaluation.Curve, fromLabels.Curve);
        Assert.Equal(2, fromLabels.Keywords);
        Assert.Contains("Clip 1 has 29 labels for 30 steps", Assert.Throws<ArgumentException>(() => TriggerWordEvaluation.FromLabels([a, b], [aLabels, new float[29]], 0.1, 0.5)).Message);
        Assert.Contains("labels are all 0", Assert.Throws<ArgumentException>(() => TriggerWordEvaluation.FromLabels([a], [aLabels], 0.1, 0.5)).Message);
        Assert.Equal("probabilities", Assert.Throws<ArgumentNullException>(() => TriggerWordEvaluation.FromLabels([a, null!], [aLabels, bLabels], 0.1, 0.5)).ParamName);
        // A curve: misses never fall and false alarms never rise as the threshold rises.
        Assert.All(evaluation.Curve.Zip(evaluation.Curve.Skip(1)), p => Assert.True(p.Second.MissRate >= p.First.MissRate && p.Second.FalseAlarmsPerHour <= p.First.FalseAlarmsPerHour));

        Assert.Equal("keywordClips", Assert.Throws<ArgumentException>(() => TriggerWordEvaluation.Compute([new KeywordClipScores(a, [])], [free], 0.1, 0.5)).ParamName);
        Assert.Equal("keywordFree", Assert.Throws<ArgumentException>(() => TriggerWordEvaluation.Compute([new KeywordClipScores(a, [1.0])], [], 0.1, 0.5)).ParamName);
        free[7] = 1.5f;
        Assert.Contains("Step 7 of keyword-free recording 0 is 1.5", Assert.Throws<ArgumentException>(() => TriggerWordEvaluation.Compute([new KeywordClipScores(a, [1.0])], [free], 0.1, 0.5)).Message);
    }
}
