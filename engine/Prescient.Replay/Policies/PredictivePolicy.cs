using Prescient.Optimization.Allocation;
using Prescient.Orchestration.Cycle;
using Prescient.Replay.Simulation;
using Prescient.Replay.Workloads;

namespace Prescient.Replay.Policies;

/// <summary>
/// <c>predictive</c>: Prescient itself. Every step the replay hands the production <see cref="Orchestrator"/> a
/// <see cref="ClusterSnapshot"/> built from what the simulated agents report (usage of the step that ended,
/// limits in force), runs one cycle (forecasts, demand, allocation LP, diff) and applies the commands it emits
/// (set-limits, reserve-bandwidth) as the agents would at the next tick. Recommendations (scale-out, migration)
/// are counted, not applied: no job is moved in a replay.
/// <para>
/// The risk setting is the quantile provisioned to: 0.5, 0.9 or 0.99 (the orchestrator forecasts those three
/// levels). It sets the allocation LP's band weights (bands above the risk quantile are worth nothing, so the
/// LP stops at that quantile's forecast, plus the orchestrator's margins and the reactive spike path), the level
/// the slack allowance is measured from (<see cref="OrchestratorOptions.SlackBasisQuantile"/>), and how long memory
/// holds a peak (<see cref="MemoryPeakWindowFor"/>). <paramref name="configure"/> may override any orchestrator
/// setting after these.
/// </para>
/// </summary>
public sealed class PredictivePolicy(double riskQuantile, string model = "ensemble", double memoryHeadroom = 0.25, Action<OrchestratorOptions>? configure = null) : IReplayPolicy
{
    private Orchestrator? _orchestrator;
    private readonly ClusterSnapshot _snapshot = new();
    private SimulatedCluster? _cluster;

    public string Name => "predictive";

    public double RiskQuantile => riskQuantile;

    /// <summary>Recommendations the orchestrator made during the run, by kind.</summary>
    public Dictionary<string, long> Recommendations { get; } = new(StringComparer.Ordinal);

    /// <summary>Commands applied during the run.</summary>
    public long CommandsApplied { get; private set; }

    /// <summary>Wall time spent in orchestrator cycles, in milliseconds.</summary>
    public double CycleMilliseconds { get; private set; }

    /// <summary>The demand the last cycle planned for a (job, resource) pair at level 0 (0.5), 1 (0.9) or 2 (0.99); NaN before any.</summary>
    public double PlannedDemand(int pair, int level)
    {
        var demand = _orchestrator is null ? default : _orchestrator.Demand;
        var i = (pair * 3) + level;
        return i < demand.Length ? demand[i] : double.NaN;
    }

    /// <summary>
    /// Slack allowed above the risk level before an allocation is lowered, in the replay (the orchestrator's default is
    /// 0.5): with the ceiling measured from the risk level, a tighter allowance trades more limit changes for less slack.
    /// </summary>
    public const double SlackAllowance = 0.1;

    /// <summary>
    /// The trailing window whose peak memory's floor holds at a risk setting, in seconds: none at 0.5 (memory follows
    /// usage), 6 h at 0.9, 24 h at 0.99 (the orchestrator's default).
    /// </summary>
    public static int MemoryPeakWindowFor(double riskQuantile) => riskQuantile switch
    {
        <= 0.5 => 0,
        <= 0.9 => 6 * 3600,
        _ => 24 * 3600,
    };

    /// <summary>The allocation LP's band weights at a risk setting: nothing is worth provisioning above its quantile.</summary>
    public static AllocationLpOptions LpOptionsFor(double riskQuantile) => riskQuantile switch
    {
        <= 0.5 => new AllocationLpOptions { MedianBandWeight = 1, P90BandWeight = 0, P99BandWeight = 0 },
        <= 0.9 => new AllocationLpOptions { MedianBandWeight = 1, P90BandWeight = 0.5, P99BandWeight = 0 },
        _ => new AllocationLpOptions { MedianBandWeight = 1, P90BandWeight = 0.5, P99BandWeight = 0.25 },
    };

