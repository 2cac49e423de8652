namespace MLNet.Sequence.Metrics;

/// <summary>What one step of an alignment between a reference and a hypothesis does.</summary>
public enum EditOperation
{
    /// <summary>The tokens are equal.</summary>
    Match,
    /// <summary>A reference token was recognised as another.</summary>
    Substitution,
    /// <summary>A reference token is missing from the hypothesis.</summary>
    Deletion,
    /// <summary>The hypothesis has a token the reference does not.</summary>
    Insertion,
}

/// <summary>One step of an alignment: the operation and the tokens it pairs (null on the side that has none).</summary>
/// <param name="Operation">Match, substitution, deletion or insertion.</param>
/// <param name="Reference">The reference token; null for an insertion.</param>
/// <param name="Hypothesis">The hypothesis token; null for a deletion.</param>
public readonly record struct AlignmentStep(EditOperation Operation, string? Reference, string? Hypothesis);

/// <summary>Substitution, deletion and insertion counts against a reference length; the error rate is their sum over it.</summary>
/// <param name="Substitutions">Reference tokens recognised as other tokens.</param>
/// <param name="Deletions">Reference tokens missing.</param>
/// <param name="Insertions">Extra hypothesis tokens.</param>
/// <param name="Hits">Reference tokens recognised correctly.</param>
public readonly record struct ErrorCounts(long Substitutions, long Deletions, long Insertions, long Hits)
{
    /// <summary>Tokens in the reference: S + D + hits.</summary>
    public long ReferenceLength => Substitutions + Deletions + Hits;

    /// <summary>Edits: S + D + I.</summary>
    public long Errors => Substitutions + Deletions + Insertions;

    /// <summary>(S + D + I) / N; infinity when the reference is empty and there are insertions, 0 when both are empty.</summary>
    public double Rate => ReferenceLength == 0 ? (Insertions == 0 ? 0 : double.PositiveInfinity) : (double)Errors / ReferenceLength;

    /// <summary>Adds two sets of counts (corpus rates are sums of counts, not means of rates).</summary>
    public static ErrorCounts operator +(ErrorCounts a, ErrorCounts b) =>
        new(a.Substitutions + b.Substitutions, a.Deletions + b.Deletions, a.Insertions + b.Insertions, a.Hits + b.Hits);
}

/// <summary>
/// A minimal Levenshtein alignment of a hypothesis to a reference (every edit costs 1). Among alignments of equal cost
/// the one reported prefers, walking back from the end, a match or substitution, then a deletion, then an insertion,
/// so that S, D and I are the same for the same pair every time.
/// </summary>
public sealed class EditAlignment
{
    private EditAlignment(AlignmentStep[] steps, ErrorCounts counts)
    {
        Steps = steps;
        Counts = counts;
    }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<AlignmentStep> Steps { get; }

    /// <summary>The counts of the alignment.</summary>
    public ErrorCounts Counts { get; }

    /// <summary>Aligns two token sequences.</summary>
    /// <exception cref="ArgumentException">The two together are too long for a table of their edit distances (over 2^28 cells).</exception>
    public static EditAlignment Align(IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(hypothesis);
        int n = reference.Count, m = hypothesis.Count;
        long cells = (long)(n + 1) * (m + 1);
        if (cells > 1 << 28)
            throw new ArgumentException($"a reference of {n:N0} and a hypothesis of {m:N0} tokens are too long to align (split them into utterances)", nameof(reference));
        var cost = new int[n + 1, m + 1];
        for (int i = 0; i <= n; i++)
            cost[i, 0] = i;
        for (int j = 0; j <= m; j++)
            cost[0, j] = j;
        for (int i = 1; i <= n; i++)
        {
            for (int j = 1; j <= m; j++)
            {
                int diagonal = cost[i - 1, j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1);
                cost[i, j] = Math.Min(diagonal, Math.Min(cost[i - 1, j] + 1, cost[i, j - 1] + 1));
            }
        }
        var steps = new List<AlignmentStep>(Math.Max(n, m));
        long s = 0, d = 0, ins = 0, hits = 0;
        for (int i = n, j = m; i > 0 || j > 0;)
        {
            if (i > 0 && j > 0 && cost[i, j] == cost[i - 1, j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1))
            {
                bool match = reference[i - 1] == hypothesis[j - 1];
                steps.Add(new(match ? EditOperation.Match : EditOperation.Substitution, reference[i - 1], hypothesis[j - 1]));
                if (match)
                    hits++;
                else
                    s++;
                i--;
                j--;
            }
            else if (i > 0 && cost[i, j] == cost[i - 1, j] + 1)
            {
                steps.Add(new(EditOperation.Deletion, reference[i - 1], null));
                d++;
                i--;
            }
            else
            {
                steps.Add(new(EditOperation.Insertion, null, hypothesis[j - 1]));
                ins++;
                j--;
            }
        }
        steps.Reverse();
        return new EditAlignment(steps.ToArray(), new ErrorCounts(s, d, ins, hits));
    }

    /// <summary>Three lines, reference over hypothesis with the operation marked under each pair (S, D, I; a blank for a match), columns padded to line up.</summary>
    public string ToDisplayString()
    {
        var refLine = new System.Text.StringBuilder("REF: ");
        var hypLine = new System.Text.StringBuilder("HYP: ");
        var opLine = new System.Text.StringBuilder("     ");
        foreach (var step in Steps)
        {
            string r = step.Reference ?? new string('*', step.Hypothesis!.Length);
            string h = step.Hypothesis ?? new string('*', step.Reference!.Length);
            int width = Math.Max(r.Length, h.Length);
            string op = step.Operation switch { EditOperation.Substitution => "S", EditOperation.Deletion => "D", EditOperation.Insertion => "I", _ => "" };
            refLine.Append(r.PadRight(width + 1));
            hypLine.Append(h.PadRight(width + 1));
            opLine.Append(op.PadRight(width + 1));
        }
        return $"{refLine.ToString().TrimEnd()}\n{hypLine.ToString().TrimEnd()}\n{opLine.ToString().TrimEnd()}";
    }
}
