using System.Numerics.Tensors;
using MLNet.Sequence.Text;

namespace MLNet.Sequence.Embeddings;

/// <summary>A word and how similar it is to a query (cosine similarity, or the 3CosMul score).</summary>
/// <param name="Word">The word.</param>
/// <param name="Similarity">Its score; higher is more similar.</param>
public readonly record struct WordSimilarity(string Word, float Similarity);

/// <summary>How an analogy a:b::c:? is answered.</summary>
public enum AnalogyMethod
{
    /// <summary>3CosAdd (Mikolov et al. 2013): the word closest to b - a + c, on unit vectors.</summary>
    CosAdd = 0,

    /// <summary>3CosMul (Levy and Goldberg 2014): argmax cos(d,b) cos(d,c) / (cos(d,a) + 0.001), cosines shifted to [0, 1].</summary>
    CosMul = 1,
}

/// <summary>
/// A table of word vectors: the vocabulary (with frequencies) and the embedding matrix E, one row per
/// word. Answers similarity, nearest-neighbour, analogy and odd-one-out queries with
/// System.Numerics.Tensors; reads and writes the word2vec and GloVe file formats
/// (<see cref="WordVectorFile"/>). Tables of any size that fits in memory are held without a second copy:
/// queries keep one norm per row, not unit-length copies of the rows. Instances are immutable and safe to
/// share between threads.
/// </summary>
public sealed class WordVectors
{
    private readonly VectorRows _rows;
    private float[]? _norms;

    /// <summary>Creates a table from a vocabulary and a row-major matrix of <c>vocabulary.Count x dimension</c> values.</summary>
    /// <exception cref="ArgumentException">The matrix has the wrong size or holds a NaN or infinity.</exception>
    public WordVectors(Vocabulary vocabulary, float[] matrix, int dimension)
        : this(vocabulary, CheckMatrix(vocabulary, matrix, dimension))
    {
    }

