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

        // Alone, the row has no padding and runs unpacked; in the batch it is packed.
        var (aloneOut, aloneFinal) = encoder.call(shortRow, tensor(new long[] { 3 }));
        var (batchOut, batchFinal) = encoder.call(batch, tensor(new long[] { 8, 3 }));

        Assert.Equal(new long[] { 2, 8, encoder.OutputSize }, batchOut.shape);
        int states = layers * (bidirectional ? 2 : 1);
        Assert.Equal(new long[] { states, 2, 4 }, batchFinal.Hidden.shape);
        Assert.Equal(cell == RecurrentCellType.Lstm, batchFinal.Cell is not null);
        Assert.Equal(new long[] { 2, encoder.OutputSize }, encoder.TopLayer(batchFinal).shape);
        Assert.True(aloneOut[0].allclose(batchOut[1, ..3], rtol: 1e-5, atol: 1e-6));
        // Every layer's state, and an LSTM's memory cells, are padding-free too.
        Assert.True(aloneFinal.Hidden[.., 0].allclose(batchFinal.Hidden[.., 1], rtol: 1e-5, atol: 1e-6));
        if (batchFinal.Cell is Tensor cells)
            Assert.True(aloneFinal.Cell![.., 0].allclose(cells[.., 1], rtol: 1e-5, atol: 1e-6));
        Assert.Equal(0f, batchOut[1, 3..].abs().sum().item<float>());
    }

    [Fact]
    public void BidirectionalFinalStateJoinsLastForwardAndFirstBackwardOutputs()
    {
        manual_seed(3);
        var encoder = new RecurrentEncoder(2, new RecurrentEncoderOptions { CellType = RecurrentCellType.Gru, HiddenSize = 3, Bidirectional = true });
        var x = randn(1, 4, 2);
        var (outputs, state) = encoder.call(x, tensor(new long[] { 4 }));
        var final = encoder.TopLayer(state);
        Assert.True(final[0, ..3].allclose(outputs[0, 3, ..3]));
        Assert.True(final[0, 3..].allclose(outputs[0, 0, 3..]));
    }

    [Fact]
    public void EveryLayersFinalStateIsTheLastRealStepOfThatLayer()
    {
        manual_seed(5);
        var encoder = new RecurrentEncoder(3, new RecurrentEncoderOptions { CellType = RecurrentCellType.Lstm, HiddenSize = 4, Layers = 2 });
        encoder.eval();
        var x = randn(1, 5, 3);
        var (_, final) = encoder.call(x, tensor(new long[] { 5 }));
        // Stepping the same rows one step at a time ends in the same state, layer by layer, cells included.
        RecurrentState? state = null;
        for (int t = 0; t < 5; t++)
            (_, state) = encoder.Step(x[.., t..(t + 1)], state);
        Assert.True(final.Hidden.allclose(state!.Hidden, rtol: 1e-5, atol: 1e-6));
        Assert.True(final.Cell!.allclose(state.Cell!, rtol: 1e-5, atol: 1e-6));
        Assert.Equal(new long[] { 2, 1, 4 }, final.Cell!.shape);

        // Selecting rows of a state reorders them along the batch dimension (beam search does so).
        var two = new RecurrentState(cat(new[] { final.Hidden, final.Hidden * 2 }, 1), null);
        var swapped = two.Select(tensor(new long[] { 1, 0 }));
        Assert.True(swapped.Hidden[.., 0].allclose(final.Hidden[.., 0] * 2));
    }

    [Fact]
    public void GradientsFlowThroughTime()
    {
        manual_seed(1);
        var encoder = new RecurrentEncoder(3, new RecurrentEncoderOptions { HiddenSize = 4 });
        var x = randn(2, 6, 3, requires_grad: true);
        var (_, final) = encoder.call(x, tensor(new long[] { 6, 2 }));
        encoder.TopLayer(final).sum().backward();
        var grad = x.grad!;
        // Row 0's first step influences its final state; row 1's padded steps do not.
        Assert.True(grad[0, 0].abs().sum().item<float>() > 0);
        Assert.Equal(0f, grad[1, 2..].abs().sum().item<float>());
    }
}
