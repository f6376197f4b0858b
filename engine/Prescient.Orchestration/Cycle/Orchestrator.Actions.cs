using System.Numerics;

namespace Prescient.Orchestration.Cycle;

public sealed partial class Orchestrator
{
    private readonly Dictionary<string, HistoryEntry> _programHistory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HistoryEntry> _userHistory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _prefetched = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nodeIndex = new(StringComparer.Ordinal);
    private readonly List<string> _stalePrefetches = [];

    /// <summary>
    /// Tells the orchestrator that a command it planned could not be sent (no agent, full queue): the job's applied
    /// values are used again next cycle instead of the planned ones.
    /// </summary>
    public void Unsent(in PlannedChange change, ClusterSnapshot snapshot)
    {
        if (change.Kind == ChangeKind.SetLimits && (uint)change.Job < (uint)snapshot.JobCount && _slotOf.TryGetValue(snapshot.JobId[change.Job], out var slot))
        {
            _w.CommandCycle[slot / R] = 0;
        }
        else if (change.Kind == ChangeKind.Prefetch && (uint)change.Job < (uint)snapshot.PendingCount)
        {
            _prefetched.Remove(snapshot.PendingId[change.Job]);
        }
    }

    private void EmitChanges(ClusterSnapshot s, CycleResult result)
    {
        var w = _w;
        var o = _options;
        var need = (s.JobCount * 3) + s.PendingCount + o.MaxRecommendations;
        if (result.ChangeBuffer.Length < need)
        {
            var c = Math.Max(need, result.ChangeBuffer.Length * 2);
            result.ChangeBuffer = new PlannedChange[c];
            result.PathBuffer = new IReadOnlyList<string>?[c];
        }

        SumAllocations(s);
        var count = 0;
        for (var j = 0; j < s.JobCount; j++)
        {
            var node = s.JobNode[j];
            if (w.FailStatic[node])
            {
                continue;
            }

            count = EmitLimits(s, j, node, result, count);
            count = EmitBandwidth(s, j, node, result, count);
        }

        count = EmitNuma(s, result, count);
        count = EmitPrefetch(s, result, count);
        var budget = count + o.MaxRecommendations;
        count = EmitScaleOut(s, result, count, budget);
        count = EmitMigrations(s, result, count, budget);
        result.ChangeCount = count;
    }

    private int EmitLimits(ClusterSnapshot s, int j, int node, CycleResult result, int count)
    {
        var w = _w;
        var o = _options;
        var pc = j * R;
        var pm = pc + (int)OrchestratedResource.Memory;
        var cpu = w.Allocation[pc];
        var memory = w.Allocation[pm];
        var cpuBase = w.Current[pc];
        var memoryBase = w.Current[pm];
        var cpuChange = Relative(cpuBase, cpu);
        var memoryChange = Relative(memoryBase, memory);
        var needCpu = s.JobApplied[pc] <= 0 || cpuChange > o.Hysteresis || (w.PairSpike[pc] && cpu > cpuBase * (1 + 1e-9));
        var needMemory = s.JobApplied[pm] <= 0 || memoryChange > o.Hysteresis || memoryBase < w.Floor[pm] || (w.PairSpike[pm] && memory > memoryBase * (1 + 1e-9));
        if (!needCpu && !needMemory)
        {
            return count;
        }

        var drive = needMemory && (!needCpu || memoryChange >= cpuChange) ? pm : pc;
        var r = drive - pc;
        var memoryCapacity = s.NodeCapacity[(node * R) + (int)OrchestratedResource.Memory];
        ref var c = ref result.ChangeBuffer[count];
        c = default;
        c.Kind = ChangeKind.SetLimits;
        c.Job = j;
        c.Node = node;
        c.TargetNode = -1;
        c.Resource = (sbyte)r;
        c.CpuQuotaCores = cpu;
        c.CpuWeight = (uint)Math.Clamp(Math.Round(100 * s.JobPriority[j]), 1, 10_000);
        c.MemoryHighGibibytes = memory;
        c.MemoryMaxGibibytes = Math.Max(memory, Math.Min(Math.Max(memoryCapacity, memory), memory * (1 + o.MemoryMaxHeadroom)));
        c.Previous = w.Current[drive];
        c.Forecast = w.Demand[(drive * Q) + 1];
        c.Horizon = w.DemandHorizon[drive];
        c.Constraint = Binding(s, drive, node * R + r);
        var raise = w.Allocation[drive] > w.Current[drive];
        var reason = w.PairReason[drive];
        c.Reason = reason == ReasonForecast ? (raise ? ChangeReason.ForecastRaise : ChangeReason.ForecastLower) : (ChangeReason)reason;
        if (raise && reason == ReasonForecast)
        {
            c.NotBeforeSeconds = LeadSeconds(w.JobSlot[j] + r, r, w.Current[drive], out var horizon);
            c.Horizon = horizon;
        }

        result.PathBuffer[count] = null;
        var group = w.JobSlot[j] / R;
        w.CommandCycle[group] = _cycle;
        w.CommandedCpu[group] = cpu;
        w.CommandedMemory[group] = memory;
        return count + 1;
    }

