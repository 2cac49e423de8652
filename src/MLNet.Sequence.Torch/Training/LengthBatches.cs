namespace MLNet.Sequence.Torch.Training;

/// <summary>
/// Groups rows into batches of similar length, so that batches carry little padding. For training the
/// rows are shuffled, sorted by length within pools of 50 batches and the batches shuffled again (the
/// usual "bucketing"); for evaluation they are simply sorted.
/// </summary>
internal static class LengthBatches
{
    private const int PoolBatches = 50;

    public static List<int[]> ForTraining(IReadOnlyList<int> lengths, int batchSize, Random random)
    {
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        random.Shuffle(order);
        var batches = new List<int[]>();
        int pool = batchSize * PoolBatches;
        for (int start = 0; start < order.Length; start += pool)
        {
            var slice = order.AsSpan(start, Math.Min(pool, order.Length - start)).ToArray();
            // Stable for equal lengths: the shuffled order decides.
            var sorted = slice.Select((row, i) => (row, i)).OrderBy(p => lengths[p.row]).ThenBy(p => p.i).Select(p => p.row).ToArray();
            batches.AddRange(sorted.Chunk(batchSize));
        }
        var shuffled = batches.ToArray();
        random.Shuffle(shuffled);
        return shuffled.ToList();
    }

    public static List<int[]> ForEvaluation(IReadOnlyList<int> lengths, int batchSize) =>
        Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]).ThenBy(i => i).Chunk(batchSize).ToList();
}
