using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Sequence.Embeddings.Tests;

/// <summary>Fitted pipelines with our transformers go into an ML.NET model zip and come back whole.</summary>
public class PersistenceTests
{
    private static (ITransformer Model, IDataView Data, MLContext Ml) FitPipeline()
    {
        var ml = new MLContext(3);
        var data = ml.Data.LoadFromEnumerable(SyntheticCorpus.Sentences(1500).Select(s => new TextRow { Text = s }));
        var pipeline = ml.Transforms.Text.NormalizeText("Clean", "Text")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Clean"))
            .Append(ml.Transforms.Text.Word2Vec("Vec", "Tokens", new Word2VecEstimator.Options
            {
                Dimension = 16,
                MinimumCount = 2,
                Epochs = 2,
                NumberOfThreads = 1,
                Pooling = EmbeddingPooling.Sum,
            }));
        return (pipeline.Fit(data), data, ml);
    }

    [Fact]
    public void SavedPipelineLoadsInAFreshContextWithIdenticalOutput()
    {
        using var dir = new TempDir();
        var (model, data, ml) = FitPipeline();
        string path = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, path);

        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out var inputSchema);
        // The input schema saved with the model: the pipeline's one input column, as the data had it.
        Assert.Equal(new[] { "Text" }, inputSchema.Where(c => !c.IsHidden).Select(c => c.Name));
        Assert.IsType<TextDataViewType>(inputSchema["Text"].Type);
        var chain = Assert.IsAssignableFrom<IEnumerable<ITransformer>>(loaded);
        var w2v = Assert.IsType<Word2VecTransformer>(chain.Last());
        var original = (Word2VecTransformer)((IEnumerable<ITransformer>)model).Last();
        Assert.Equal(original.Vectors.Vocabulary.Words, w2v.Vectors.Vocabulary.Words);
        Assert.Equal(original.Vectors.Vocabulary.Counts, w2v.Vectors.Vocabulary.Counts);
        Assert.Equal(original.Vectors.EmbeddingMatrix.ToArray(), w2v.Vectors.EmbeddingMatrix.ToArray());
        Assert.Equal(EmbeddingPooling.Sum, w2v.Pooling);
        Assert.Null(w2v.TrainingSummary);
        Assert.Equal(new[] { ("Vec", "Tokens") }, w2v.Columns);

        var before = model.Transform(data).GetColumn<float[]>("Vec").ToArray();
        var after = loaded.Transform(fresh.Data.LoadFromEnumerable(SyntheticCorpus.Sentences(1500).Select(s => new TextRow { Text = s })))
            .GetColumn<float[]>("Vec").ToArray();
        Assert.Equal(before.Length, after.Length);
        for (int i = 0; i < before.Length; i++)
            Assert.Equal(before[i], after[i]);

        // The prediction engine path (row-to-row mapper) works after loading too.
        var engine = fresh.Model.CreatePredictionEngine<TextRow, VecRow>(loaded);
        Assert.Equal(before[0], engine.Predict(new TextRow { Text = SyntheticCorpus.Sentences(1).First() }).Vec);
    }

    [Fact]
    public void AppliedTableRoundTripsToo()
    {
        using var dir = new TempDir();
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "king queen" } });
        var model = ml.Transforms.Text.ApplyWordVectors(WordVectorsTests.RoyalTable(), "Vec", "Text").Fit(data);
        string path = dir.File("applied.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = Assert.IsType<WordVectorsTransformer>(new MLContext().Model.Load(path, out _));
        Assert.Equal(new[] { 0.5f, 0.5f, 1f, 0.1f }, loaded.Transform(data).GetColumn<float[]>("Vec").Single());
    }

    [Fact]
    public void TruncatedZipGivesAClearError()
    {
        using var dir = new TempDir();
        var (model, data, ml) = FitPipeline();
        string path = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));
        Assert.True(e is InvalidDataException or FormatException, e.ToString());
    }

    [Fact]
    public void CorruptedTransformerEntryIsReportedByName()
    {
        using var dir = new TempDir();
        var (model, data, ml) = FitPipeline();
        string path = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, path);

        // Overwrite the first value of the Word2Vec transformer's embedding matrix with NaN, keeping every
        // length intact, as a flipped bit on disk would: the loader must refuse it, naming what is wrong.
        var original = (Word2VecTransformer)((IEnumerable<ITransformer>)model).Last();
        var firstRow = System.Runtime.InteropServices.MemoryMarshal.AsBytes(original.Vectors.GetVector(0)).ToArray();
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var (entry, content, at) = zip.Entries.ToList()
                .Select(e => (Entry: e, Content: ReadAll(e)))
                .Select(x => (x.Entry, x.Content, At: x.Content.AsSpan().IndexOf(firstRow)))
                .Single(x => x.At >= 0);
            BitConverter.GetBytes(float.NaN).CopyTo(content, at);
            string name = entry.FullName;
            entry.Delete();
            using var s = zip.CreateEntry(name).Open();
            s.Write(content);
        }
        var ex = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));
        var all = string.Join(" | ", Flatten(ex).Select(x => x.Message));
        Assert.True(Flatten(ex).Any(x => x is FormatException), all);
        Assert.True(all.Contains("embedding matrix"), all);
    }

    [Fact]
    public void AByteFlippedInsideAnEntryIsRefusedByItsCrcAndTheUserSeesWhy()
    {
        using var dir = new TempDir();
        var ml = new MLContext(1);
        var table = WordVectorsTests.RoyalTable();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "king queen" } });
        var model = ml.Transforms.Text.NormalizeText("Clean", "Text").Append(ml.Transforms.Text.ApplyWordVectors(table, "V", "Clean")).Fit(data);
        string path = dir.File("model.zip");
        ml.Model.Save(model, data.Schema, path);

        // One bit of the mantissa of king's first value: still a finite number, so no other check can tell.
        var king = System.Runtime.InteropServices.MemoryMarshal.AsBytes(table.GetVector("king")).ToArray();
        string entry = MLNet.Sequence.Tests.ZipSurgery.FlipByteInEntry(path, "Transform_001/Model.key", content => content.AsSpan().IndexOf(king) + 1);

        var e = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));
        // What a user sees: ML.NET's reflection wrappers (one per pipeline level), then this library's message.
        Assert.IsType<System.Reflection.TargetInvocationException>(e);
        var ours = Assert.IsType<FormatException>(e.InnerException!.InnerException);
        Assert.StartsWith("Loading the word-vectors transformer (zip folder 'TransformerChain/Transform_001') failed: ", ours.Message);
        Assert.Contains($"The model zip's entry '{entry}' is damaged", ours.Message);
        Assert.Contains("CRC-32", ours.Message);
        Assert.Contains($"entry '{entry}' is damaged", e.GetBaseException().Message);

        // A lone transformer's error is the first inner exception.
        string lone = dir.File("lone.zip");
        ml.Model.Save(ml.Transforms.Text.ApplyWordVectors(table, "V", "Text").Fit(data), data.Schema, lone);
        MLNet.Sequence.Tests.ZipSurgery.FlipByteInEntry(lone, "Model.key", content => content.AsSpan().IndexOf(king) + 1);
        var e2 = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(lone, out _));
        Assert.StartsWith("Loading the word-vectors transformer", Assert.IsType<FormatException>(e2.InnerException).Message);
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var s = entry.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            yield return x;
    }

    public sealed class VecRow
    {
        public float[] Vec { get; set; } = Array.Empty<float>();
    }
}
