using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch.TriggerWords;

namespace MLNet.Sequence.Torch.Tests.TriggerWords;

public class TriggerWordTests
{
    private const int Rate = 8000;

    // 2 s clips at 8 kHz: a 64-point spectrogram with a hop of 32, uncentred, gives 499 frames of 33 values, and the
    // kernel of 15 with stride 4 gives 122 output steps; 10 labelled steps (0.16 s) follow each keyword. No top_db, so
    // that the features stream.
    private static readonly TriggerWordClipOptions ClipOptions = new() { ClipSeconds = 2, SampleRate = Rate, OutputSteps = 122, LabelSteps = 10, MaxKeywords = 2, MaxNegatives = 2 };

    private static readonly AudioFeaturesTransformer Features = new MLContext().Transforms.AudioFeatures(new AudioFeaturesTransformer.Options
    {
        InputColumnName = "Samples",
        SampleRate = Rate,
        Features = new AudioFeatureSettings { Kind = AudioFeatureKind.Spectrogram, Log = LogScale.Decibels, Spectrogram = { FftSize = 64, HopLength = 32, Center = false } },
    }).Fit(new MLContext().Data.LoadFromEnumerable(new[] { new SamplesRow() }));

    private static AudioFeaturizer Featurizer => Features.Featurizer;

    private sealed class SamplesRow
    {
        public float[] Samples { get; set; } = new float[64];
    }

    internal sealed class Row
    {
        public float[] Features { get; set; } = [];

        public float[] Labels { get; set; } = [];
    }

