namespace Prescient.Optimization.Allocation;

/// <summary>
/// The cluster state the allocation LP is built from, struct-of-arrays and indexed by dense indices:
/// node <c>n</c> in [0, NodeCount), job <c>j</c> in [0, JobCount), resource <c>r</c> in [0, ResourceCount),
/// linking row <c>l</c> in [0, LinkingRowCount). Per-(job, resource) arrays are indexed <c>j * ResourceCount + r</c>,
/// per-(node, resource) arrays <c>n * ResourceCount + r</c>. Every quantity of resource r is in that
/// resource's own unit (e.g. cores, GiB, Gbit/s), the same across all arrays.
/// </summary>
/// <remarks>
/// The owner fills the arrays in place every cycle; the LP builder reads them and never keeps
/// references to their contents. Not thread-safe.
/// </remarks>
public sealed class AllocationClusterState
{
    public AllocationClusterState(int nodeCount, int jobCount, int resourceCount, int linkingRowCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(jobCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(resourceCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(linkingRowCount);
        NodeCount = nodeCount;
        JobCount = jobCount;
        ResourceCount = resourceCount;
        LinkingRowCount = linkingRowCount;
        NodeCapacity = new double[nodeCount * resourceCount];
        JobNode = new int[jobCount];
        Priority = new double[jobCount];
        var pairs = jobCount * resourceCount;
        DemandMedian = new double[pairs];
        DemandP90 = new double[pairs];
        DemandP99 = new double[pairs];
        Floor = new double[pairs];
        Ceiling = new double[pairs];
        Current = new double[pairs];
        ChangeLimit = new double[pairs];
        JobLinkingRow = new int[pairs];
        Array.Fill(JobLinkingRow, -1);
        LinkingBudget = new double[linkingRowCount];
        LinkingNames = new string[linkingRowCount];
        for (var l = 0; l < linkingRowCount; l++)
        {
            LinkingNames[l] = "link" + l.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public int NodeCount { get; }

    public int JobCount { get; }

    public int ResourceCount { get; }

    public int LinkingRowCount { get; }

    /// <summary>Capacity per (node, resource), ≥ 0.</summary>
    public double[] NodeCapacity { get; }

    /// <summary>Node each job runs on.</summary>
    public int[] JobNode { get; }

    /// <summary>Priority/criticality weight per job (&gt; 0; 1 = normal).</summary>
    public double[] Priority { get; }

    /// <summary>Predicted demand quantiles per (job, resource): median, 0.9 and 0.99 (made monotone by the builder).</summary>
    public double[] DemandMedian { get; }

    public double[] DemandP90 { get; }

    public double[] DemandP99 { get; }

    /// <summary>Lowest allocation allowed per (job, resource) (e.g. memory usage plus a safety margin); wins over the change limit and the ceiling.</summary>
    public double[] Floor { get; }

    /// <summary>Highest allocation allowed per (job, resource) (request or policy); +inf for none.</summary>
    public double[] Ceiling { get; }

    /// <summary>Allocation in force now per (job, resource).</summary>
    public double[] Current { get; }

    /// <summary>Largest change per cycle per (job, resource) (hysteresis); +inf for none.</summary>
    public double[] ChangeLimit { get; }

    /// <summary>Per (job, resource): the global linking row the allocation also counts against, or -1.</summary>
    public int[] JobLinkingRow { get; }

    /// <summary>Budget per linking row (e.g. shared uplink bandwidth, per-filesystem storage bandwidth), in the unit of the resources it sums.</summary>
    public double[] LinkingBudget { get; }

    /// <summary>Row names of the linking rows (used in MPS output).</summary>
    public string[] LinkingNames { get; }
}
