using MessagePack;

namespace Prescient.Orchestration.Persistence;

/// <summary>A pending job already prefetched, with its expected start (Unix seconds).</summary>
[MessagePackObject]
public sealed class PrefetchState
{
    [Key(0)] public string PendingId { get; set; } = "";
    [Key(1)] public long StartSeconds { get; set; }
}
