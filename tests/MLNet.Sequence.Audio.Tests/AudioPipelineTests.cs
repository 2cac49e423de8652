using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

public class AudioPipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnet-seq-audio-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    private sealed class BytesRow
    {
        public byte[] Wav { get; set; } = [];
    }

    private sealed class SamplesRow
    {
        [VectorType]
        public float[] Samples { get; set; } = [];
    }

    private static float[] Tone(int rate, double seconds, double hz) =>
        Enumerable.Range(0, (int)(rate * seconds)).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    private string WriteWav(string name, float[][] channels, int rate, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        using var stream = File.Create(Path.Combine(_dir, name));
        WavFile.Write(stream, channels, rate, format);
        return name;
    }

    private IEstimator<ITransformer> Pipeline(MLContext ml) =>
        ml.Transforms.LoadAudio("Samples", "Path", audioFolder: _dir, sampleRate: 16000)
            .Append(ml.Transforms.LogMelSpectrogram("LogMel", "Samples", sampleRate: 16000, melBands: 40));

    [Fact]
    public void LoadsResamplesAndComputesFeaturesInAPipeline()
    {
        var ml = new MLContext(seed: 1);
        var files = new[]
        {
            new PathRow { Path = WriteWav("a.wav", [Tone(16000, 0.25, 440)], 16000) },
            new PathRow { Path = WriteWav("b.wav", [Tone(8000, 0.5, 300), Tone(8000, 0.5, 300)], 8000, WavSampleFormat.Float32) },
        };
        var data = ml.Data.LoadFromEnumerable(files);

        var model = Pipeline(ml).Fit(data);
        var output = model.Transform(data);

        var samples = output.GetColumn<float[]>("Samples").ToArray();
        var rates = output.GetColumn<int>("SamplesSampleRate").ToArray();
        var features = output.GetColumn<float[]>("LogMel").ToArray();
        var frames = output.GetColumn<int>("LogMelFrames").ToArray();
        Assert.Equal([16000, 16000], rates);
        Assert.Equal(4000, samples[0].Length);
        Assert.Equal(8000, samples[1].Length); // 4,000 samples at 8 kHz, resampled to 16 kHz
        Assert.Equal(Resampler.Resample(WavFile.Read(Path.Combine(_dir, "b.wav")).Mono(), 8000, 16000), samples[1]);
        Assert.Equal([1 + 4000 / 160, 1 + 8000 / 160], frames);
        var featurizer = new AudioFeaturizer(new AudioFeatureSettings
        {
            MelBands = 40, Log = LogScale.Decibels, TopDb = 80, Spectrogram = { HopLength = 160 },
        }, 16000);
        Assert.Equal(featurizer.Compute(samples[0]), features[0]);
        Assert.Equal(frames[1] * 40, features[1].Length);
        Assert.True(output.Schema["LogMel"].Type is VectorDataViewType { Size: 0, ItemType: NumberDataViewType });
    }

    [Fact]
    public void ReadsWavBytesFromAByteVectorColumn()
    {
        var ml = new MLContext(seed: 1);
        var stream = new MemoryStream();
        WavFile.Write(stream, [[0.25f, -0.5f, 0.125f]], 22050);
        var data = ml.Data.LoadFromEnumerable(new[] { new BytesRow { Wav = stream.ToArray() } });

        var output = ml.Transforms.LoadAudio("Samples", "Wav").Fit(data).Transform(data);

        Assert.Equal([0.25f, -0.5f, 0.125f], output.GetColumn<float[]>("Samples").Single());
        Assert.Equal(22050, output.GetColumn<int>("SamplesSampleRate").Single());
    }

    [Fact]
    public void SavedPipelineLoadsInAFreshContextAndGivesTheSameFeatures()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new PathRow { Path = WriteWav("c.wav", [Tone(22050, 0.3, 1000)], 22050) } });
        var model = Pipeline(ml).Append(ml.Transforms.Mfcc("Mfcc", "Samples", sampleRate: 16000)).Fit(data);
        string zip = Path.Combine(_dir, "audio.zip");
        ml.Model.Save(model, data.Schema, zip);

        var loaded = new MLContext().Model.Load(zip, out var schema);
        var before = model.Transform(data);
        var after = loaded.Transform(data);

        Assert.Equal("Path", schema.Single().Name);
        Assert.Equal(before.GetColumn<float[]>("LogMel").Single(), after.GetColumn<float[]>("LogMel").Single());
        Assert.Equal(before.GetColumn<float[]>("Mfcc").Single(), after.GetColumn<float[]>("Mfcc").Single());
        Assert.Equal(13 * before.GetColumn<int>("MfccFrames").Single(), after.GetColumn<float[]>("Mfcc").Single().Length);
    }

    [Fact]
    public void ADamagedZipIsRefusedByTheAudioFeaturesLoader()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new SamplesRow { Samples = Tone(16000, 0.1, 500) } });
        var model = ml.Transforms.LogMelSpectrogram("LogMel", "Samples").Fit(data);
        string zip = Path.Combine(_dir, "damaged.zip");
        ml.Model.Save(model, data.Schema, zip);
        MLNet.Sequence.Tests.ZipSurgery.FlipByteInEntry(zip, "Model.key", content => content.Length - 20);

        var e = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(zip, out _));

        Assert.Contains("Loading the audio features transformer", e.GetBaseException().Message + e.InnerException?.Message);
    }

    [Fact]
    public void AMissingOrBrokenFileIsNamedWithItsColumnAndRow()
    {
        var ml = new MLContext(seed: 1);
        File.WriteAllText(Path.Combine(_dir, "text.wav"), "not audio at all");
        var data = ml.Data.LoadFromEnumerable(new[] { new PathRow { Path = WriteWav("ok.wav", [Tone(16000, 0.1, 440)], 16000) }, new PathRow { Path = "none.wav" }, new PathRow { Path = "text.wav" } });
        var output = ml.Transforms.LoadAudio("Samples", "Path", audioFolder: _dir).Fit(data).Transform(data);

        var e = Assert.ThrowsAny<Exception>(() => output.GetColumn<float[]>("Samples").ToArray());
        Assert.Contains($"Column 'Path', row 1: the WAV file '{Path.Combine(_dir, "none.wav")}' does not exist", Messages(e));

        var skipMissing = ml.Data.FilterByCustomPredicate<PathRow>(data, r => r.Path == "none.wav");
        var broken = ml.Transforms.LoadAudio("Samples", "Path", audioFolder: _dir).Fit(data).Transform(skipMissing);
        var b = Assert.ThrowsAny<Exception>(() => broken.GetColumn<float[]>("Samples").ToArray());
        Assert.Contains($"Column 'Path', row 1: '{Path.Combine(_dir, "text.wav")}' is not a WAV file: it does not begin with 'RIFF' ... 'WAVE'", Messages(b));
    }

    [Fact]
    public void AClipTooShortOrHoldingNaNIsRefusedWithItsRow()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new SamplesRow { Samples = Tone(16000, 0.1, 440) },
            new SamplesRow { Samples = new float[100] },
        });
        var output = ml.Transforms.LogMelSpectrogram("LogMel", "Samples").Fit(data).Transform(data);

        var e = Assert.ThrowsAny<Exception>(() => output.GetColumn<float[]>("LogMel").ToArray());
        Assert.Contains("Column 'Samples', row 1: a signal of 100 samples is too short for a spectrogram with FftSize 400, centred with Reflect padding: it needs at least 201", Messages(e));

        var nan = ml.Data.LoadFromEnumerable(new[] { new SamplesRow { Samples = [.. new float[500], float.NaN] } });
        var n = Assert.ThrowsAny<Exception>(() => ml.Transforms.LogMelSpectrogram("LogMel", "Samples").Fit(nan).Transform(nan).GetColumn<float[]>("LogMel").ToArray());
        Assert.Contains("Column 'Samples', row 0: sample 500 is NaN; audio features need finite samples", Messages(n));
    }

    // ML.NET's parallel cursors wrap what a getter throws ("Splitter/consolidator worker encountered exception").
    private static string[] Messages(Exception e)
    {
        var messages = new List<string>();
        for (Exception? x = e; x != null; x = x.InnerException)
            messages.Add(x.Message);
        return messages.ToArray();
    }

    [Fact]
    public void WrongColumnsAndSettingsAreRefusedByName()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new SamplesRow { Samples = Tone(16000, 0.1, 440) } });

        var wrongType = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.LoadAudio("Audio", "Samples").Fit(data));
        Assert.Contains("Samples", wrongType.Message);
        Assert.Contains("Text (a path) or a vector of Byte", wrongType.Message);
        var missing = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.Mfcc("Mfcc", "Audio").Fit(data));
        Assert.Contains("Audio", missing.Message);
        var rate = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.Mfcc("Mfcc", "Samples", sampleRate: 0));
        Assert.Contains("SampleRate", rate.Message);
        var fft = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.Spectrogram("Spec", "Samples", fftSize: 1));
        Assert.Contains("FftSize", fft.Message);
        var mfcc = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.Mfcc("Mfcc", "Samples", mfccCount: 41, melBands: 40));
        Assert.Contains("MfccCount", mfcc.Message);
        var rateColumn = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.Mfcc("Mfcc", "Samples", sampleRateColumnName: "Rate").Fit(data));
        Assert.Contains("Rate", rateColumn.Message);
    }
}
