using System.Collections.Concurrent;

namespace MLNet.Sequence.Audio;

/// <summary>One <see cref="Resampler"/> per pair of rates with the default filter, built on first use and shared.</summary>
internal static class Resamplers
{
    private static readonly ConcurrentDictionary<(int From, int To), Resampler> Cache = new();

    public static Resampler Get(int from, int to) => Cache.GetOrAdd((from, to), key => new Resampler(key.From, key.To));
}
