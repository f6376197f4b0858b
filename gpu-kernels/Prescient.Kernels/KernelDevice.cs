namespace Prescient.Kernels;

/// <summary>Which device <see cref="RecurrentInferenceFactory"/> runs inference on.</summary>
public enum KernelDevice
{
    /// <summary>Probe for a CUDA, then an OpenCL accelerator; fall back to the CPU SIMD path when none works.</summary>
    Auto,

    /// <summary>The CPU SIMD path, never a GPU.</summary>
    Cpu,

    /// <summary>A CUDA or OpenCL accelerator; creation fails with <see cref="InvalidOperationException"/>
    /// when none is usable. Device errors at run time still fall back to the CPU path.</summary>
    Gpu,
}