    private static float[] Sweep(double from, double to, double seconds) =>
        Enumerable.Range(0, (int)(seconds * Rate)).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * (from + (to - from) * i / (seconds * Rate) / 2) * i / Rate))).ToArray();

    // The "keyword" is a rising sweep, the "other words" a falling one and a steady tone over the same band, in pink noise.
    private static List<TriggerWordClip> Clips(int count, int seed) => new TriggerWordClipGenerator(ClipOptions,
        [new SpokenClip("up", Sweep(800, 2400, 0.3), "sweep"), new SpokenClip("up", Sweep(900, 2600, 0.35), "sweep 2")],
        [new SpokenClip("down", Sweep(2400, 800, 0.3), "sweep down"), new SpokenClip("flat", Sweep(1600, 1600, 0.3), "tone")],
        [new BackgroundAudio("pink", ColoredNoise.Generate(NoiseColor.Pink, Rate * 4, new Random(seed)))], seed).Generate(count).ToList();

    private static Row ToRow(TriggerWordClip clip) => new() { Features = Featurizer.Compute(clip.Samples), Labels = clip.Labels };

    private static TriggerWordTrainer.Options Small() => new()
    {
        FeatureCount = 33,
        FrameSeconds = 32.0 / Rate,
        ConvolutionChannels = 32,
        HiddenSize = 32,
        Dropout = 0.1,
        RefractorySeconds = 0.2, // keywords in these short clips can follow each other closely
        Epochs = 20,
        BatchSize = 8,
        LearningRate = 3e-3,
        Seed = 1,
        NumberOfThreads = 1,
    };

    private static readonly Lazy<(MLContext Ml, TriggerWordTransformer Model, List<TriggerWordClip> Test)> Trained = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Clips(160, seed: 1).Select(ToRow));
        return (ml, ml.Speech().Trainers.TriggerWord(Small()).Fit(train), Clips(30, seed: 2));
    });

    [Fact]
    public void LearnsToDetectTheKeywordAndNotTheOtherSounds()
    {
        var (ml, model, test) = Trained.Value;
        var scored = model.Transform(ml.Data.LoadFromEnumerable(test.Select(ToRow)));
        var times = scored.GetColumn<float[]>("Detections").ToList();
        var probabilities = scored.GetColumn<float[]>("Probabilities").ToList();

        int keywords = 0, hits = 0, falseAlarms = 0;
        for (int i = 0; i < test.Count; i++)
        {
            Assert.Equal(122, probabilities[i].Length);
            var ends = test[i].Segments.Where(s => s.IsKeyword).Select(s => s.End).ToList();
            keywords += ends.Count;
            // A hit fires within 0.25 s after a keyword ends; anything else is a false alarm.
            hits += ends.Count(e => times[i].Any(t => t >= e - 0.05 && t <= e + 0.25));
            falseAlarms += times[i].Count(t => !ends.Any(e => t >= e - 0.05 && t <= e + 0.25));
        }
        Assert.True(keywords >= 20, $"{keywords} keywords in the test clips");
        Console.WriteLine($"trigger words: {hits} of {keywords} detected, {falseAlarms} false alarms");
        Assert.True(hits >= 0.9 * keywords, $"{hits} of {keywords} keywords detected");
        Assert.True(falseAlarms <= 3, $"{falseAlarms} false alarms");
        var history = model.History!;
        Assert.True(history.Epochs[^1].TrainingLoss < history.Epochs[0].TrainingLoss / 2, $"loss {history.Epochs[0].TrainingLoss} -> {history.Epochs[^1].TrainingLoss}");
    }

    [Fact]
    public void SavedAndLoadedInAFreshContextItGivesTheSameProbabilitiesAndDetections()
    {
        var (ml, model, test) = Trained.Value;
        var data = ml.Data.LoadFromEnumerable(test.Take(6).Select(ToRow));
        string zip = Path.Combine(Path.GetTempPath(), $"trigger-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, zip);
            var loaded = new MLContext().Model.Load(zip, out _);
            Assert.Equal(model.Transform(data).GetColumn<float[]>("Probabilities").ToList(), loaded.Transform(data).GetColumn<float[]>("Probabilities").ToList());
            Assert.Equal(model.Transform(data).GetColumn<float[]>("DetectionsPeaks").ToList(), loaded.Transform(data).GetColumn<float[]>("DetectionsPeaks").ToList());
            var reloaded = (TriggerWordTransformer)loaded;
            Assert.Equal((model.Threshold, model.RefractorySeconds, model.StepSeconds), (reloaded.Threshold, reloaded.RefractorySeconds, reloaded.StepSeconds));
        }
        finally
        {
            File.Delete(zip);
        }
    }

    private static List<TriggerWordClip> KeywordFree(int count, int seed) => new TriggerWordClipGenerator(
        new TriggerWordClipOptions { ClipSeconds = 2, SampleRate = Rate, OutputSteps = 122, LabelSteps = 10, MaxKeywords = 0, MaxNegatives = 2 },
        [new SpokenClip("up", Sweep(800, 2400, 0.3), "sweep")],
        [new SpokenClip("down", Sweep(2400, 800, 0.3), "sweep down"), new SpokenClip("flat", Sweep(1600, 1600, 0.3), "tone")],
        [new BackgroundAudio("pink", ColoredNoise.Generate(NoiseColor.Pink, Rate * 4, new Random(seed)))], seed).Generate(count).ToList();

    [Fact]
    public void EvaluationFromLabelsMatchesTheOneFromTheKeywordsEndTimes()
    {
        var (ml, model, test) = Trained.Value;
        var keywordClips = test.Where(c => c.Segments.Any(s => s.IsKeyword)).ToList();
        var free = KeywordFree(12, seed: 5);
        var data = ml.Data.LoadFromEnumerable(keywordClips.Concat(free).Select(ToRow));

        var evaluation = model.Evaluate(data);

        // The same from the generator's true end times. A keyword that ends in a clip's last step has no labels, so
        // labels cannot show it: such a clip is keyword-free audio to both.
        static List<double> Seen(TriggerWordClip c) => c.Segments.Where(s => s.IsKeyword && (int)Math.Floor(s.End * 122 / 2) + 1 < 122).Select(s => s.End).ToList();
        var keywordProbabilities = model.Probabilities(keywordClips.Select(c => Featurizer.Compute(c.Samples)).ToList());
        var freeProbabilities = model.Probabilities(free.Select(c => Featurizer.Compute(c.Samples)).ToList());
        var expected = TriggerWordEvaluation.Compute(
            keywordClips.Select((c, i) => new KeywordClipScores(keywordProbabilities[i], Seen(c))).Where(k => k.KeywordEnds.Count > 0).ToList(),
            [.. freeProbabilities, .. keywordProbabilities.Where((_, i) => Seen(keywordClips[i]).Count == 0)], model.StepSeconds, model.RefractorySeconds);
        Assert.Equal(keywordClips.Sum(c => Seen(c).Count), evaluation.Keywords);
        Assert.Equal(expected.KeywordFreeHours, evaluation.KeywordFreeHours, 9);
        Assert.True(evaluation.KeywordFreeHours >= 12 * 122 * model.StepSeconds / 3600);
        Assert.Equal(expected.Curve, evaluation.Curve);
        Assert.True(evaluation.At(0.5f).MissRate <= 0.1, evaluation.ToString());

        // Labels missing, or no keyword-free clip to count false alarms on: the column is named.
        Assert.Contains("Labels", Assert.ThrowsAny<Exception>(() => model.Evaluate(ml.Transforms.DropColumns("Labels").Fit(data).Transform(data))).Message);
        Assert.Contains("Column 'Labels': Every clip says the keyword", Assert.ThrowsAny<Exception>(() => model.Evaluate(ml.Data.LoadFromEnumerable(keywordClips.Where(c => Seen(c).Count > 0).Select(ToRow)))).Message);
    }

    [Fact]
    public void TheTrainerEvaluatesOnItsValidationSet()
    {
        var ml = new MLContext(seed: 1);
        var options = Small();
        options.Epochs = 2;
        var train = ml.Data.LoadFromEnumerable(Clips(32, seed: 6).Select(ToRow));
        var validation = ml.Data.LoadFromEnumerable(Clips(10, seed: 7).Where(c => c.Segments.Any(s => s.IsKeyword)).Concat(KeywordFree(4, seed: 8)).Select(ToRow));

        var detector = ml.Speech().Trainers.TriggerWord(options).Fit(train, validation);

        Assert.NotNull(detector.Validation);
        Assert.Equal(detector.Evaluate(validation).Curve, detector.Validation!.Curve);
        Assert.Equal(4 * 122 * detector.StepSeconds / 3600, detector.Validation.KeywordFreeHours, 9);
        Assert.Equal(detector.Validation, detector.WithDetection(0.7f, 0.2).Validation);
        // A validation set of keyword clips alone gives its loss but no false-alarm figures.
        var keywordsOnly = ml.Data.LoadFromEnumerable(Clips(10, seed: 7).Where(c => c.Segments.Any(s => s.IsKeyword)).Select(ToRow));
        Assert.Null(ml.Speech().Trainers.TriggerWord(options).Fit(train, keywordsOnly).Validation);
    }

    [Fact]
    public void OptionsGiveTheCoursesOutputStepsAndLabelWindowAtAnyRate()
    {
        var course = new TriggerWordTrainer.Options(); // 44.1 kHz, hop 80, kernel 15, stride 4
        Assert.Equal(1375, course.OutputSteps(5511));
        Assert.Equal(0, course.OutputSteps(14));
        Assert.Equal(1, course.OutputSteps(15));
        Assert.Equal(50, course.LabelSteps);
        // At 16 kHz a step is 20 ms: 0.36 s is 18 steps, not 50.
        Assert.Equal(18, new TriggerWordTrainer.Options { FrameSeconds = 80.0 / 16000 }.LabelSteps);
    }

    [Fact]
    public void BadInputIsRefusedByName()
    {
        var ml = new MLContext(seed: 1);
        var good = ToRow(Clips(1, seed: 3)[0]);
        Exception Fit(params Row[] rows) => Assert.ThrowsAny<Exception>(() => ml.Speech().Trainers.TriggerWord(Small()).Fit(ml.Data.LoadFromEnumerable(rows)));

        // A clip shorter than the convolution's receptive field.
        Assert.Contains("fewer than the convolution's kernel of 15", Fit(new Row { Features = good.Features[..(10 * 33)], Labels = [] }).Message);
        Assert.Contains("Column 'Labels', training row 0: 100 labels for 499 frames, which give 122 output steps", Fit(new Row { Features = good.Features, Labels = new float[100] }).Message);
        var nan = (float[])good.Features.Clone();
        nan[40] = float.NaN;
        Assert.Contains("Column 'Features', training row 1: value 40 (frame 1) is NaN", Fit(good, new Row { Features = nan, Labels = good.Labels }).Message);
        var labels = (float[])good.Labels.Clone();
        labels[3] = 2;
        Assert.Contains("label 3 is 2", Fit(new Row { Features = good.Features, Labels = labels }).Message);
        foreach (float threshold in new[] { 0f, 1f, float.NaN })
            Assert.Contains("Threshold", Assert.ThrowsAny<Exception>(() => ml.Speech().Trainers.TriggerWord(new TriggerWordTrainer.Options { Threshold = threshold })).Message);
        Assert.Contains("threshold", Assert.ThrowsAny<Exception>(() => Trained.Value.Model.WithDetection(1.5f, 1)).Message);
    }

    [Theory]
    [InlineData(4000)] // the default 0.5 s
    [InlineData(777)]
    [InlineData(31)]
    public void StreamingInChunksGivesTheWholeClipsProbabilitiesAndDetections(int chunk)
    {
        var (ml, model, test) = Trained.Value;
        var clips = test.Take(3).ToList();
        var whole = model.Transform(ml.Data.LoadFromEnumerable(clips.Select(ToRow)));
        var expected = whole.GetColumn<float[]>("Probabilities").ToList();
        var expectedTimes = whole.GetColumn<float[]>("Detections").ToList();

        for (int c = 0; c < clips.Count; c++)
        {
            using var stream = new TriggerWordStream(Features, model);
            var detections = new List<TriggerWordDetection>();
            for (int start = 0; start < clips[c].Samples.Length; start += chunk)
                detections.AddRange(stream.Push(clips[c].Samples.AsSpan(start, Math.Min(chunk, clips[c].Samples.Length - start))));
            detections.AddRange(stream.Flush());

            Assert.Equal(expected[c].Length, stream.Probabilities.Count);
            for (int t = 0; t < expected[c].Length; t++)
                Assert.True(Math.Abs(expected[c][t] - stream.Probabilities[t]) <= 1e-5, $"clip {c}, step {t}: {stream.Probabilities[t]} streamed, {expected[c][t]} whole");
            Assert.Equal(expectedTimes[c], detections.Select(d => (float)d.Time));
        }
    }

    [Fact]
    public void StreamingRefusesFeaturesThatNeedTheWholeClipAndBadSamples()
    {
        var (_, model, _) = Trained.Value;
        var ml = new MLContext();
        AudioFeaturesTransformer Make(AudioFeatureSettings settings) => ml.Transforms.AudioFeatures(new AudioFeaturesTransformer.Options { InputColumnName = "Samples", SampleRate = Rate, Features = settings })
            .Fit(ml.Data.LoadFromEnumerable(new[] { new SamplesRow() }));
        var centred = Make(new AudioFeatureSettings { Kind = AudioFeatureKind.Spectrogram, Log = LogScale.Decibels, Spectrogram = { FftSize = 64, HopLength = 32 } });
        Assert.Contains("Center = false", Assert.Throws<ArgumentException>(() => new TriggerWordStream(centred, model)).Message);
        var clipped = Make(new AudioFeatureSettings { Kind = AudioFeatureKind.Spectrogram, Log = LogScale.Decibels, TopDb = 80, Spectrogram = { FftSize = 64, HopLength = 32, Center = false } });
        Assert.Contains("TopDb", Assert.Throws<ArgumentException>(() => new TriggerWordStream(clipped, model)).Message);
        var wide = Make(new AudioFeatureSettings { Kind = AudioFeatureKind.Spectrogram, Log = LogScale.Decibels, Spectrogram = { FftSize = 128, HopLength = 32, Center = false } });
        Assert.Contains("65 values per frame; the detector takes 33", Assert.Throws<ArgumentException>(() => new TriggerWordStream(wide, model)).Message);
        using var stream = new TriggerWordStream(Features, model);
        Assert.Contains("Sample 2 of the chunk is NaN", Assert.Throws<ArgumentException>(() => stream.Push([0f, 0.1f, float.NaN])).Message);
    }
}
