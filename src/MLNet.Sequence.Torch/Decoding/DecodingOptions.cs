using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Torch.Decoding;

/// <summary>How output tokens are chosen.</summary>
public enum DecodingStrategy
{
    /// <summary>The most probable token at every step.</summary>
    Greedy = 0,

    /// <summary>A token drawn at every step, with <see cref="DecodingOptions.Temperature"/>, top-k and top-p.</summary>
    Sampling = 1,

    /// <summary>Beam search: the <see cref="DecodingOptions.BeamSize"/> best partial outputs kept at every step.</summary>
    BeamSearch = 2,
}

/// <summary>How a finished hypothesis's log-probability is normalised for length before hypotheses are compared.</summary>
public enum LengthPenalty
{
    /// <summary>The raw log-probability (favours short outputs).</summary>
    None = 0,

    /// <summary>The curriculum's normalisation: log P / T^alpha (alpha 1 is the per-token average).</summary>
    Average = 1,

    /// <summary>GNMT's (Wu et al. 2016): log P / ((5 + T) / 6)^alpha.</summary>
    Gnmt = 2,
}

/// <summary>Settings of a search: strategy, lengths, beam and sampling. The same options drive every model's decoding.</summary>
public sealed class DecodingOptions
{
    /// <summary>Greedy, sampling or beam search.</summary>
    public DecodingStrategy Strategy = DecodingStrategy.Greedy;

    /// <summary>Hypotheses kept per sentence by beam search (B).</summary>
    public int BeamSize = 5;

    /// <summary>The normalisation applied to finished hypotheses.</summary>
    public LengthPenalty LengthPenalty = LengthPenalty.Average;

    /// <summary>The exponent of the length penalty (0: none).</summary>
    public double Alpha = 0.7;

    /// <summary>Hypotheses returned per sentence, best first (at most <see cref="BeamSize"/>; 1 for greedy and sampling).</summary>
    public int NBest = 1;

    /// <summary>Most output tokens (the end token not counted); a search ends the output there.</summary>
    public int MaximumLength = 100;

    /// <summary>With a source length n, at most ceil(ratio × n) tokens as well (0: off).</summary>
    public double MaximumLengthRatio;

    /// <summary>The end token is not allowed before this many tokens.</summary>
    public int MinimumLength;

    /// <summary>With a source length n, at least floor(ratio × n) tokens as well (0: off).</summary>
    public double MinimumLengthRatio;

    /// <summary>No n-gram of this size appears twice in an output (0: off).</summary>
    public int BlockRepeatedNgrams;

    /// <summary>Sampling: logits are divided by this (below 1 sharper, above 1 flatter).</summary>
    public double Temperature = 1.0;

    /// <summary>Sampling: only the k most probable tokens can be drawn (0: all).</summary>
    public int TopK;

    /// <summary>Sampling: only the smallest set of most probable tokens whose probability reaches p can be drawn (1: all).</summary>
    public double TopP = 1.0;

    /// <summary>Sampling: the seed of the draws.</summary>
    public long Seed;

    /// <summary>Keep each hypothesis's attention weights (output steps × source positions), for models with attention.</summary>
    public bool KeepAttention;

    /// <summary>A copy, so that a model's defaults are not changed through it.</summary>
    public DecodingOptions Clone() => (DecodingOptions)MemberwiseClone();

