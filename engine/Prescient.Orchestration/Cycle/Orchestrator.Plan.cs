using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;

namespace Prescient.Orchestration.Cycle;

public sealed partial class Orchestrator
{
    private const byte ReasonForecast = 255;

    private const int PeakBuckets = OrchestratorWorkspace.PeakBuckets;

    /// <summary>
    /// Planned demand per (job, resource): the envelope of the forecast quantiles over the horizons in the resource's
    /// lookahead, overridden by the contingencies; floors (fitted to capacity) and each node's reserve.
    /// </summary>
    private void AggregateDemand(ClusterSnapshot s, CycleResult result)
    {
        var w = _w;
        var o = _options;
        var active = _h - _degradation;
        var rolledBack = _feedback.ModelDegraded;
        var forecasts = rolledBack ? w.SlotFallbackForecast : w.SlotForecast;
        var nodeCells = s.NodeCount * R;
        w.NodeFloorBase.AsSpan(0, nodeCells).Clear();
        w.NodeMarginSum.AsSpan(0, nodeCells).Clear();
        w.NodePredicted.AsSpan(0, nodeCells).Clear();
        for (var n = 0; n < s.NodeCount; n++)
        {
            w.FailStatic[n] = !s.NodeConnected[n] || !s.NodeSynced[n];
            result.FailStaticNodes += w.FailStatic[n] ? 1 : 0;
        }

        var spikes = 0;
        var cold = 0;
        for (var j = 0; j < s.JobCount; j++)
        {
            var node = s.JobNode[j];
            var slot = w.JobSlot[j];
            for (var r = 0; r < R; r++)
            {
                var p = (j * R) + r;
                var u = s.JobUsage[p];
                var known = double.IsFinite(u) && u >= 0;
                var row = forecasts.AsSpan((slot + r) * _width, _width);
                var lookahead = 1;
                while (lookahead < active && Shape.HorizonSeconds(lookahead) <= o.LookaheadSeconds[r])
                {
                    lookahead++;
                }

                double q50 = double.NegativeInfinity, q90 = double.NegativeInfinity, q99 = double.NegativeInfinity;
                sbyte drive = 0;
                for (var h = 0; h < lookahead; h++)
                {
                    q50 = Math.Max(q50, row[h * Q]);
                    q99 = Math.Max(q99, row[(h * Q) + 2]);
                    if (row[(h * Q) + 1] > q90)
                    {
                        q90 = row[(h * Q) + 1];
                        drive = (sbyte)h;
                    }
                }

                var hasForecast = double.IsFinite(q50) && double.IsFinite(q90) && double.IsFinite(q99) && w.History[slot + r] >= o.MinimumHistorySteps;
                var applied = s.JobApplied[p];
                double r50, r90, r99;
                if (known)
                {
                    r50 = u;
                    r90 = u * (1 + (0.5 * o.ReactiveHeadroom));
                    r99 = u * (1 + o.ReactiveHeadroom);
                }
                else
                {
                    r50 = r90 = r99 = applied;
                }

                byte reason = ReasonForecast;
                var spike = false;
                if (!hasForecast)
                {
                    (q50, q90, q99) = (r50, r90, r99);
                    reason = (byte)ChangeReason.ColdStart;
                    drive = 0;
                    cold++;
                }
                else
                {
                    if (_feedback.InFallback(slot + r))
                    {
                        var widen = 1 + o.FallbackWidening;
                        q50 = Math.Max(q50, r50);
                        q90 = Math.Max(q90 * widen, r90);
                        q99 = Math.Max(q99 * widen, r99);
                        reason = (byte)ChangeReason.ForecastFallback;
                    }

                    // Usage past the forecast's 0.99 level, or pressing on its limit (a throttled CPU or a memory
                    // limit about to reclaim), is a spike the forecast missed: the reactive path takes it now.
                    if (known && (u > o.SpikeFactor * q99 || (applied > 0 && r <= (int)OrchestratedResource.Memory && u >= 0.95 * applied)))
                    {
                        q50 = Math.Max(q50, r50);
                        q90 = Math.Max(q90, r90);
                        q99 = Math.Max(q99, r99);
                        reason = (byte)ChangeReason.Spike;
                        spike = true;
                        spikes++;
                    }
                }

                if (known && r == (int)OrchestratedResource.Cpu && o.CpuPeakWindowSeconds > 0)
                {
                    // CPU is throttled, not killed, so a recent peak only raises the 0.99 level: the LP provisions
                    // for it where the band weights value that level.
                    q99 = Math.Max(q99, TrailingPeak(slot + r, u, s.NowSeconds, o.CpuPeakWindowSeconds));
                }

                q50 = Math.Max(0, q50);
                q90 = Math.Max(q50, q90);
                q99 = Math.Max(q90, q99);
                w.Demand[p * Q] = q50;
                w.Demand[(p * Q) + 1] = q90;
                w.Demand[(p * Q) + 2] = q99;
                w.DemandHorizon[p] = drive;
                w.PairReason[p] = reason;
                w.PairSpike[p] = spike;

                // For migration and scale-out: the 0.9 level at the longest horizon still planned.
                var longest = row[((active - 1) * Q) + 1];
                var predicted = double.IsFinite(longest) ? Math.Max(longest, q90) : q90;
                w.Predicted[p] = predicted;
                w.NodePredicted[(node * R) + r] += predicted;

                double floorBase = 0, margin = 0;
                if (r == (int)OrchestratedResource.Memory)
                {
                    // Memory is not compressible: usage is the hard floor, and the rest of the window's peak is held
                    // like the margin (shrunk with it when the node is short), so a limit comes down only once the
                    // peak has aged out of the window.
                    floorBase = known ? u : 0;
                    var peak = known ? TrailingPeak(slot + r, u, s.NowSeconds, o.MemoryPeakWindowSeconds) : floorBase;
                    margin = (peak - floorBase) + Math.Max(o.MemoryMarginGibibytes, peak * o.MemoryMarginFraction);
                }
                else if (r == (int)OrchestratedResource.Cpu)
                {
                    margin = o.MinimumCpuCores;
                }

                w.Floor[p] = floorBase;
                w.Margin[p] = margin;
                w.NodeFloorBase[(node * R) + r] += floorBase;
                w.NodeMarginSum[(node * R) + r] += margin;
            }
        }

        result.SpikeSeries = spikes;
        result.ColdSeries = cold;

        // Margins shrink together when a node cannot give every job its full margin: memory never below usage,
        // and never over capacity while usage fits.
        for (var j = 0; j < s.JobCount; j++)
        {
            var node = s.JobNode[j];
            for (var r = 0; r < R; r++)
            {
                var cell = (node * R) + r;
                var p = (j * R) + r;
                var room = s.NodeCapacity[cell] - w.NodeFloorBase[cell];
                var marginSum = w.NodeMarginSum[cell];
                // A hair of slack keeps the LP row strictly feasible after rounding (Σ floors ≤ capacity exactly).
                var f = marginSum > 0 ? Math.Clamp(room * (1 - 1e-9) / marginSum, 0, 1) : 1;
                w.Floor[p] += f * w.Margin[p];
            }
        }

        ReserveForPendingAndEvents(s);
    }

