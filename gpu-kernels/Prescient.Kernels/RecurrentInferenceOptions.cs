namespace Prescient.Kernels;

/// <summary>
/// Configuration of batch inference (bind from the "Kernels" section or <c>--device cpu|gpu|auto</c>); validated at
/// start-up with <see cref="Validate"/>.
/// </summary>
public sealed class RecurrentInferenceOptions
{
    /// <summary>Device preference; default <see cref="KernelDevice.Auto"/> (GPU when one is usable, else CPU).</summary>
    public KernelDevice Device { get; set; } = KernelDevice.Auto;

    /// <summary>Series to size storage for at creation; default 1024. Capacity grows geometrically on demand.</summary>
    public int InitialCapacity { get; set; } = 1024;

    /// <summary>Parses "auto", "cpu" or "gpu" (any case); throws <see cref="ArgumentException"/> naming the value otherwise.</summary>
    public static KernelDevice ParseDevice(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Trim().ToLowerInvariant() switch
        {
            "auto" => KernelDevice.Auto,
            "cpu" => KernelDevice.Cpu,
            "gpu" => KernelDevice.Gpu,
            _ => throw new ArgumentException($"Kernel device '{value}' is not one of auto, cpu, gpu.", nameof(value)),
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Device))
        {
            throw new ArgumentException($"Kernels:Device {(int)Device} is not one of Auto, Cpu, Gpu.", nameof(Device));
        }

        if (InitialCapacity < 1)
        {
            throw new ArgumentException($"Kernels:InitialCapacity is {InitialCapacity}; it must be at least 1.", nameof(InitialCapacity));
        }
    }
}
