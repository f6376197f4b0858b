using Google.Protobuf.WellKnownTypes;
using Prescient.Abstractions.Telemetry;
using Prescient.Host.State;
using Prescient.Protos.V1;

namespace Prescient.Host.Services;

/// <summary>Translation between the v1 wire messages and the engine's own types; the only place that knows both.</summary>
public static class ProtoMapping
{
    public static long ToUnixMilliseconds(Timestamp? timestamp)
    {
        if (timestamp is null)
        {
            return 0;
        }

        // Seconds outside the protobuf Timestamp range (years 1..9999) are malformed; report them as missing.
        if (timestamp.Seconds is < -62_135_596_800 or > 253_402_300_799 || timestamp.Nanos is < 0 or > 999_999_999)
        {
            return 0;
        }

        return (timestamp.Seconds * 1000) + (timestamp.Nanos / 1_000_000);
    }

    public static Timestamp ToTimestamp(long unixMilliseconds) =>
        Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds));

    /// <summary>The engine's reading of a sample; <paramref name="fallbackTime"/> stands for an unset time (a job's sample taken with the node's).</summary>
    public static UsageReading ToReading(UsageSample sample, Timestamp? fallbackTime = null)
    {
        var values = new double[ResourceKinds.Count];
        values[(int)ResourceKind.Cpu] = sample.CpuCores;
        values[(int)ResourceKind.Memory] = sample.MemoryBytes;
        values[(int)ResourceKind.NetRx] = sample.NetRxBytesPerSecond;
        values[(int)ResourceKind.NetTx] = sample.NetTxBytesPerSecond;
        values[(int)ResourceKind.DiskRead] = sample.DiskReadBytesPerSecond;
        values[(int)ResourceKind.DiskWrite] = sample.DiskWriteBytesPerSecond;
        values[(int)ResourceKind.ApiCalls] = sample.ApiCallsPerSecond;
        return new UsageReading(ToUnixMilliseconds(sample.Time ?? fallbackTime), values, sample.FilesRead);
    }

    public static UsageSample ToProto(UsageReading reading) => new()
    {
        Time = ToTimestamp(reading.UnixMilliseconds),
        CpuCores = reading.Values[(int)ResourceKind.Cpu],
        MemoryBytes = (ulong)reading.Values[(int)ResourceKind.Memory],
        NetRxBytesPerSecond = reading.Values[(int)ResourceKind.NetRx],
        NetTxBytesPerSecond = reading.Values[(int)ResourceKind.NetTx],
        DiskReadBytesPerSecond = reading.Values[(int)ResourceKind.DiskRead],
        DiskWriteBytesPerSecond = reading.Values[(int)ResourceKind.DiskWrite],
        ApiCallsPerSecond = reading.Values[(int)ResourceKind.ApiCalls],
        FilesRead = reading.FilesRead,
    };

    public static JobIdentityInfo ToInfo(JobIdentity? identity) => identity is null
        ? new JobIdentityInfo("", "", "", "", "", "")
        : new JobIdentityInfo(identity.JobId, identity.User, identity.Group, identity.Program, identity.Partition, identity.Qos);

    public static JobIdentity ToProto(JobIdentityInfo info) => new()
    {
        JobId = info.JobId,
        User = info.User,
        Group = info.Group,
        Program = info.Program,
        Partition = info.Partition,
        Qos = info.Qos,
    };

    public static LimitsInfo ToInfo(AppliedLimits? limits) => limits is null
        ? LimitsInfo.None
        : new LimitsInfo(limits.CpuQuotaCores, limits.CpuWeight, limits.MemoryHighBytes, limits.MemoryMaxBytes,
            limits.CpusetCpus, limits.CpusetMems, limits.BandwidthBitsPerSecond);

    public static AppliedLimits ToProto(LimitsInfo info) => new()
    {
        CpuQuotaCores = info.CpuQuotaCores,
        CpuWeight = info.CpuWeight,
        MemoryHighBytes = info.MemoryHighBytes,
        MemoryMaxBytes = info.MemoryMaxBytes,
        CpusetCpus = info.CpusetCpus,
        CpusetMems = info.CpusetMems,
        BandwidthBitsPerSecond = info.BandwidthBitsPerSecond,
    };

    public static NodeCapacityInfo ToInfo(NodeCapacity? capacity) => capacity is null
        ? new NodeCapacityInfo(0, 0, 0, 0)
        : new NodeCapacityInfo(capacity.CpuCores, capacity.MemoryBytes, capacity.NetworkBitsPerSecond, capacity.StorageBytesPerSecond);

    public static NodeCapacity ToProto(NodeCapacityInfo info) => new()
    {
        CpuCores = info.CpuCores,
        MemoryBytes = info.MemoryBytes,
        NetworkBitsPerSecond = info.NetworkBitsPerSecond,
        StorageBytesPerSecond = info.StorageBytesPerSecond,
    };

    public static NumaNode ToProto(NumaNodeInfo info)
    {
        var node = new NumaNode { Id = info.Id, MemoryBytes = info.MemoryBytes };
        node.CpuIds.AddRange(info.CpuIds);
        return node;
    }

    public static Protos.V1.CommandKind ToProto(CommandKindInfo kind) => kind switch
    {
        CommandKindInfo.SetLimits => Protos.V1.CommandKind.SetLimits,
        CommandKindInfo.SetCpuset => Protos.V1.CommandKind.SetCpuset,
        CommandKindInfo.ReserveBandwidth => Protos.V1.CommandKind.ReserveBandwidth,
        CommandKindInfo.Prefetch => Protos.V1.CommandKind.Prefetch,
        CommandKindInfo.ReleaseJob => Protos.V1.CommandKind.ReleaseJob,
        _ => Protos.V1.CommandKind.Unspecified,
    };

    public static CommandOutcome ToInfo(CommandResult.Types.Outcome outcome) => outcome switch
    {
        CommandResult.Types.Outcome.Applied => CommandOutcome.Applied,
        CommandResult.Types.Outcome.Refused => CommandOutcome.Refused,
        CommandResult.Types.Outcome.DryRun => CommandOutcome.DryRun,
        _ => CommandOutcome.Pending,
    };

    public static CommandResult.Types.Outcome ToProto(CommandOutcome outcome) => outcome switch
    {
        CommandOutcome.Applied => CommandResult.Types.Outcome.Applied,
        CommandOutcome.Refused => CommandResult.Types.Outcome.Refused,
        CommandOutcome.DryRun => CommandResult.Types.Outcome.DryRun,
        _ => CommandResult.Types.Outcome.Unspecified,
    };

    public static Command ToProto(Agents.OutgoingCommand command)
    {
        var message = new Command
        {
            CommandId = command.CommandId,
            Sequence = command.Sequence,
            JobId = command.JobId,
            Kind = ToProto(command.Kind),
            Limits = ToProto(command.Limits),
            NotBefore = ToTimestamp(command.NotBeforeUnixMilliseconds),
            Deadline = ToTimestamp(command.DeadlineUnixMilliseconds),
            Reason = command.Reason,
        };
        message.PrefetchPaths.AddRange(command.PrefetchPaths);
        return message;
    }

    public static bool TryToResource(Resource resource, out ResourceKind kind)
    {
        kind = resource switch
        {
            Resource.Cpu => ResourceKind.Cpu,
            Resource.Memory => ResourceKind.Memory,
            Resource.NetRx => ResourceKind.NetRx,
            Resource.NetTx => ResourceKind.NetTx,
            Resource.DiskRead => ResourceKind.DiskRead,
            Resource.DiskWrite => ResourceKind.DiskWrite,
            Resource.ApiCalls => ResourceKind.ApiCalls,
            _ => (ResourceKind)(-1),
        };
        return (int)kind >= 0;
    }

    public static Resource ToProto(ResourceKind kind) => kind switch
    {
        ResourceKind.Cpu => Resource.Cpu,
        ResourceKind.Memory => Resource.Memory,
        ResourceKind.NetRx => Resource.NetRx,
        ResourceKind.NetTx => Resource.NetTx,
        ResourceKind.DiskRead => Resource.DiskRead,
        ResourceKind.DiskWrite => Resource.DiskWrite,
        ResourceKind.ApiCalls => Resource.ApiCalls,
        _ => Resource.Unspecified,
    };

    public static bool TryToEntity(Scope.Types.Kind kind, out EntityKind entity)
    {
        entity = kind switch
        {
            Scope.Types.Kind.System => EntityKind.System,
            Scope.Types.Kind.Node => EntityKind.Node,
            Scope.Types.Kind.User => EntityKind.User,
            Scope.Types.Kind.Group => EntityKind.Group,
            Scope.Types.Kind.Program => EntityKind.Program,
            Scope.Types.Kind.Job => EntityKind.Job,
            _ => (EntityKind)(-1),
        };
        return (int)entity >= 0;
    }
}
