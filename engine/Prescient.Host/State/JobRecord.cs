namespace Prescient.Host.State;

/// <summary>Everything the engine knows about one job. Mutated only under <see cref="ClusterState"/>'s lock.</summary>
internal sealed class JobRecord(JobIdentityInfo identity)
{
    public JobIdentityInfo Identity { get; set; } = identity;
    public string NodeName { get; set; } = "";
    public IReadOnlyList<string> SchedulerNodeNames { get; set; } = [];
    public UsageRing? Ring { get; set; }
    public UsageReading? Latest { get; set; }
    public LimitsInfo Applied { get; set; } = LimitsInfo.None;
    public string CgroupPath { get; set; } = "";
    public bool FromAgent { get; set; }
    public bool FromScheduler { get; set; }
    public ResourceRequestInfo? Requested { get; set; }
    public long StartUnixMilliseconds { get; set; }
    public IReadOnlyList<string> InputPaths { get; set; } = [];

    public string Source => (FromAgent, FromScheduler) switch
    {
        (true, true) => "agent+scheduler",
        (true, false) => "agent",
        _ => "scheduler",
    };
}
