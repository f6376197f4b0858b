namespace Prescient.Abstractions.Telemetry;

/// <summary>What a usage series describes: one job, or an aggregate over a user, group, program, node or the cluster.</summary>
public enum EntityKind
{
    Job = 0,
    User = 1,
    Group = 2,
    Program = 3,
    Node = 4,
    System = 5,
}
