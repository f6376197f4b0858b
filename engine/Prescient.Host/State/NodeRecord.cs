using Prescient.Abstractions.Telemetry;

namespace Prescient.Host.State;

/// <summary>Everything the engine knows about one node. Mutated only under <see cref="ClusterState"/>'s lock.</summary>
internal sealed class NodeRecord(string name, UsageRing ring)
{
    public string Name { get; } = name;
    public UsageRing Ring { get; } = ring;
    public NodeCapacityInfo Capacity { get; set; } = new(0, 0, 0, 0);
    public IReadOnlyList<NumaNodeInfo> NumaNodes { get; set; } = [];
    public string AgentVersion { get; set; } = "";
    public string EnforcementMode { get; set; } = "";
    public string NativeLibrary { get; set; } = "";
    /// <summary>Id of the live agent stream, 0 when none.</summary>
    public long SessionId { get; set; }
    public long LastSeenUnixMilliseconds { get; set; }
    private readonly double[] _latestValues = new double[ResourceKinds.Count];
    private long _latestMilliseconds;
    private long _latestFilesRead;

    /// <summary>A copy of the latest sample (null before the first); the record keeps its numbers, not the object (see <see cref="JobRecord.LatestUnixMilliseconds"/>).</summary>
    public UsageReading? Latest => _latestMilliseconds > 0 ? new UsageReading(_latestMilliseconds, (double[])_latestValues.Clone(), _latestFilesRead) : null;

    /// <summary>Records <paramref name="usage"/> as the latest sample.</summary>
    public void SetLatest(UsageReading usage)
    {
        usage.Values.AsSpan().CopyTo(_latestValues);
        _latestFilesRead = usage.FilesRead;
        _latestMilliseconds = usage.UnixMilliseconds;
    }
    /// <summary>Last command sequence number issued to this node's agent.</summary>
    public ulong CommandSequence { get; set; }
    public HashSet<string> JobIds { get; } = new(StringComparer.Ordinal);
}