    /// <summary>
    /// Seconds to wait before applying a raise: the demand first exceeds what is in force at the first horizon (within
    /// the lookahead) whose 0.9 level is above it, so the raise must land between the previous horizon and that one,
    /// the action's lead time ahead.
    /// </summary>
    private int LeadSeconds(int series, int r, double inForce, out sbyte horizon)
    {
        var forecasts = _feedback.ModelDegraded ? _w.SlotFallbackForecast : _w.SlotForecast;
        var row = forecasts.AsSpan(series * _width, _width);
        var active = _h - _degradation;
        for (var h = 0; h < active; h++)
        {
            if (row[(h * Q) + 1] > inForce)
            {
                horizon = (sbyte)h;
                return h == 0 ? 0 : Math.Max(0, Shape.HorizonSeconds(h - 1) - _options.ActionLeadSeconds[r]);
            }
        }

        horizon = 0;
        return 0;
    }

    private int EmitBandwidth(ClusterSnapshot s, int j, int node, CycleResult result, int count)
    {
        var w = _w;
        var p = (j * R) + (int)OrchestratedResource.Network;
        var predicted = w.Demand[(p * Q) + 1];
        var applied = s.JobApplied[p];
        var a = w.Allocation[p];
        // Nothing in force and nothing to reserve is no change (a zero reservation re-sent every cycle was most of the
        // commands at 1,000 nodes under a tight uplink: the exact plan leaves the jobs priced out at exactly 0).
        if (predicted < _options.BandwidthReservationMinimumGigabits || (applied > 0 ? Relative(applied, a) <= _options.Hysteresis : a <= 0))
        {
            return count;
        }

        ref var c = ref result.ChangeBuffer[count];
        c = default;
        c.Kind = ChangeKind.ReserveBandwidth;
        c.Reason = ChangeReason.PredictedTransfer;
        c.Job = j;
        c.Node = node;
        c.TargetNode = -1;
        c.Resource = (sbyte)OrchestratedResource.Network;
        c.Horizon = w.DemandHorizon[p];
        c.BandwidthGigabits = a;
        c.Forecast = predicted;
        c.Previous = applied;
        c.Constraint = Binding(s, p, (node * R) + (int)OrchestratedResource.Network);
        result.PathBuffer[count] = null;
        return count + 1;
    }