    /// <summary>Checks every setting; a bad one is an error naming it (through <paramref name="ectx"/> when given).</summary>
    internal void Validate(IExceptionContext? ectx)
    {
        void Check(bool ok, string name, string message)
        {
            if (!ok)
                throw ectx != null ? ectx.ExceptUserArg(name, message) : Contracts.ExceptUserArg(name, message);
        }

        Check(Enum.IsDefined(Strategy), nameof(Strategy), "Unknown decoding strategy.");
        Check(BeamSize > 0, nameof(BeamSize), "Must be at least 1.");
        Check(Enum.IsDefined(LengthPenalty), nameof(LengthPenalty), "Unknown length penalty.");
        Check(double.IsFinite(Alpha) && Alpha >= 0, nameof(Alpha), "Must be a finite number of at least 0.");
        Check(NBest > 0, nameof(NBest), "Must be at least 1.");
        Check(Strategy == DecodingStrategy.BeamSearch ? NBest <= BeamSize : NBest == 1, nameof(NBest),
            Strategy == DecodingStrategy.BeamSearch ? $"Must be at most BeamSize ({BeamSize})." : "Greedy search and sampling give one output per sentence; use beam search for an n-best list.");
        Check(MaximumLength > 0, nameof(MaximumLength), "Must be at least 1.");
        Check(double.IsFinite(MaximumLengthRatio) && MaximumLengthRatio >= 0, nameof(MaximumLengthRatio), "Must be a finite number of at least 0 (0: off).");
        Check(MinimumLength >= 0, nameof(MinimumLength), "Must be at least 0.");
        Check(double.IsFinite(MinimumLengthRatio) && MinimumLengthRatio >= 0, nameof(MinimumLengthRatio), "Must be a finite number of at least 0 (0: off).");
        Check(BlockRepeatedNgrams >= 0, nameof(BlockRepeatedNgrams), "Must be at least 0 (0: off).");
        Check(double.IsFinite(Temperature) && Temperature > 0, nameof(Temperature), "Must be a finite number above 0.");
        Check(TopK >= 0, nameof(TopK), "Must be at least 0 (0: all tokens).");
        Check(double.IsFinite(TopP) && TopP > 0 && TopP <= 1, nameof(TopP), "Must be in (0, 1].");
    }

    internal void Write(BinaryWriter w)
    {
        w.Write((int)Strategy);
        w.Write(BeamSize);
        w.Write((int)LengthPenalty);
        w.Write(Alpha);
        w.Write(NBest);
        w.Write(MaximumLength);
        w.Write(MaximumLengthRatio);
        w.Write(MinimumLength);
        w.Write(MinimumLengthRatio);
        w.Write(BlockRepeatedNgrams);
        w.Write(Temperature);
        w.Write(TopK);
        w.Write(TopP);
        w.Write(Seed);
        w.Write(KeepAttention);
    }

    internal static DecodingOptions Read(IExceptionContext ectx, BinaryReader r)
    {
        var options = new DecodingOptions
        {
            Strategy = (DecodingStrategy)r.ReadInt32(),
            BeamSize = r.ReadInt32(),
            LengthPenalty = (LengthPenalty)r.ReadInt32(),
            Alpha = r.ReadDouble(),
            NBest = r.ReadInt32(),
            MaximumLength = r.ReadInt32(),
            MaximumLengthRatio = r.ReadDouble(),
            MinimumLength = r.ReadInt32(),
            MinimumLengthRatio = r.ReadDouble(),
            BlockRepeatedNgrams = r.ReadInt32(),
            Temperature = r.ReadDouble(),
            TopK = r.ReadInt32(),
            TopP = r.ReadDouble(),
            Seed = r.ReadInt64(),
            KeepAttention = r.ReadBoolean(),
        };
        try
        {
            options.Validate(ectx);
        }
        catch (ArgumentException e)
        {
            throw ectx.ExceptDecode(e, $"Bad decoding settings in the model: {e.Message}");
        }
        return options;
    }

    /// <summary>The most tokens of a sentence whose source has <paramref name="sourceLength"/> tokens (null: no source).</summary>
    internal int MaximumLengthFor(int? sourceLength) =>
        MaximumLengthRatio > 0 && sourceLength is int n
            ? Math.Max(1, Math.Min(MaximumLength, (int)Math.Ceiling(MaximumLengthRatio * n)))
            : MaximumLength;

    /// <summary>The fewest tokens of such a sentence, never above its maximum.</summary>
    internal int MinimumLengthFor(int? sourceLength)
    {
        int min = MinimumLength;
        if (MinimumLengthRatio > 0 && sourceLength is int n)
            min = Math.Max(min, (int)Math.Floor(MinimumLengthRatio * n));
        return Math.Min(min, MaximumLengthFor(sourceLength));
    }
}