    /// <summary>
    /// The peak of series <paramref name="series"/> over the trailing <paramref name="window"/> seconds after observing <paramref name="usage"/> at <paramref name="nowSeconds"/>. The window is kept as
    /// <see cref="PeakBuckets"/> sub-window maxima of ⌈window / (buckets − 1)⌉ s each, so it spans at least the window
    /// and at most a bucket more, in O(buckets) state per series. A slot handed to a new job (its observed-step count
    /// went back) starts empty. Returns <paramref name="usage"/> when the window is 0.
    /// </summary>
    private double TrailingPeak(int series, double usage, long nowSeconds, int window)
    {
        if (window <= 0)
        {
            return usage;
        }

        var width = (window + PeakBuckets - 2) / (PeakBuckets - 1);
        var epoch = nowSeconds >= 0 ? nowSeconds / width : ((nowSeconds + 1) / width) - 1;
        var buckets = _w.PeakBucket.AsSpan(series * PeakBuckets, PeakBuckets);
        var last = _w.PeakEpoch[series];
        var history = _w.History[series];
        if (history < _w.PeakHistory[series] || epoch < last || epoch - last >= PeakBuckets)
        {
            buckets.Clear();
        }
        else
        {
            for (var e = last + 1; e <= epoch; e++)
            {
                buckets[(int)(e % PeakBuckets)] = 0;
            }
        }

        _w.PeakEpoch[series] = epoch;
        _w.PeakHistory[series] = history;
        var current = (int)(epoch % PeakBuckets);
        buckets[current] = Math.Max(buckets[current], usage);
        var peak = usage;
        foreach (var v in buckets)
        {
            peak = Math.Max(peak, v);
        }

        return peak;
    }

