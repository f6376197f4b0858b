using Prescient.Replay.Simulation;

namespace Prescient.Replay.Policies;

/// <summary><c>static</c>: every job keeps what it requested, as a batch scheduler with no autoscaling does.</summary>
public sealed class StaticPolicy : IReplayPolicy
{
    public string Name => "static";

    public void Start(SimulatedCluster cluster)
    {
    }

    public void Decide(int step, long nowSeconds, ReadOnlySpan<double> observed, ReadOnlySpan<bool> outOfMemory, Span<double> allocation)
    {
    }
}
