using MessagePack;
using Prescient.Host.State;
using Prescient.Orchestration.Persistence;

namespace Prescient.Host.Planning;

/// <summary>One planned action as stored.</summary>
[MessagePackObject]
public sealed class PlannedActionRecord
{
    [Key(0)] public string NodeName { get; set; } = "";
    [Key(1)] public string JobId { get; set; } = "";
    [Key(2)] public string Kind { get; set; } = "";
    [Key(3)] public double CpuQuotaCores { get; set; }
    [Key(4)] public uint CpuWeight { get; set; }
    [Key(5)] public ulong MemoryHighBytes { get; set; }
    [Key(6)] public ulong MemoryMaxBytes { get; set; }
    [Key(7)] public string CpusetCpus { get; set; } = "";
    [Key(8)] public string CpusetMems { get; set; } = "";
    [Key(9)] public ulong BandwidthBitsPerSecond { get; set; }
    [Key(10)] public long ApplyAtUnixMilliseconds { get; set; }
    [Key(11)] public string Reason { get; set; } = "";
    [Key(12)] public string CommandId { get; set; } = "";

    public static PlannedActionRecord From(PlannedActionInfo a) => new()
    {
        NodeName = a.NodeName,
        JobId = a.JobId,
        Kind = a.Kind,
        CpuQuotaCores = a.Target.CpuQuotaCores,
        CpuWeight = a.Target.CpuWeight,
        MemoryHighBytes = a.Target.MemoryHighBytes,
        MemoryMaxBytes = a.Target.MemoryMaxBytes,
        CpusetCpus = a.Target.CpusetCpus,
        CpusetMems = a.Target.CpusetMems,
        BandwidthBitsPerSecond = a.Target.BandwidthBitsPerSecond,
        ApplyAtUnixMilliseconds = a.ApplyAtUnixMilliseconds,
        Reason = a.Reason,
        CommandId = a.CommandId,
    };

    public PlannedActionInfo ToInfo() => new(NodeName, JobId, Kind,
        new LimitsInfo(CpuQuotaCores, CpuWeight, MemoryHighBytes, MemoryMaxBytes, CpusetCpus, CpusetMems, BandwidthBitsPerSecond),
        ApplyAtUnixMilliseconds, Reason, CommandId);
}
