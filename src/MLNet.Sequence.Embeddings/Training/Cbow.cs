using System.Numerics.Tensors;

namespace MLNet.Sequence.Embeddings.Training;

/// <summary>Continuous bag of words: the mean of the context vectors predicts the centre word.</summary>
internal static class Cbow
{
    /// <summary>Trains on one sub-sampled sentence with a window drawn uniformly from 1..<paramref name="window"/> per position.</summary>
    public static void TrainSentence(ReadOnlySpan<int> sentence, float[] vectors, int dim, int window, OutputLayers outputs, float alpha,
        ref FastRandom rng, float[] work, float[] hidden, ref double loss, ref long predictions)
    {
        for (int pos = 0; pos < sentence.Length; pos++)
        {
            int reduced = window - rng.NextInt(window);
            int start = Math.Max(0, pos - reduced), end = Math.Min(sentence.Length, pos + reduced + 1);
            Array.Clear(hidden);
            int contexts = 0;
            for (int c = start; c < end; c++)
            {
                if (c == pos)
                    continue;
                TensorPrimitives.Add(hidden, vectors.AsSpan(sentence[c] * dim, dim), hidden);
                contexts++;
            }
            if (contexts == 0)
                continue;
            TensorPrimitives.Multiply(hidden, 1f / contexts, hidden);
            Array.Clear(work);
            loss += outputs.Update(hidden, sentence[pos], alpha, ref rng, work);
            predictions++;
            // Every context word gets the whole error, as word2vec.c and gensim (cbow_mean) do.
            for (int c = start; c < end; c++)
            {
                if (c == pos)
                    continue;
                var input = vectors.AsSpan(sentence[c] * dim, dim);
                TensorPrimitives.Add(input, work, input);
            }
        }
    }
}
