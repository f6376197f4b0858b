using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

/// <summary>The ILGPU kernel itself, run on ILGPU's CPU simulator (tiny shapes: it is slow).</summary>
public sealed class IlgpuCpuSimulatorTests : RecurrentInferenceConformanceTests
{
    protected override IRecurrentInference Create(RecurrentModelSpec spec, RecurrentWeights weights, int initialCapacity) =>
        IlgpuRecurrentInference.CreateOnCpuSimulator(spec, weights, initialCapacity);
}