    /// <summary>Widens the cpuset of a bound job whose predicted footprint no longer fits the NUMA nodes it has, onto the least-loaded others.</summary>
    private int EmitNuma(ClusterSnapshot s, CycleResult result, int count)
    {
        var w = _w;
        var total = 0;
        for (var n = 0; n < s.NodeCount; n++)
        {
            w.NumaOffset[n] = total;
            total += s.NodeNumaCount[n] >= 2 ? s.NodeNumaCount[n] : 0;
        }

        w.NumaOffset[s.NodeCount] = total;
        if (total == 0)
        {
            return count;
        }

        w.EnsureNuma(total);
        var load = w.NumaLoad.AsSpan(0, total);
        load.Clear();
        for (var j = 0; j < s.JobCount; j++)
        {
            var node = s.JobNode[j];
            var numa = s.NodeNumaCount[node];
            var mask = s.JobNumaMask[j] & NumaBits(numa);
            if (numa < 2 || mask == 0)
            {
                continue;
            }

            var share = w.Demand[(((j * R) + (int)OrchestratedResource.Cpu) * Q) + 1] / BitOperations.PopCount(mask);
            for (var k = 0; k < numa; k++)
            {
                if ((mask & (1UL << k)) != 0)
                {
                    load[w.NumaOffset[node] + k] += share;
                }
            }
        }

        for (var j = 0; j < s.JobCount; j++)
        {
            var node = s.JobNode[j];
            var numa = s.NodeNumaCount[node];
            var mask = s.JobNumaMask[j] & NumaBits(numa);
            if (numa < 2 || mask == 0 || w.FailStatic[node])
            {
                continue;
            }

            var pc = (j * R) + (int)OrchestratedResource.Cpu;
            var pm = (j * R) + (int)OrchestratedResource.Memory;
            var perCpu = s.NodeCapacity[(node * R) + (int)OrchestratedResource.Cpu] / numa;
            var perMemory = s.NodeCapacity[(node * R) + (int)OrchestratedResource.Memory] / numa;
            var cpuNeed = perCpu > 0 ? (int)Math.Ceiling((w.Demand[(pc * Q) + 1] / perCpu) - 1e-9) : 1;
            var memoryNeed = perMemory > 0 ? (int)Math.Ceiling((w.Demand[(pm * Q) + 1] / perMemory) - 1e-9) : 1;
            var needed = Math.Clamp(Math.Max(cpuNeed, memoryNeed), 1, numa);
            var have = BitOperations.PopCount(mask);
            if (needed <= have)
            {
                continue;
            }

            var share = w.Demand[(pc * Q) + 1] / needed;
            var widened = mask;
            while (BitOperations.PopCount(widened) < needed)
            {
                var best = -1;
                for (var k = 0; k < numa; k++)
                {
                    if ((widened & (1UL << k)) == 0 && (best < 0 || load[w.NumaOffset[node] + k] < load[w.NumaOffset[node] + best]))
                    {
                        best = k;
                    }
                }

                widened |= 1UL << best;
                load[w.NumaOffset[node] + best] += share;
            }

            var drive = memoryNeed > cpuNeed ? pm : pc;
            ref var c = ref result.ChangeBuffer[count];
            c = default;
            c.Kind = ChangeKind.SetCpuset;
            c.Reason = ChangeReason.NumaFootprint;
            c.Job = j;
            c.Node = node;
            c.TargetNode = -1;
            c.Resource = (sbyte)(drive - (j * R));
            c.Horizon = w.DemandHorizon[drive];
            c.NumaMask = widened;
            c.Instances = needed;
            c.Forecast = w.Demand[(drive * Q) + 1];
            c.Previous = have;
            result.PathBuffer[count] = null;
            count++;
        }

        return count;
    }

