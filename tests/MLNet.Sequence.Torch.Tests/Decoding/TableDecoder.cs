using MLNet.Sequence.Torch.Decoding;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Tests.Decoding;

/// <summary>
/// A hand-built step decoder: each row's state is its output so far, and a function of that output gives the
/// next token's probabilities. Ids: 0 padding, 1 unknown, 2 start, 3 end, then the "words" 4, 5, ...
/// </summary>
internal sealed class TableDecoder : IStepDecoder
{
    public const long End = 3;
    private readonly Func<int, IReadOnlyList<long>, double[]> _probabilities;
    private List<(int Sentence, List<long> Output)> _rows;
    private readonly int _sourceWidth;

    /// <param name="sentences">Rows to start with, one per sentence.</param>
    /// <param name="probabilities">The next-token probabilities of a sentence after an output (summing to 1).</param>
    /// <param name="sourceWidth">With a width above 0, the decoder reports attention: step t of any row puts all weight on position t mod width.</param>
    public TableDecoder(int sentences, Func<int, IReadOnlyList<long>, double[]> probabilities, int sourceWidth = 0)
    {
        _probabilities = probabilities;
        _rows = Enumerable.Range(0, sentences).Select(s => (s, new List<long>())).ToList();
        _sourceWidth = sourceWidth;
    }

    public Device Device => CPU;

    public long Rows => _rows.Count;

    public long EndToken => End;

    public IReadOnlyList<long> NeverEmitted => [0L, 2L];

    public Tensor? LastAttention { get; private set; }

    /// <summary>Steps taken (for checking that finished rows leave the batch).</summary>
    public List<int> RowsPerStep { get; } = new();

    public Tensor Step(Tensor tokens)
    {
        var last = tokens.data<long>().ToArray();
        RowsPerStep.Add(_rows.Count);
        var rows = new List<float>();
        int vocabulary = 0;
        var weights = new List<float>();
        for (int r = 0; r < _rows.Count; r++)
        {
            // The first input is the start token; later inputs extend the row's output.
            if (last[r] != 2)
                _rows[r].Output.Add(last[r]);
            var p = _probabilities(_rows[r].Sentence, _rows[r].Output);
            vocabulary = p.Length;
            rows.AddRange(p.Select(x => x > 0 ? (float)Math.Log(x) : float.NegativeInfinity));
            if (_sourceWidth > 0)
                weights.AddRange(Enumerable.Range(0, _sourceWidth).Select(i => i == _rows[r].Output.Count % _sourceWidth ? 1f : 0f));
        }
        LastAttention?.Dispose();
        LastAttention = _sourceWidth > 0 ? tensor(weights.ToArray(), [_rows.Count, _sourceWidth]).DetachFromDisposeScope() : null;
        return tensor(rows.ToArray(), [_rows.Count, vocabulary]);
    }

    public void Select(Tensor rows)
    {
        _rows = rows.data<long>().ToArray().Select(i => (_rows[(int)i].Sentence, new List<long>(_rows[(int)i].Output))).ToList();
        if (LastAttention is not null)
        {
            var kept = LastAttention.index_select(0, rows).DetachFromDisposeScope();
            LastAttention.Dispose();
            LastAttention = kept;
        }
    }

    public void Dispose() => LastAttention?.Dispose();

    /// <summary>Probabilities over ids 0..3 (all 0 but end's) and then the words.</summary>
    public static double[] Distribution(double end, params double[] words) => [0, 0, 0, end, .. words];

    /// <summary>log P of an output (without its end) and the end, under the table.</summary>
    public double LogProbability(int sentence, IReadOnlyList<long> output, bool withEnd = true)
    {
        double sum = 0;
        for (int t = 0; t <= output.Count; t++)
        {
            if (t == output.Count && !withEnd)
                break;
            var p = _probabilities(sentence, output.Take(t).ToList());
            sum += Math.Log(p[t < output.Count ? output[t] : End]);
        }
        return sum;
    }
}
