using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

/// <summary>
/// The conformance suite on a real CUDA/OpenCL device through the factory (fallback wrapper included). Skipped,
/// with the probe's reason, where no GPU is usable (the one skip CI allows).
/// </summary>
public sealed class GpuConformanceTests : RecurrentInferenceConformanceTests
{
    protected override IRecurrentInference Create(RecurrentModelSpec spec, RecurrentWeights weights, int initialCapacity)
    {
        if (GpuEnvironment.UnavailableReason is { } reason)
        {
            Assert.Skip($"No usable GPU: {reason}");
        }

        var inference = RecurrentInferenceFactory.Create(spec, weights, initialCapacity, KernelDevice.Gpu);
        Assert.Contains(inference.BackendName, new[] { "cuda", "opencl" });
        return inference;
    }
}
