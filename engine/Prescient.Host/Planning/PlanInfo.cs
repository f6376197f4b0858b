using Prescient.Host.State;

namespace Prescient.Host.Planning;

/// <summary>One change a plan makes, and why.</summary>
public sealed record PlannedActionInfo(string NodeName, string JobId, string Kind, LimitsInfo Target, long ApplyAtUnixMilliseconds, string Reason, string CommandId);

/// <summary>The outcome of one planning cycle.</summary>
public sealed record PlanInfo(ulong Cycle, long CreatedUnixMilliseconds, IReadOnlyList<PlannedActionInfo> Actions, string SolverStatus, double CycleMilliseconds)
{
    public static readonly PlanInfo Empty = new(0, 0, [], "none", 0);
}
