namespace Prescient.Agent.Collectors;

/// <summary>
/// Cumulative counters and gauges of one job's cgroup at one instant. Null means the file was
/// missing or malformed for this job (a controller the job is not in, or a race with its exit).
/// </summary>
public sealed record CgroupCounters(
    ulong? CpuUsageNanoseconds,
    ulong? MemoryUsageBytes,
    ulong? InactiveFileBytes,
    ulong? IoReadBytes,
    ulong? IoWriteBytes)
{
    /// <summary>Resident memory as the API defines it: usage minus inactive file cache.</summary>
    public ulong? ResidentMemoryBytes => MemoryUsageBytes is { } usage
        ? usage - Math.Min(usage, InactiveFileBytes ?? 0)
        : null;
}
