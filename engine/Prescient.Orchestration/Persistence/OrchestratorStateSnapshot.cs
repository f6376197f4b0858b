using MessagePack;

namespace Prescient.Orchestration.Persistence;

/// <summary>
/// What the orchestrator learned that must survive a restart, MessagePack-serialized by the host (versioned by
/// <see cref="FormatVersion"/>): the feedback loop's statistics (model health and the per-series error state that
/// drives fallbacks), data-access history and the prefetches already issued. The forecasters' internal state is not
/// in it: <c>IForecaster</c> has no persistence contract yet (issue 5); after a restart the models relearn while
/// the restored error state keeps the contingencies where they were.
/// </summary>
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

[MessagePackObject]
public sealed class ModelTrackState
{
    [Key(0)] public long Count { get; set; }
    [Key(1)] public double Recent { get; set; }
    [Key(2)] public double Baseline { get; set; }
    [Key(3)] public bool Degraded { get; set; }
}

[MessagePackObject]
public sealed class HorizonState
{
    [Key(0)] public long Scored { get; set; }
    [Key(1)] public double AbsoluteErrorSum { get; set; }
    [Key(2)] public double PinballSum { get; set; }
    [Key(3)] public long Within90 { get; set; }
    [Key(4)] public long Within99 { get; set; }
}

/// <summary>Error state of one job's series (one entry per resource, in resource order).</summary>
[MessagePackObject]
public sealed class SeriesState
{
    [Key(0)] public string JobId { get; set; } = "";
    [Key(1)] public double[] Error { get; set; } = [];
    [Key(2)] public double[] Level { get; set; } = [];
    [Key(3)] public bool[] Fallback { get; set; } = [];
}

[MessagePackObject]
public sealed class HistoryState
{
    [Key(0)] public string Key { get; set; } = "";
    [Key(1)] public string[] Paths { get; set; } = [];
    [Key(2)] public string Node { get; set; } = "";
}

[MessagePackObject]
public sealed class PrefetchState
{
    [Key(0)] public string PendingId { get; set; } = "";
    [Key(1)] public long StartSeconds { get; set; }
}
