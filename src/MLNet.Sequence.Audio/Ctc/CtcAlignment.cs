namespace MLNet.Sequence.Audio;

/// <summary>The most probable CTC path of a known unit sequence (Viterbi over the blank-interleaved sequence): which frames each unit occupies.</summary>
internal static class CtcAlignment
{
    /// <summary>First and last frame of each unit, or null when the frames cannot hold the sequence.</summary>
    public static (int Start, int End)[]? Align(ReadOnlySpan<float> logProbs, int frames, int unitCount, IReadOnlyList<int> sequence, int blank)
    {
        int length = sequence.Count;
        if (length == 0)
            return [];
        int states = 2 * length + 1; // blank, u1, blank, u2, ..., blank
        int Label(int s) => (s & 1) == 0 ? blank : sequence[s >> 1];
        var score = new double[states];
        var next = new double[states];
        var from = new int[frames * states];
        Array.Fill(score, double.NegativeInfinity);
        score[0] = logProbs[blank];
        score[1] = logProbs[Label(1)];
        for (int t = 1; t < frames; t++)
        {
            var row = logProbs.Slice(t * unitCount, unitCount);
            for (int s = 0; s < states; s++)
            {
                double best = score[s];
                int arg = s;
                if (s >= 1 && score[s - 1] > best)
                    (best, arg) = (score[s - 1], s - 1);
                if (s >= 2 && Label(s) != blank && Label(s) != Label(s - 2) && score[s - 2] > best)
                    (best, arg) = (score[s - 2], s - 2);
                next[s] = best + row[Label(s)];
                from[t * states + s] = arg;
            }
            (score, next) = (next, score);
        }
        int state = states == 1 || score[states - 1] >= score[states - 2] ? states - 1 : states - 2;
        if (double.IsNegativeInfinity(score[state]))
            return null;
        var spans = new (int Start, int End)[length];
        for (int i = 0; i < length; i++)
            spans[i] = (-1, -1);
        for (int t = frames - 1; t >= 0; t--)
        {
            if ((state & 1) == 1)
            {
                int unit = state >> 1;
                spans[unit] = (t, spans[unit].End < 0 ? t : spans[unit].End);
            }
            if (t > 0)
                state = from[t * states + state];
        }
        return spans;
    }
}
