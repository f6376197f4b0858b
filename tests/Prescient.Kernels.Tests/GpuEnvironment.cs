using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

/// <summary>Probes once per test run for a usable CUDA or OpenCL device.</summary>
internal static class GpuEnvironment
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>Null when a GPU is usable, else why not.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    private static string? Probe()
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, 1, 1, 1);
        using var gpu = IlgpuRecurrentInference.TryCreateGpu(spec, new RecurrentWeights(spec), 1, out var reason);
        return gpu is null ? reason : null;
    }
}
