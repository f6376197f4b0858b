namespace Prescient.Host.State;

// Immutable copies handed out of ClusterState, safe to read without its lock.

public sealed record NodeSnapshot(
    string Name,
    NodeCapacityInfo Capacity,
    IReadOnlyList<NumaNodeInfo> NumaNodes,
    UsageReading? Latest,
    bool AgentConnected,
    long LastSeenUnixMilliseconds,
    string AgentVersion,
    string EnforcementMode,
    string NativeLibrary,
    long SamplesStored);

public sealed record JobSnapshot(
    JobIdentityInfo Identity,
    string NodeName,
    UsageReading? Latest,
    LimitsInfo Applied,
    string Source,
    ResourceRequestInfo? Requested);

public sealed record CommandRecordSnapshot(
    string CommandId,
    string NodeName,
    string JobId,
    CommandKindInfo Kind,
    CommandOutcome Outcome,
    string Reason,
    long SentUnixMilliseconds,
    double RoundTripMilliseconds);

public sealed record ClusterStatusSnapshot(
    long StartUnixMilliseconds,
    IReadOnlyList<NodeSnapshot> Nodes,
    IReadOnlyList<JobSnapshot> Jobs,
    int AgentsConnected,
    IReadOnlyList<KeyValuePair<string, ulong>> Rejections,
    ulong TelemetrySamplesAccepted,
    CommandCounters Commands,
    IReadOnlyList<CommandRecordSnapshot> RecentCommands,
    int PendingJobs);

public sealed record CommandCounters(ulong Sent, ulong Applied, ulong Refused, ulong DryRun, ulong Expired);

/// <summary>What a command asks an agent to do.</summary>
public enum CommandKindInfo
{
    SetLimits = 1,
    SetCpuset = 2,
    ReserveBandwidth = 3,
    Prefetch = 4,
    ReleaseJob = 5,
}

/// <summary>What became of a command; <see cref="Pending"/> until the agent answers.</summary>
public enum CommandOutcome
{
    Pending = 0,
    Applied = 1,
    Refused = 2,
    DryRun = 3,
}
