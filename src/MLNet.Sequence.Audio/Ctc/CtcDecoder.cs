using System.Text;

namespace MLNet.Sequence.Audio;

/// <summary>
/// Decodes CTC posteriors (frames x units of natural-log probabilities, frame-major) into transcripts: greedy (best unit
/// per frame, repeats collapsed, blanks dropped) and log-domain prefix beam search (Hannun et al. 2014) with shallow
/// fusion of a word n-gram model, a word bonus and hotword boosting. Word timings come from the most probable
/// alignment of the chosen units to the frames. Needs no libtorch: any acoustic model's posteriors can be decoded.
/// </summary>
public static class CtcDecoder
{
    /// <summary>The best unit at each frame, repeats collapsed and blanks dropped.</summary>
    public static CtcHypothesis Greedy(ReadOnlySpan<float> logProbs, int frames, CtcUnits units, double frameSeconds = 0.02)
    {
        Check(logProbs, frames, units);
        var sequence = new List<int>();
        double score = 0;
        int previous = -1;
        for (int t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * units.Count, units.Count);
            int best = 0;
            for (int u = 1; u < row.Length; u++)
                if (row[u] > row[best])
                    best = u;
            score += row[best];
            if (best != units.Blank && best != previous)
                sequence.Add(best);
            previous = best;
        }
        return Finish(logProbs, frames, units, sequence, score, 0, frameSeconds);
    }

    /// <summary>Prefix beam search; returns <see cref="CtcDecoderOptions.NBest"/> transcripts, best first.</summary>
    public static IReadOnlyList<CtcHypothesis> BeamSearch(ReadOnlySpan<float> logProbs, int frames, CtcUnits units, CtcDecoderOptions? options = null)
    {
        options ??= new CtcDecoderOptions();
        options.Check();
        Check(logProbs, frames, units);
        var scorer = new PrefixScorer(units, options);
        var root = new Prefix(null, -1, scorer.Root);
        var beams = new Dictionary<Prefix, (double Blank, double NonBlank)> { [root] = (0, double.NegativeInfinity) };
        var next = new Dictionary<Prefix, (double Blank, double NonBlank)>();
        var candidates = new List<int>();
        for (int t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * units.Count, units.Count);
            Candidates(row, units.Blank, options, candidates);
            next.Clear();
            foreach (var (prefix, (pb, pnb)) in beams)
            {
                double total = LogAdd(pb, pnb);
                foreach (int c in candidates)
                {
                    double p = row[c];
                    if (c == units.Blank)
                    {
                        Add(next, prefix, LogAdd(Get(next, prefix).Blank, total + p), null);
                        continue;
                    }
                    var extended = prefix.Extend(c, scorer);
                    if (c == prefix.Unit)
                    {
                        // A repeat only starts a new unit after a blank; without one it continues the same unit.
                        Add(next, extended, null, LogAdd(Get(next, extended).NonBlank, pb + p));
                        Add(next, prefix, null, LogAdd(Get(next, prefix).NonBlank, pnb + p));
                    }
                    else
                    {
                        Add(next, extended, null, LogAdd(Get(next, extended).NonBlank, total + p));
                    }
                }
            }
            // Keep the best BeamWidth by acoustic score plus the prefix's language-model and hotword terms.
            var kept = next.OrderByDescending(kv => LogAdd(kv.Value.Blank, kv.Value.NonBlank) + kv.Key.State.Score)
                .Take(options.BeamWidth).ToList();
            beams = kept.ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var (prefix, _) in kept)
                prefix.Prune(beams);
        }

        var finals = beams.Select(kv =>
        {
            double acoustic = LogAdd(kv.Value.Blank, kv.Value.NonBlank);
            var (lm, words) = scorer.Final(kv.Key.State);
            return (Prefix: kv.Key, Acoustic: acoustic, Lm: lm, Words: words);
        }).OrderByDescending(f => f.Acoustic + f.Lm).Take(options.NBest);
        var frozen = logProbs.ToArray();
        return finals.Select(f => Finish(frozen, frames, units, f.Prefix.Sequence(), f.Acoustic, f.Lm, options.FrameSeconds, f.Words)).ToList();
    }

    private static void Candidates(ReadOnlySpan<float> row, int blank, CtcDecoderOptions options, List<int> candidates)
    {
        candidates.Clear();
        for (int u = 0; u < row.Length; u++)
            if (u == blank || row[u] >= options.TokenMinLogProbability)
                candidates.Add(u);
        if (options.TokensPerFrame > 0 && candidates.Count > options.TokensPerFrame)
        {
            var top = row.ToArray();
            candidates.Sort((a, b) => top[b].CompareTo(top[a]));
            candidates.RemoveRange(options.TokensPerFrame, candidates.Count - options.TokensPerFrame);
            if (!candidates.Contains(blank))
                candidates.Add(blank);
        }
    }

    private static (double Blank, double NonBlank) Get(Dictionary<Prefix, (double Blank, double NonBlank)> beams, Prefix prefix) =>
        beams.TryGetValue(prefix, out var v) ? v : (double.NegativeInfinity, double.NegativeInfinity);

    private static void Add(Dictionary<Prefix, (double Blank, double NonBlank)> beams, Prefix prefix, double? blank, double? nonBlank)
    {
        var v = Get(beams, prefix);
        beams[prefix] = (blank ?? v.Blank, nonBlank ?? v.NonBlank);
    }

    // The hypothesis of a unit sequence; with a lexicon, its pronunciations spelled as the words the search chose
    // (chosen, one per word) or, where it chose none, as the lexicon's word for each.
    private static CtcHypothesis Finish(ReadOnlySpan<float> logProbs, int frames, CtcUnits units, List<int> sequence, double acoustic, double lm, double frameSeconds,
        string?[]? chosen = null)
    {
        var words = units.Words(sequence);
        var spelled = words.Select((w, i) => chosen != null && i < chosen.Length && chosen[i] is string c ? c : units.Word(w.Word)).ToArray();
        var spans = CtcAlignment.Align(logProbs, frames, units.Count, sequence, units.Blank);
        var timings = words.Select((w, i) => spans == null
            ? new WordTiming(spelled[i], double.NaN, double.NaN)
            : new WordTiming(spelled[i], spans[w.First].Start * frameSeconds, (spans[w.Last].End + 1) * frameSeconds)).ToArray();
        return new CtcHypothesis(string.Join(' ', spelled), sequence.ToArray(), acoustic + lm, acoustic, lm, timings);
    }

    private static void Check(ReadOnlySpan<float> logProbs, int frames, CtcUnits units)
    {
        ArgumentNullException.ThrowIfNull(units);
        if (frames < 0 || (long)frames * units.Count != logProbs.Length)
            throw new ArgumentException($"{logProbs.Length} log-probabilities are not {frames} frames of {units.Count} units", nameof(logProbs));
        for (int i = 0; i < logProbs.Length; i++)
            if (float.IsNaN(logProbs[i]) || logProbs[i] > 1e-3f)
                throw new ArgumentException($"frame {i / units.Count}, unit {i % units.Count} has {logProbs[i]}, which is not a log-probability", nameof(logProbs));
    }

    internal static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
            return b;
        if (double.IsNegativeInfinity(b))
            return a;
        double max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }

    /// <summary>A node of the prefix trie: one unit sequence, with its language-model state, shared by every beam that reaches it.</summary>
    private sealed class Prefix
    {
        private Dictionary<int, Prefix>? _children;

        public Prefix(Prefix? parent, int unit, PrefixScorer.State state)
        {
            Parent = parent;
            Unit = unit;
            State = state;
        }

        public Prefix? Parent { get; }

        public int Unit { get; }

        public PrefixScorer.State State { get; }

        public Prefix Extend(int unit, PrefixScorer scorer)
        {
            _children ??= [];
            if (!_children.TryGetValue(unit, out var child))
                _children[unit] = child = new Prefix(this, unit, scorer.Extend(State, unit));
            return child;
        }

        // Forget children that fell out of the beam, so the trie holds only what the beam can still reach.
        public void Prune(Dictionary<Prefix, (double, double)> alive)
        {
            if (_children == null)
                return;
            foreach (var unit in _children.Where(kv => !alive.ContainsKey(kv.Value) && kv.Value._children == null).Select(kv => kv.Key).ToList())
                _children.Remove(unit);
        }

        public List<int> Sequence()
        {
            var units = new List<int>();
            for (var p = this; p.Parent != null; p = p.Parent)
                units.Add(p.Unit);
            units.Reverse();
            return units;
        }
    }
}
