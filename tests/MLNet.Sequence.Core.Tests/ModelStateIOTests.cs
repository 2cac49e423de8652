using Microsoft.ML;
using MLNet.Sequence.Internal;

namespace MLNet.Sequence.Core.Tests;

/// <summary>
/// The persistence toolkit against ML.NET's real repository classes. These tests also guard the
/// publicizing technique: if an ML.NET upgrade renames or removes the internals we use, they fail here
/// first, with the member's name.
/// </summary>
public class ModelStateIOTests
{
    private static readonly VersionInfo s_version = new(modelSignature: "MLSQTEST", verWrittenCur: 0x00010001, verReadableCur: 0x00010001, verWeCanReadBack: 0x00010001, loaderSignature: "MLSeqTest", loaderAssemblyName: typeof(ModelStateIOTests).Assembly.FullName);
    private const string Dir = "Test";

    private static byte[] Save(Action<ModelSaveContext> write)
    {
        var env = new MLContext(1);
        using var stream = new MemoryStream();
        using (var rep = RepositoryWriter.CreateNew(stream, env))
        {
            var ctx = new ModelSaveContext(rep, Dir, "Model.key");
            ctx.SetVersionInfo(s_version);
            write(ctx);
            ctx.Done();
            rep.Commit();
        }
        return stream.ToArray();
    }

    private static T Load<T>(byte[] zip, Func<ModelLoadContext, T> read)
    {
        var env = new MLContext(1);
        using var stream = new MemoryStream(zip);
        using var rep = RepositoryReader.Open(stream, env);
        var entry = rep.OpenEntry(Dir, "Model.key");
        var ctx = new ModelLoadContext(rep, entry, Dir);
        ctx.CheckAtModel(s_version);
        var result = read(ctx);
        ctx.Done();
        return result;
    }

    [Fact]
    public void FloatsStringsLongsAndBlobsRoundTrip()
    {
        float[] floats = { 1.5f, -2.25f, 0f, float.Epsilon, 3.4e38f };
        string[] strings = { "the", "naïve", "日本", "" };
        long[] longs = { 0, 1, long.MaxValue };
        byte[] blob = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();

        var zip = Save(ctx =>
        {
            ctx.Writer.WriteFloats(floats);
            ctx.Writer.WriteStrings(strings);
            ctx.Writer.WriteLongs(longs);
            ctx.SaveBlob("weights.bin", blob);
        });
        var (f, s, l, b) = Load(zip, ctx => (
            ctx.Reader.ReadFloats("floats", floats.Length),
            ctx.Reader.ReadStrings("strings"),
            ctx.Reader.ReadLongs("longs", longs.Length),
            ctx.LoadBlob("weights.bin")));

        Assert.Equal(floats, f);
        Assert.Equal(strings, s);
        Assert.Equal(longs, l);
        Assert.Equal(blob, b);
    }

    [Fact]
    public void WrongLengthIsReportedWithTheItemName()
    {
        var zip = Save(ctx => ctx.Writer.WriteFloats(new float[] { 1, 2, 3 }));
        var e = Assert.Throws<FormatException>(() => Load(zip, ctx => ctx.Reader.ReadFloats("bias vector", expectedLength: 4)));
        Assert.Contains("bias vector", e.Message);
        Assert.Contains("expected 4", e.Message);
    }

    [Fact]
    public void NonFiniteValuesAreRejected()
    {
        var zip = Save(ctx => ctx.Writer.WriteFloats(new[] { 1f, float.NaN }));
        var e = Assert.Throws<FormatException>(() => Load(zip, ctx => ctx.Reader.ReadFloats("weights")));
        Assert.Contains("weights: value 1 is not a finite number", e.Message);
    }

    [Fact]
    public void TruncatedArrayIsReportedNotReadAsGarbage()
    {
        // A count that promises more than the stream holds, as in a truncated model.
        var zip = Save(ctx =>
        {
            ctx.Writer.Write(1_000_000);
            ctx.Writer.Write(1f);
        });
        var e = Assert.Throws<FormatException>(() => Load(zip, ctx => ctx.Reader.ReadFloats("embedding matrix")));
        Assert.Contains("embedding matrix", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void NegativeCountIsRejected()
    {
        var zip = Save(ctx => ctx.Writer.Write(-5));
        var e = Assert.Throws<FormatException>(() => Load(zip, ctx => ctx.Reader.ReadStrings("vocabulary")));
        Assert.Contains("negative length", e.Message);
    }

    [Fact]
    public void EntriesAreCheckedAgainstTheCrcsOfTheArchiveMLNetKeeps()
    {
        // ModelIntegrity reads ML.NET's private archive: if an upgrade moves it, this fails by name.
        var zip = Save(ctx => ctx.SaveBlob("weights.bin", Enumerable.Range(0, 4000).Select(i => (byte)i).ToArray()));
        Load(zip, ctx =>
        {
            ModelIntegrity.VerifyEntries(ctx);
            return 0;
        });

        // The same zip with the blob stored uncompressed and one of its bytes changed.
        var damaged = Recompressed(zip, "Test/weights.bin");
        int at = damaged.AsSpan().IndexOf(new byte[] { 100, 101, 102, 103 });
        damaged[at] ^= 1;
        var e = Assert.Throws<FormatException>(() => Load(damaged, ctx =>
        {
            ModelIntegrity.VerifyEntries(ctx);
            return 0;
        }));
        Assert.Contains("entry 'Test/weights.bin' is damaged", e.Message);
    }

    private static byte[] Recompressed(byte[] zip, string name)
    {
        using var stream = new MemoryStream();
        stream.Write(zip);
        using (var archive = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = archive.GetEntry(name)!;
            using var content = new MemoryStream();
            using (var s = entry.Open())
                s.CopyTo(content);
            entry.Delete();
            using var w = archive.CreateEntry(name, System.IO.Compression.CompressionLevel.NoCompression).Open();
            w.Write(content.ToArray());
        }
        return stream.ToArray();
    }

    [Fact]
    public void MissingBlobIsNamed()
    {
        var zip = Save(ctx => ctx.Writer.Write(0));
        var e = Assert.Throws<FormatException>(() => Load(zip, ctx => ctx.LoadBlob("state_dict.bin")));
        Assert.Contains("state_dict.bin", e.Message);
    }
}
