using MLNet.Sequence.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Tests;

public class RecurrentEncoderTests
{
    [Theory]
    [InlineData(RecurrentCellType.Rnn, false, 1)]
    [InlineData(RecurrentCellType.RnnRelu, true, 1)]
    [InlineData(RecurrentCellType.Gru, true, 2)]
    [InlineData(RecurrentCellType.Lstm, false, 2)]
    [InlineData(RecurrentCellType.Lstm, true, 3)]
    public void PaddingDoesNotChangeOutputsOrFinalState(RecurrentCellType cell, bool bidirectional, int layers)
    {
        manual_seed(7);
        var encoder = new RecurrentEncoder(5, new RecurrentEncoderOptions { CellType = cell, HiddenSize = 4, Layers = layers, Bidirectional = bidirectional });
        encoder.eval();
        var shortRow = randn(1, 3, 5);
        // The same row padded to 8 steps with garbage, batched with a full-length row.
        var padded = cat(new[] { shortRow, full(new long[] { 1, 5, 5 }, 9.0f) }, 1);
        var batch = cat(new[] { randn(1, 8, 5), padded }, 0);

        var (aloneOut, aloneFinal) = encoder.call(shortRow, tensor(new long[] { 3 }));
        var (batchOut, batchFinal) = encoder.call(batch, tensor(new long[] { 8, 3 }));

        Assert.Equal(new long[] { 2, 8, encoder.OutputSize }, batchOut.shape);
        Assert.Equal(new long[] { 2, encoder.OutputSize }, batchFinal.shape);
        Assert.True(aloneOut[0].allclose(batchOut[1, ..3], rtol: 1e-5, atol: 1e-6));
        Assert.True(aloneFinal[0].allclose(batchFinal[1], rtol: 1e-5, atol: 1e-6));
        Assert.Equal(0f, batchOut[1, 3..].abs().sum().item<float>());
    }

    [Fact]
    public void BidirectionalFinalStateJoinsLastForwardAndFirstBackwardOutputs()
    {
        manual_seed(3);
        var encoder = new RecurrentEncoder(2, new RecurrentEncoderOptions { CellType = RecurrentCellType.Gru, HiddenSize = 3, Bidirectional = true });
        var x = randn(1, 4, 2);
        var (outputs, final) = encoder.call(x, tensor(new long[] { 4 }));
        Assert.True(final[0, ..3].allclose(outputs[0, 3, ..3]));
        Assert.True(final[0, 3..].allclose(outputs[0, 0, 3..]));
    }

    [Fact]
    public void GradientsFlowThroughTime()
    {
        manual_seed(1);
        var encoder = new RecurrentEncoder(3, new RecurrentEncoderOptions { HiddenSize = 4 });
        var x = randn(2, 6, 3, requires_grad: true);
        var (_, final) = encoder.call(x, tensor(new long[] { 6, 2 }));
        final.sum().backward();
        var grad = x.grad!;
        // Row 0's first step influences its final state; row 1's padded steps do not.
        Assert.True(grad[0, 0].abs().sum().item<float>() > 0);
        Assert.Equal(0f, grad[1, 2..].abs().sum().item<float>());
    }
}
