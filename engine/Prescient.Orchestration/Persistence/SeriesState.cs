using MessagePack;

namespace Prescient.Orchestration.Persistence;

/// <summary>Error state of one job's series (one entry per resource, in resource order).</summary>
[MessagePackObject]
public sealed class SeriesState
{
    [Key(0)] public string JobId { get; set; } = "";
    [Key(1)] public double[] Error { get; set; } = [];
    [Key(2)] public double[] Level { get; set; } = [];
    [Key(3)] public bool[] Fallback { get; set; } = [];
}
