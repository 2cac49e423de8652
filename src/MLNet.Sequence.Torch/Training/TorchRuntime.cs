using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Training;

/// <summary>
/// Process-wide settings of libtorch that decide how fast its CPU kernels run, made once before this library's
/// first use of it:
/// <list type="bullet">
/// <item>OpenMP's thread count is fixed in the environment before libtorch (and its libgomp) loads, when the user has
/// not set it: without it, small products ran at half speed here, as if on one thread with the other's overhead.</item>
/// <item>On AMD processors, the oneMKL inside libtorch takes its slow generic code paths: it asks
/// <c>mkl_serv_intel_cpu_true</c> whether it runs on an Intel processor. That function is made to answer yes (the
/// widely used workaround, here done in-process rather than with LD_PRELOAD), which doubles the speed of the
/// matrix products (a 64 × 1024 × 512 product: 0.49 → 0.21 ms on an EPYC with AVX-512). Set
/// MLNET_SEQUENCE_MKL_AMD=0 to leave MKL as it is.</item>
/// </list>
/// The library's trainers and model loaders call <see cref="EnsureReady"/>; an app that uses TorchSharp itself
/// before them can call it first.
/// </summary>
public static class TorchRuntime
{
    private static readonly object s_lock = new();
    private static bool s_ready;

    /// <summary>Whether MKL's vendor check was answered, so that MKL runs its fast code paths on this AMD processor.</summary>
    public static bool MklVendorCheckPatched { get; private set; }

    /// <summary>Makes the settings, once; call before the first torch call.</summary>
    public static void EnsureReady()
    {
        lock (s_lock)
        {
            if (s_ready)
                return;
            s_ready = true;
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
                return;
            try
            {
                if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
                    setenv("OMP_NUM_THREADS", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), 0);
                // Loads libtorch now, so that it can be patched before its first matrix product.
                _ = get_num_threads();
                if (IsAmd() && Environment.GetEnvironmentVariable("MLNET_SEQUENCE_MKL_AMD") != "0")
                    MklVendorCheckPatched = AnswerMklVendorCheck();
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or MarshalDirectiveException)
            {
                // Nothing to tune on this platform: libtorch runs as it came.
            }
        }
    }

    private static bool IsAmd()
    {
        if (!X86Base.IsSupported)
            return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<int> vendor = [ebx, edx, ecx];
        return MemoryMarshal.AsBytes(vendor).SequenceEqual("AuthenticAMD"u8);
    }

    // Overwrites the start of libtorch_cpu's mkl_serv_intel_cpu_true with "mov eax, 1; ret".
    private static bool AnswerMklVendorCheck()
    {
        const int RtldNow = 2, RtldNoLoad = 4, ProtRead = 1, ProtWrite = 2, ProtExec = 4;
        nint library = dlopen("libtorch_cpu.so", RtldNow | RtldNoLoad);
        if (library == 0)
            return false;
        nint function = dlsym(library, "mkl_serv_intel_cpu_true");
        if (function == 0)
            return false;
        byte[] returnOne = [0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3];
        long pageSize = Environment.SystemPageSize;
        nint page = (nint)((long)function & ~(pageSize - 1));
        nint length = (nint)((long)function + returnOne.Length - (long)page);
        if (mprotect(page, length, ProtRead | ProtWrite | ProtExec) != 0)
            return false;
        Marshal.Copy(returnOne, 0, function, returnOne.Length);
        mprotect(page, length, ProtRead | ProtExec);
        return true;
    }

    [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern nint dlopen(string file, int mode);

    [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern nint dlsym(nint handle, string name);

    [DllImport("libc.so.6")]
    private static extern int mprotect(nint address, nint length, int protection);
}