    public void Start(SimulatedCluster cluster)
    {
        _cluster = cluster;
        var step = cluster.Workload.StepSeconds;
        var horizons = new List<int>();
        foreach (var h in new[] { 60, 300, 3600 })
        {
            if (h >= step && (horizons.Count == 0 || h > horizons[^1]))
            {
                horizons.Add(h);
            }
        }

        if (horizons.Count == 0 || horizons[0] != step)
        {
            horizons.Insert(0, step);
        }

        var options = new OrchestratorOptions
        {
            Model = model,
            StepSeconds = step,
            HorizonsSeconds = [.. horizons.Distinct().Order()],
            CycleMilliseconds = step * 1000,
            CycleBudgetMilliseconds = step * 1000,
            LookaheadSeconds = [step, step, step, step],
            ActionLeadSeconds = [1, 1, 1, 1],
            MemoryMaxHeadroom = memoryHeadroom,
            MinimumCpuCores = 0.01,
            SlackAllowance = SlackAllowance,
            SlackBasisQuantile = riskQuantile <= 0.5 ? 0.5 : riskQuantile <= 0.9 ? 0.9 : 0.99,
            MemoryPeakWindowSeconds = MemoryPeakWindowFor(riskQuantile),
        };
        configure?.Invoke(options);
        _orchestrator = new Orchestrator(options, lpOptions: LpOptionsFor(riskQuantile));
        Recommendations.Clear();
        CommandsApplied = 0;
        CycleMilliseconds = 0;
    }

    public void Decide(int step, long nowSeconds, ReadOnlySpan<double> observed, ReadOnlySpan<bool> outOfMemory, Span<double> allocation)
    {
        var cluster = _cluster!;
        var w = cluster.Workload;
        const int r = ReplayResources.Count;
        var s = _snapshot;
        s.NowSeconds = nowSeconds;
        s.Resize(cluster.NodeCount, w.JobCount, 0, 0);
        for (var n = 0; n < cluster.NodeCount; n++)
        {
            s.NodeName[n] = cluster.NodeName(n);
            s.NodeConnected[n] = true;
            s.NodeSynced[n] = true;
            s.NodeNumaCount[n] = 1;
            for (var k = 0; k < r; k++)
            {
                s.NodeCapacity[(n * r) + k] = cluster.NodeCapacity[(n * r) + k];
            }
        }

        for (var j = 0; j < w.JobCount; j++)
        {
            s.JobId[j] = w.JobIds[j];
            s.JobProgram[j] = w.JobGroups[j];
            s.JobUser[j] = w.JobGroups[j];
            s.JobInputPaths[j] = [];
            s.JobNode[j] = cluster.JobNode[j];
            s.JobPriority[j] = 1;
            s.JobLongRunning[j] = false;
            s.JobUsageSeconds[j] = nowSeconds;
            s.JobNumaMask[j] = 0;
            for (var k = 0; k < r; k++)
            {
                s.JobUsage[(j * r) + k] = observed[(j * r) + k];
                s.JobApplied[(j * r) + k] = allocation[(j * r) + k];
                s.JobCeiling[(j * r) + k] = double.PositiveInfinity;
            }
        }

        var result = _orchestrator!.Run(s);
        CycleMilliseconds += result.CycleMilliseconds;
        if (result.Status == CycleStatus.InvalidInput)
        {
            throw new InvalidOperationException("the orchestrator refused the replay's snapshot: " + result.Error);
        }

        foreach (var change in result.Changes)
        {
            var j = change.Job;
            switch (change.Kind)
            {
                case ChangeKind.SetLimits:
                    allocation[(j * r) + (int)ReplayResource.Cpu] = change.CpuQuotaCores;
                    allocation[(j * r) + (int)ReplayResource.Memory] = change.MemoryMaxGibibytes;
                    CommandsApplied++;
                    break;
                case ChangeKind.ReserveBandwidth:
                    allocation[(j * r) + (int)ReplayResource.Network] = change.BandwidthGigabits;
                    CommandsApplied++;
                    break;
                default:
                    var key = change.Kind.ToString();
                    Recommendations[key] = Recommendations.GetValueOrDefault(key) + 1;
                    break;
            }
        }
    }
}
