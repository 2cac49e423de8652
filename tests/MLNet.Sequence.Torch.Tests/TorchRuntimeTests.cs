using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using MLNet.Sequence.Torch.Training;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void OnAmdLinuxMklTakesItsFastPathsAndProductsStayExact()
    {
        TorchRuntime.EnsureReady();
        bool amd = X86Base.IsSupported && X86Base.CpuId(0, 0) is var (_, b, c, d)
            && MemoryMarshal.AsBytes((Span<int>)[b, d, c]).SequenceEqual("AuthenticAMD"u8);
        Assert.Equal(amd && OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("MLNET_SEQUENCE_MKL_AMD") != "0", TorchRuntime.MklVendorCheckPatched);
        // OpenMP's thread count is in the process's environment (the user's, or the core count set before libtorch loaded).
        if (OperatingSystem.IsLinux())
            Assert.False(string.IsNullOrEmpty(GetEnvFromLibc()));

        // The kernels MKL now runs give the products they should: against sums in double on the CPU.
        var random = new Random(4);
        var a = Enumerable.Range(0, 64 * 300).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var w = Enumerable.Range(0, 300 * 70).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        using var product = tensor(a, [64, 300]).matmul(tensor(w, [300, 70]));
        var got = product.data<float>().ToArray();
        for (int i = 0; i < 64; i += 7)
            for (int j = 0; j < 70; j += 5)
            {
                double sum = 0;
                for (int k = 0; k < 300; k++)
                    sum += (double)a[i * 300 + k] * w[k * 70 + j];
                Assert.Equal(sum, got[i * 70 + j], 4);
            }
    }

    // What native code sees (the .NET copy of the environment is not the process's on Linux).
    private static string? GetEnvFromLibc() => Marshal.PtrToStringAnsi(getenv("OMP_NUM_THREADS"));

    [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern nint getenv(string name);
}
