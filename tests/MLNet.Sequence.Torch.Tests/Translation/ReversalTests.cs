using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Metrics;
using MLNet.Sequence.Torch.Decoding;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Translation;

namespace MLNet.Sequence.Torch.Tests.Translation;

/// <summary>A small reversal model (Bahdanau's additive attention), trained once for the tests that use it (about 7 s on two cores).</summary>
public sealed class ReversalModel
{
    public ReversalModel()
    {
        Ml = new MLContext(seed: 1);
        Train = Ml.Data.LoadFromEnumerable(TranslationData.Reversal(2000, 1));
        Test = TranslationData.Reversal(200, 2);
        Model = Ml.Translation().Trainers.Seq2SeqAttention(Options(AttentionType.Additive)).Fit(Train);
    }

    public MLContext Ml { get; }
    public IDataView Train { get; }
    public List<Pair> Test { get; }
    public Seq2SeqAttentionTransformer Model { get; }

    public static Seq2SeqAttentionTrainer.Options Options(AttentionType attention, int epochs = 12) => new()
    {
        Attention = attention,
        SourceEmbedding = new EmbeddingOptions { Dimension = 32 },
        TargetEmbedding = new EmbeddingOptions { Dimension = 32 },
        Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Gru, HiddenSize = 64, Bidirectional = true },
        DecoderCell = RecurrentCellType.Gru,
        DecoderHiddenSize = 64,
        AttentionHiddenSize = 64,
        Dropout = 0,
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = attention == AttentionType.Additive ? 3e-3 : 2e-3,
        GradientClipNorm = 1,
        NBestColumnName = "NBest",
        AttentionColumnName = "Attention",
        Seed = 1,
    };
}

/// <summary>Translation of a learned rule (reversal): exactness, attention alignment, search, persistence, pipelines.</summary>
public class ReversalTests(ReversalModel fixture) : IClassFixture<ReversalModel>
{
    private List<string> Sources => fixture.Test.Select(p => p.Source).ToList();
    private List<string> References => fixture.Test.Select(p => p.Target).ToList();

    [Fact]
    public void GreedyTranslationIsExactAndAttentionFollowsTheReversal()
    {
        var translations = fixture.Model.Translate(Sources, new DecodingOptions { KeepAttention = true });
        Assert.Equal(References, translations.Select(t => t.Text));
        foreach (var t in translations)
        {
            int n = t.SourceTokens.Count;
            Assert.Equal(t.Tokens.Count + 1, t.Attention!.Count);
            for (int step = 0; step < t.Tokens.Count; step++)
            {
                var weights = t.Attention[step];
                Assert.Equal(n, weights.Length);
                Assert.Equal(1.0, weights.Sum(), 4);
                // Attending from s(t-1) over a bidirectional encoder, the weights peak on the aligned word or the next one.
                Assert.InRange(Array.IndexOf(weights, weights.Max()) - (n - 1 - step), 0, 1);
            }
        }
    }