    /// <summary>A table over rows already laid out for <paramref name="vocabulary"/> (loaders fill them in place).</summary>
    internal WordVectors(Vocabulary vocabulary, VectorRows rows)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (rows.Count != vocabulary.Count)
            throw new ArgumentException($"The table has {rows.Count} rows for {vocabulary.Count} words.", nameof(rows));
        var (row, position) = rows.FirstNonFinite();
        if (row >= 0)
            throw new ArgumentException($"The vector of '{vocabulary[row]}' holds {rows.Row(row)[position]} at position {position}.", "matrix");
        Vocabulary = vocabulary;
        Dimension = rows.Width;
        _rows = rows;
    }

    private static VectorRows CheckMatrix(Vocabulary vocabulary, float[] matrix, int dimension)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(matrix);
        if (dimension <= 0)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be positive.");
        if ((long)vocabulary.Count * dimension != matrix.Length)
            throw new ArgumentException(
                $"The matrix has {matrix.Length} values; {vocabulary.Count} words x {dimension} dimensions need {(long)vocabulary.Count * dimension}.",
                nameof(matrix));
        return VectorRows.Wrap(matrix, dimension);
    }

    /// <summary>The words and their counts; word ids index the rows of <see cref="EmbeddingMatrix"/>.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Number of words.</summary>
    public int Count => Vocabulary.Count;

    /// <summary>Length of each vector.</summary>
    public int Dimension { get; }

    /// <summary>
    /// The embedding matrix E: <see cref="Count"/> rows of <see cref="Dimension"/> values, row-major. A table
    /// of more than <see cref="Array.MaxLength"/> values is held in several blocks and has no single matrix:
    /// read it with <see cref="GetVector(int)"/> or <see cref="CopyRows"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The table is larger than one array.</exception>
    public ReadOnlyMemory<float> EmbeddingMatrix => _rows.Blocks.Count == 1
        ? _rows.Blocks[0]
        : throw new InvalidOperationException(FormattableString.Invariant(
            $"This table of {Count:N0} x {Dimension} values is larger than one array ({Array.MaxLength:N0} values), so it is held in {_rows.Blocks.Count} blocks; read it with GetVector or CopyRows."));

    /// <summary>The rows, block by block.</summary>
    internal VectorRows Rows => _rows;

    /// <summary>Copies the vectors of words <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 into <paramref name="destination"/>, row-major.</summary>
    public void CopyRows(int first, int count, Span<float> destination)
    {
        if (first < 0 || count < 0 || (long)first + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows {first} to {(long)first + count - 1} are outside the table's 0 to {Count - 1}.");
        if ((long)count * Dimension > destination.Length)
            throw new ArgumentException($"{count} rows need {(long)count * Dimension} values; the destination holds {destination.Length}.", nameof(destination));
        while (count > 0)
        {
            var run = _rows.Run(first, count);
            run.CopyTo(destination);
            destination = destination[run.Length..];
            first += run.Length / Dimension;
            count -= run.Length / Dimension;
        }
    }

    /// <summary>The vector of the word with id <paramref name="id"/>.</summary>
    public ReadOnlySpan<float> GetVector(int id)
    {
        if ((uint)id >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Word ids run from 0 to {Count - 1}.");
        return _rows.Row(id);
    }

    /// <summary>The vector of <paramref name="word"/>; throws naming the word if it is not in the table.</summary>
    public ReadOnlySpan<float> GetVector(string word) => GetVector(IdOf(word));

    /// <summary>Finds the vector of a word.</summary>
    public bool TryGetVector(ReadOnlySpan<char> word, out ReadOnlySpan<float> vector)
    {
        if (Vocabulary.TryGetId(word, out int id))
        {
            vector = _rows.Row(id);
            return true;
        }
        vector = default;
        return false;
    }

    /// <summary>Cosine similarity of two words.</summary>
    public float Similarity(string word1, string word2) =>
        TensorPrimitives.CosineSimilarity(GetVector(word1), GetVector(word2));

    /// <summary>The <paramref name="count"/> words most similar to <paramref name="word"/> (the word itself excluded).</summary>
    /// <param name="word">The query word.</param>
    /// <param name="count">How many neighbours.</param>
    /// <param name="exclude">More words to leave out of the answer.</param>
    /// <param name="restrictVocabulary">Search only the this many most frequent words (0: all).</param>
    public IReadOnlyList<WordSimilarity> MostSimilar(string word, int count = 10, IEnumerable<string>? exclude = null, int restrictVocabulary = 0) =>
        MostSimilar(new[] { word }, Array.Empty<string>(), count, exclude, restrictVocabulary);

    /// <summary>
    /// The words closest to the mean of the unit vectors of <paramref name="positive"/> minus those of
    /// <paramref name="negative"/> (gensim's <c>most_similar</c>); the query words are excluded.
    /// </summary>
    public IReadOnlyList<WordSimilarity> MostSimilar(IEnumerable<string> positive, IEnumerable<string> negative, int count = 10,
        IEnumerable<string>? exclude = null, int restrictVocabulary = 0)
    {
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentNullException.ThrowIfNull(negative);
        var query = new float[Dimension];
        var skip = new HashSet<int>();
        int terms = 0;
        foreach (var (words, sign) in new[] { (positive, 1f), (negative, -1f) })
        {
            foreach (var w in words)
            {
                int id = IdOf(w);
                TensorPrimitives.MultiplyAdd(UnitRow(id), sign, query, query);
                skip.Add(id);
                terms++;
            }
        }
        if (terms == 0)
            throw new ArgumentException("Give at least one positive or negative word.", nameof(positive));
        AddExclusions(skip, exclude);
        return Nearest(query, count, skip, restrictVocabulary);
    }

    /// <summary>The <paramref name="count"/> words whose vectors have the highest cosine similarity to <paramref name="vector"/>.</summary>
    public IReadOnlyList<WordSimilarity> MostSimilar(ReadOnlySpan<float> vector, int count = 10, IEnumerable<string>? exclude = null, int restrictVocabulary = 0)
    {
        CheckDimension(vector, nameof(vector));
        var skip = new HashSet<int>();
        AddExclusions(skip, exclude);
        return Nearest(vector, count, skip, restrictVocabulary);
    }

    /// <summary>
    /// Answers a:b::c:? ("man is to king as woman is to ?"), excluding a, b and c from the answers.
    /// </summary>
    public IReadOnlyList<WordSimilarity> Analogy(string a, string b, string c, int count = 1, AnalogyMethod method = AnalogyMethod.CosAdd, int restrictVocabulary = 0)
    {
        if (method == AnalogyMethod.CosAdd)
            return MostSimilar(new[] { b, c }, new[] { a }, count, null, restrictVocabulary);
        if (method != AnalogyMethod.CosMul)
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown analogy method.");

        int ia = IdOf(a), ib = IdOf(b), ic = IdOf(c);
        var skip = new HashSet<int> { ia, ib, ic };
        int limit = Limit(restrictVocabulary);
        var norms = Norms();
        float[] va = UnitRow(ia), vb = UnitRow(ib), vc = UnitRow(ic);
        var top = new TopK(count);
        for (int i = 0; i < limit; i++)
        {
            if (skip.Contains(i) || norms[i] == 0)
                continue;
            top.Offer(i, CosMul(_rows.Row(i), norms[i], va, vb, vc));
        }
        return top.ToList(Vocabulary);
    }

    /// <summary>
    /// 3CosMul of a row with norm <paramref name="norm"/> against unit vectors a, b, c: cosines shifted to [0, 1]
    /// so that the product and the ratio are well behaved.
    /// </summary>
    internal static float CosMul(ReadOnlySpan<float> row, float norm, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c)
    {
        float cosA = (1 + TensorPrimitives.Dot(row, a) / norm) / 2;
        float cosB = (1 + TensorPrimitives.Dot(row, b) / norm) / 2;
        float cosC = (1 + TensorPrimitives.Dot(row, c) / norm) / 2;
        return cosB * cosC / (cosA + 1e-3f);
    }

    /// <summary>The word that fits least with the others: the one least similar to the mean of their unit vectors.</summary>
    public string DoesntMatch(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var ids = words.Select(IdOf).Distinct().ToArray();
        if (ids.Length < 2)
            throw new ArgumentException("Give at least two different words.", nameof(words));
        var mean = new float[Dimension];
        foreach (int id in ids)
            TensorPrimitives.Add(mean, UnitRow(id), mean);
        TensorPrimitives.Divide(mean, TensorPrimitives.Norm(mean), mean);
        return Vocabulary[ids.MinBy(id => TensorPrimitives.Dot(UnitRow(id), mean))];
    }

    /// <summary>Unit-length copy of the vector of <paramref name="id"/> (zero vectors stay zero).</summary>
    internal float[] UnitRow(int id)
    {
        var unit = _rows.Row(id).ToArray();
        float norm = Norms()[id];
        if (norm > 0)
            TensorPrimitives.Divide(unit, norm, unit);
        return unit;
    }

    /// <summary>The L2 norm of every row; computed once, on first use (one float per word, as gensim keeps).</summary>
    internal float[] Norms()
    {
        var norms = _norms;
        if (norms != null)
            return norms;
        norms = new float[Count];
        for (int i = 0; i < norms.Length; i++)
            norms[i] = TensorPrimitives.Norm<float>(_rows.Row(i));
        Interlocked.CompareExchange(ref _norms, norms, null);
        return _norms!;
    }

    /// <summary>The best rows by cosine similarity to <paramref name="query"/>, skipping ids in <paramref name="skip"/>.</summary>
    internal IReadOnlyList<WordSimilarity> Nearest(ReadOnlySpan<float> query, int count, HashSet<int> skip, int restrictVocabulary)
    {
        if (count <= 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, "Ask for at least one word.");
        float queryNorm = TensorPrimitives.Norm(query);
        if (queryNorm == 0)
            return Array.Empty<WordSimilarity>();
        var norms = Norms();
        int limit = Limit(restrictVocabulary);
        var top = new TopK(count);
        for (int i = 0; i < limit; i++)
        {
            if ((skip.Count > 0 && skip.Contains(i)) || norms[i] == 0)
                continue;
            top.Offer(i, TensorPrimitives.Dot(_rows.Row(i), query) / norms[i] / queryNorm);
        }
        return top.ToList(Vocabulary);
    }

    private int Limit(int restrictVocabulary)
    {
        if (restrictVocabulary < 0)
            throw new ArgumentOutOfRangeException(nameof(restrictVocabulary), restrictVocabulary, "Use 0 for the whole vocabulary.");
        return restrictVocabulary == 0 ? Count : Math.Min(restrictVocabulary, Count);
    }

    private void AddExclusions(HashSet<int> skip, IEnumerable<string>? exclude)
    {
        if (exclude == null)
            return;
        foreach (var w in exclude)
        {
            if (Vocabulary.TryGetId(w, out int id))
                skip.Add(id);
        }
    }

    private int IdOf(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (!Vocabulary.TryGetId(word, out int id))
            throw new KeyNotFoundException($"'{word}' is not in the word-vector table ({Count} words).");
        return id;
    }

    private void CheckDimension(ReadOnlySpan<float> vector, string paramName)
    {
        if (vector.Length != Dimension)
            throw new ArgumentException($"The vector has {vector.Length} values; this table's vectors have {Dimension}.", paramName);
    }

    /// <summary>Keeps the k best (id, score) pairs seen so far.</summary>
    private sealed class TopK
    {
        private readonly int _k;
        private readonly PriorityQueue<int, float> _heap;

        public TopK(int k)
        {
            _k = k;
            _heap = new PriorityQueue<int, float>(k + 1);
        }

        public void Offer(int id, float score)
        {
            if (float.IsNaN(score))
                return;
            if (_heap.Count < _k)
                _heap.Enqueue(id, score);
            else if (_heap.TryPeek(out _, out float worst) && score > worst)
                _heap.EnqueueDequeue(id, score);
        }

        public IReadOnlyList<WordSimilarity> ToList(Vocabulary vocabulary)
        {
            var result = new List<WordSimilarity>(_heap.Count);
            while (_heap.TryDequeue(out int id, out float score))
                result.Add(new WordSimilarity(vocabulary[id], score));
            result.Reverse();
            return result;
        }
    }
}
