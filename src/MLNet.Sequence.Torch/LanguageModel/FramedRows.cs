using MLNet.Sequence.Torch.Data;

namespace MLNet.Sequence.Torch.LanguageModel;

/// <summary>
/// Rows framed for a language model, for training and for scoring alike: inputs &lt;s&gt; t1 … tn and targets
/// t1 … tn &lt;/s&gt;, so that every token and the end of the row are predicted from what precedes them.
/// </summary>
internal sealed class FramedRows
{
    private FramedRows(List<int[]> inputs, List<int[]> targets)
    {
        Inputs = inputs;
        Targets = targets;
        Lengths = inputs.Select(i => i.Length).ToList();
    }

    public List<int[]> Inputs { get; }
    public List<int[]> Targets { get; }
    public List<int> Lengths { get; }

    public static FramedRows Of(TokenIndex index, IEnumerable<IReadOnlyList<string>> rows)
    {
        var inputs = new List<int[]>();
        var targets = new List<int[]>();
        foreach (var tokens in rows)
        {
            var input = new int[tokens.Count + 1];
            var target = new int[tokens.Count + 1];
            input[0] = TokenIndex.Start;
            for (int i = 0; i < tokens.Count; i++)
            {
                int id = index.IdOf(tokens[i]);
                input[i + 1] = id;
                target[i] = id;
            }
            target[^1] = TokenIndex.End;
            inputs.Add(input);
            targets.Add(target);
        }
        return new FramedRows(inputs, targets);
    }
}
