using System.Numerics.Tensors;

namespace MLNet.Sequence.Embeddings.Evaluation;

/// <summary>Accuracy on one section of an analogy file (e.g. "capital-common-countries").</summary>
/// <param name="Name">The section name, from its <c>: name</c> line.</param>
/// <param name="Correct">Questions answered correctly.</param>
/// <param name="Evaluated">Questions whose four words are all in the (restricted) vocabulary.</param>
/// <param name="Total">All questions of the section.</param>
public sealed record AnalogySection(string Name, int Correct, int Evaluated, int Total)
{
    /// <summary>Correct / Evaluated (0 when nothing was evaluated).</summary>
    public double Accuracy => Evaluated == 0 ? 0 : (double)Correct / Evaluated;
}

/// <summary>Result of <see cref="AnalogyEvaluation.Evaluate(WordVectors, string, AnalogyEvaluationOptions?)"/>.</summary>
/// <param name="Sections">Per-section results, in file order.</param>
/// <param name="Correct">Correct answers over all sections.</param>
/// <param name="Evaluated">Questions evaluated over all sections.</param>
/// <param name="Total">Questions in the file.</param>
public sealed record AnalogyResult(IReadOnlyList<AnalogySection> Sections, int Correct, int Evaluated, int Total)
{
    /// <summary>Correct / Evaluated: what gensim's <c>evaluate_word_analogies</c> reports as the total accuracy.</summary>
    public double Accuracy => Evaluated == 0 ? 0 : (double)Correct / Evaluated;

    /// <summary>Evaluated / Total: the share of questions the vocabulary could answer.</summary>
    public double Coverage => Total == 0 ? 0 : (double)Evaluated / Total;
}

/// <summary>Options of the analogy evaluation.</summary>
public sealed class AnalogyEvaluationOptions
{
    /// <summary>Use only the this many most frequent words, for the questions and the answers (0: all). gensim uses 300,000.</summary>
    public int RestrictVocabulary = 300_000;

    /// <summary>Compare words regardless of case (the first, most frequent spelling of a word stands for all).</summary>
    public bool CaseInsensitive = true;

    /// <summary>3CosAdd or 3CosMul.</summary>
    public AnalogyMethod Method = AnalogyMethod.CosAdd;
}

/// <summary>
/// Evaluates word vectors on analogy questions in the format of word2vec's <c>questions-words.txt</c>:
/// <c>: section</c> lines, then lines <c>a b c d</c> meaning a:b::c:d. A question counts as correct when
/// the best answer (a, b and c excluded) is d. Questions with a word outside the vocabulary are skipped
/// and lower the coverage, as in gensim.
/// </summary>
public static class AnalogyEvaluation
{
    /// <summary>Evaluates <paramref name="vectors"/> on the analogy file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is neither a section header nor four words; the message names the line.</exception>
    public static AnalogyResult Evaluate(WordVectors vectors, string path, AnalogyEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Analogy file '{path}' does not exist.", path);
        return Evaluate(vectors, File.ReadLines(path), options, path);
    }

    /// <summary>Evaluates <paramref name="vectors"/> on analogy lines already in memory.</summary>
    public static AnalogyResult Evaluate(WordVectors vectors, IEnumerable<string> lines, AnalogyEvaluationOptions? options = null, string source = "analogy lines")
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(lines);
        options ??= new AnalogyEvaluationOptions();
        int limit = options.RestrictVocabulary <= 0 ? vectors.Count : Math.Min(options.RestrictVocabulary, vectors.Count);
        var comparer = options.CaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var ids = new Dictionary<string, int>(limit, comparer);
        for (int i = 0; i < limit; i++)
            ids.TryAdd(vectors.Vocabulary[i], i); // the most frequent spelling wins

        var sections = new List<(string Name, List<int[]> Questions, int Total)>();
        int lineNumber = 0;
        foreach (var raw in lines)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
                continue;
            if (line[0] == ':')
            {
                sections.Add((line[1..].Trim(), new List<int[]>(), 0));
                continue;
            }
            var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 4)
                throw new InvalidDataException($"{source}, line {lineNumber}: expected four words 'a b c d', found {words.Length}.");
            if (sections.Count == 0)
                sections.Add(("(no section)", new List<int[]>(), 0));
            var s = sections[^1];
            var q = new int[4];
            bool known = true;
            for (int k = 0; k < 4 && known; k++)
                known = ids.TryGetValue(words[k], out q[k]);
            if (known)
                s.Questions.Add(q);
            sections[^1] = (s.Name, s.Questions, s.Total + 1);
        }

        var norms = vectors.Norms();
        var results = new List<AnalogySection>(sections.Count);
        foreach (var (name, questions, total) in sections)
        {
            int correct = 0;
            Parallel.For(0, questions.Count, () => new float[vectors.Dimension], (i, _, query) =>
            {
                if (Answer(vectors, norms, limit, questions[i], query, options.Method) == questions[i][3])
                    Interlocked.Increment(ref correct);
                return query;
            }, _ => { });
            results.Add(new AnalogySection(name, correct, questions.Count, total));
        }
        return new AnalogyResult(results, results.Sum(r => r.Correct), results.Sum(r => r.Evaluated), results.Sum(r => r.Total));
    }

    /// <summary>The best id for a:b::c:? among the first <paramref name="limit"/> words, excluding a, b and c.</summary>
    private static int Answer(WordVectors vectors, float[] norms, int limit, int[] q, float[] query, AnalogyMethod method)
    {
        float[] a = vectors.UnitRow(q[0]), b = vectors.UnitRow(q[1]), c = vectors.UnitRow(q[2]);
        var rows = vectors.Rows;
        if (method == AnalogyMethod.CosAdd)
        {
            TensorPrimitives.Subtract(b, a, query);
            TensorPrimitives.Add(query, c, query);
        }
        int best = -1;
        float bestScore = float.NegativeInfinity;
        for (int i = 0; i < limit; i++)
        {
            if (i == q[0] || i == q[1] || i == q[2] || norms[i] == 0)
                continue;
            var row = rows.Row(i);
            // gensim's most_similar: the raw row against the query, divided by the row's norm.
            float score = method == AnalogyMethod.CosAdd
                ? TensorPrimitives.Dot(row, query) / norms[i]
                : WordVectors.CosMul(row, norms[i], a, b, c);
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }
}
