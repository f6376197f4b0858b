using System.Diagnostics;
using Prescient.Replay.Policies;
using Prescient.Replay.Workloads;

namespace Prescient.Replay.Simulation;

/// <summary>What one policy did over a replay: outcomes per resource and, for a few jobs, the series to plot.</summary>
public sealed record PolicyRun(
    string Policy,
    double? RiskQuantile,
    IReadOnlyDictionary<ReplayResource, ResourceOutcome> Outcomes,
    double WallSeconds,
    IReadOnlyList<TracedSeries> Traced,
    IReadOnlyDictionary<string, long> Recommendations);

/// <summary>Demand and allocation of one (job, resource) step by step, with the forecast band where the policy has one.</summary>
public sealed record TracedSeries(int Job, ReplayResource Resource, float[] Demand, float[] Allocation, float[]? Median, float[]? Upper);

/// <summary>
/// Plays a workload through one policy. At each step the allocation decided a step before is in force
/// (a cgroup change takes effect at the next tick); the accounting compares it with the step's demand; then the
/// policy sees that step's usage and decides the next allocation. The policy never sees a later step.
/// </summary>
public static class ReplayRunner
{
    /// <summary>Resources whose demand and allocation are traced for the report's usage plots.</summary>
    public static readonly ReplayResource[] TracedResources = [ReplayResource.Cpu, ReplayResource.Memory];

    /// <summary>
    /// Resources accounted and reported for every policy: CPU and memory always, network and storage where the workload
    /// carries them (a Bitbrains trace or the built-in workload, not an SWF log). Every policy allocates all four;
    /// <c>predictive</c> changes network only through bandwidth reservations (the orchestrator's
    /// <c>reserve-bandwidth</c>, above its reservation minimum) and never storage (no agent enforces an I/O limit),
    /// so those rows show what that costs against rivals that cap every resource.
    /// </summary>
    public static IReadOnlyList<ReplayResource> ReportedResources(ReplayWorkload workload)
    {
        var list = new List<ReplayResource> { ReplayResource.Cpu, ReplayResource.Memory };
        foreach (var resource in (ReadOnlySpan<ReplayResource>)[ReplayResource.Network, ReplayResource.Storage])
        {
            if (workload.ResourcePresent[(int)resource])
            {
                list.Add(resource);
            }
        }

        return list;
    }

    public static PolicyRun Run(SimulatedCluster cluster, IReplayPolicy policy, IReadOnlyList<int> tracedJobs, Action<int, int>? progress = null)
    {
        var w = cluster.Workload;
        const int r = ReplayResources.Count;
        var pairs = w.JobCount * r;
        var allocation = w.Request.ToArray();
        var before = new double[pairs];
        var observed = new double[pairs];
        var outOfMemory = new bool[w.JobCount];
        var accounting = new Accounting(w);
        var predictive = policy as PredictivePolicy;
        var traced = new List<TracedSeries>();
        foreach (var job in tracedJobs)
        {
            foreach (var resource in TracedResources)
            {
                traced.Add(new TracedSeries(job, resource, new float[w.Steps], new float[w.Steps],
                    predictive is null ? null : new float[w.Steps], predictive is null ? null : new float[w.Steps]));
            }
        }

        var clock = Stopwatch.StartNew();
        policy.Start(cluster);
        for (var t = 0; t < w.Steps; t++)
        {
            accounting.Account(t, allocation, outOfMemory);
            foreach (var s in traced)
            {
                var pair = (s.Job * r) + (int)s.Resource;
                s.Demand[t] = w.Demand[pair][t];
                s.Allocation[t] = (float)allocation[pair];
            }

            if (t == w.Steps - 1)
            {
                break;
            }

            for (var i = 0; i < pairs; i++)
            {
                observed[i] = w.Demand[i][t];
            }

            allocation.CopyTo(before, 0);
            policy.Decide(t, w.StartSeconds + ((long)t * w.StepSeconds), observed, outOfMemory, allocation);
            for (var i = 0; i < pairs; i++)
            {
                if (!double.IsFinite(allocation[i]) || allocation[i] < 0)
                {
                    allocation[i] = before[i];
                }
            }

            if (predictive is not null)
            {
                // The band planned now is for the step about to be played.
                foreach (var s in traced)
                {
                    var pair = (s.Job * r) + (int)s.Resource;
                    s.Median![t + 1] = (float)predictive.PlannedDemand(pair, 0);
                    s.Upper![t + 1] = (float)predictive.PlannedDemand(pair, predictive.RiskQuantile <= 0.5 ? 0 : predictive.RiskQuantile <= 0.9 ? 1 : 2);
                }
            }

            accounting.CountChanges(before, allocation);
            progress?.Invoke(t + 1, w.Steps);
        }

        progress?.Invoke(w.Steps, w.Steps);
        var outcomes = new Dictionary<ReplayResource, ResourceOutcome>();
        foreach (var resource in ReportedResources(w))
        {
            outcomes[resource] = accounting.Outcome(resource);
        }

        return new PolicyRun(policy.Name, predictive?.RiskQuantile, outcomes, clock.Elapsed.TotalSeconds, traced,
            predictive is null ? new Dictionary<string, long>() : new Dictionary<string, long>(predictive.Recommendations));
    }
}