    /// <summary>Capacity each node keeps for pending jobs expected to start and registered events within each resource's lookahead.</summary>
    private void ReserveForPendingAndEvents(ClusterSnapshot s)
    {
        var w = _w;
        var now = s.NowSeconds;
        w.ReserveDemand.AsSpan(0, s.NodeCount * R).Clear();
        w.SystemDemand.AsSpan().Clear();
        w.SystemCapacity.AsSpan().Clear();
        for (var r = 0; r < R; r++)
        {
            var until = now + Math.Max(_options.LookaheadSeconds[r], Shape.HorizonSeconds(0));
            for (var p = 0; p < s.PendingCount; p++)
            {
                var start = s.PendingStartSeconds[p];
                var request = s.PendingRequest[(p * R) + r];
                if (start <= 0 || start > until || !(request > 0) || double.IsInfinity(request))
                {
                    continue;
                }

                var node = s.PendingNode[p];
                if (node >= 0)
                {
                    w.ReserveDemand[(node * R) + r] += request;
                }
                else
                {
                    w.SystemDemand[r] += request;
                }
            }

            for (var e = 0; e < s.EventCount; e++)
            {
                var extra = s.EventExtra[(e * R) + r];
                if (s.EventEndSeconds[e] <= now || s.EventStartSeconds[e] > until || !(extra > 0) || double.IsInfinity(extra))
                {
                    continue;
                }

                var node = s.EventNode[e];
                if (node >= 0)
                {
                    w.ReserveDemand[(node * R) + r] += extra;
                }
                else
                {
                    w.SystemDemand[r] += extra;
                }
            }

            for (var n = 0; n < s.NodeCount; n++)
            {
                w.SystemCapacity[r] += w.FailStatic[n] ? 0 : s.NodeCapacity[(n * R) + r];
            }
        }

        for (var n = 0; n < s.NodeCount; n++)
        {
            if (w.FailStatic[n])
            {
                continue;
            }

            for (var r = 0; r < R; r++)
            {
                if (w.SystemDemand[r] > 0 && w.SystemCapacity[r] > 0)
                {
                    // System-wide demand (no node known yet) is spread in proportion to capacity.
                    w.ReserveDemand[(n * R) + r] += w.SystemDemand[r] * s.NodeCapacity[(n * R) + r] / w.SystemCapacity[r];
                }
            }
        }
    }

