namespace Prescient.Replay.Workloads;

/// <summary>
/// The resources a replay accounts for, as dense indices that match the orchestrator's
/// (<c>OrchestratedResource</c>): CPU in cores, memory in GiB, network (received + transmitted) in Gbit/s,
/// storage (read + written) in GB/s.
/// </summary>
public enum ReplayResource
{
    Cpu = 0,
    Memory = 1,
    Network = 2,
    Storage = 3,
}

/// <summary>Names of <see cref="ReplayResource"/> as written in JSON and reports.</summary>
public static class ReplayResources
{
    public const int Count = 4;

    private static readonly string[] Names = ["cpu", "memory", "network", "storage"];

    private static readonly string[] Units = ["cores", "GiB", "Gbit/s", "GB/s"];

    public static string Name(this ReplayResource resource) => Names[(int)resource];

    public static string Unit(this ReplayResource resource) => Units[(int)resource];
}
