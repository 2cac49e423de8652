namespace MLNet.Sequence.Embeddings.Tests;

public class WordVectorFileTests
{
    [Theory]
    [InlineData("v.txt", WordVectorFormat.Word2VecText)]
    [InlineData("v.bin", WordVectorFormat.Word2VecBinary)]
    [InlineData("v.glove", WordVectorFormat.GloVeText)]
    public void RoundTripsExactly(string name, WordVectorFormat format)
    {
        using var dir = new TempDir();
        var table = WordVectorsTests.RoyalTable();
        string path = dir.File(name);
        WordVectorFile.Save(table, path, format);
        var back = WordVectorFile.Load(path, format);
        Assert.Equal(table.Vocabulary.Words, back.Vocabulary.Words);
        Assert.Equal(table.EmbeddingMatrix.ToArray(), back.EmbeddingMatrix.ToArray());
    }

    [Fact]
    public void ReadsGensimStyleTextAndBinaryWithoutTrailingNewlines()
    {
        using var dir = new TempDir();
        string text = dir.File("gensim.txt");
        File.WriteAllText(text, "2 3\nthe 0.1 -0.2 3e-1\nnaïve 1 2 3\n");
        var t = WordVectorFile.Load(text);
        Assert.Equal(new[] { "the", "naïve" }, t.Vocabulary.Words);
        Assert.Equal(new[] { 0.1f, -0.2f, 0.3f }, t.GetVector("the").ToArray());

        // gensim's binary writer puts no newline after a vector; word2vec.c's does. Both must read.
        string bin = dir.File("gensim.bin");
        using (var s = File.Create(bin))
        {
            s.Write("2 2\n"u8);
            s.Write("a "u8);
            s.Write(BitConverter.GetBytes(1f));
            s.Write(BitConverter.GetBytes(2f));
            s.Write("b "u8);
            s.Write(BitConverter.GetBytes(3f));
            s.Write(BitConverter.GetBytes(-4f));
        }
        var b = WordVectorFile.Load(bin);
        Assert.Equal(new[] { 3f, -4f }, b.GetVector("b").ToArray());
    }

    [Fact]
    public void ReadsGloVeFilesWithoutHeaderInAutoMode()
    {
        using var dir = new TempDir();
        string path = dir.File("glove.6B.txt");
        File.WriteAllText(path, "the 0.5 0.25\n, -1 1\n");
        var t = WordVectorFile.Load(path);
        Assert.Equal(2, t.Dimension);
        Assert.Equal(new[] { "the", "," }, t.Vocabulary.Words);
    }

    [Theory]
    [InlineData("2 2\na 1 2\nb 1 nan\n", "line 3", "finite")]
    [InlineData("2 2\na 1 2\nb 1\n", "line 3", "found 2 fields")]
    [InlineData("2 2\na 1 2\nb 1 2 3\n", "line 3", "found 4 fields")]
    [InlineData("3 2\na 1 2\nb 1 2\n", "announces 3 words", "truncated")]
    [InlineData("2 2\na 1 2\na 3 4\n", "'a' appears twice", "")]
    [InlineData("1 2\na 1 x\n", "line 2", "'x' is not a number")]
    [InlineData("", "holds no vectors", "")]
    public void MalformedTextFilesAreReportedWithLine(string content, string expected1, string expected2)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.txt");
        File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidDataException>(() => WordVectorFile.Load(path));
        Assert.Contains(expected1, e.Message);
        Assert.Contains(expected2, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TruncatedOrCorruptBinaryFilesAreReported()
    {
        using var dir = new TempDir();
        string good = dir.File("good.bin");
        WordVectorFile.Save(WordVectorsTests.RoyalTable(), good);
        var bytes = File.ReadAllBytes(good);

        string cut = dir.File("cut.bin");
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 10)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => WordVectorFile.Load(cut)).Message);

        string noHeader = dir.File("noheader.bin");
        File.WriteAllBytes(noHeader, "hello world\n"u8.ToArray());
        Assert.Contains("header", Assert.Throws<InvalidDataException>(() => WordVectorFile.Load(noHeader)).Message);

        string nan = dir.File("nan.bin");
        var withNaN = (byte[])bytes.Clone();
        int firstVector = Array.IndexOf(withNaN, (byte)' ', Array.IndexOf(withNaN, (byte)'\n')) + 1;
        BitConverter.GetBytes(float.NaN).CopyTo(withNaN, firstVector);
        File.WriteAllBytes(nan, withNaN);
        Assert.Contains("'man'", Assert.Throws<InvalidDataException>(() => WordVectorFile.Load(nan)).Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => WordVectorFile.Load("/no/such/vectors.txt"));
        Assert.Contains("/no/such/vectors.txt", e.Message);
    }
}

