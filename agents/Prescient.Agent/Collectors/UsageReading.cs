namespace Prescient.Agent.Collectors;

/// <summary>
/// Usage of a node or job over the interval ending at <see cref="Time"/>; every value finite and
/// non-negative. Per-job network rates are 0: cgroups do not account network bytes per group.
/// </summary>
public readonly record struct UsageReading(
    DateTimeOffset Time,
    double CpuCores,
    ulong MemoryBytes,
    double NetRxBytesPerSecond,
    double NetTxBytesPerSecond,
    double DiskReadBytesPerSecond,
    double DiskWriteBytesPerSecond);