    /// <summary>Prefetches the datasets of pending jobs expected to start within the window, once per job.</summary>
    private int EmitPrefetch(ClusterSnapshot s, CycleResult result, int count)
    {
        var o = _options;
        var now = s.NowSeconds;
        var indexed = false;
        for (var p = 0; p < s.PendingCount; p++)
        {
            var start = s.PendingStartSeconds[p];
            if (start <= now || start > now + o.PrefetchWindowSeconds || _prefetched.ContainsKey(s.PendingId[p]))
            {
                continue;
            }

            var paths = s.PendingInputPaths[p];
            string? historyNode = null;
            if (paths is null || paths.Count == 0)
            {
                // No paths in the queue entry: the program's (else the user's) data-access history.
                if (s.PendingProgram[p] is { Length: > 0 } program && _programHistory.TryGetValue(program, out var byProgram))
                {
                    paths = byProgram.Paths;
                    historyNode = byProgram.Node;
                }
                else if (s.PendingUser[p] is { Length: > 0 } user && _userHistory.TryGetValue(user, out var byUser))
                {
                    paths = byUser.Paths;
                    historyNode = byUser.Node;
                }
            }
            else if (s.PendingProgram[p] is { Length: > 0 } program && _programHistory.TryGetValue(program, out var byProgram))
            {
                historyNode = byProgram.Node;
            }

            if (paths is null || paths.Count == 0)
            {
                continue;
            }

            var node = s.PendingNode[p];
            if (node < 0 && historyNode is not null)
            {
                if (!indexed)
                {
                    IndexNodes(s);
                    indexed = true;
                }

                node = _nodeIndex.TryGetValue(historyNode, out var k) && !_w.FailStatic[k] ? k : -1;
            }

            if (node < 0)
            {
                node = MostHeadroom(s, (int)OrchestratedResource.Memory, -1, 0);
            }

            if (node < 0 || _w.FailStatic[node])
            {
                continue;
            }

            ref var c = ref result.ChangeBuffer[count];
            c = default;
            c.Kind = ChangeKind.Prefetch;
            c.Reason = ChangeReason.PendingStart;
            c.Job = p;
            c.Node = node;
            c.TargetNode = -1;
            c.Resource = -1;
            c.Horizon = -1;
            c.NotBeforeSeconds = (int)Math.Max(0, start - now - o.PrefetchLeadSeconds);
            result.PathBuffer[count] = paths;
            count++;
            _prefetched[s.PendingId[p]] = start;
        }

        if (_prefetched.Count > (4 * s.PendingCount) + 64)
        {
            _stalePrefetches.Clear();
            foreach (var pair in _prefetched)
            {
                if (pair.Value < now)
                {
                    _stalePrefetches.Add(pair.Key);
                }
            }

            foreach (var id in _stalePrefetches)
            {
                _prefetched.Remove(id);
            }
        }

        return count;
    }

    /// <summary>Recommends more instances for long-running services whose predicted load exceeds what they were sized for.</summary>
    private int EmitScaleOut(ClusterSnapshot s, CycleResult result, int count, int budget)
    {
        var w = _w;
        var o = _options;
        var forecasts = _feedback.ModelDegraded ? w.SlotFallbackForecast : w.SlotForecast;
        var active = _h - _degradation;
        for (var j = 0; j < s.JobCount && count < budget; j++)
        {
            var pc = j * R;
            var request = s.JobCeiling[pc];
            if (!s.JobLongRunning[j] || w.FailStatic[s.JobNode[j]] || !double.IsFinite(request) || request <= 0)
            {
                continue;
            }

            var predicted = w.Predicted[pc];
            if (predicted <= o.ScaleOutThreshold * request)
            {
                continue;
            }

            var row = forecasts.AsSpan(w.JobSlot[j] * _width, _width);
            sbyte horizon = 0;
            for (var h = 0; h < active; h++)
            {
                if (row[(h * Q) + 1] > o.ScaleOutThreshold * request)
                {
                    horizon = (sbyte)h;
                    break;
                }
            }

            ref var c = ref result.ChangeBuffer[count];
            c = default;
            c.Kind = ChangeKind.ScaleOut;
            c.Reason = ChangeReason.PredictedLoad;
            c.Job = j;
            c.Node = s.JobNode[j];
            c.TargetNode = -1;
            c.Resource = (sbyte)OrchestratedResource.Cpu;
            c.Horizon = horizon;
            c.Instances = Math.Max(2, (int)Math.Ceiling(predicted / (request * o.ScaleOutTargetUtilization)));
            c.Forecast = predicted;
            c.Previous = request;
            c.Constraint = BindingConstraint.Ceiling;
            c.NotBeforeSeconds = Math.Max(0, Shape.HorizonSeconds(horizon) - o.InstanceStartupSeconds - Shape.HorizonSeconds(0));
            result.PathBuffer[count] = null;
            count++;
        }

        return count;
    }