/// <summary>What a new user hit loading real files: limits, headers that lie, files that are not vectors at all.</summary>
public class WordVectorFileInputTests
{
    [Theory]
    [InlineData("v.txt", WordVectorFormat.Word2VecText)]
    [InlineData("v.bin", WordVectorFormat.Word2VecBinary)]
    [InlineData("v.glove", WordVectorFormat.GloVeText)]
    public void LimitReadsTheFirstWordsOnly(string name, WordVectorFormat format)
    {
        using var dir = new TempDir();
        var table = WordVectorsTests.RoyalTable();
        string path = dir.File(name);
        WordVectorFile.Save(table, path, format);
        var first3 = WordVectorFile.Load(path, format, limit: 3);
        Assert.Equal(table.Vocabulary.Words.Take(3), first3.Vocabulary.Words);
        Assert.Equal(table.GetVector("king").ToArray(), first3.GetVector("king").ToArray());
        Assert.Equal(table.Count, WordVectorFile.Load(path, format, limit: 1000).Count);
    }

    [Theory]
    [InlineData("20000000 100")]
    [InlineData("3000000 300")]
    [InlineData("1 999999999")]
    public void BinaryHeaderIsCheckedAgainstTheFileLengthBeforeAnythingIsAllocated(string header)
    {
        using var dir = new TempDir();
        string path = dir.File("lying.bin");
        var bytes = new byte[500];
        System.Text.Encoding.ASCII.GetBytes(header + "\n").CopyTo(bytes, 0);
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => WordVectorFile.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(path, e.Message);
        Assert.Contains("header announces", e.Message);
        Assert.Contains("but the file holds", e.Message);
        Assert.True(allocated < 8 << 20, $"allocated {allocated} bytes before refusing the header");
    }

    [Fact]
    public void TextHeaderIsCheckedAgainstTheFileLength()
    {
        using var dir = new TempDir();
        string path = dir.File("lying.txt");
        File.WriteAllText(path, "20000000 100\na 1 2\n");
        var e = Assert.Throws<InvalidDataException>(() => WordVectorFile.Load(path));
        Assert.Contains("header announces 20,000,000 words", e.Message);
    }

    [Fact]
    public void AFileThatIsNotTextIsRefusedWithItsName()
    {
        using var dir = new TempDir();
        // A model zip given where a vectors file was expected.
        var ml = new Microsoft.ML.MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a b" } });
        string zip = dir.File("model.zip");
        ml.Model.Save(ml.Transforms.Text.ApplyWordVectors(WordVectorsTests.RoyalTable(), "V", "Text").Fit(data), data.Schema, zip);
        var e = Assert.Throws<InvalidDataException>(() => WordVectorFile.Load(zip));
        Assert.Contains(zip, e.Message);
        Assert.Contains("Word2VecBinary", e.Message);

        // Invalid UTF-8 without NUL bytes.
        string latin1 = dir.File("latin1.txt");
        File.WriteAllBytes(latin1, new byte[] { (byte)'1', (byte)' ', (byte)'2', (byte)'\n', 0xE9, (byte)' ', (byte)'1', (byte)' ', (byte)'2', (byte)'\n' });
        var e2 = Assert.Throws<InvalidDataException>(() => WordVectorFile.Load(latin1));
        Assert.Contains(latin1, e2.Message);
        Assert.Contains("not UTF-8", e2.Message);
        Assert.IsType<System.Text.DecoderFallbackException>(e2.InnerException);
    }

    [Theory]
    [InlineData("3 2.5\na 1 2\n")]
    [InlineData("vocab 300\na 1 2\n")]
    [InlineData("-3 2\na 1 2\n")]
    [InlineData("3000000000 300\na 1 2\n")]
    public void AFirstLineOfTwoFieldsThatIsNoHeaderIsReportedAtLineOne(string content)
    {
        using var dir = new TempDir();
        string path = dir.File("bad-header.txt");
        File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidDataException>(() => WordVectorFile.Load(path));
        Assert.Contains("line 1", e.Message);
        Assert.Contains("not a 'count dimension' header", e.Message);
        Assert.Contains("GloVeText", e.Message);
    }

    [Fact]
    public void OneDimensionalGloVeFilesReadAsGloVeText()
    {
        using var dir = new TempDir();
        string path = dir.File("one.txt");
        File.WriteAllText(path, "the 0.5\r\n\r\nof -1\n   \n");
        var t = WordVectorFile.Load(path, WordVectorFormat.GloVeText);
        Assert.Equal(new[] { "the", "of" }, t.Vocabulary.Words);
        Assert.Equal(new[] { -1f }, t.GetVector("of").ToArray());
    }

    [Fact]
    public void MoreRowsThanTheHeaderAnnouncesIsAnError()
    {
        using var dir = new TempDir();
        string path = dir.File("more.txt");
        File.WriteAllText(path, "1 2\na 1 2\nb 3 4\n");
        var e = Assert.Throws<InvalidDataException>(() => WordVectorFile.Load(path));
        Assert.Contains("announces 1 words but line 3 holds one more", e.Message);
        Assert.Equal(new[] { "a" }, WordVectorFile.Load(path, limit: 1).Vocabulary.Words);
    }

    [Fact]
    public void ANegativeLimitIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WordVectorFile.Load("x.txt", limit: -1));
    }
}
