using System.Globalization;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Synthetic;
using Prescient.Forecasting.Traces;

namespace Prescient.Replay.Workloads;

/// <summary>Turns a usage trace into a <see cref="ReplayWorkload"/>: one job per traced entity.</summary>
public static class WorkloadBuilder
{
    private const double BitsPerGigabit = 1e9;
    private const double BytesPerGigabyte = 1e9;
    private const double BytesPerGibibyte = 1024.0 * 1024 * 1024;

    /// <summary>
    /// Builds the workload. Gaps (NaN) carry the last valid value forward (0 before the first), so a job's
    /// demand is defined at every step. The request of each (job, resource) is its peak demand over the
    /// replayed window, rounded up (0.25 cores, 0.25 GiB, 0.01 Gbit/s, 0.01 GB/s): a perfectly sized
    /// static request, the most favourable case for the <c>static</c> policy.
    /// </summary>
    public static ReplayWorkload FromTrace(Trace trace, int maxSteps, int maxJobs)
    {
        var entities = new List<string>();
        var byEntity = new Dictionary<string, Dictionary<ResourceKind, TraceSeries>>(StringComparer.Ordinal);
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        long start = long.MaxValue, end = long.MinValue;
        foreach (var s in trace.Series)
        {
            var key = s.Key.Entity + "/" + s.Key.Name;
            if (!byEntity.TryGetValue(key, out var resources))
            {
                if (maxJobs > 0 && entities.Count >= maxJobs)
                {
                    continue;
                }

                resources = [];
                byEntity.Add(key, resources);
                entities.Add(key);
                groups[key] = s.Group;
            }

            resources[s.Key.Resource] = s;
            start = Math.Min(start, s.StartSeconds);
            end = Math.Max(end, s.StartSeconds + ((long)(s.Values.Length - 1) * s.StepSeconds));
        }

        if (entities.Count == 0)
        {
            throw new InvalidDataException($"{trace.Source}: the trace holds no series to replay");
        }

        // Jobs in ordinal id order: the orchestrator indexes jobs by sorted id, so that the same cluster gives the same plan.
        entities.Sort((a, b) => string.CompareOrdinal(Id(a), Id(b)));
        var step = trace.StepSeconds;
        var steps = (int)Math.Min(((end - start) / step) + 1, maxSteps > 0 ? maxSteps : int.MaxValue);
        const int r = ReplayResources.Count;
        var demand = new float[entities.Count * r][];
        var present = new bool[r];
        for (var j = 0; j < entities.Count; j++)
        {
            var resources = byEntity[entities[j]];
            demand[(j * r) + 0] = Combine(resources, [ResourceKind.Cpu], 1, start, step, steps, present, 0);
            demand[(j * r) + 1] = Combine(resources, [ResourceKind.Memory], 1 / BytesPerGibibyte, start, step, steps, present, 1);
            demand[(j * r) + 2] = Combine(resources, [ResourceKind.NetRx, ResourceKind.NetTx], 8 / BitsPerGigabit, start, step, steps, present, 2);
            demand[(j * r) + 3] = Combine(resources, [ResourceKind.DiskRead, ResourceKind.DiskWrite], 1 / BytesPerGigabyte, start, step, steps, present, 3);
        }

        var ids = entities.Select(Id).ToArray();
        return new ReplayWorkload(trace.Source, step, start, ids, entities.Select(e => groups[e]).ToArray(), demand, PeakRequests(demand), present);
    }

    /// <summary>
    /// The built-in workload: <paramref name="jobs"/> VMs from <c>Prescient.Forecasting</c>'s synthetic generator
    /// (its parameters measured on the Bitbrains and SWF traces; docs/models/forecasting.md), 300 s steps, cut to
    /// <paramref name="hours"/>.
    /// </summary>
    public static ReplayWorkload Synthetic(int jobs, double hours, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        if (!(hours > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(hours), hours, "hours must be positive");
        }

        var trace = SyntheticWorkload.Usage(jobs, (int)Math.Ceiling(hours / 24), seed);
        var workload = FromTrace(trace, (int)Math.Ceiling(hours * 3600 / trace.StepSeconds), 0);
        var source = string.Create(CultureInfo.InvariantCulture, $"synthetic(vms={jobs}, hours={hours}, seed={seed})");
        return new ReplayWorkload(source, workload.StepSeconds, workload.StartSeconds, workload.JobIds, workload.JobGroups, workload.Demand, workload.Request, workload.ResourcePresent);
    }

    private static string Id(string entityKey) => entityKey[(entityKey.IndexOf('/', StringComparison.Ordinal) + 1)..];

    /// <summary>Peak demand per (job, resource), rounded up to the grain of each resource.</summary>
    public static double[] PeakRequests(float[][] demand)
    {
        ReadOnlySpan<double> grain = [0.25, 0.25, 0.01, 0.01];
        var request = new double[demand.Length];
        for (var i = 0; i < demand.Length; i++)
        {
            var peak = 0.0;
            foreach (var v in demand[i])
            {
                peak = Math.Max(peak, v);
            }

            var g = grain[i % ReplayResources.Count];
            request[i] = Math.Max(g, Math.Ceiling(peak / g) * g);
        }

        return request;
    }

    private static float[] Combine(Dictionary<ResourceKind, TraceSeries> resources, ResourceKind[] kinds, double scale, long start, int step, int steps, bool[] present, int r)
    {
        var result = new float[steps];
        foreach (var kind in kinds)
        {
            if (!resources.TryGetValue(kind, out var series))
            {
                continue;
            }

            present[r] = true;
            var offset = (int)((series.StartSeconds - start) / step);
            var last = 0f;
            for (var t = 0; t < steps; t++)
            {
                var i = t - offset;
                if (i >= 0 && i < series.Values.Length && float.IsFinite(series.Values[i]) && series.Values[i] >= 0)
                {
                    last = series.Values[i];
                }

                result[t] += (float)(last * scale);
            }
        }

        return result;
    }
}