    /// <summary>
    /// Proposes migrations off nodes whose predicted 0.9 total crosses the threshold (largest jobs first, to the node with
    /// the most predicted headroom, ties to the lowest index), and re-plans of the jobs of lost nodes. Never kills.
    /// </summary>
    private int EmitMigrations(ClusterSnapshot s, CycleResult result, int count, int budget)
    {
        var w = _w;
        var o = _options;
        var nodes = s.NodeCount;

        // Jobs grouped by node (counting sort, stable in job order).
        var start = w.NodeJobStart.AsSpan(0, nodes + 1);
        start.Clear();
        for (var j = 0; j < s.JobCount; j++)
        {
            start[s.JobNode[j] + 1]++;
        }

        for (var n = 0; n < nodes; n++)
        {
            start[n + 1] += start[n];
        }

        for (var j = 0; j < s.JobCount; j++)
        {
            w.NodeJobs[start[s.JobNode[j]]++] = j;
        }

        for (var n = nodes; n > 0; n--)
        {
            start[n] = start[n - 1];
        }

        start[0] = 0;
        for (var n = 0; n < nodes && count < budget; n++)
        {
            var lost = !s.NodeConnected[n];
            if (!lost && w.FailStatic[n])
            {
                continue;
            }

            for (var r = 0; r <= (int)OrchestratedResource.Memory && count < budget; r++)
            {
                var cell = (n * R) + r;
                var limit = o.MigrationThreshold * s.NodeCapacity[cell];
                while (count < budget && (lost || w.NodePredicted[cell] > limit))
                {
                    // The largest remaining job on the node (ties: lowest index).
                    var best = -1;
                    var bestSize = double.NegativeInfinity;
                    for (var k = start[n]; k < start[n + 1]; k++)
                    {
                        var j = w.NodeJobs[k];
                        if (j >= 0 && w.Predicted[(j * R) + r] > bestSize)
                        {
                            best = k;
                            bestSize = w.Predicted[(j * R) + r];
                        }
                    }

                    if (best < 0)
                    {
                        break;
                    }

                    var job = w.NodeJobs[best];
                    w.NodeJobs[best] = -1;
                    var target = MostHeadroom(s, r, n, bestSize);
                    if (target < 0)
                    {
                        continue;
                    }

                    for (var k = 0; k < R; k++)
                    {
                        var size = w.Predicted[(job * R) + k];
                        w.NodePredicted[(n * R) + k] -= size;
                        w.NodePredicted[(target * R) + k] += size;
                    }

                    ref var c = ref result.ChangeBuffer[count];
                    c = default;
                    c.Kind = lost ? ChangeKind.Replan : ChangeKind.Migrate;
                    c.Reason = lost ? ChangeReason.NodeLost : ChangeReason.NodeOvercommit;
                    c.Job = job;
                    c.Node = n;
                    c.TargetNode = target;
                    c.Resource = (sbyte)r;
                    c.Horizon = (sbyte)(_h - _degradation - 1);
                    c.Forecast = bestSize;
                    c.Previous = lost ? 0 : w.NodePredicted[cell] + bestSize;
                    c.Constraint = BindingConstraint.NodeCapacity;
                    result.PathBuffer[count] = null;
                    count++;
                }

                if (lost)
                {
                    break;
                }
            }
        }

        return count;
    }

