using MessagePack;

namespace Prescient.Orchestration.Persistence;

/// <summary>Pinball EWMAs of one model (configured or fallback) and whether it is degraded.</summary>
[MessagePackObject]
public sealed class ModelTrackState
{
    [Key(0)] public long Count { get; set; }
    [Key(1)] public double Recent { get; set; }
    [Key(2)] public double Baseline { get; set; }
    [Key(3)] public bool Degraded { get; set; }
}
