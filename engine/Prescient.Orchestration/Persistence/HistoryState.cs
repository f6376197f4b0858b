using MessagePack;

namespace Prescient.Orchestration.Persistence;

/// <summary>Last input paths and node of a program or user (data-access history for prefetch).</summary>
[MessagePackObject]
public sealed class HistoryState
{
    [Key(0)] public string Key { get; set; } = "";
    [Key(1)] public string[] Paths { get; set; } = [];
    [Key(2)] public string Node { get; set; } = "";
}