    /// <summary>Fills the allocation LP from the demand, solves it, and repairs the point to exact feasibility.</summary>
    private void FillAndSolve(ClusterSnapshot s, CycleResult result)
    {
        var w = _w;
        var o = _options;
        var jobs = s.JobCount;
        var nodes = s.NodeCount;
        var links = (o.UplinkBudgetGigabits > 0 ? 1 : 0) + (o.StorageBudgetGigabytes > 0 ? 1 : 0);
        if (_lp is null || _lp.NodeCount != nodes || _lp.JobCount != jobs + nodes || _lp.LinkingRowCount != links)
        {
            _lp = new AllocationClusterState(nodes, jobs + nodes, R, links);
        }

        var lp = _lp;
        var networkRow = o.UplinkBudgetGigabits > 0 ? 0 : -1;
        var storageRow = o.StorageBudgetGigabytes > 0 ? (networkRow + 1) : -1;
        if (networkRow >= 0)
        {
            lp.LinkingBudget[networkRow] = o.UplinkBudgetGigabits;
        }

        if (storageRow >= 0)
        {
            lp.LinkingBudget[storageRow] = o.StorageBudgetGigabytes;
        }

        var nodeCells = nodes * R;
        w.NodeLowSum.AsSpan(0, nodeCells).Clear();
        w.NodeFloorSum.AsSpan(0, nodeCells).Clear();
        w.NodeUnbounded.AsSpan(0, nodeCells).Clear();
        w.LinkLow.AsSpan().Clear();
        var basis = o.SlackBasisQuantile switch { <= 0.5 => 0, <= 0.9 => 1, _ => 2 };
        for (var j = 0; j < jobs; j++)
        {
            var node = s.JobNode[j];
            var fixedNode = w.FailStatic[node];
            var group = w.JobSlot[j] / R;
            var outstanding = _cycle - w.CommandCycle[group] < (ulong)CommandValidityCycles && w.CommandCycle[group] != 0;
            lp.JobNode[j] = node;
            lp.Priority[j] = s.JobPriority[j];
            for (var r = 0; r < R; r++)
            {
                var p = (j * R) + r;
                var cap = s.NodeCapacity[(node * R) + r];
                var applied = s.JobApplied[p];
                // No limit in force: nothing to stay close to, so the change cost is anchored at the demand itself.
                var current = applied > 0 ? applied : Math.Min(s.JobCeiling[p], w.Demand[(p * Q) + 2]);
                if (outstanding && r == (int)OrchestratedResource.Cpu && w.CommandedCpu[group] > 0)
                {
                    current = w.CommandedCpu[group];
                }
                else if (outstanding && r == (int)OrchestratedResource.Memory && w.CommandedMemory[group] > 0)
                {
                    current = w.CommandedMemory[group];
                }

                w.Current[p] = current;
                lp.DemandMedian[p] = w.Demand[p * Q];
                lp.DemandP90[p] = w.Demand[(p * Q) + 1];
                lp.DemandP99[p] = w.Demand[(p * Q) + 2];
                lp.Current[p] = current;
                lp.JobLinkingRow[p] = r == (int)OrchestratedResource.Network ? networkRow : r == (int)OrchestratedResource.Storage ? storageRow : -1;
                if (fixedNode)
                {
                    // Fail-static: what is in force stays in force; the LP only sees it as fixed.
                    var keep = Math.Max(current, w.Floor[p]);
                    lp.Floor[p] = keep;
                    lp.Ceiling[p] = keep;
                    lp.ChangeLimit[p] = 0;
                    w.Floor[p] = keep;
                }
                else
                {
                    lp.Floor[p] = w.Floor[p];
                    lp.Ceiling[p] = Math.Min(s.JobCeiling[p], Math.Max(w.Floor[p], w.Demand[(p * Q) + basis] * (1 + o.SlackAllowance)));
                    lp.ChangeLimit[p] = w.PairSpike[p] || applied <= 0 ? double.PositiveInfinity : o.ChangeLimitFraction * cap;
                }

                var low = Math.Max(lp.Floor[p], current - lp.ChangeLimit[p]);
                w.NodeLowSum[(node * R) + r] += low;
                w.NodeFloorSum[(node * R) + r] += lp.Floor[p];
                if (lp.JobLinkingRow[p] >= 0)
                {
                    w.LinkLow[lp.JobLinkingRow[p]] += low;
                }
            }
        }

        for (var n = 0; n < nodes; n++)
        {
            var job = jobs + n;
            lp.JobNode[job] = n;
            lp.Priority[job] = o.ReservePriority;
            for (var r = 0; r < R; r++)
            {
                var p = (job * R) + r;
                var cell = (n * R) + r;
                var demand = w.FailStatic[n] ? 0 : w.ReserveDemand[cell];
                w.Demand[p * Q] = w.Demand[(p * Q) + 1] = w.Demand[(p * Q) + 2] = demand;
                lp.DemandMedian[p] = lp.DemandP90[p] = lp.DemandP99[p] = demand;
                lp.Floor[p] = 0;
                w.Floor[p] = 0;
                lp.Ceiling[p] = double.PositiveInfinity;
                lp.Current[p] = w.ReserveAllocation[cell];
                w.Current[p] = w.ReserveAllocation[cell];
                lp.ChangeLimit[p] = double.PositiveInfinity;
                lp.JobLinkingRow[p] = -1;
                var cap = s.NodeCapacity[cell];

                // A fail-static node keeps what is in force even if it over-commits; a live node whose usage alone
                // exceeds its capacity (bad data) keeps usage: the LP row is widened so both stay feasible.
                var lpCap = w.NodeFloorSum[cell] <= cap ? cap : w.NodeFloorSum[cell] * (1 + 1e-9);
                if (w.FailStatic[n])
                {
                    lpCap = Math.Max(lpCap, w.NodeLowSum[cell]);
                }
                else if (w.NodeLowSum[cell] > lpCap)
                {
                    // The change limits would leave the row infeasible (over-committed limits in force): let the
                    // node's allocations move all the way down to their floors this cycle.
                    w.NodeUnbounded[cell] = true;
                }

                w.NodeCapacityLp[cell] = lpCap;
                lp.NodeCapacity[cell] = lpCap;
            }
        }

        for (var j = 0; j < jobs; j++)
        {
            var node = s.JobNode[j];
            for (var r = 0; r < R; r++)
            {
                if (w.NodeUnbounded[(node * R) + r])
                {
                    lp.ChangeLimit[(j * R) + r] = double.PositiveInfinity;
                }
            }
        }

        for (var l = 0; l < links; l++)
        {
            // A budget already exceeded by fixed allocations cannot be enforced this cycle; it is kept as a ceiling on growth.
            lp.LinkingBudget[l] = Math.Max(lp.LinkingBudget[l], w.LinkLow[l]);
        }

        var pairs = (jobs + nodes) * R;
        var allocation = w.Allocation.AsSpan(0, pairs);
        var solveStarted = _time.GetTimestamp();
        var solve = _solver.Solve(lp, allocation, warmStart: true);
        var status = solve.Status;
        (result.SolverObjective, result.SolverIterations, result.SolverPath) = (solve.Objective, solve.Iterations, _solver.Path);

        result.SolveMilliseconds = _time.GetElapsedTime(solveStarted).TotalMilliseconds;
        result.SolverStatus = status;
        if (status is not (LpStatus.Optimal or LpStatus.TimeLimit or LpStatus.IterationLimit))
        {
            // No usable point: plan the 0.9 level within floor and ceiling, and let the repair fit it to capacity.
            for (var p = 0; p < pairs; p++)
            {
                allocation[p] = Math.Max(lp.Floor[p], Math.Min(w.Demand[(p * Q) + 1], lp.Ceiling[p]));
            }
        }

        result.Repaired = Repair(s, lp, allocation);
        for (var n = 0; n < nodes; n++)
        {
            for (var r = 0; r < R; r++)
            {
                w.ReserveAllocation[(n * R) + r] = allocation[((jobs + n) * R) + r];
            }
        }
    }

