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
/// (<see cref="WordVectorFile"/>). Instances are immutable and safe to share between threads.
/// </summary>
public sealed class WordVectors
{
    private readonly float[] _matrix;
    private float[]? _unitMatrix;

    /// <summary>Creates a table from a vocabulary and a row-major matrix of <c>vocabulary.Count x dimension</c> values.</summary>
    /// <exception cref="ArgumentException">The matrix has the wrong size or holds a NaN or infinity.</exception>
    public WordVectors(Vocabulary vocabulary, float[] matrix, int dimension)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(matrix);
        if (dimension <= 0)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be positive.");
        if ((long)vocabulary.Count * dimension != matrix.Length)
            throw new ArgumentException(
                $"The matrix has {matrix.Length} values; {vocabulary.Count} words x {dimension} dimensions need {(long)vocabulary.Count * dimension}.",
                nameof(matrix));
        int bad = Internal.ModelStateIO.IndexOfNonFinite(matrix);
        if (bad >= 0)
            throw new ArgumentException($"The vector of '{vocabulary[bad / dimension]}' holds {matrix[bad]} at position {bad % dimension}.", nameof(matrix));
        Vocabulary = vocabulary;
        Dimension = dimension;
        _matrix = matrix;
    }

    /// <summary>The words and their counts; word ids index the rows of <see cref="EmbeddingMatrix"/>.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Number of words.</summary>
    public int Count => Vocabulary.Count;

    /// <summary>Length of each vector.</summary>
    public int Dimension { get; }

    /// <summary>The embedding matrix E: <see cref="Count"/> rows of <see cref="Dimension"/> values, row-major.</summary>
    public ReadOnlyMemory<float> EmbeddingMatrix => _matrix;

    /// <summary>The vector of the word with id <paramref name="id"/>.</summary>
    public ReadOnlySpan<float> GetVector(int id)
    {
        if ((uint)id >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Word ids run from 0 to {Count - 1}.");
        return _matrix.AsSpan(id * Dimension, Dimension);
    }

    /// <summary>The vector of <paramref name="word"/>; throws naming the word if it is not in the table.</summary>
    public ReadOnlySpan<float> GetVector(string word) => GetVector(IdOf(word));

    /// <summary>Finds the vector of a word.</summary>
    public bool TryGetVector(ReadOnlySpan<char> word, out ReadOnlySpan<float> vector)
    {
        if (Vocabulary.TryGetId(word, out int id))
        {
            vector = _matrix.AsSpan(id * Dimension, Dimension);
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
        var unit = UnitMatrix();
        ReadOnlySpan<float> va = UnitRow(ia), vb = UnitRow(ib), vc = UnitRow(ic);
        var top = new TopK(count);
        for (int i = 0; i < limit; i++)
        {
            if (skip.Contains(i))
                continue;
            var row = unit.AsSpan(i * Dimension, Dimension);
            // Shift cosines to [0, 1] so that the product and the ratio are well behaved.
            float cosA = (1 + TensorPrimitives.Dot(row, va)) / 2;
            float cosB = (1 + TensorPrimitives.Dot(row, vb)) / 2;
            float cosC = (1 + TensorPrimitives.Dot(row, vc)) / 2;
            top.Offer(i, cosB * cosC / (cosA + 1e-3f));
        }
        return top.ToList(Vocabulary);
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
    internal ReadOnlySpan<float> UnitRow(int id) => UnitMatrix().AsSpan(id * Dimension, Dimension);

    /// <summary>The rows of E scaled to unit length; computed once, on first use.</summary>
    internal float[] UnitMatrix()
    {
        var unit = _unitMatrix;
        if (unit != null)
            return unit;
        unit = new float[_matrix.Length];
        for (int i = 0; i < Count; i++)
        {
            var src = _matrix.AsSpan(i * Dimension, Dimension);
            float norm = TensorPrimitives.Norm(src);
            if (norm > 0)
                TensorPrimitives.Divide(src, norm, unit.AsSpan(i * Dimension, Dimension));
        }
        Interlocked.CompareExchange(ref _unitMatrix, unit, null);
        return _unitMatrix!;
    }

    /// <summary>The best rows by cosine similarity to <paramref name="query"/>, skipping ids in <paramref name="skip"/>.</summary>
    internal IReadOnlyList<WordSimilarity> Nearest(ReadOnlySpan<float> query, int count, HashSet<int> skip, int restrictVocabulary)
    {
        if (count <= 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, "Ask for at least one word.");
        float norm = TensorPrimitives.Norm(query);
        if (norm == 0)
            return Array.Empty<WordSimilarity>();
        var unit = UnitMatrix();
        int limit = Limit(restrictVocabulary);
        var top = new TopK(count);
        for (int i = 0; i < limit; i++)
        {
            if (skip.Count > 0 && skip.Contains(i))
                continue;
            top.Offer(i, TensorPrimitives.Dot(unit.AsSpan(i * Dimension, Dimension), query) / norm);
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
