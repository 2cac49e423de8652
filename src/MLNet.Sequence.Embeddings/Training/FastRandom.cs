namespace MLNet.Sequence.Embeddings.Training;

/// <summary>
/// xorshift64* generator: a few cycles per draw and good enough bits for sampling; one per training
/// thread, so threads never share state. Seeded through SplitMix64 so that nearby seeds diverge.
/// </summary>
internal struct FastRandom
{
    private ulong _state;

    public FastRandom(ulong seed)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        _state = (z ^ (z >> 31)) | 1;
    }

    /// <summary>64 random bits.</summary>
    public ulong Next()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return _state * 0x2545F4914F6CDD1DUL;
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>).</summary>
    public int NextInt(int bound) => (int)(((Next() >> 32) * (ulong)bound) >> 32);

    /// <summary>A uniform float in [0, 1).</summary>
    public float NextFloat() => (Next() >> 40) * (1f / (1 << 24));
}