    [Fact]
    public void BeamOfOneEqualsGreedyAndWiderBeamsScoreAtLeastAsHigh()
    {
        var greedy = fixture.Model.Translate(Sources);
        var beam1 = fixture.Model.Translate(Sources, new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = 1 });
        Assert.Equal(greedy.Select(t => t.Text), beam1.Select(t => t.Text));
        for (int i = 0; i < greedy.Count; i++)
            Assert.Equal(greedy[i].LogProbability, beam1[i].LogProbability, 4);
        foreach (int b in new[] { 3, 5 })
        {
            var options = new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = b, Alpha = 0.7, NBest = b };
            var beam = fixture.Model.Translate(Sources, options);
            int exact = beam.Zip(References).Count(p => p.First.Text == p.Second);
            // Wider beams also find truncated outputs the model scores higher than the reference: model errors, as the analysis below says.
            Assert.True(exact >= 0.9 * References.Count, $"beam {b}: {exact} exact; e.g. {string.Join(" | ", beam.Zip(References).Where(p => p.First.Text != p.Second).Take(4).Select(p => p.First.Text + " <> " + p.Second))}");
            Assert.All(beam, t => Assert.Equal(b, t.NBest.Count));
            Assert.All(beam, t => Assert.True(t.NBest.Zip(t.NBest.Skip(1)).All(p => p.First.Score >= p.Second.Score)));
            // The search's objective of the beam's best is at least that of the greedy output.
            for (int i = 0; i < greedy.Count; i++)
            {
                double greedyScore = LengthNormalization.Score(greedy[i].LogProbability, greedy[i].Tokens.Count + 1, options.LengthPenalty, options.Alpha);
                Assert.True(beam[i].NBest[0].Score >= greedyScore - 1e-4, $"sentence {i} ({Sources[i]}): greedy {greedy[i].Text} {greedyScore}; beam {string.Join(" | ", beam[i].NBest.Select(c => c.Text + " " + c.Score.ToString("F3") + "/" + c.LogProbability.ToString("F3")))}");
            }
        }
    }

    [Fact]
    public void BeamAnalysisBlamesTheSearchOnlyWhenTheModelPrefersTheReference()
    {
        var report = BeamAnalysis.Analyze(fixture.Model, Sources, References,
            new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = 5, Alpha = 0.7 });
        Assert.Equal(Sources.Count, report.Rows.Count);
        Assert.Equal(report.Rows.Count(r => r.Output != r.Reference), report.Errors);
        foreach (var row in report.Rows)
        {
            switch (row.Verdict)
            {
                case BeamVerdict.Correct:
                    Assert.Equal(row.Reference, row.Output);
                    Assert.Equal(row.ReferenceLogProbability, row.OutputLogProbability, 3);
                    break;
                case BeamVerdict.SearchError:
                    Assert.True(row.ReferenceScore > row.OutputScore);
                    break;
                default:
                    Assert.True(row.OutputScore >= row.ReferenceScore);
                    break;
            }
            Assert.Equal(row.ReferenceScore, LengthNormalization.Score(row.ReferenceLogProbability, row.Reference.Split(' ').Length + 1, LengthPenalty.Average, 0.7), 9);
        }
        if (report.Errors > 0)
            Assert.Equal(1.0, report.SearchErrorFraction + report.ModelErrorFraction, 12);
        Assert.Equal(Bleu.CorpusScore(report.Rows.Select(r => r.Output).ToList(), References).Score, report.Bleu.Score, 10);

        var sweep = BeamAnalysis.Sweep(fixture.Model, Sources.Take(40).ToList(), References.Take(40).ToList(), [1, 3], [0.0, 1.0]);
        Assert.Equal([(1, 0.0), (1, 1.0), (3, 0.0), (3, 1.0)], sweep.Select(r => (r.Search.BeamSize, r.Search.Alpha)));
        string table = BeamAnalysis.Table(sweep);
        Assert.StartsWith("| B | alpha | BLEU | wrong | search errors | model errors |", table);
        Assert.Equal(6, table.TrimEnd().Split('\n').Length);
        Assert.Contains("2 sources but 1 references", Assert.Throws<ArgumentException>(() => BeamAnalysis.Analyze(fixture.Model, ["a", "b"], ["a"], new DecodingOptions())).Message);
    }

    [Fact]
    public void BatchedTranslationEqualsOneSentenceAtATimeAndPaddingChangesNothing()
    {
        var sources = Sources.Take(20).ToList();
        var options = new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = 3, KeepAttention = true };
        var together = fixture.Model.Translate(sources, options);
        for (int i = 0; i < sources.Count; i++)
        {
            var alone = fixture.Model.Translate([sources[i]], options)[0];
            Assert.Equal(alone.Text, together[i].Text);
            Assert.Equal(alone.LogProbability, together[i].LogProbability, 4);
        }

        // A short source padded up to a long one's length: the same output, and no attention on the padding.
        string shortSource = "red blue green";
        string longSource = string.Join(' ', Enumerable.Repeat("gold pink", 6));
        var padded = fixture.Model.Translate([longSource, shortSource], new DecodingOptions { KeepAttention = true })[1];
        var unpadded = fixture.Model.Translate([shortSource], new DecodingOptions { KeepAttention = true })[0];
        Assert.Equal(unpadded.Text, padded.Text);
        Assert.Equal(unpadded.LogProbability, padded.LogProbability, 5);
        for (int step = 0; step < unpadded.Attention!.Count; step++)
        {
            Assert.Equal(3, padded.Attention![step].Length);
            for (int j = 0; j < 3; j++)
                Assert.Equal(unpadded.Attention[step][j], padded.Attention[step][j], 5);
        }
    }

    [Fact]
    public void ReferenceScoresAreTheModelsLogProbabilities()
    {
        var greedy = fixture.Model.Translate(Sources.Take(30).ToList());
        var scores = fixture.Model.ScoreTranslations(Sources.Take(30).ToList(), greedy.Select(t => t.Text).ToList(), out var unknown);
        for (int i = 0; i < scores.Length; i++)
            Assert.Equal(greedy[i].LogProbability, scores[i], 3);
        Assert.All(unknown, u => Assert.Equal(0, u));
        // A wrong translation is less likely than the right one.
        var wrong = fixture.Model.ScoreTranslations(["red blue green"], ["red blue green"], out _)[0];
        var right = fixture.Model.ScoreTranslations(["red blue green"], ["green blue red"], out _)[0];
        Assert.True(right > wrong + 5);
        var withUnknown = fixture.Model.ScoreTranslations(["red blue green"], ["green purple red"], out unknown);
        Assert.Equal(1, unknown[0]);
        Assert.True(withUnknown[0] < right);
    }

    [Fact]
    public void PipelineColumnsEvaluationAndAFreshProcessLoadGiveTheSameOutput()
    {
        var ml = fixture.Ml;
        var data = ml.Data.LoadFromEnumerable(fixture.Test.Take(40));
        var scored = fixture.Model.Transform(data);
        var texts = scored.GetColumn<string>("Translation").ToArray();
        var logp = scored.GetColumn<float>("LogProbability").ToArray();
        var attention = scored.GetColumn<float[]>("Attention").ToArray();
        var sourceTokens = scored.GetColumn<string[]>("SourceTokens").ToArray();
        var outputTokens = scored.GetColumn<string[]>("TranslationTokens").ToArray();
        var nBest = scored.GetColumn<string[]>("NBest").ToArray();
        Assert.Equal(References.Take(40), texts);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal((outputTokens[i].Length + 1) * sourceTokens[i].Length, attention[i].Length);
            Assert.Equal(texts[i], nBest[i][0]);
        }
        var metrics = ml.Translation().Evaluate(scored, labelColumnName: "Target");
        Assert.Equal(100.0, metrics.Bleu, 6);

        // Beam decoding chosen on the transformer is saved with it.
        var beamModel = fixture.Model.WithDecoding(new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = 3, NBest = 3 });
        string path = Path.Combine(Path.GetTempPath(), $"mlnet-seq-s2s-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(beamModel, data.Schema, path);
            var loaded = (Seq2SeqAttentionTransformer)new MLContext(seed: 9).Model.Load(path, out _);
            Assert.Equal(DecodingStrategy.BeamSearch, loaded.Decoding.Strategy);
            var before = beamModel.Transform(data);
            var after = loaded.Transform(data);
            Assert.Equal(before.GetColumn<string>("Translation"), after.GetColumn<string>("Translation"));
            Assert.Equal(before.GetColumn<float>("LogProbability"), after.GetColumn<float>("LogProbability"));
            Assert.Equal(before.GetColumn<float[]>("NBestScores").SelectMany(s => s), after.GetColumn<float[]>("NBestScores").SelectMany(s => s));
            Assert.Equal(3, after.GetColumn<string[]>("NBest").First().Length);

            // A prediction engine (one row per call) gives the batched output.
            var engine = new MLContext().Model.CreatePredictionEngine<Pair, Output>(loaded);
            Assert.Equal(References[0], engine.Predict(fixture.Test[0]).Translation);

            // A flipped byte in the weights: refused, with the component and the entry named.
            string entry = MLNet.Sequence.Tests.ZipSurgery.FlipByteInEntry(path, "TorchWeights", content => content.Length - 3, mask: 0x01);
            var damaged = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));
            var ours = Assert.IsType<FormatException>(damaged.InnerException);
            Assert.StartsWith("Loading the translation model (zip folder ", ours.Message);
            Assert.Contains($"entry '{entry}' is damaged", ours.Message);

            // Truncated: the zip itself is refused.
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var truncated = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));
            Assert.True(truncated is InvalidDataException or FormatException, truncated.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void UnknownSourceWordsTranslateAndUnknownOutputsCopyTheAttendedSourceWord()
    {
        var t = fixture.Model.Translate(["red qzxwvy blue gold"])[0];
        Assert.Equal(["red", "qzxwvy", "blue", "gold"], t.SourceTokens);
        Assert.Equal("gold", t.Tokens[0]);
        Assert.Equal("red", t.Tokens[^1]);

        // An unknown output token becomes the source token its step attends to most (OpenNMT's replace_unk);
        // known tokens stay, and without attention nothing can be copied.
        long unk = MLNet.Sequence.Torch.Data.TokenIndex.Unknown;
        var vocabulary = MLNet.Sequence.Torch.Data.TokenIndex.FromTokens(["gold", "red"]);
        float[][] attention = [[0.1f, 0.2f, 0.1f, 0.6f], [0.1f, 0.7f, 0.1f, 0.1f], [0.9f, 0f, 0f, 0.1f]];
        string[] source = ["red", "qzxwvy", "blue", "\uFFEDgold"];
        long[] ids = [vocabulary.IdOf("gold"), unk, vocabulary.IdOf("red")];
        Assert.Equal(["gold", "qzxwvy", "red"], Seq2SeqAttentionTransformer.OutputTokens(ids, vocabulary, source, attention, replaceUnknown: true));
        Assert.Equal(["gold", "<unk>", "red"], Seq2SeqAttentionTransformer.OutputTokens(ids, vocabulary, source, attention, replaceUnknown: false));
        Assert.Equal(["gold", "<unk>", "red"], Seq2SeqAttentionTransformer.OutputTokens(ids, vocabulary, source, null, replaceUnknown: true));
        // A copied token keeps its joiner, so it detokenises as it was written.
        Assert.Equal("\uFFEDgold", Seq2SeqAttentionTransformer.OutputTokens([unk], vocabulary, source, [[0f, 0f, 0f, 1f]], replaceUnknown: true)[0]);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var model = fixture.Model;
        Assert.Contains("Source 1 is empty", Assert.ThrowsAny<ArgumentException>(() => model.Translate(["red", "  "])).Message);
        Assert.Contains("BeamSize", Assert.ThrowsAny<ArgumentException>(() => model.Translate(["red"], new DecodingOptions { Strategy = DecodingStrategy.BeamSearch, BeamSize = 0 })).Message);
        Assert.Contains("Alpha", Assert.ThrowsAny<ArgumentException>(() => model.Translate(["red"], new DecodingOptions { Alpha = -1 })).Message);
        Assert.Contains("Alpha", Assert.ThrowsAny<ArgumentException>(() => model.WithDecoding(new DecodingOptions { Alpha = double.NaN })).Message);
        Assert.Contains("2 sources but 1 translations", Assert.ThrowsAny<ArgumentException>(() => model.ScoreTranslations(["a", "b"], ["a"], out _)).Message);

        // An empty source row fails at its row, with the column named.
        var ml = fixture.Ml;
        var rows = ml.Data.LoadFromEnumerable(new[] { new Pair { Source = "red blue" }, new Pair { Source = "" } });
        var e = Assert.ThrowsAny<Exception>(() => model.Transform(rows).GetColumn<string>("Translation").ToArray());
        Assert.Contains("Row 1 of column 'Source' is empty", Flatten(e));

        // A missing or mistyped source column.
        var other = ml.Data.LoadFromEnumerable(new[] { new { Text = "red", Number = 1f } });
        Assert.Contains("'Source'", Assert.ThrowsAny<Exception>(() => model.Transform(other)).Message);
        var numbers = ml.Data.LoadFromEnumerable(new[] { new { Source = 1f } });
        Assert.Contains("Text", Assert.ThrowsAny<Exception>(() => model.Transform(numbers)).Message);
    }

    [Fact]
    public void BadTrainingOptionsAreNamed()
    {
        var ml = fixture.Ml;
        var translation = ml.Translation().Trainers;
        void Refused(string name, Action<Seq2SeqAttentionTrainer.Options> change)
        {
            var o = ReversalModel.Options(AttentionType.Additive);
            change(o);
            Assert.Contains(name, Assert.ThrowsAny<ArgumentException>(() => translation.Seq2SeqAttention(o)).Message);
        }
        Refused("LearningRate", o => o.LearningRate = double.NaN);
        Refused("Dropout", o => o.Dropout = double.NaN);
        Refused("LabelSmoothing", o => o.LabelSmoothing = 1);
        Refused("TeacherForcingRatio", o => o.TeacherForcingRatio = 0);
        Refused("DecoderHiddenSize", o => { o.Attention = AttentionType.Dot; o.DecoderHiddenSize = 50; });
        Refused("BeamSize", o => o.Decoding = new DecodingOptions { BeamSize = 0 });
        Refused("FeedPreviousToken", o => { o.Attention = AttentionType.General; o.InputFeeding = false; o.FeedPreviousToken = false; });

        var wrongTarget = ml.Data.LoadFromEnumerable(new[] { new { Source = "red", Target = 2f } });
        Assert.Contains("Target", Assert.ThrowsAny<Exception>(() => translation.Seq2SeqAttention(ReversalModel.Options(AttentionType.Additive, 1)).Fit(wrongTarget)).Message);
        var empty = ml.Data.LoadFromEnumerable(new[] { new Pair { Source = "", Target = "x" } });
        Assert.Contains("no pairs", Assert.ThrowsAny<Exception>(() => translation.Seq2SeqAttention(ReversalModel.Options(AttentionType.Additive, 1)).Fit(empty)).Message);
    }

    private static string Flatten(Exception e) => e.InnerException == null ? e.Message : e.Message + " | " + Flatten(e.InnerException);

    public sealed class Output
    {
        public string Translation { get; set; } = "";
    }
}

