using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

/// <summary>
/// GPU vs CPU SIMD vs reference on a real CUDA/OpenCL device. Skipped, with the probe's reason, where none is
/// usable (the one skip CI allows). bench/gpu/check.sh runs the same checks on a GPU machine.
/// </summary>
public sealed class GpuParityTests
{
    public static TheoryData<RecurrentCellKind, int> Cells => new()
    {
        { RecurrentCellKind.Lstm, 32 },
        { RecurrentCellKind.Gru, 32 },
        { RecurrentCellKind.Lstm, 64 },
        { RecurrentCellKind.Gru, 64 },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void Rollout_GpuAndCpu_AgreeWithin1e4(RecurrentCellKind cell, int hiddenSize)
    {
        if (GpuEnvironment.UnavailableReason is { } reason)
        {
            Assert.Skip($"No usable GPU: {reason}");
        }

        var spec = new RecurrentModelSpec(cell, 8, hiddenSize, 12);
        var weights = RecurrentTestData.RandomWeights(spec, seed: 99, scale: 0.3f);
        using var gpu = RecurrentInferenceFactory.Create(spec, weights, 512, KernelDevice.Gpu);
        using var cpu = new CpuRecurrentInference(spec, weights, 512);
        const int series = 1000, steps = 12;
        var slots = new int[series];
        for (var i = 0; i < series; i++)
        {
            slots[i] = gpu.AllocateSeries();
            Assert.Equal(slots[i], cpu.AllocateSeries());
        }

        var inputs = RecurrentTestData.RandomInputs(steps * series * 8, seed: 5);
        var gpuOut = new float[steps * series * 12];
        var cpuOut = new float[steps * series * 12];
        gpu.Rollout(slots, inputs, steps, gpuOut);
        cpu.Rollout(slots, inputs, steps, cpuOut);
        Assert.True(RecurrentTestData.MaxAbsDifference(gpuOut, cpuOut) <= 1e-4f);
        Assert.True(RecurrentTestData.MaxStateDifference(gpu, cpu, slots, slots) <= 1e-4f);
        Assert.Contains(gpu.BackendName, new[] { "cuda", "opencl" });
    }
}
