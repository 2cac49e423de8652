using System.Diagnostics;
using MLNet.Sequence.Torch.Training;

/// <summary>The rate libtorch multiplies at here, printed beside every comparison with PyTorch.</summary>
internal static class Gemm
{
    /// <summary>GFLOP/s of a 1024^3 product on <paramref name="threads"/> threads, as build/bench/pytorch-env.sh measures PyTorch's.</summary>
    public static double Rate(int threads)
    {
        TorchRuntime.EnsureReady();
        TorchSharp.torch.set_num_threads(threads);
        using var a = TorchSharp.torch.randn(1024, 1024);
        using var b = TorchSharp.torch.randn(1024, 1024);
        for (int i = 0; i < 3; i++)
            a.matmul(b).Dispose();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 20; i++)
            a.matmul(b).Dispose();
        return 2.0 * 1024 * 1024 * 1024 * 20 / clock.Elapsed.TotalSeconds / 1e9;
    }
}
