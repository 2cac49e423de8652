namespace MLNet.Sequence.Embeddings.Training;

/// <summary>
/// σ(x) and -log σ(x) from tables of <see cref="Size"/> bins over [-<see cref="MaxExp"/>, <see cref="MaxExp"/>],
/// as word2vec.c looks them up: the inner loop of Word2Vec calls them billions of times.
/// </summary>
internal static class SigmoidTable
{
    /// <summary>Beyond ±6, σ is saturated (and word2vec.c skips hierarchical-softmax nodes).</summary>
    public const float MaxExp = 6f;
    private const int Size = 4096;
    private static readonly float[] s_sigmoid = Build(x => 1 / (1 + Math.Exp(-x)));
    private static readonly float[] s_negativeLogSigmoid = Build(x => Math.Log(1 + Math.Exp(-x)));

    /// <summary>σ(f), saturated outside the table.</summary>
    public static float Sigmoid(float f)
    {
        if (f >= MaxExp)
            return 1f;
        if (f <= -MaxExp)
            return 0f;
        return s_sigmoid[Bin(f)];
    }

    /// <summary>-log σ(x) = log(1 + e^-x), from the table inside [-6, 6] and exactly outside it.</summary>
    public static float NegativeLogSigmoid(float x)
    {
        if (x >= MaxExp || x <= -MaxExp)
            return MathF.Max(-x, 0) + MathF.Log(1 + MathF.Exp(-MathF.Abs(x)));
        return s_negativeLogSigmoid[Bin(x)];
    }

    /// <summary>The bin of x in (-6, 6). Float rounding maps the largest floats below 6 (5.9999995) to one past the
    /// last bin, so the index is capped.</summary>
    private static int Bin(float x) => Math.Min((int)((x + MaxExp) * (Size / (2 * MaxExp))), Size - 1);

    /// <summary>Each bin holds the function at its centre.</summary>
    private static float[] Build(Func<double, double> function)
    {
        var table = new float[Size];
        for (int i = 0; i < table.Length; i++)
            table[i] = (float)function((i + 0.5) / Size * 2 * MaxExp - MaxExp);
        return table;
    }
}
