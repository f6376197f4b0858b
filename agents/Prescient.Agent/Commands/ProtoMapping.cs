using Google.Protobuf.WellKnownTypes;
using Prescient.Agent.Actuators.Policy;
using Prescient.Agent.Collectors;
using Prescient.Protos.V1;

namespace Prescient.Agent.Commands;

/// <summary>Conversions between the v1 API messages and the agent's own types, kept at this one edge.</summary>
public static class ProtoMapping
{
    /// <summary>AppliedLimits → JobLimits (null → none).</summary>
    public static JobLimits ToLimits(AppliedLimits? limits) => limits is null
        ? JobLimits.None
        : new JobLimits(limits.CpuQuotaCores, limits.CpuWeight, limits.MemoryHighBytes, limits.MemoryMaxBytes,
            limits.CpusetCpus, limits.CpusetMems, limits.BandwidthBitsPerSecond);

    /// <summary>JobLimits → AppliedLimits.</summary>
    public static AppliedLimits ToProto(JobLimits limits) => new()
    {
        CpuQuotaCores = limits.CpuQuotaCores,
        CpuWeight = limits.CpuWeight,
        MemoryHighBytes = limits.MemoryHighBytes,
        MemoryMaxBytes = limits.MemoryMaxBytes,
        CpusetCpus = limits.CpusetCpus,
        CpusetMems = limits.CpusetMems,
        BandwidthBitsPerSecond = limits.BandwidthBitsPerSecond,
    };

    /// <summary>A reading as the API's UsageSample; optional API-call rate and files read are "not reported" (-1).</summary>
    public static UsageSample ToProto(UsageReading reading) => new()
    {
        Time = Timestamp.FromDateTimeOffset(reading.Time),
        CpuCores = Sane(reading.CpuCores),
        MemoryBytes = reading.MemoryBytes,
        NetRxBytesPerSecond = Sane(reading.NetRxBytesPerSecond),
        NetTxBytesPerSecond = Sane(reading.NetTxBytesPerSecond),
        DiskReadBytesPerSecond = Sane(reading.DiskReadBytesPerSecond),
        DiskWriteBytesPerSecond = Sane(reading.DiskWriteBytesPerSecond),
        ApiCallsPerSecond = -1,
        FilesRead = -1,
    };

    /// <summary>The identity the agent can tell from cgroupfs: job id and user.</summary>
    public static JobIdentity ToIdentity(DiscoveredJob job, string user) => new() { JobId = job.JobId, User = user };

    /// <summary>CommandKind → ActuationKind; null for UNSPECIFIED or a kind this agent does not know.</summary>
    public static ActuationKind? ToKind(CommandKind kind) => kind switch
    {
        CommandKind.SetLimits => ActuationKind.SetLimits,
        CommandKind.SetCpuset => ActuationKind.SetCpuset,
        CommandKind.ReserveBandwidth => ActuationKind.ReserveBandwidth,
        CommandKind.Prefetch => ActuationKind.Prefetch,
        CommandKind.ReleaseJob => ActuationKind.ReleaseJob,
        _ => null,
    };

    // The collectors only produce finite non-negative values; this keeps that promise at the edge.
    private static double Sane(double value) => double.IsFinite(value) && value > 0 ? value : 0;
}
