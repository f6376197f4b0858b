namespace Prescient.Kernels;

/// <summary>Creates the inference backend for a device preference.</summary>
public static class RecurrentInferenceFactory
{
    /// <summary>
    /// <see cref="KernelDevice.Cpu"/>: the CPU SIMD path. <see cref="KernelDevice.Gpu"/>: the first usable CUDA, else
    /// OpenCL, accelerator, or <see cref="InvalidOperationException"/> saying why none is usable.
    /// <see cref="KernelDevice.Auto"/>: the GPU when one is usable, else the CPU path. GPU backends are wrapped so a
    /// device error at run time moves the series (state included, where the device can still report it) to the CPU
    /// path. The result's <see cref="IRecurrentInference.BackendName"/> and <see cref="IRecurrentInference.SelectionReason"/>
    /// say what runs and why. Probing a GPU costs a kernel compile (a second or so); call once at start-up.
    /// </summary>
    /// <param name="spec">Model shape.</param>
    /// <param name="weights">Initial parameters (copied).</param>
    /// <param name="initialCapacity">Series to size storage for; 1 or more. Capacity grows on demand.</param>
    /// <param name="device">Device preference.</param>
    public static IRecurrentInference Create(RecurrentModelSpec spec, RecurrentWeights weights, int initialCapacity, KernelDevice device)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        spec.Validate();
        weights.ValidateFor(spec);
        if (initialCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(initialCapacity), initialCapacity, "Initial capacity must be at least 1 series.");
        }

        switch (device)
        {
            case KernelDevice.Cpu:
                var configured = new CpuRecurrentInference(spec, weights, initialCapacity);
                configured.SelectionReason = $"device=cpu configured; {configured.SelectionReason}";
                return configured;
            case KernelDevice.Gpu:
            case KernelDevice.Auto:
                var gpu = IlgpuRecurrentInference.TryCreateGpu(spec, weights, initialCapacity, out var reason);
                if (gpu is not null)
                {
                    return new FallbackRecurrentInference(gpu, weights, CreateFallback);
                }

                if (device == KernelDevice.Gpu)
                {
                    throw new InvalidOperationException($"device=gpu configured but no GPU is usable: {reason}.");
                }

                var cpu = new CpuRecurrentInference(spec, weights, initialCapacity);
                cpu.SelectionReason = $"device=auto: {reason}; using {cpu.SelectionReason}";
                return cpu;
            default:
                throw new ArgumentOutOfRangeException(nameof(device), device, "Unknown KernelDevice.");
        }
    }

    /// <summary>Creates the backend that <paramref name="options"/> asks for (validated first).</summary>
    public static IRecurrentInference Create(RecurrentModelSpec spec, RecurrentWeights weights, RecurrentInferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Create(spec, weights, options.InitialCapacity, options.Device);
    }

    private static RecurrentInferenceBase CreateFallback(RecurrentWeights weights, int capacity) =>
        new CpuRecurrentInference(weights.Spec, weights, capacity);
}