/// <summary>The other attentions and training options, each on a short run.</summary>
public class TranslationVariantTests
{
    [Fact]
    public void LuongGeneralAttentionLearnsToReverseWithAttentionOnTheAlignedWord()
    {
        var ml = new MLContext(seed: 1);
        // One thread: libtorch's threaded sums made two-thread runs differ (0, 1 and 10 misses in three full runs).
        var options = ReversalModel.Options(AttentionType.General, epochs: 16);
        options.NumberOfThreads = 1;
        var model = ml.Translation().Trainers.Seq2SeqAttention(options).Fit(ml.Data.LoadFromEnumerable(TranslationData.Reversal(2000, 1)));
        var test = TranslationData.Reversal(200, 2);
        var translations = model.Translate(test.Select(p => p.Source).ToList(), new DecodingOptions { KeepAttention = true });
        // An untrained model reverses none; this one must reverse at least 97%.
        int wrong = test.Zip(translations, (p, t) => p.Target == t.Text ? 0 : 1).Sum();
        Assert.True(wrong <= 6, $"{wrong} of {test.Count} reversals wrong");
        // Attending from s(t), after the step, the weights peak on the very word being written.
        int steps = 0, aligned = 0;
        foreach (var t in translations)
            for (int step = 0; step < t.Tokens.Count; step++, steps++)
                aligned += Array.IndexOf(t.Attention![step], t.Attention[step].Max()) == t.SourceTokens.Count - 1 - step ? 1 : 0;
        Assert.True(aligned >= 0.97 * steps, $"attention peaks on the reversed position at {aligned} of {steps} steps");
    }

