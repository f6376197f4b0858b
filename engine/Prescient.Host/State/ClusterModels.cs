namespace Prescient.Host.State;

// Engine-side value types for what agents and schedulers report. The gRPC services map protobuf
// messages to these at the edge, so nothing below the services depends on the wire format.

/// <summary>What a node can give; zero means unknown.</summary>
public sealed record NodeCapacityInfo(double CpuCores, ulong MemoryBytes, ulong NetworkBitsPerSecond, ulong StorageBytesPerSecond);

/// <summary>One NUMA node: its CPUs and memory.</summary>
public sealed record NumaNodeInfo(uint Id, IReadOnlyList<uint> CpuIds, ulong MemoryBytes);

/// <summary>Who a job belongs to; the keys of behavioural profiles.</summary>
public sealed record JobIdentityInfo(string JobId, string User, string Group, string Program, string Partition, string Qos);

/// <summary>Limits in force for a job; zero or empty = not set by Prescient.</summary>
public sealed record LimitsInfo(
    double CpuQuotaCores,
    uint CpuWeight,
    ulong MemoryHighBytes,
    ulong MemoryMaxBytes,
    string CpusetCpus,
    string CpusetMems,
    ulong BandwidthBitsPerSecond)
{
    public static readonly LimitsInfo None = new(0, 0, 0, 0, "", "", 0);
}

/// <summary>A job an agent manages, as it reported it in its Hello.</summary>
public sealed record ManagedJobInfo(JobIdentityInfo Identity, LimitsInfo Applied, string CgroupPath);

/// <summary>An agent's Hello, after validation.</summary>
public sealed record AgentHelloInfo(
    string NodeName,
    NodeCapacityInfo Capacity,
    IReadOnlyList<NumaNodeInfo> NumaNodes,
    string AgentVersion,
    IReadOnlyList<ManagedJobInfo> Jobs,
    string EnforcementMode,
    string NativeLibrary,
    ulong LastCommandSequence);

/// <summary>
/// One usage reading: a timestamp and one value per <see cref="Prescient.Abstractions.Telemetry.ResourceKind"/>
/// (CPU cores, memory bytes, then bytes per second; API calls per second or -1 when not reported).
/// </summary>
public sealed record UsageReading(long UnixMilliseconds, double[] Values, long FilesRead);

/// <summary>Resources a job asked the scheduler for.</summary>
public sealed record ResourceRequestInfo(double CpuCores, ulong MemoryBytes, ulong NetworkBitsPerSecond, uint NodeCount, ulong TimeLimitSeconds);

/// <summary>A job waiting in the scheduler's queue.</summary>
public sealed record PendingJobInfo(JobIdentityInfo Identity, ResourceRequestInfo Requested, long SubmitUnixMilliseconds, long ExpectedStartUnixMilliseconds, IReadOnlyList<string> InputPaths);