    /// <summary>
    /// Makes the point exactly feasible whatever the solver's tolerance: every allocation at least its floor, and on
    /// each node the parts above the floors scaled down until the node's row fits. Returns true when anything moved
    /// by more than 1e-9 (relative).
    /// </summary>
    private bool Repair(ClusterSnapshot s, AllocationClusterState lp, Span<double> allocation)
    {
        var w = _w;
        var moved = false;
        var nodeCells = s.NodeCount * R;
        w.NodeAllocSum.AsSpan(0, nodeCells).Clear();
        w.NodeFloorSum.AsSpan(0, nodeCells).Clear();
        for (var job = 0; job < lp.JobCount; job++)
        {
            var node = lp.JobNode[job];
            for (var r = 0; r < R; r++)
            {
                var p = (job * R) + r;
                var a = allocation[p];
                var floor = lp.Floor[p];
                if (!double.IsFinite(a) || a < floor)
                {
                    moved |= !double.IsFinite(a) || floor - a > 1e-9 * Math.Max(1, floor);
                    a = floor;
                }

                allocation[p] = a;
                w.NodeAllocSum[(node * R) + r] += a;
                w.NodeFloorSum[(node * R) + r] += floor;
            }
        }

        for (var cell = 0; cell < nodeCells; cell++)
        {
            var cap = w.NodeCapacityLp[cell];
            var sum = w.NodeAllocSum[cell];
            if (sum <= cap)
            {
                w.NodeAllocSum[cell] = 1;
                continue;
            }

            var above = sum - w.NodeFloorSum[cell];
            var room = cap - w.NodeFloorSum[cell];
            var factor = above > 0 ? Math.Max(0, room / above) * (1 - 1e-12) : 1;
            moved |= sum - cap > 1e-9 * Math.Max(1, cap);
            w.NodeAllocSum[cell] = factor;
        }

        for (var job = 0; job < lp.JobCount; job++)
        {
            var node = lp.JobNode[job];
            for (var r = 0; r < R; r++)
            {
                var factor = w.NodeAllocSum[(node * R) + r];
                if (factor < 1)
                {
                    var p = (job * R) + r;
                    allocation[p] = lp.Floor[p] + ((allocation[p] - lp.Floor[p]) * factor);
                }
            }
        }

        return moved;
    }

    /// <summary>Cycles a sent command counts as outstanding (its value stands in for the applied one): its validity.</summary>
    private int CommandValidityCycles => Math.Max(1, 30_000 / _options.CycleMilliseconds);
}
