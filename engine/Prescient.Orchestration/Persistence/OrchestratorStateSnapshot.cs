using MessagePack;

namespace Prescient.Orchestration.Persistence;

[MessagePackObject]
public sealed class OrchestratorStateSnapshot
{
    public const int CurrentFormatVersion = 1;

    [Key(0)]
    public int FormatVersion { get; set; } = CurrentFormatVersion;

    [Key(1)]
    public ulong Cycle { get; set; }

    /// <summary>Per model (configured, fallback): scored count, recent and baseline pinball, degraded.</summary>
    [Key(2)]
    public ModelTrackState[] Models { get; set; } = [];

    /// <summary>Per horizon: scored count, Σ normalized abs error, Σ normalized pinball, within 0.9, within 0.99.</summary>
    [Key(3)]
    public HorizonState[] Horizons { get; set; } = [];

    [Key(4)]
    public SeriesState[] Series { get; set; } = [];

    [Key(5)]
    public HistoryState[] ProgramHistory { get; set; } = [];

    [Key(6)]
    public HistoryState[] UserHistory { get; set; } = [];

    /// <summary>Pending job ids already prefetched, with their expected start (Unix seconds).</summary>
    [Key(7)]
    public PrefetchState[] Prefetched { get; set; } = [];

    [Key(8)]
    public long Rollbacks { get; set; }
}
