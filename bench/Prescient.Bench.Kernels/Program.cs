using BenchmarkDotNet.Running;

namespace Prescient.Bench.Kernels;

/// <summary>
/// Verbs: <c>compare</c> (quick CPU vs ONNX Runtime check), <c>gpu-check</c> (GPU parity and timing, used by
/// bench/gpu/check.sh), anything else goes to BenchmarkDotNet's switcher (e.g. <c>--filter *Recurrent*</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "compare")
        {
            return CompareCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "gpu-check")
        {
            return GpuCheckCommand.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
