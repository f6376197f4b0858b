namespace Prescient.Agent.Actuators.Policy;

/// <summary>
/// The limits Prescient sets for one job (mirrors prescient.v1.AppliedLimits). Zero / empty means
/// "no limit set by Prescient" for that field.
/// </summary>
/// <param name="CpuQuotaCores">CFS quota over period, in cores (1.5 = one and a half cores).</param>
/// <param name="CpuWeight">cgroup v2 weight 1..10000 (100 = default); v1 shares are mapped from it.</param>
/// <param name="MemoryHighBytes">Soft limit: reclaim and throttling above it (v1 soft_limit).</param>
/// <param name="MemoryMaxBytes">Hard limit.</param>
/// <param name="CpusetCpus">Kernel list format, e.g. "0-3,8".</param>
/// <param name="CpusetMems">NUMA nodes, kernel list format.</param>
/// <param name="BandwidthBitsPerSecond">tc HTB class rate reserved for the job.</param>
public sealed record JobLimits(
    double CpuQuotaCores,
    uint CpuWeight,
    ulong MemoryHighBytes,
    ulong MemoryMaxBytes,
    string CpusetCpus,
    string CpusetMems,
    ulong BandwidthBitsPerSecond)
{
    /// <summary>Nothing set by Prescient.</summary>
    public static JobLimits None { get; } = new(0, 0, 0, 0, string.Empty, string.Empty, 0);
}
