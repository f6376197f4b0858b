using Prescient.Replay.Simulation;
using Prescient.Replay.Workloads;

namespace Prescient.Replay.Policies;

/// <summary>
/// <c>reactive</c>: a threshold autoscaler with the Kubernetes HPA's rules, applied to each job's allocation:
/// desired = usage / target utilization, synced every 15 s (every step when the trace is coarser), left alone
/// while the usage ratio is within a 10 % tolerance of the target, raised at once, and lowered only to the
/// highest recommendation of the last 300 s (scale-down stabilization).
/// </summary>
public sealed class ReactivePolicy(double targetUtilization = 0.7, double tolerance = 0.1, int stabilizationSeconds = 300, int syncSeconds = 15) : IReplayPolicy
{
    private static readonly double[] Minimum = [0.01, 0.0625, 0.001, 0.001];
    private SimulatedCluster? _cluster;
    private double[] _history = [];
    private int _window;
    private long? _lastSyncSeconds;

    public string Name => "reactive";

    public void Start(SimulatedCluster cluster)
    {
        _cluster = cluster;
        _window = Math.Max(1, (int)Math.Ceiling(stabilizationSeconds / (double)cluster.Workload.StepSeconds));
        _history = new double[cluster.Workload.JobCount * ReplayResources.Count * _window];
        _lastSyncSeconds = null;
    }

    public void Decide(int step, long nowSeconds, ReadOnlySpan<double> observed, ReadOnlySpan<bool> outOfMemory, Span<double> allocation)
    {
        if (_lastSyncSeconds is { } last && nowSeconds - last < syncSeconds)
        {
            return;
        }

        _lastSyncSeconds = nowSeconds;
        var slot = step % _window;
        for (var i = 0; i < observed.Length; i++)
        {
            var r = i % ReplayResources.Count;
            var desired = Math.Max(Minimum[r], observed[i] / targetUtilization);
            _history[(i * _window) + slot] = desired;
            var current = allocation[i];
            var ratio = current > 0 ? observed[i] / current / targetUtilization : double.PositiveInfinity;
            if (Math.Abs(ratio - 1) <= tolerance)
            {
                continue;
            }

            if (desired > current)
            {
                allocation[i] = Math.Min(desired, _cluster!.NodeCapacityOf(i));
                continue;
            }

            // Scale-down stabilization: never below the highest recommendation of the window.
            var highest = desired;
            var filled = Math.Min(step + 1, _window);
            for (var k = 0; k < filled; k++)
            {
                highest = Math.Max(highest, _history[(i * _window) + k]);
            }

            allocation[i] = Math.Min(highest, current);
        }
    }
}
