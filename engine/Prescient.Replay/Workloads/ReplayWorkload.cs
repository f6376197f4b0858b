namespace Prescient.Replay.Workloads;

/// <summary>
/// What a replay plays back: the demand of every job, per resource, on a regular grid, in the units of
/// <see cref="ReplayResource"/>. Demand is what the job would use with no limit. <see cref="Request"/> is what
/// the job asked for (the <c>static</c> policy's allocation). Immutable once built.
/// </summary>
public sealed class ReplayWorkload
{
    public ReplayWorkload(string source, int stepSeconds, long startSeconds, string[] jobIds, string[] jobGroups, float[][] demand, double[] request, bool[] resourcePresent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSeconds, 1);
        if (demand.Length != jobIds.Length * ReplayResources.Count || request.Length != demand.Length || jobGroups.Length != jobIds.Length)
        {
            throw new ArgumentException("demand and request need one entry per (job, resource)");
        }

        Source = source;
        StepSeconds = stepSeconds;
        StartSeconds = startSeconds;
        JobIds = jobIds;
        JobGroups = jobGroups;
        Demand = demand;
        Request = request;
        ResourcePresent = resourcePresent;
        Steps = demand.Length == 0 ? 0 : demand[0].Length;
        foreach (var series in demand)
        {
            if (series.Length != Steps)
            {
                throw new ArgumentException("every demand series must have the same length");
            }
        }
    }

    /// <summary>Where it came from: a trace path, or <c>synthetic(seed=…)</c>.</summary>
    public string Source { get; }

    public int StepSeconds { get; }

    /// <summary>Unix seconds of the first step's end.</summary>
    public long StartSeconds { get; }

    public int JobCount => JobIds.Length;

    public int Steps { get; }

    public string[] JobIds { get; }

    /// <summary>Each job's group (account, or the trace's grouping) for cold-start priors and reports.</summary>
    public string[] JobGroups { get; }

    /// <summary>Demand per (job, resource) series, indexed <c>job * ReplayResources.Count + resource</c>, values per step, never NaN or negative.</summary>
    public float[][] Demand { get; }

    /// <summary>Requested allocation per (job, resource).</summary>
    public double[] Request { get; }

    /// <summary>Which resources the workload carries (a resource absent from the trace is all zeros and not reported).</summary>
    public bool[] ResourcePresent { get; }
}
