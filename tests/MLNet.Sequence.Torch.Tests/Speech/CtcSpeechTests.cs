using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Audio;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Speech;

namespace MLNet.Sequence.Torch.Tests.Speech;

public class CtcSpeechTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnet-seq-ctc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CtcSpeechTrainer.Options Small() => new()
    {
        FeatureCount = 20,
        ConvolutionLayers = 1,
        ConvolutionChannels = 32,
        KernelSize = 3,
        Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Gru, HiddenSize = 32, Layers = 1, Bidirectional = true },
        Epochs = 25,
        BatchSize = 8,
        LearningRate = 3e-3,
        FrequencyMaskWidth = 3,
        TimeMaskWidth = 4,
        Seed = 1,
        NumberOfThreads = 1,
    };

    // One model for the tests that need a trained one: 160 utterances, about 10 s on one thread.
    private static readonly Lazy<(MLContext Ml, CtcSpeechTransformer Model, ToneSpeech.Row[] Test)> Trained = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Speech().Trainers.CtcSpeech(Small()).Fit(ml.Data.LoadFromEnumerable(ToneSpeech.Rows(160, seed: 1)));
        return (ml, model, ToneSpeech.Rows(30, seed: 2));
    });

    [Fact]
    public void LearnsToTranscribeHeldOutUtterances()
    {
        var (ml, model, test) = Trained.Value;
        var data = ml.Data.LoadFromEnumerable(test);

        var metrics = ml.Speech().Evaluate(model.Transform(data), labelColumnName: "Text");

        Assert.True(metrics.Wer <= 0.05, metrics.ToString());
        Assert.Equal(["<blank>", " ", "a", "b", "c", "d"], model.Units);
        var history = model.History!;
        Assert.True(history.Epochs[^1].TrainingLoss < history.Epochs[0].TrainingLoss / 5, $"loss {history.Epochs[0].TrainingLoss} -> {history.Epochs[^1].TrainingLoss}");
    }

    [Fact]
    public void WordTimingsFallWhereTheWordsWereSpoken()
    {
        var (ml, model, _) = Trained.Value;
        // "ab" then "cd": 50 ms lead, 2 x 110 ms, a 120 ms gap, 2 x 110 ms.
        var features = ToneSpeech.Featurizer.Compute(ToneSpeech.Speak("ab cd", new Random(5)));

        var best = model.Transcribe([features])[0][0];

        Assert.Equal("ab cd", best.Text);
        Assert.InRange(best.Words[0].Start, 0.0, 0.1);
        Assert.InRange(best.Words[1].Start, 0.36, 0.46);
        Assert.True(best.Words[0].End <= best.Words[1].Start, $"{best.Words[0]} overlaps {best.Words[1]}");
    }

    [Fact]
    public void BeamSearchWithALanguageModelAndNBestAddsTheirColumns()
    {
        var (ml, model, test) = Trained.Value;
        var lm = ArpaModelBuilder.Build(test.Select(r => r.Text.Split(' ')).ToArray(), order: 2);
        var beam = model.WithDecoding(new CtcDecoderOptions { BeamWidth = 8, NBest = 3, LanguageModel = lm, LanguageModelWeight = 0.3 });
        var output = beam.Transform(ml.Data.LoadFromEnumerable(test.Take(5)));

        var nBest = output.GetColumn<string[]>("TranscriptNBest").ToArray();
        var scores = output.GetColumn<float[]>("TranscriptNBestScores").ToArray();
        var transcripts = output.GetColumn<string>("Transcript").ToArray();

        Assert.All(nBest, n => Assert.Equal(3, n.Length));
        Assert.All(scores, s => Assert.True(s[0] >= s[1] && s[1] >= s[2], string.Join(", ", s)));
        Assert.Equal(transcripts, nBest.Select(n => n[0]));
        Assert.Equal(test.Take(5).Select(r => r.Text), transcripts);
    }

    [Fact]
    public void SavedModelLoadsInAFreshContextWithTheSameTranscriptsAndScores()
    {
        var (ml, model, test) = Trained.Value;
        var data = ml.Data.LoadFromEnumerable(test);
        string zip = Path.Combine(_dir, "ctc.zip");
        ml.Model.Save(model, data.Schema, zip);

        var loaded = new MLContext().Model.Load(zip, out _);

        var before = model.Transform(data);
        var after = loaded.Transform(data);
        Assert.Equal(before.GetColumn<string>("Transcript").ToArray(), after.GetColumn<string>("Transcript").ToArray());
        Assert.Equal(before.GetColumn<float>("TranscriptScore").ToArray(), after.GetColumn<float>("TranscriptScore").ToArray());
        Assert.Equal(before.GetColumn<float[]>("TranscriptWordStarts").ToArray(), after.GetColumn<float[]>("TranscriptWordStarts").ToArray());
    }

    // Every word of the tone language pronounced as its letters ("ab" is A B), and "bee" a homophone of "b".
    private static PronouncingDictionary ToneDictionary()
    {
        var dictionary = new PronouncingDictionary();
        var words = new List<string> { "" };
        for (int length = 1; length <= 3; length++)
            words = words.SelectMany(w => "abcd".Select(c => w + c)).ToList();
        foreach (var word in new[] { "a", "b", "c", "d" }.Concat("abcd".SelectMany(x => "abcd".Select(y => $"{x}{y}"))).Concat(words))
            dictionary.Add(word, word.Select(c => char.ToUpperInvariant(c).ToString()).ToArray());
        dictionary.Add("bee", ["B"]);
        return dictionary;
    }

    [Fact]
    public void PhonemeUnitsLearnAndDecodeToWordsThroughTheLexiconAndSaveIt()
    {
        var ml = new MLContext(seed: 1);
        var options = Small();
        options.Units = CtcUnitKind.Phonemes;
        options.PronouncingDictionary = ToneDictionary();
        var train = ToneSpeech.Rows(160, seed: 1);
        var model = ml.Speech().Trainers.CtcSpeech(options).Fit(ml.Data.LoadFromEnumerable(train));
        var test = ml.Data.LoadFromEnumerable(ToneSpeech.Rows(30, seed: 2));

        var metrics = ml.Speech().Evaluate(model.Transform(test), labelColumnName: "Text");

        Assert.True(metrics.Wer <= 0.05, metrics.ToString());
        Assert.Equal(["<blank>", "|", "A", "B", "C", "D"], model.Units);
        Assert.Equal(["b", "bee"], model.Lexicon!.WordsFor("B")); // "b" is said in training, "bee" is not
        Assert.Contains(train, r => r.Text.Split(' ').Contains("b"));
        string zip = Path.Combine(_dir, "phonemes.zip");
        ml.Model.Save(model, test.Schema, zip);
        var loaded = new MLContext().Model.Load(zip, out _);
        Assert.Equal(model.Transform(test).GetColumn<string>("Transcript").ToArray(), loaded.Transform(test).GetColumn<string>("Transcript").ToArray());
        var reloaded = Assert.IsType<CtcSpeechTransformer>(loaded);
        Assert.Equal(model.Lexicon.PronunciationCount, reloaded.Lexicon!.PronunciationCount);
        Assert.Equal(model.Lexicon.CountOf("b"), reloaded.Lexicon.CountOf("b"));
    }

    [Fact]
    public void SubwordUnitsLearnPiecesThatMarkWordStarts()
    {
        var ml = new MLContext(seed: 1);
        var options = Small();
        options.Units = CtcUnitKind.Subwords;
        options.SubwordMerges = 3;
        options.Epochs = 40;
        var model = ml.Speech().Trainers.CtcSpeech(options).Fit(ml.Data.LoadFromEnumerable(ToneSpeech.Rows(160, seed: 1)));
        var test = ml.Data.LoadFromEnumerable(ToneSpeech.Rows(30, seed: 2));

        var metrics = ml.Speech().Evaluate(model.Transform(test), labelColumnName: "Text");

        Assert.True(metrics.Wer <= 0.05, metrics.ToString() + string.Join(",", model.Units) + " / " + string.Join(",", model.History!.Epochs.Select(e => e.TrainingLoss)));
        Assert.Contains("\u2581a", model.Units); // every letter at a word's start and inside one
        Assert.Contains("a", model.Units);
        Assert.Contains(model.Units, u => u.TrimStart('\u2581').Length > 1); // and merged pieces
        Assert.DoesNotContain(" ", model.Units);
    }

    [Fact]
    public void UtteranceMeanNormalizationIgnoresAChannelsConstantColouringAndIsSaved()
    {
        var ml = new MLContext(seed: 1);
        var options = Small();
        options.UtteranceMeanNormalization = true;
        var model = ml.Speech().Trainers.CtcSpeech(options).Fit(ml.Data.LoadFromEnumerable(ToneSpeech.Rows(160, seed: 1)));
        var test = ToneSpeech.Rows(20, seed: 2);
        // A microphone that boosts the low bands and cuts the high ones: a constant per band in log features.
        var coloured = test.Select(r => new ToneSpeech.Row { Text = r.Text, Features = r.Features.Select((v, i) => v + 12f - 1.5f * (i % 20)).ToArray() }).ToArray();

        var plain = model.Transcribe(test.Select(r => r.Features).ToList()).Select(h => h[0].Text).ToArray();
        var shifted = model.Transcribe(coloured.Select(r => r.Features).ToList()).Select(h => h[0].Text).ToArray();

        Assert.True(plain.Zip(test).Count(p => p.First == p.Second.Text) >= 19, string.Join(" | ", plain));
        Assert.Equal(plain, shifted);
        var data = ml.Data.LoadFromEnumerable(coloured);
        string zip = Path.Combine(_dir, "cmn.zip");
        ml.Model.Save(model, data.Schema, zip);
        Assert.Equal(plain, new MLContext().Model.Load(zip, out _).Transform(data).GetColumn<string>("Transcript").ToArray());
        // Without it the same colouring changes what a model hears.
        var (_, globalOnly, _) = Trained.Value;
        var globalPlain = globalOnly.Transcribe(test.Select(r => r.Features).ToList()).Select(h => h[0].Text);
        var globalShifted = globalOnly.Transcribe(coloured.Select(r => r.Features).ToList()).Select(h => h[0].Text);
        Assert.NotEqual(globalPlain, globalShifted);
    }

    [Fact]
    public void BadTrainingDataIsRefusedWithItsColumnAndRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = ToneSpeech.Rows(4, seed: 3);
        string Message(ToneSpeech.Row[] data, CtcSpeechTrainer.Options? options = null) =>
            Assert.ThrowsAny<Exception>(() => ml.Speech().Trainers.CtcSpeech(options ?? Small()).Fit(ml.Data.LoadFromEnumerable(data))).Message;

        rows[1].Text = "?!";
        Assert.Equal("Column 'Text', training row 1: the transcript '?!' is empty after normalisation (lower case, no punctuation).", Message(rows));
        rows = ToneSpeech.Rows(4, seed: 3);
        rows[2].Features = rows[2].Features[..20];
        Assert.StartsWith("Column 'Features', training row 2: 1 frames give 1 output steps after stride 2, too few for the", Message(rows));
        rows = ToneSpeech.Rows(4, seed: 3);
        rows[0].Features[7] = float.NaN;
        Assert.Equal("Column 'Features', training row 0: value 7 (frame 0) is NaN.", Message(rows));
        rows = ToneSpeech.Rows(4, seed: 3);
        rows[3].Features = rows[3].Features[..^1];
        Assert.Contains("are not whole frames of 20 features", Message(rows));
        Assert.Contains("FeatureCount", Assert.ThrowsAny<ArgumentException>(() => ml.Speech().Trainers.CtcSpeech(new CtcSpeechTrainer.Options { FeatureCount = 0 })).Message);
        Assert.Contains("BeamWidth", Assert.ThrowsAny<ArgumentException>(() => ml.Speech().Trainers.CtcSpeech(new CtcSpeechTrainer.Options { Decoding = new() { BeamWidth = 0 } })).Message);
        Assert.Contains("PronouncingDictionary", Assert.ThrowsAny<ArgumentException>(() => ml.Speech().Trainers.CtcSpeech(new CtcSpeechTrainer.Options { Units = CtcUnitKind.Phonemes })).Message);
        var phonemes = Small();
        phonemes.Units = CtcUnitKind.Phonemes;
        phonemes.PronouncingDictionary = new PronouncingDictionary();
        phonemes.PronouncingDictionary.Add("ab", ["A", "B"]);
        rows = ToneSpeech.Rows(4, seed: 3);
        rows[0].Text = "ab";
        rows[1].Text = "ab cd";
        Assert.Equal("Column 'Text', training row 1: the word 'cd' is not in the pronouncing dictionary; add its pronunciation with PronouncingDictionary.Add.", Message(rows, phonemes));
    }
}
