using System.Numerics.Tensors;

namespace MLNet.Sequence.Embeddings.Training;

/// <summary>Skip-gram: each context word's vector predicts the centre word (word2vec.c's order of the pair).</summary>
internal static class SkipGram
{
    /// <summary>Trains on one sub-sampled sentence with a window drawn uniformly from 1..<paramref name="window"/> per position.</summary>
    public static void TrainSentence(ReadOnlySpan<int> sentence, float[] vectors, int dim, int window, OutputLayers outputs, float alpha,
        ref FastRandom rng, float[] work, ref double loss, ref long predictions)
    {
        for (int pos = 0; pos < sentence.Length; pos++)
        {
            int word = sentence[pos];
            int reduced = window - rng.NextInt(window);
            int start = Math.Max(0, pos - reduced), end = Math.Min(sentence.Length, pos + reduced + 1);
            for (int c = start; c < end; c++)
            {
                if (c == pos)
                    continue;
                var input = vectors.AsSpan(sentence[c] * dim, dim);
                Array.Clear(work);
                loss += outputs.Update(input, word, alpha, ref rng, work);
                predictions++;
                TensorPrimitives.Add(input, work, input);
            }
        }
    }
}
