namespace Prescient.Replay.Simulation;

/// <summary>How one policy did on one resource over a replay.</summary>
public sealed record ResourceOutcome(
    double Shortfall,
    double Slack,
    long ShortfallEvents,
    long OomEvents,
    double ThrottledCpuSeconds,
    long Changes,
    long Spikes,
    double PreprovisionedSpikeShare,
    double MeanReactionSeconds,
    long UnansweredSpikes);
