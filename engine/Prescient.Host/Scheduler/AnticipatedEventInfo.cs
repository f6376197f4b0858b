using Prescient.Abstractions.Telemetry;

namespace Prescient.Host.Scheduler;

/// <summary>
/// An event announced ahead of time: extra demand per resource (in each resource's unit) for one scope
/// over a time window [start, end).
/// </summary>
public sealed record AnticipatedEventInfo(
    string EventId,
    string Name,
    EntityKind ScopeKind,
    string ScopeName,
    long StartUnixMilliseconds,
    long EndUnixMilliseconds,
    IReadOnlyList<KeyValuePair<ResourceKind, double>> ExtraDemand);