    [Fact]
    public void TheCurriculumsDateModelConfigurationTrainsAndEarlyStoppingFollowsBleu()
    {
        // Concatenation attention from s(t-1), a post-attention LSTM that reads only the context, no bridge;
        // label smoothing and scheduled sampling on; early stopping on validation BLEU.
        var ml = new MLContext(seed: 1);
        var options = ReversalModel.Options(AttentionType.Concat, epochs: 4);
        options.Encoder = new RecurrentEncoderOptions { CellType = RecurrentCellType.Lstm, HiddenSize = 32, Bidirectional = true };
        options.DecoderCell = RecurrentCellType.Lstm;
        options.AttentionHiddenSize = 10;
        options.FeedPreviousToken = false;
        options.Bridge = BridgeType.Zeros;
        options.LabelSmoothing = 0.1;
        options.TeacherForcingRatio = 0.9;
        options.EarlyStoppingMetric = TranslationEarlyStopping.Bleu;
        options.EarlyStoppingPatience = 2;
        var model = ml.Translation().Trainers.Seq2SeqAttention(options)
            .Fit(ml.Data.LoadFromEnumerable(TranslationData.Reversal(600, 3)), ml.Data.LoadFromEnumerable(TranslationData.Reversal(60, 4)));
        var epochs = model.TrainingHistory!.Epochs;
        Assert.True(epochs[^1].TrainingLoss < epochs[0].TrainingLoss);
        Assert.All(epochs, e => Assert.InRange(e.ValidationScore!.Value, 0, 100));
        int best = epochs.OrderByDescending(e => e.ValidationScore).ThenBy(e => e.Epoch).First().Epoch;
        Assert.Equal(best, model.TrainingHistory.BestEpoch);
        Assert.True(model.Translate(["red blue green"])[0].Tokens.Count > 0);
    }
}
