using Prescient.Abstractions.Telemetry;

namespace Prescient.Host.State;

/// <summary>Everything the engine knows about one job. Mutated only under <see cref="ClusterState"/>'s lock.</summary>
internal sealed class JobRecord(JobIdentityInfo identity)
{
    public JobIdentityInfo Identity { get; set; } = identity;
    public string NodeName { get; set; } = "";
    public IReadOnlyList<string> SchedulerNodeNames { get; set; } = [];
    public UsageRing? Ring { get; set; }
    private readonly double[] _latestValues = new double[ResourceKinds.Count];
    private long _latestFilesRead;

    /// <summary>A copy of the latest sample (null before the first), made for whoever asks (status): the record keeps the values, not the sample object.</summary>
    public UsageReading? Latest => LatestUnixMilliseconds > 0 ? new UsageReading(LatestUnixMilliseconds, (double[])_latestValues.Clone(), _latestFilesRead) : null;

    /// <summary>
    /// The latest sample's time and the four planned resources of it (cores; bytes; network rx + tx and disk read + write,
    /// bytes/s), kept in the record itself. The record holds the sample's numbers, never the sample object: the planner's
    /// snapshot reads them for every job every cycle (a sample object and its array, allocated anew each report all over
    /// the heap, were two cache misses per job), and an old record pointing at a new object each second made every
    /// young-generation collection scan 60,000 records for those references.
    /// </summary>
    public long LatestUnixMilliseconds { get; private set; }

    /// <inheritdoc cref="LatestUnixMilliseconds"/>
    public double LatestCpu { get; private set; }

    /// <inheritdoc cref="LatestUnixMilliseconds"/>
    public double LatestMemory { get; private set; }

    /// <inheritdoc cref="LatestUnixMilliseconds"/>
    public double LatestNetwork { get; private set; }

    /// <inheritdoc cref="LatestUnixMilliseconds"/>
    public double LatestDisk { get; private set; }
    public LimitsInfo Applied { get; set; } = LimitsInfo.None;
    public string CgroupPath { get; set; } = "";
    public bool FromAgent { get; set; }
    public bool FromScheduler { get; set; }
    public ResourceRequestInfo? Requested { get; set; }
    public long StartUnixMilliseconds { get; set; }
    public IReadOnlyList<string> InputPaths { get; set; } = [];

    /// <summary>Records <paramref name="usage"/> as the latest sample.</summary>
    public void SetLatest(UsageReading usage)
    {
        var v = usage.Values;
        LatestCpu = v[(int)ResourceKind.Cpu];
        LatestMemory = v[(int)ResourceKind.Memory];
        LatestNetwork = v[(int)ResourceKind.NetRx] + v[(int)ResourceKind.NetTx];
        LatestDisk = v[(int)ResourceKind.DiskRead] + v[(int)ResourceKind.DiskWrite];
        LatestUnixMilliseconds = usage.UnixMilliseconds;
        v.AsSpan().CopyTo(_latestValues);
        _latestFilesRead = usage.FilesRead;
    }

    public string Source => (FromAgent, FromScheduler) switch
    {
        (true, true) => "agent+scheduler",
        (true, false) => "agent",
        _ => "scheduler",
    };
}
