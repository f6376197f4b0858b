using Prescient.Agent.Actuators.Policy;

namespace Prescient.Agent.Actuators.DryRun;

/// <summary>
/// The outcome of planning one request: refused with a reason, or the exact writes, commands and
/// reads that carrying it out would take, and the limits in force afterwards.
/// </summary>
public sealed record ActuationPlan(
    bool Refused,
    string Reason,
    JobLimits Resulting,
    IReadOnlyList<PlannedWrite> Writes,
    IReadOnlyList<PlannedCommand> Commands,
    IReadOnlyList<PlannedPrefetch> Prefetches)
{
    /// <summary>A refusal; <paramref name="current"/> stays in force.</summary>
    public static ActuationPlan Refuse(string reason, JobLimits current) => new(true, reason, current, [], [], []);
}
