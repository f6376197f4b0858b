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
    private LatestSample _latest = new();

    /// <summary>A copy of the latest sample (null before the first).</summary>
    public UsageReading? Latest => _latest.ToReading();

    /// <summary>Records <paramref name="usage"/> as the latest sample.</summary>
    public void SetLatest(UsageReading usage) => _latest.Set(usage);

    /// <summary>Last command sequence number issued to this node's agent.</summary>
    public ulong CommandSequence { get; set; }
    public HashSet<string> JobIds { get; } = new(StringComparer.Ordinal);
}
