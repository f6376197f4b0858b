namespace Prescient.Agent.Collectors;

/// <summary>
/// What one tick collected: the node's usage, the usage of each job seen at two consecutive ticks
/// (a job seen for the first time has no rates yet and appears only in <see cref="Jobs"/>), and
/// every job present now with its resident memory.
/// </summary>
public sealed record TelemetryReading(
    UsageReading Node,
    IReadOnlyList<JobReading> JobUsages,
    IReadOnlyList<PresentJob> Jobs);
