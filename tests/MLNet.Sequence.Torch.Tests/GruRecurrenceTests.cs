using MLNet.Sequence.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Tests;

public class GruRecurrenceTests
{
    // 16 and 128 take the four-rows-at-a-time product, 12 the dot product per row. The steps are run in two chunks,
    // the second from the state the first leaves, as a stream runs them.
    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    [InlineData(128)]
    public void StepsEqualLibtorchsGruFromAnyState(int hidden)
    {
        manual_seed(hidden);
        using var gru = nn.GRU(7, hidden, batchFirst: true);
        var x = randn(1, 30, 7);
        var start = randn(1, 1, hidden);
        var (expected, expectedFinal) = gru.call(x, start);
        var recurrence = new GruRecurrence(gru);
        var gates = nn.functional.linear(x, gru.get_parameter("weight_ih_l0")!, gru.get_parameter("bias_ih_l0")).data<float>().ToArray();
        var state = start.data<float>().ToArray();
        var output = new float[30 * hidden];

        recurrence.Run(gates.AsSpan(0, 11 * 3 * hidden), state, output.AsSpan(0, 11 * hidden));
        recurrence.Run(gates.AsSpan(11 * 3 * hidden), state, output.AsSpan(11 * hidden));

        Assert.Equal(hidden, recurrence.HiddenSize);
        var want = expected.data<float>().ToArray();
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - output[i]) <= 1e-5, $"step {i / hidden}, unit {i % hidden}: {output[i]}, libtorch {want[i]}");
        Assert.Equal(expectedFinal.data<float>().ToArray(), state, (a, b) => Math.Abs(a - b) <= 1e-5);
        Assert.Contains("takes steps x", Assert.Throws<ArgumentException>(() => recurrence.Run(new float[5], state, new float[hidden])).Message);
        using var deep = nn.GRU(7, hidden, numLayers: 2, batchFirst: true);
        Assert.Contains("deeper or bidirectional", Assert.Throws<ArgumentException>(() => new GruRecurrence(deep)).Message);
        using var both = nn.GRU(7, hidden, batchFirst: true, bidirectional: true);
        Assert.Contains("deeper or bidirectional", Assert.Throws<ArgumentException>(() => new GruRecurrence(both)).Message);
    }
}
