using System.Diagnostics.CodeAnalysis;
using Prescient.Abstractions.Telemetry;
using Prescient.Orchestration.Cycle;

namespace Prescient.Host.State;

/// <summary>Everything the engine knows about one job. Mutated only under <see cref="ClusterState"/>'s lock.</summary>
internal sealed class JobRecord
{
    private JobIdentityInfo _identity;
    private LimitsInfo _applied = LimitsInfo.None;
    private ResourceRequestInfo? _requested;
    private bool _fromScheduler;

    public JobRecord(JobIdentityInfo identity)
    {
        _identity = identity;
        Derive();
    }

    public JobIdentityInfo Identity
    {
        get => _identity;
        set
        {
            _identity = value;
            Derive();
        }
    }
    public string NodeName { get; set; } = "";
    public IReadOnlyList<string> SchedulerNodeNames { get; set; } = [];
    public UsageRing? Ring { get; set; }
    private LatestSample _latest = new();

    /// <summary>A copy of the latest sample (null before the first).</summary>
    public UsageReading? Latest => _latest.ToReading();

    /// <summary>
    /// The latest sample's time and the four planned resources of it (cores; bytes; network rx + tx and disk read + write,
    /// bytes/s), kept in the record itself: the planner's snapshot reads them for every job every cycle, and a sample
    /// object and its array, allocated anew each report all over the heap, were two cache misses per job.
    /// </summary>
    public long LatestUnixMilliseconds => _latest.UnixMilliseconds;

    /// <inheritdoc cref="LatestUnixMilliseconds"/>
    public double LatestCpu { get; private set; }

    /// <inheritdoc cref="LatestUnixMilliseconds"/>
    public double LatestMemory { get; private set; }

    /// <inheritdoc cref="LatestUnixMilliseconds"/>
    public double LatestNetwork { get; private set; }

    /// <inheritdoc cref="LatestUnixMilliseconds"/>
    public double LatestDisk { get; private set; }
    public LimitsInfo Applied
    {
        get => _applied;
        set
        {
            _applied = value;
            Derive();
        }
    }
    public string CgroupPath { get; set; } = "";
    public bool FromAgent { get; set; }
    public bool FromScheduler
    {
        get => _fromScheduler;
        set
        {
            _fromScheduler = value;
            Derive();
        }
    }
    public ResourceRequestInfo? Requested
    {
        get => _requested;
        set
        {
            _requested = value;
            Derive();
        }
    }

    /// <summary>
    /// The planning view of <see cref="Identity"/>, <see cref="Applied"/> and <see cref="Requested"/> in the
    /// orchestrator's units (cores, GiB, Gbit/s), derived when one of them is set: the planner's snapshot copies these
    /// for every job every cycle from this record alone, instead of following three more objects (and two strings) per job.
    /// </summary>
    public PlanningView Plan { get; private set; }
    public long StartUnixMilliseconds { get; set; }
    public IReadOnlyList<string> InputPaths { get; set; } = [];

    [MemberNotNull(nameof(Plan))]
    private void Derive()
    {
        var a = _applied;
        var r = _requested;
        Plan = new PlanningView(
            _identity.JobId,
            _identity.Program,
            _identity.User,
            string.Equals(_identity.Qos, "service", StringComparison.OrdinalIgnoreCase) || (r is { TimeLimitSeconds: 0 } && _fromScheduler),
            a.CpuQuotaCores > 0 ? a.CpuQuotaCores : 0,
            a.MemoryHighBytes / OrchestratedResources.BytesPerGibibyte,
            a.BandwidthBitsPerSecond / OrchestratedResources.BitsPerGigabit,
            r is { CpuCores: > 0 } ? r.CpuCores : double.PositiveInfinity,
            r is { MemoryBytes: > 0 } ? r.MemoryBytes / OrchestratedResources.BytesPerGibibyte : double.PositiveInfinity,
            r is { NetworkBitsPerSecond: > 0 } ? r.NetworkBitsPerSecond / OrchestratedResources.BitsPerGigabit : double.PositiveInfinity,
            ClusterState.NumaMask(a.CpusetMems));
    }

    /// <summary>Records <paramref name="usage"/> as the latest sample.</summary>
    public void SetLatest(UsageReading usage)
    {
        var v = usage.Values;
        LatestCpu = v[(int)ResourceKind.Cpu];
        LatestMemory = v[(int)ResourceKind.Memory];
        LatestNetwork = v[(int)ResourceKind.NetRx] + v[(int)ResourceKind.NetTx];
        LatestDisk = v[(int)ResourceKind.DiskRead] + v[(int)ResourceKind.DiskWrite];
        _latest.Set(usage);
    }

    public string Source => (FromAgent, FromScheduler) switch
    {
        (true, true) => "agent+scheduler",
        (true, false) => "agent",
        _ => "scheduler",
    };
}

/// <summary>
/// A job's planning view (see <see cref="JobRecord.Plan"/>): one immutable object replaced as a whole, so the snapshot
/// reads one consistent set of values per job.
/// </summary>
internal sealed record PlanningView(
    string JobId,
    string Program,
    string User,
    bool LongRunning,
    double AppliedCpuCores,
    double AppliedMemoryGibibytes,
    double AppliedBandwidthGigabits,
    double CeilingCpuCores,
    double CeilingMemoryGibibytes,
    double CeilingNetworkGigabits,
    ulong NumaMask);
