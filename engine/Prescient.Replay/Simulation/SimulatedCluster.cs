using Prescient.Replay.Workloads;

namespace Prescient.Replay.Simulation;

/// <summary>
/// Nodes and the placement of the workload's jobs on them. Jobs are placed largest CPU request first on the
/// node with the least requested so far (ties by index), so placement is deterministic; each node's capacity
/// per resource is the sum of the requests placed on it (a cluster sized for its requests, as batch clusters
/// are), at least one core and one GiB.
/// </summary>
public sealed class SimulatedCluster
{
    public SimulatedCluster(ReplayWorkload workload, int nodeCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 1);
        Workload = workload;
        NodeCount = Math.Min(nodeCount, workload.JobCount);
        const int r = ReplayResources.Count;
        JobNode = new int[workload.JobCount];
        NodeCapacity = new double[NodeCount * r];
        var order = Enumerable.Range(0, workload.JobCount)
            .OrderByDescending(j => workload.Request[j * r])
            .ThenBy(j => j)
            .ToArray();
        var load = new double[NodeCount];
        foreach (var j in order)
        {
            var best = 0;
            for (var n = 1; n < NodeCount; n++)
            {
                if (load[n] < load[best])
                {
                    best = n;
                }
            }

            JobNode[j] = best;
            load[best] += workload.Request[j * r];
            for (var k = 0; k < r; k++)
            {
                NodeCapacity[(best * r) + k] += workload.Request[(j * r) + k];
            }
        }

        for (var n = 0; n < NodeCount; n++)
        {
            NodeCapacity[n * r] = Math.Max(1, NodeCapacity[n * r]);
            NodeCapacity[(n * r) + 1] = Math.Max(1, NodeCapacity[(n * r) + 1]);
        }
    }

    public ReplayWorkload Workload { get; }

    public int NodeCount { get; }

    /// <summary>Node of each job.</summary>
    public int[] JobNode { get; }

    /// <summary>Capacity per (node, resource), in <see cref="ReplayResource"/> units.</summary>
    public double[] NodeCapacity { get; }

    /// <summary>Capacity of the node of (job, resource) pair <paramref name="pair"/> = job × R + resource, for that resource.</summary>
    public double NodeCapacityOf(int pair) => NodeCapacity[(JobNode[pair / ReplayResources.Count] * ReplayResources.Count) + (pair % ReplayResources.Count)];

    public string NodeName(int node) => $"node-{node + 1:D3}";
}
