namespace Prescient.Optimization.Allocation;

/// <summary>
/// A synthetic but realistic cluster state for the allocation LP (used by <c>prescient lp gen-allocation</c>,
/// tests and benchmarks). Resources 0..3 are CPU (cores), memory (GiB), network (Gbit/s) and storage
/// bandwidth (GB/s); further resources get a capacity of 100 units. Nodes are a mix of standard (64 cores,
/// 256 GiB) and large (128 cores, 512 GiB) machines with 25 Gbit/s links and 2 GB/s storage. Jobs are
/// spread evenly over the nodes; their median demands are log-normal shares of the node, the 0.9 and 0.99
/// quantiles 15–60% and 10–50% above; the current allocation is around the median; memory floors are
/// the current usage plus 5%, CPU floors 0.1 core; ceilings are requests of 1–2× the 0.99 quantile; change
/// limits half the current allocation plus 5% of the node. Linking rows: one shared uplink over every job's
/// network (budget 60% of the summed 0.9 quantiles) and three filesystems over storage bandwidth (70%).
/// The same seed gives the same state.
/// </summary>
public static class SyntheticCluster
{
    /// <summary>Creates the state; <paramref name="resources"/> ≥ 1.</summary>
    public static AllocationClusterState Create(int nodes, int jobs, int resources = 4, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(jobs);
        ArgumentOutOfRangeException.ThrowIfLessThan(resources, 1);
        var hasNetwork = resources > 2;
        var hasStorage = resources > 3;
        const int filesystems = 3;
        var linking = (hasNetwork ? 1 : 0) + (hasStorage ? filesystems : 0);
        var state = new AllocationClusterState(nodes, jobs, resources, linking);
        var random = new Random(seed);
        var large = new bool[nodes];
        for (var n = 0; n < nodes; n++)
        {
            large[n] = random.NextDouble() < 0.25;
            for (var r = 0; r < resources; r++)
            {
                state.NodeCapacity[n * resources + r] = r switch
                {
                    0 => large[n] ? 128 : 64,
                    1 => large[n] ? 512 : 256,
                    2 => 25,
                    3 => 2,
                    _ => 100,
                };
            }
        }

        var perNode = Math.Max(1.0, (double)jobs / nodes);
        for (var j = 0; j < jobs; j++)
        {
            // Even spread with a seeded shuffle of the remainder.
            state.JobNode[j] = jobs >= nodes ? j % nodes : random.Next(nodes);
        }

        if (hasNetwork)
        {
            state.LinkingNames[0] = "uplink";
        }

        if (hasStorage)
        {
            for (var f = 0; f < filesystems; f++)
            {
                state.LinkingNames[(hasNetwork ? 1 : 0) + f] = "fs" + f.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var linkDemand = new double[linking];
        ReadOnlySpan<double> priorities = [1, 1, 1, 2, 2, 4];
        for (var j = 0; j < jobs; j++)
        {
            state.Priority[j] = priorities[random.Next(priorities.Length)];
            var node = state.JobNode[j];
            var fs = random.Next(filesystems);
            for (var r = 0; r < resources; r++)
            {
                var pair = j * resources + r;
                var capacity = state.NodeCapacity[node * resources + r];
                var share = capacity / perNode;
                var median = share * Math.Exp(NextNormal(random) * 0.4 - 0.6);
                var p90 = median * (1.15 + 0.45 * random.NextDouble());
                var p99 = p90 * (1.10 + 0.40 * random.NextDouble());
                var current = median * (0.8 + 0.6 * random.NextDouble());
                state.DemandMedian[pair] = median;
                state.DemandP90[pair] = p90;
                state.DemandP99[pair] = p99;
                state.Current[pair] = current;
                state.Floor[pair] = r switch
                {
                    0 => Math.Min(0.1, current),
                    1 => Math.Min(current, median) * 0.8 * 1.05,
                    _ => 0,
                };
                state.Ceiling[pair] = p99 * (1.0 + random.NextDouble());
                state.ChangeLimit[pair] = 0.5 * current + 0.05 * capacity;
                if (r == 2 && hasNetwork)
                {
                    state.JobLinkingRow[pair] = 0;
                    linkDemand[0] += p90;
                }
                else if (r == 3 && hasStorage)
                {
                    var l = (hasNetwork ? 1 : 0) + fs;
                    state.JobLinkingRow[pair] = l;
                    linkDemand[l] += p90;
                }
            }
        }

        // Keep every node feasible: the fixed part (floors, and current minus the change limit) of a node's
        // jobs stays under 80% of its capacity, scaling that node's currents and floors down if needed.
        var fixedPart = new double[nodes * resources];
        for (var j = 0; j < jobs; j++)
        {
            for (var r = 0; r < resources; r++)
            {
                var pair = j * resources + r;
                fixedPart[state.JobNode[j] * resources + r] += Math.Max(state.Floor[pair], state.Current[pair] - state.ChangeLimit[pair]);
            }
        }

        for (var j = 0; j < jobs; j++)
        {
            for (var r = 0; r < resources; r++)
            {
                var index = state.JobNode[j] * resources + r;
                var limit = 0.8 * state.NodeCapacity[index];
                if (fixedPart[index] > limit)
                {
                    var pair = j * resources + r;
                    var factor = limit / fixedPart[index];
                    state.Floor[pair] *= factor;
                    state.Current[pair] *= factor;
                }
            }
        }

        for (var l = 0; l < linking; l++)
        {
            var fraction = hasNetwork && l == 0 ? 0.6 : 0.7;
            state.LinkingBudget[l] = Math.Max(1, fraction * linkDemand[l]);
        }

        return state;
    }

    private static double NextNormal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
