namespace Prescient.Orchestration.Cycle;

/// <summary>
/// The resources the orchestrator allocates, as dense indices 0..<see cref="OrchestratedResources.Count"/>-1,
/// each in a unit chosen so that the allocation LP is well scaled: <see cref="Cpu"/> in cores,
/// <see cref="Memory"/> in GiB, <see cref="Network"/> in Gbit/s, <see cref="Storage"/> in GB/s (10^9 bytes).
/// </summary>
public enum OrchestratedResource
{
    Cpu = 0,
    Memory = 1,
    Network = 2,
    Storage = 3,
}

/// <summary>Count, names and unit conversions of <see cref="OrchestratedResource"/>.</summary>
public static class OrchestratedResources
{
    /// <summary>Number of resources; per-(x, resource) arrays are indexed <c>x * Count + r</c>.</summary>
    public const int Count = 4;

    /// <summary>Bytes per GiB (memory unit).</summary>
    public const double BytesPerGibibyte = 1024.0 * 1024 * 1024;

    /// <summary>Bits per second per Gbit/s (network unit).</summary>
    public const double BitsPerGigabit = 1e9;

    /// <summary>Bytes per second per GB/s (storage unit).</summary>
    public const double BytesPerGigabyte = 1e9;

    private static readonly string[] Names = ["cpu", "memory", "network", "storage"];

    /// <summary>Stable snake_case name used in metrics and reasons.</summary>
    public static string Name(this OrchestratedResource resource) => Names[(int)resource];
}
