namespace Prescient.Agent.Collectors;

/// <summary>The node's memory from /proc/meminfo, in bytes.</summary>
public readonly record struct MemoryInfo(ulong TotalBytes, ulong AvailableBytes)
{
    /// <summary>What the node uses: total minus what could be given to a new job without swapping.</summary>
    public ulong UsedBytes => TotalBytes > AvailableBytes ? TotalBytes - AvailableBytes : 0;
}
