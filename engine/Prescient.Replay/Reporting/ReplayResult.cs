using Prescient.Replay.Simulation;

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
    IReadOnlyList<PolicyRun> Sweep);
