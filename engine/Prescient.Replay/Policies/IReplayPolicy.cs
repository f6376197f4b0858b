using Prescient.Replay.Simulation;

namespace Prescient.Replay.Policies;

/// <summary>
/// A way of setting each job's allocation, replayed through the same accounting as every other. At each step
/// the policy sees what the jobs used during the step that just ended (and nothing later) and sets the
/// allocation in force during the next step.
/// </summary>
public interface IReplayPolicy
{
    /// <summary>Stable name used in JSON and reports: <c>static</c>, <c>reactive</c>, <c>vpa</c>, <c>autopilot</c>, <c>predictive</c>.</summary>
    string Name { get; }

    /// <summary>Prepares for a run over <paramref name="cluster"/>; allocations start at each job's request.</summary>
    void Start(SimulatedCluster cluster);

    /// <summary>
    /// Decides the allocation for step <paramref name="step"/> + 1. <paramref name="observed"/> holds the usage of step
    /// <paramref name="step"/> per (job, resource); <paramref name="allocation"/> holds what is in force and receives
    /// the new values. <paramref name="outOfMemory"/> flags the jobs whose memory demand exceeded their limit during
    /// the step (the kernel's OOM killer would have acted).
    /// </summary>
    void Decide(int step, long nowSeconds, ReadOnlySpan<double> observed, ReadOnlySpan<bool> outOfMemory, Span<double> allocation);
}
