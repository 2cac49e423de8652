using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings;

/// <summary>The word-vector file formats that gensim, word2vec.c, fastText and GloVe read and write.</summary>
public enum WordVectorFormat
{
    /// <summary>Guess from the file: <c>.bin</c> means <see cref="Word2VecBinary"/>; otherwise text, with or without a header.</summary>
    Auto = 0,

    /// <summary>word2vec.c text (also fastText's <c>.vec</c>): a "count dimension" header line, then "word v1 ... vd" lines.</summary>
    Word2VecText = 1,

    /// <summary>word2vec.c binary: the text header, then per word its UTF-8 bytes, a space and d little-endian 32-bit floats.</summary>
    Word2VecBinary = 2,

    /// <summary>GloVe text: "word v1 ... vd" lines with no header.</summary>
    GloVeText = 3,
}

/// <summary>Reads and writes <see cref="WordVectors"/> in the word2vec and GloVe formats.</summary>
public static class WordVectorFile
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Loads a word-vector file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file and the line or word.</exception>
    public static WordVectors Load(string path, WordVectorFormat format = WordVectorFormat.Auto)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Word-vector file '{path}' does not exist.", path);
        if (format == WordVectorFormat.Auto)
            format = path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ? WordVectorFormat.Word2VecBinary : WordVectorFormat.Word2VecText;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return format switch
        {
            WordVectorFormat.Word2VecBinary => ReadBinary(stream, path),
            WordVectorFormat.Word2VecText or WordVectorFormat.GloVeText => ReadText(stream, path),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown word-vector format."),
        };
    }

    /// <summary>Saves <paramref name="vectors"/> in <paramref name="format"/> (Auto: binary for <c>.bin</c>, else word2vec text).</summary>
    public static void Save(WordVectors vectors, string path, WordVectorFormat format = WordVectorFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (format == WordVectorFormat.Auto)
            format = path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ? WordVectorFormat.Word2VecBinary : WordVectorFormat.Word2VecText;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        switch (format)
        {
            case WordVectorFormat.Word2VecBinary:
                WriteBinary(vectors, stream);
                break;
            case WordVectorFormat.Word2VecText:
            case WordVectorFormat.GloVeText:
                WriteText(vectors, stream, header: format == WordVectorFormat.Word2VecText);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown word-vector format.");
        }
    }

    private static void WriteText(WordVectors vectors, Stream stream, bool header)
    {
        using var writer = new StreamWriter(stream, s_utf8, 1 << 16);
        writer.NewLine = "\n";
        if (header)
            writer.WriteLine(FormattableString.Invariant($"{vectors.Count} {vectors.Dimension}"));
        var sb = new StringBuilder();
        for (int i = 0; i < vectors.Count; i++)
        {
            sb.Clear().Append(vectors.Vocabulary[i]);
            foreach (float v in vectors.GetVector(i))
                sb.Append(' ').Append(v.ToString("R", CultureInfo.InvariantCulture));
            writer.WriteLine(sb);
        }
    }

    private static void WriteBinary(WordVectors vectors, Stream stream)
    {
        var header = s_utf8.GetBytes(FormattableString.Invariant($"{vectors.Count} {vectors.Dimension}\n"));
        stream.Write(header);
        for (int i = 0; i < vectors.Count; i++)
        {
            stream.Write(s_utf8.GetBytes(vectors.Vocabulary[i]));
            stream.WriteByte((byte)' ');
            stream.Write(MemoryMarshal.AsBytes(vectors.GetVector(i)));
            stream.WriteByte((byte)'\n'); // as word2vec.c writes it; readers skip it
        }
    }

    private static WordVectors ReadText(Stream stream, string path)
    {
        using var reader = new StreamReader(stream, s_utf8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        var words = new List<string>();
        var values = new List<float>();
        int dimension = -1, expectedCount = -1, lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            var text = line.AsSpan().TrimEnd();
            if (text.IsEmpty)
                continue;
            if (lineNumber == 1 && TryParseHeader(text, out int headerCount, out int headerDimension))
            {
                expectedCount = headerCount;
                dimension = headerDimension;
                continue;
            }
            // A word2vec text file without its header reads as a GloVe file: the first line sets the dimension.
            int fields = CountFields(text);
            if (dimension < 0)
                dimension = fields - 1;
            if (dimension <= 0 || fields != dimension + 1)
                throw Bad(path, lineNumber, $"expected a word and {Math.Max(dimension, 1)} numbers, found {fields} fields");
            int end = text.Length;
            int start0 = values.Count;
            CollectionsMarshal.SetCount(values, start0 + dimension);
            var dest = CollectionsMarshal.AsSpan(values).Slice(start0, dimension);
            for (int d = dimension - 1; d >= 0; d--)
            {
                int sep = text[..end].LastIndexOf(' ');
                var field = text[(sep + 1)..end];
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw Bad(path, lineNumber, $"'{field.ToString()}' is not a number");
                if (!float.IsFinite(v))
                    throw Bad(path, lineNumber, $"value {d + 1} of the vector is {field.ToString()}; vectors must be finite");
                dest[d] = v;
                end = sep;
                while (end > 0 && text[end - 1] == ' ')
                    end--;
            }
            if (end <= 0)
                throw Bad(path, lineNumber, $"expected a word and {dimension} numbers, found no word");
            words.Add(text[..end].TrimStart().ToString());
        }
        if (expectedCount >= 0 && words.Count != expectedCount)
            throw new InvalidDataException($"Word-vector file '{path}': the header announces {expectedCount} words but the file holds {words.Count}; it may be truncated.");
        if (words.Count == 0)
            throw new InvalidDataException($"Word-vector file '{path}' holds no vectors.");
        return Build(words, values.ToArray(), dimension, path);
    }

    private static WordVectors ReadBinary(Stream stream, string path)
    {
        string headerLine = ReadToken(stream, path, "the header", '\n');
        if (!TryParseHeader(headerLine.AsSpan().Trim(), out int count, out int dimension))
            throw new InvalidDataException($"Word-vector file '{path}': the first line '{headerLine}' is not a 'count dimension' header.");
        var words = new List<string>(count);
        var matrix = new float[(long)count * dimension];
        var bytes = MemoryMarshal.AsBytes(matrix.AsSpan());
        int rowBytes = dimension * sizeof(float);
        for (int i = 0; i < count; i++)
        {
            string word = ReadToken(stream, path, $"word {i + 1} of {count}", ' ');
            words.Add(word);
            if (stream.ReadAtLeast(bytes.Slice(i * rowBytes, rowBytes), rowBytes, throwOnEndOfStream: false) != rowBytes)
                throw new InvalidDataException($"Word-vector file '{path}': the vector of word {i + 1} of {count} ('{word}') is cut short; the file is truncated.");
            int bad = Internal.ModelStateIO.IndexOfNonFinite(matrix.AsSpan(i * dimension, dimension));
            if (bad >= 0)
                throw new InvalidDataException($"Word-vector file '{path}': the vector of '{word}' holds {matrix[i * dimension + bad]} at position {bad + 1}; vectors must be finite.");
        }
        return Build(words, matrix, dimension, path);
    }

    /// <summary>Reads bytes up to <paramref name="terminator"/>, skipping leading newlines (word2vec.c writes one after each vector, gensim does not).</summary>
    private static string ReadToken(Stream stream, string path, string what, char terminator)
    {
        var buffer = new List<byte>(32);
        while (true)
        {
            int b = stream.ReadByte();
            if (b < 0)
                throw new InvalidDataException($"Word-vector file '{path}': the file ends inside {what}; it is truncated.");
            if (b == terminator)
            {
                if (buffer.Count == 0 && terminator == ' ')
                    continue;
                break;
            }
            if (buffer.Count == 0 && b == '\n')
                continue;
            buffer.Add((byte)b);
            if (buffer.Count > 1 << 16)
                throw new InvalidDataException($"Word-vector file '{path}': {what} is over 64 KiB long; this is not a word2vec binary file.");
        }
        try
        {
            return s_utf8.GetString(CollectionsMarshal.AsSpan(buffer));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"Word-vector file '{path}': {what} is not valid UTF-8.", e);
        }
    }

    private static WordVectors Build(List<string> words, float[] matrix, int dimension, string path)
    {
        var seen = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++)
        {
            if (!seen.TryAdd(words[i], i))
                throw new InvalidDataException($"Word-vector file '{path}': '{words[i]}' appears twice (vectors {seen[words[i]] + 1} and {i + 1}).");
        }
        return new WordVectors(new Vocabulary(words), matrix, dimension);
    }

    private static bool TryParseHeader(ReadOnlySpan<char> text, out int count, out int dimension)
    {
        count = dimension = 0;
        int space = text.IndexOf(' ');
        return space > 0
            && int.TryParse(text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && int.TryParse(text[(space + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out dimension)
            && count >= 0 && dimension > 0;
    }

    private static int CountFields(ReadOnlySpan<char> text)
    {
        int fields = 0;
        bool inField = false;
        foreach (char ch in text)
        {
            bool space = ch == ' ';
            if (!space && !inField)
                fields++;
            inField = !space;
        }
        return fields;
    }

    private static InvalidDataException Bad(string path, int line, string what) =>
        new($"Word-vector file '{path}', line {line}: {what}.");
}