    /// <summary>The live node (other than <paramref name="except"/>) with the most predicted headroom of resource r, at least <paramref name="size"/>; -1 if none.</summary>
    private int MostHeadroom(ClusterSnapshot s, int r, int except, double size)
    {
        var w = _w;
        var best = -1;
        var bestRoom = double.NegativeInfinity;
        for (var n = 0; n < s.NodeCount; n++)
        {
            if (n == except || w.FailStatic[n])
            {
                continue;
            }

            var room = (_options.MigrationThreshold * s.NodeCapacity[(n * R) + r]) - w.NodePredicted[(n * R) + r];
            if (room >= size && room > bestRoom)
            {
                best = n;
                bestRoom = room;
            }
        }

        return best;
    }

    /// <summary>Σ allocation per (node, resource) after the repair, into NodeLowSum (for the binding test).</summary>
    private void SumAllocations(ClusterSnapshot s)
    {
        var w = _w;
        var sums = w.NodeLowSum.AsSpan(0, s.NodeCount * R);
        sums.Clear();
        var lpJobs = s.JobCount + s.NodeCount;
        for (var job = 0; job < lpJobs; job++)
        {
            var node = job < s.JobCount ? s.JobNode[job] : job - s.JobCount;
            for (var r = 0; r < R; r++)
            {
                sums[(node * R) + r] += w.Allocation[(job * R) + r];
            }
        }
    }

    private BindingConstraint Binding(ClusterSnapshot s, int p, int cell)
    {
        var w = _w;
        var lp = _lp!;
        var a = w.Allocation[p];
        var eps = 1e-6 * Math.Max(1, Math.Abs(a));
        var q99 = w.Demand[(p * Q) + 2];
        if (lp.Floor[p] > 0 && a <= lp.Floor[p] + eps && q99 < lp.Floor[p])
        {
            return BindingConstraint.Floor;
        }

        if (a < q99 - eps)
        {
            if (a >= lp.Ceiling[p] - eps)
            {
                return BindingConstraint.Ceiling;
            }

            if (double.IsFinite(lp.ChangeLimit[p]) && a >= lp.Current[p] + lp.ChangeLimit[p] - eps)
            {
                return BindingConstraint.ChangeLimit;
            }

            if (w.NodeLowSum[cell] >= w.NodeCapacityLp[cell] - (1e-6 * Math.Max(1, w.NodeCapacityLp[cell])))
            {
                return BindingConstraint.NodeCapacity;
            }
        }
        else if (double.IsFinite(lp.ChangeLimit[p]) && a <= lp.Current[p] - lp.ChangeLimit[p] + eps && q99 < a)
        {
            return BindingConstraint.ChangeLimit;
        }

        _ = s;
        return BindingConstraint.None;
    }

    private void IndexNodes(ClusterSnapshot s)
    {
        _nodeIndex.Clear();
        for (var n = 0; n < s.NodeCount; n++)
        {
            _nodeIndex[s.NodeName[n]] = n;
        }
    }

    private void RememberHistory(ClusterSnapshot s, int j)
    {
        var paths = s.JobInputPaths[j];
        if (paths is null || paths.Count == 0)
        {
            return;
        }

        var entry = new HistoryEntry(paths, s.NodeName[s.JobNode[j]]);
        if (s.JobProgram[j] is { Length: > 0 } program)
        {
            _programHistory[program] = entry;
        }

        if (s.JobUser[j] is { Length: > 0 } user)
        {
            _userHistory[user] = entry;
        }
    }

    private static ulong NumaBits(int numa) => numa >= 64 ? ulong.MaxValue : (1UL << numa) - 1;

    private static double Relative(double from, double to) => Math.Abs(to - from) / Math.Max(Math.Abs(from), 1e-9);

    private sealed record HistoryEntry(IReadOnlyList<string> Paths, string Node);
}
