using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

public sealed class RecurrentInferenceFactoryTests
{
    private static readonly RecurrentModelSpec Spec = new(RecurrentCellKind.Lstm, 2, 4, 3);

    [Fact]
    public void Create_Cpu_ReturnsCpuSimdWithReason()
    {
        using var inference = RecurrentInferenceFactory.Create(Spec, new RecurrentWeights(Spec), 8, KernelDevice.Cpu);
        Assert.Equal("cpu-simd", inference.BackendName);
        Assert.Contains("device=cpu", inference.SelectionReason);
        Assert.Equal(8, inference.Capacity);
    }

    [Fact]
    public void Create_Auto_ChoosesGpuWhenUsableElseCpuWithProbeReason()
    {
        using var inference = RecurrentInferenceFactory.Create(Spec, new RecurrentWeights(Spec), 8, KernelDevice.Auto);
        if (GpuEnvironment.UnavailableReason is null)
        {
            Assert.Contains(inference.BackendName, new[] { "cuda", "opencl" });
        }
        else
        {
            Assert.Equal("cpu-simd", inference.BackendName);
            Assert.Contains("device=auto", inference.SelectionReason);
        }
    }

    [Fact]
    public void Create_GpuWithoutDevice_ThrowsSayingWhy()
    {
        if (GpuEnvironment.UnavailableReason is null)
        {
            using var gpu = RecurrentInferenceFactory.Create(Spec, new RecurrentWeights(Spec), 8, KernelDevice.Gpu);
            Assert.Contains(gpu.BackendName, new[] { "cuda", "opencl" });
            return;
        }

        var ex = Assert.Throws<InvalidOperationException>(() => RecurrentInferenceFactory.Create(Spec, new RecurrentWeights(Spec), 8, KernelDevice.Gpu));
        Assert.Contains("no GPU is usable", ex.Message);
    }

    [Fact]
    public void Create_BadWeights_ThrowsBeforeProbing()
    {
        var weights = new RecurrentWeights(Spec);
        weights.HeadBias[0] = float.PositiveInfinity;
        Assert.Throws<ArgumentException>(() => RecurrentInferenceFactory.Create(Spec, weights, 8, KernelDevice.Auto));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentInferenceFactory.Create(Spec, new RecurrentWeights(Spec), 0, KernelDevice.Cpu));
    }

    [Theory]
    [InlineData("auto", KernelDevice.Auto)]
    [InlineData(" CPU ", KernelDevice.Cpu)]
    [InlineData("Gpu", KernelDevice.Gpu)]
    public void ParseDevice_KnownNames_Parse(string text, KernelDevice expected) =>
        Assert.Equal(expected, RecurrentInferenceOptions.ParseDevice(text));

    [Fact]
    public void ParseDevice_UnknownName_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => RecurrentInferenceOptions.ParseDevice("tpu"));
        Assert.Contains("'tpu'", ex.Message);
    }

    [Fact]
    public void Create_OptionsWithZeroCapacity_ThrowsBeforeCreating()
    {
        var options = new RecurrentInferenceOptions { Device = KernelDevice.Cpu, InitialCapacity = 0 };
        var ex = Assert.Throws<ArgumentException>(() => RecurrentInferenceFactory.Create(Spec, new RecurrentWeights(Spec), options));
        Assert.Contains("InitialCapacity", ex.Message);
    }
}
