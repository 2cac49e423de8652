using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MLNet.Sequence.Internal;
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

/// <summary>
/// Reads and writes <see cref="WordVectors"/> in the word2vec and GloVe formats, for tables of any size that
/// fits in memory: the rows are allocated once, from the header (or, for a headerless file, from a first pass
/// that counts its lines, as gensim does) after it has been checked against the file's length, and filled in
/// place, so loading needs about the table's own size, not twice.
/// </summary>
public static class WordVectorFile
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Loads a word-vector file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its format; <see cref="WordVectorFormat.Auto"/> guesses from the name and the first line.</param>
    /// <param name="limit">Read only the first this many words (gensim's <c>limit</c>: files list the most frequent words first); 0: all.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file and the line or word.</exception>
    /// <exception cref="InsufficientMemoryException">The table (or its first <paramref name="limit"/> words) does not fit in the memory this process may use.</exception>
    public static WordVectors Load(string path, WordVectorFormat format = WordVectorFormat.Auto, int limit = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Word-vector file '{path}' does not exist.", path);
        if (format == WordVectorFormat.Auto)
            format = path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ? WordVectorFormat.Word2VecBinary : WordVectorFormat.Word2VecText;
        return format switch
        {
            WordVectorFormat.Word2VecBinary => ReadBinary(path, limit),
            WordVectorFormat.Word2VecText => ReadText(path, headerAllowed: true, limit),
            WordVectorFormat.GloVeText => ReadText(path, headerAllowed: false, limit),
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
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
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
        // The shortest text that reads back to the same float is at most 15 characters.
        var line = new char[16 * vectors.Dimension];
        for (int i = 0; i < vectors.Count; i++)
        {
            writer.Write(vectors.Vocabulary[i]);
            int n = 0;
            foreach (float v in vectors.GetVector(i))
            {
                line[n++] = ' ';
                v.TryFormat(line.AsSpan(n), out int written, default, CultureInfo.InvariantCulture);
                n += written;
            }
            writer.Write(line, 0, n);
            writer.Write('\n');
        }
    }

    private static void WriteBinary(WordVectors vectors, Stream stream)
    {
        stream.Write(s_utf8.GetBytes(FormattableString.Invariant($"{vectors.Count} {vectors.Dimension}\n")));
        var word = new byte[256];
        for (int i = 0; i < vectors.Count; i++)
        {
            string w = vectors.Vocabulary[i];
            int length = s_utf8.GetMaxByteCount(w.Length);
            if (length > word.Length)
                word = new byte[length];
            length = s_utf8.GetBytes(w, word);
            stream.Write(word, 0, length);
            stream.WriteByte((byte)' ');
            stream.Write(MemoryMarshal.AsBytes(vectors.GetVector(i)));
            stream.WriteByte((byte)'\n'); // as word2vec.c writes it; readers skip it
        }
    }

    private static WordVectors ReadText(string path, bool headerAllowed, int limit)
    {
        long fileLength = new FileInfo(path).Length;
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), s_utf8,
            detectEncodingFromByteOrderMarks: true, 1 << 16);
        int lineNumber = 0;
        try
        {
            string? line;
            do
            {
                line = NextLine(reader, path, ref lineNumber);
                if (line == null)
                    throw new InvalidDataException($"Word-vector file '{path}' holds no vectors.");
            }
            while (line.AsSpan().Trim().IsEmpty);

            int rows, dimension;
            int? announced = null;
            var first = line.AsSpan().Trim();
            if (headerAllowed && CountFields(first) == 2)
            {
                // word2vec text starts with "count dimension"; a 1-dimensional GloVe table must say it is one.
                if (!TryParseHeader(first, out int count, out dimension))
                    throw Bad(path, lineNumber, $"'{first.ToString()}' is not a 'count dimension' header of two whole numbers (the dimension positive); " +
                        "for a headerless file of 1-dimensional vectors, read it as WordVectorFormat.GloVeText");
                CheckAnnounced(path, count, dimension, minimumRowBytes: 2L * dimension + 1, fileLength);
                announced = count;
                rows = limit > 0 ? Math.Min(count, limit) : count;
                line = null;
            }
            else
            {
                dimension = CountFields(first) - 1;
                if (dimension <= 0)
                    throw Bad(path, lineNumber, "expected a word and at least one number, found one field");
                rows = CountContentLines(path, limit);
            }
            if (rows == 0)
                throw new InvalidDataException($"Word-vector file '{path}' holds no vectors.");

            var table = Allocate(path, rows, dimension);
            var words = new string[rows];
            int filled = 0;
            while (filled < rows)
            {
                line ??= NextLine(reader, path, ref lineNumber);
                if (line == null)
                    break;
                var text = line.AsSpan().Trim();
                if (!text.IsEmpty)
                    words[filled] = ParseRow(text, table.Row(filled++), path, lineNumber);
                line = null;
            }
            // A limit reads the first words and stops; without one, the whole file must match its header.
            if (announced is int expected && (limit == 0 || limit > expected))
            {
                bool more = filled == expected && NextContentLine(reader, path, ref lineNumber);
                if (filled < rows || more)
                    throw new InvalidDataException(more
                        ? $"Word-vector file '{path}': the header announces {expected} words but line {lineNumber} holds one more."
                        : $"Word-vector file '{path}': the header announces {expected} words but the file holds {filled}; it may be truncated.");
            }
            return Build(path, words, table);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"Word-vector file '{path}', line {lineNumber + 1}: the bytes are not UTF-8 text. " +
                "Is it a word-vector file? A word2vec binary file is read with WordVectorFormat.Word2VecBinary (or a name ending in .bin).", e);
        }
    }

    /// <summary>The next line; a NUL character means the file is binary, not text.</summary>
    private static string? NextLine(StreamReader reader, string path, ref int lineNumber)
    {
        string? line = reader.ReadLine();
        if (line == null)
            return null;
        lineNumber++;
        if (line.Contains('\0'))
            throw Bad(path, lineNumber, "the line holds NUL bytes, so this is not a text file. Is it a word-vector file? " +
                "A word2vec binary file is read with WordVectorFormat.Word2VecBinary (or a name ending in .bin)");
        return line;
    }

    private static bool NextContentLine(StreamReader reader, string path, ref int lineNumber)
    {
        string? line;
        while ((line = NextLine(reader, path, ref lineNumber)) != null)
        {
            if (!line.AsSpan().Trim().IsEmpty)
                return true;
        }
        return false;
    }

    /// <summary>Parses "word v1 ... vd" into <paramref name="row"/> from the end, so that the word is what precedes the d numbers.</summary>
    private static string ParseRow(ReadOnlySpan<char> text, Span<float> row, string path, int lineNumber)
    {
        int dimension = row.Length;
        int fields = CountFields(text);
        if (fields != dimension + 1)
            throw Bad(path, lineNumber, $"expected a word and {dimension} numbers, found {fields} fields");
        int end = text.Length;
        for (int d = dimension - 1; d >= 0; d--)
        {
            int sep = text[..end].LastIndexOf(' ');
            var field = text[(sep + 1)..end];
            if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                throw Bad(path, lineNumber, $"'{field.ToString()}' is not a number");
            if (!float.IsFinite(v))
                throw Bad(path, lineNumber, $"value {d + 1} of the vector is {field.ToString()}; vectors must be finite");
            row[d] = v;
            end = sep;
            while (end > 0 && text[end - 1] == ' ')
                end--;
        }
        return text[..end].ToString();
    }

    /// <summary>Lines holding anything but white space, up to <paramref name="limit"/> (0: all): the rows of a headerless file.</summary>
    private static int CountContentLines(string path, int limit)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        long lines = 0;
        bool content = false;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            while (!span.IsEmpty)
            {
                int newline = span.IndexOf((byte)'\n');
                var part = newline < 0 ? span : span[..newline];
                content |= part.IndexOfAnyExcept(" \t\r"u8) >= 0;
                if (newline < 0)
                    break;
                lines += content ? 1 : 0;
                content = false;
                if (limit > 0 && lines >= limit)
                    return limit;
                span = span[(newline + 1)..];
            }
        }
        lines += content ? 1 : 0;
        if (lines > int.MaxValue)
            throw new InvalidDataException($"Word-vector file '{path}' holds {lines:N0} lines, more words than a table can index; read it with a limit.");
        return limit > 0 ? (int)Math.Min(lines, limit) : (int)lines;
    }

    private static WordVectors ReadBinary(string path, int limit)
    {
        long fileLength = new FileInfo(path).Length;
        using var reader = new ByteReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan));
        if (!reader.TryReadToken((byte)'\n', 256, skipNewlines: false, out var header))
            throw new InvalidDataException($"Word-vector file '{path}' is empty or its first line is not a 'count dimension' header.");
        string headerLine = Decode(header, path, "the header");
        if (!TryParseHeader(headerLine.AsSpan().Trim(), out int count, out int dimension))
            throw new InvalidDataException($"Word-vector file '{path}': the first line '{headerLine.Trim()}' is not a 'count dimension' header.");
        // Each row holds at least a one-byte word, a space and the vector's bytes.
        CheckAnnounced(path, count, dimension, minimumRowBytes: 4L * dimension + 2, fileLength - reader.Position);
        int rows = limit > 0 ? Math.Min(count, limit) : count;
        if (rows == 0)
            throw new InvalidDataException($"Word-vector file '{path}' holds no vectors.");

        var table = Allocate(path, rows, dimension);
        var words = new string[rows];
        for (int i = 0; i < rows; i++)
        {
            string what = $"word {i + 1} of {count}";
            if (!reader.TryReadToken((byte)' ', 1 << 16, skipNewlines: true, out var bytes))
                throw new InvalidDataException($"Word-vector file '{path}': the file ends inside {what}, or {what} is over 64 KiB long; it is truncated or not a word2vec binary file.");
            words[i] = Decode(bytes, path, what);
            if (!reader.ReadExactly(MemoryMarshal.AsBytes(table.Row(i))))
                throw new InvalidDataException($"Word-vector file '{path}': the vector of {what} ('{words[i]}') is cut short; the file is truncated.");
        }
        return Build(path, words, table);
    }

    private static string Decode(ReadOnlySpan<byte> bytes, string path, string what)
    {
        try
        {
            return s_utf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"Word-vector file '{path}': {what} is not valid UTF-8.", e);
        }
    }

    /// <summary>Refuses a header whose words cannot all be in the file, before anything is allocated for them.</summary>
    private static void CheckAnnounced(string path, int count, int dimension, long minimumRowBytes, long bytesLeft)
    {
        if (count > bytesLeft / minimumRowBytes)
            throw new InvalidDataException(FormattableString.Invariant(
                $"Word-vector file '{path}': the header announces {count:N0} words of {dimension:N0} values, which take at least {count * (double)minimumRowBytes:N0} bytes, but the file holds {bytesLeft:N0}; the header is wrong or the file is truncated."));
    }

    private static VectorRows Allocate(string path, int rows, int dimension)
    {
        double bytes = (double)rows * dimension * sizeof(float);
        double available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
            throw new InsufficientMemoryException(FormattableString.Invariant(
                $"Word-vector file '{path}': {rows:N0} vectors of {dimension} values need {bytes / (1L << 30):F1} GiB; this process may use {available / (1L << 30):F1} GiB. Load the most frequent words only, with a limit."));
        return VectorRows.Allocate(rows, dimension);
    }

    private static WordVectors Build(string path, string[] words, VectorRows table)
    {
        try
        {
            return new WordVectors(new Vocabulary(words), table);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Word-vector file '{path}': {e.PlainMessage()}", e);
        }
    }

    private static bool TryParseHeader(ReadOnlySpan<char> text, out int count, out int dimension)
    {
        count = dimension = 0;
        int space = text.IndexOfAny(' ', '\t');
        return space > 0
            && int.TryParse(text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && int.TryParse(text[(space + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out dimension)
            && dimension > 0;
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

    /// <summary>A forward-only reader of a binary file with its own buffer: words up to a terminator, and raw vector bytes.</summary>
    private sealed class ByteReader : IDisposable
    {
        private readonly Stream _stream;
        private readonly byte[] _buffer = new byte[1 << 20];
        private readonly List<byte> _token = new(64);
        private int _start, _end;
        private long _consumed;

        public ByteReader(Stream stream) => _stream = stream;

        /// <summary>Bytes consumed so far.</summary>
        public long Position => _consumed + _start;

        /// <summary>
        /// Reads the bytes before the next <paramref name="terminator"/> (which is consumed); false at the end of the file or
        /// past <paramref name="maxLength"/> bytes. With <paramref name="skipNewlines"/>, newlines in front are skipped
        /// (word2vec.c writes one after each vector, gensim does not). The token is valid until the next read.
        /// </summary>
        public bool TryReadToken(byte terminator, int maxLength, bool skipNewlines, out ReadOnlySpan<byte> token)
        {
            token = default;
            _token.Clear();
            while (true)
            {
                if (_start == _end && !Fill())
                    return false;
                var span = _buffer.AsSpan(_start, _end - _start);
                if (skipNewlines && _token.Count == 0)
                {
                    int content = span.IndexOfAnyExcept((byte)'\n');
                    if (content < 0)
                    {
                        _start = _end;
                        continue;
                    }
                    span = span[content..];
                    _start += content;
                }
                int at = span.IndexOf(terminator);
                if (at >= 0 && _token.Count == 0)
                {
                    // The common case: the whole token is in the buffer.
                    _start += at + 1;
                    token = span[..at];
                    return at <= maxLength;
                }
                int take = at >= 0 ? at : span.Length;
                _token.AddRange(span[..take]);
                _start += take + (at >= 0 ? 1 : 0);
                if (_token.Count > maxLength)
                    return false;
                if (at >= 0)
                {
                    token = CollectionsMarshal.AsSpan(_token);
                    return true;
                }
            }
        }

        /// <summary>Fills <paramref name="destination"/>; false if the file ends first.</summary>
        public bool ReadExactly(Span<byte> destination)
        {
            int fromBuffer = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, fromBuffer).CopyTo(destination);
            _start += fromBuffer;
            destination = destination[fromBuffer..];
            if (destination.IsEmpty)
                return true;
            if (destination.Length >= _buffer.Length)
            {
                // Long vectors go straight from the file; the (empty) buffer then starts after them.
                int read = _stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
                _consumed += _end + read;
                _start = _end = 0;
                return read == destination.Length;
            }
            if (!Fill() || _end - _start < destination.Length)
                return false;
            _buffer.AsSpan(_start, destination.Length).CopyTo(destination);
            _start += destination.Length;
            return true;
        }

        private bool Fill()
        {
            _consumed += _start;
            int left = _end - _start;
            _buffer.AsSpan(_start, left).CopyTo(_buffer);
            _start = 0;
            _end = left + _stream.ReadAtLeast(_buffer.AsSpan(left), _buffer.Length - left, throwOnEndOfStream: false);
            return _end > 0;
        }

        public void Dispose() => _stream.Dispose();
    }
}
