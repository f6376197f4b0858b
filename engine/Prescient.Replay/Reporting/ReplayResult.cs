using Prescient.Replay.Simulation;
using Prescient.Replay.Workloads;

namespace Prescient.Replay.Reporting;

/// <summary>Everything one replay produced: the workload's description, every policy's run, and the sweep of <c>predictive</c>.</summary>
public sealed record ReplayResult(
    string Source,
    int Jobs,
    int Nodes,
    int Steps,
    int StepSeconds,
    int Seed,
    IReadOnlyList<PolicyRun> Policies,
    IReadOnlyList<PolicyRun> Sweep)
{
    /// <summary>The resources every run reports (CPU and memory, then network and storage where the workload has them).</summary>
    public IReadOnlyList<ReplayResource> Resources => Policies.Count == 0 ? [] : [.. Policies[0].Outcomes.Keys.Order()];
}
