using System.Runtime.CompilerServices;
using Prescient.Abstractions.Threading;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Allocation;

/// <summary>
/// The allocation solver's exact path for what the knapsacks of <see cref="SeparableRows"/> leave: capacity rows
/// ("node rows") whose columns each also sit in at most one budget row ("link rows": the uplink, the filesystems).
/// Every column is a band in [0, u] with coefficient 1 in its rows, and every row is "≤". Pricing the link rows with
/// multipliers λ ≥ 0 splits the LP into one knapsack per node row (columns at cost c + λ); given each node row's
/// threshold τ ≤ 0 (the adjusted cost where its capacity runs out, 0 when it does not), each link row is a knapsack over
/// its columns at cost c − τ, whose threshold gives λ. The two steps alternate until λ repeats. The primal point is then
/// built from the last (λ, τ): columns below their node's threshold at their upper bound, above it at 0, a node's tied
/// columns sharing what its capacity leaves in proportion to their lengths, and each priced link's tied columns (adjusted
/// cost 0) filling its budget by one common share, limited by their nodes' room. The point is accepted only when it is
/// feasible and complementary to (λ, μ = −τ) — the LP's optimality conditions, since every column's reduced cost
/// c + λ + μ has the sign its value needs by construction. Otherwise the caller runs the interior-point iteration.
/// </summary>
/// <remarks>
/// Set up once per shape; a solve allocates nothing unless the priced point is rejected and the repair runs. The node
/// passes run on the solver's workers by blocks of node rows, and the link knapsacks one link per worker; sums are taken
/// per block and added in block order, so the point is the same to the bit on any number of workers.
/// </remarks>
internal sealed class LinkedKnapsacks
{
    /// <summary>Rounds of the alternation before the last prices are tried as they are.</summary>
    internal const int MaxRounds = 16;

    private const double TieTolerance = 1e-11;          // relative to the largest |cost|
    private const double FeasibilityTolerance = 1e-9;   // relative to 1 + |bound|
    private const int NodesPerBlock = 512;

    private readonly int[] _nodeRows;
    private readonly int[] _linkRows;
    private readonly int[] _nodeStart;     // node row -> its elements (CSR)
    private readonly int[] _column;        // element -> model column
    private readonly int[] _slot;          // element -> link, or the link count for "none" (its price is 0)
    private readonly int[] _node;          // element -> node row
    private readonly int[] _linkStart;     // link -> its elements in _linkElements (CSR)
    private readonly int[] _linkElements;
    private readonly int[][] _workerLinks; // per team size: links by worker, largest first
    private readonly int _workers;

    private readonly double[] _cost;
    private readonly double[] _width;

    // The columns worth filling (negative cost, positive length), packed per node row at the front of its range and per
    // link in its range (those of node rows that may bind from the front, the others from the back): what the pricing
    // rounds read.
    private readonly int[] _nodeProfitable;
    private readonly double[] _nodeWanted;     // Σ lengths of the columns worth filling: above the bound, the row may bind
    private readonly int[] _linkDynamic;       // per link: packed columns of nodes that may bind, from the front
    private readonly int[] _linkFixed;         // per link: where the others, packed from the back, begin
    private readonly double[] _linkHistogram;  // per link: the histogram of the columns whose key is their cost
    private readonly double[] _pCost;
    private readonly double[] _pWidth;
    private readonly int[] _pSlot;
    private readonly int[] _pElement;
    private readonly double[] _lCost;
    private readonly double[] _lWidth;
    private readonly int[] _lNode;
    private readonly ushort[] _lBucket;
    private readonly double[] _value;
    private readonly byte[] _tied;
    private readonly double[] _nodeBound;
    private readonly double[] _threshold;
    private readonly double[] _room;
    private readonly double[] _nodeTied;   // node × link: length of the node's tied columns in each link
    private readonly double[] _linkBound;
    private readonly double[] _price;      // links + 1, the last 0
    private readonly double[] _nextPrice;
    private readonly double[] _share;
    private readonly double[] _selectKey;
    private readonly double[] _selectWidth;
    private readonly double[][] _sortKey;  // per worker
    private readonly int[][] _sortIndex;
    private readonly double[] _blockUsage; // block × link
    private readonly double[] _blockObjective;
    private readonly double[] _blockGap;
    private readonly double[] _blockResidual;
    private readonly double[] _workerScale;
    private readonly bool[] _workerBad;
    private readonly Action<int> _body;
    private Phase _phase;
    private int _phaseWorkers;
    private double[] _target = [];
    private LinearProgram? _lp;
    private bool _hasPrices;
    private double _tie;
    private long _deadline = long.MaxValue;
    private TimeProvider _time = TimeProvider.System;
    private double _scale;
    private readonly double[][] _histogram;

    private enum Phase
    {
        Gather,
        LinkGather,
        Thresholds,
        LinkPrices,
        Point,
        Finish,
    }

    private LinkedKnapsacks(int[] nodeRows, int[] linkRows, int[] nodeStart, int[] column, int[] slot, int[] node, int[] linkStart, int[] linkElements, int widest, int workers)
    {
        _nodeRows = nodeRows;
        _linkRows = linkRows;
        _nodeStart = nodeStart;
        _column = column;
        _slot = slot;
        _node = node;
        _linkStart = linkStart;
        _linkElements = linkElements;
        _workers = workers;
        var elements = column.Length;
        var nodes = nodeRows.Length;
        var links = linkRows.Length;
        _cost = new double[elements];
        _width = new double[elements];
        _nodeProfitable = new int[nodes];
        _nodeWanted = new double[nodes];
        _linkDynamic = new int[links];
        _linkFixed = new int[links];
        _linkHistogram = new double[links * (Buckets + 1)];
        _pCost = new double[elements];
        _pWidth = new double[elements];
        _pSlot = new int[elements];
        _pElement = new int[elements];
        _lCost = new double[linkElements.Length];
        _lWidth = new double[linkElements.Length];
        _lNode = new int[linkElements.Length];
        _lBucket = new ushort[linkElements.Length];
        _value = new double[elements];
        _tied = new byte[elements];
        _nodeBound = new double[nodes];
        _threshold = new double[nodes];
        _room = new double[nodes];
        _nodeTied = new double[nodes * links];
        _linkBound = new double[links];
        _price = new double[links + 1];
        _nextPrice = new double[links + 1];
        _share = new double[links];
        _selectKey = new double[Math.Max(linkElements.Length, nodes)];
        _selectWidth = new double[_selectKey.Length];
        _histogram = new double[workers][];
        _sortKey = new double[workers][];
        _sortIndex = new int[workers][];
        for (var w = 0; w < workers; w++)
        {
            _histogram[w] = new double[Buckets + 1];
            _sortKey[w] = new double[widest];
            _sortIndex[w] = new int[widest];
        }

        var blocks = (nodes + NodesPerBlock - 1) / NodesPerBlock;
        _blockUsage = new double[blocks * links];
        _blockObjective = new double[blocks];
        _blockGap = new double[blocks];
        _blockResidual = new double[blocks];
        _workerScale = new double[workers];
        _workerBad = new bool[workers];
        _workerLinks = AssignLinks(linkStart, workers);
        _body = RunPart;
    }

    /// <summary>Rounds of the last solve's alternation.</summary>
    public int Rounds { get; private set; }

    /// <summary>The last accepted point's complementarity gap, relative to 1 + |its objective|.</summary>
    public double RelativeGap { get; private set; }

    /// <summary>The last accepted point's largest row excess, relative to 1 + |the row's bound|.</summary>
    public double RelativePrimalResidual { get; private set; }

    /// <summary>
    /// The structure over model columns <paramref name="columns"/> (the columns the knapsacks leave), for up to
    /// <paramref name="workers"/> workers; null when some column has more than two entries or a coefficient other than 1,
    /// or a row is a node row (first entry) for one column and a link row (second entry) for another.
    /// </summary>
    public static LinkedKnapsacks? TryCreate(LinearProgram lp, ReadOnlySpan<int> columns, int workers)
    {
        const byte nodeRole = 1, linkRole = 2;
        var role = new byte[lp.RowCount];
        foreach (var c in columns)
        {
            var count = lp.ColumnStart[c + 1] - lp.ColumnStart[c];
            if (count is < 1 or > 2)
            {
                return null;
            }

            for (var k = lp.ColumnStart[c]; k < lp.ColumnStart[c + 1]; k++)
            {
                var wanted = k == lp.ColumnStart[c] ? nodeRole : linkRole;
                ref var r = ref role[lp.RowIndex[k]];
                if (lp.Values[k] != 1 || (r != 0 && r != wanted))
                {
                    return null;
                }

                r = wanted;
            }
        }

        var index = new int[lp.RowCount];
        int nodes = 0, links = 0;
        for (var r = 0; r < role.Length; r++)
        {
            index[r] = role[r] == nodeRole ? nodes++ : role[r] == linkRole ? links++ : -1;
        }

        var nodeRows = new int[nodes];
        var linkRows = new int[links];
        for (var r = 0; r < role.Length; r++)
        {
            if (role[r] == nodeRole)
            {
                nodeRows[index[r]] = r;
            }
            else if (role[r] == linkRole)
            {
                linkRows[index[r]] = r;
            }
        }

        var nodeStart = new int[nodes + 1];
        var linkStart = new int[links + 1];
        foreach (var c in columns)
        {
            nodeStart[index[lp.RowIndex[lp.ColumnStart[c]]] + 1]++;
            if (lp.ColumnStart[c + 1] - lp.ColumnStart[c] == 2)
            {
                linkStart[index[lp.RowIndex[lp.ColumnStart[c] + 1]] + 1]++;
            }
        }

        var widest = 0;
        for (var i = 0; i < nodes; i++)
        {
            widest = Math.Max(widest, nodeStart[i + 1]);
            nodeStart[i + 1] += nodeStart[i];
        }

        for (var l = 0; l < links; l++)
        {
            linkStart[l + 1] += linkStart[l];
        }

        var column = new int[columns.Length];
        var slot = new int[columns.Length];
        var node = new int[columns.Length];
        var linkElements = new int[linkStart[links]];
        var nodeFill = new int[nodes];
        var linkFill = new int[links];
        foreach (var c in columns)
        {
            var i = index[lp.RowIndex[lp.ColumnStart[c]]];
            var e = nodeStart[i] + nodeFill[i]++;
            column[e] = c;
            node[e] = i;
            slot[e] = links;
            if (lp.ColumnStart[c + 1] - lp.ColumnStart[c] == 2)
            {
                var l = index[lp.RowIndex[lp.ColumnStart[c] + 1]];
                slot[e] = l;
            }
        }

        for (var e = 0; e < column.Length; e++)
        {
            if (slot[e] < links)
            {
                linkElements[linkStart[slot[e]] + linkFill[slot[e]]++] = e;
            }
        }

        return new LinkedKnapsacks(nodeRows, linkRows, nodeStart, column, slot, node, linkStart, linkElements, widest, Math.Max(1, workers));
    }

    /// <summary>Links dealt to workers, largest first, each to the least loaded worker.</summary>
    private static int[][] AssignLinks(int[] linkStart, int workers)
    {
        var links = linkStart.Length - 1;
        var order = Enumerable.Range(0, links).OrderByDescending(l => linkStart[l + 1] - linkStart[l]).ToArray();
        var load = new long[workers];
        var lists = new List<int>[workers];
        for (var w = 0; w < workers; w++)
        {
            lists[w] = [];
        }

        foreach (var l in order)
        {
            var least = 0;
            for (var w = 1; w < workers; w++)
            {
                least = load[w] < load[least] ? w : least;
            }

            lists[least].Add(l);
            load[least] += linkStart[l + 1] - linkStart[l];
        }

        return [.. lists.Select(list => list.ToArray())];
    }

    /// <summary>
    /// Solves the linked part of <paramref name="lp"/> into <paramref name="x"/> (model columns) and returns true, or
    /// returns false when the bounds are not of the expected kind or neither the priced point nor the repair passes the
    /// optimality check (the linked columns of <paramref name="x"/> may then hold a rejected point, for the caller's
    /// iteration to overwrite). With <paramref name="warmStart"/> the pricing starts from the last accepted solve's
    /// prices. Every row's upper bound must be ≥ 0 (the caller checks).
    /// </summary>
    public bool TrySolve(LinearProgram lp, double[] x, bool warmStart, WorkerTeam? team) => TrySolve(lp, x, warmStart, team, long.MaxValue, TimeProvider.System);

    /// <summary>
    /// <see cref="TrySolve(LinearProgram, double[], bool, WorkerTeam?)"/> that gives up the repair (returns false) once
    /// <paramref name="time"/> passes <paramref name="deadline"/> (a timestamp of that clock).
    /// </summary>
    public bool TrySolve(LinearProgram lp, double[] x, bool warmStart, WorkerTeam? team, long deadline, TimeProvider time)
    {
        if (team is not null && team.Count > _workers)
        {
            throw new ArgumentException($"the structure was set up for {_workers} workers, not {team.Count}", nameof(team));
        }

        _lp = lp;
        _target = x;
        (_deadline, _time) = (deadline, time);
        try
        {
            return Solve(team, warmStart);
        }
        finally
        {
            _lp = null;
            _target = [];
        }
    }

    private bool Solve(WorkerTeam? team, bool warmStart)
    {
        Run(team, Phase.Gather);
        if (!GatherRows())
        {
            _hasPrices = false;
            return false;
        }

        Run(team, Phase.LinkGather);

        if (!warmStart || !_hasPrices)
        {
            // Cold: the prices of the link knapsacks alone (every node's threshold 0), a start nearer the optimum than 0.
            Array.Clear(_threshold);
            Run(team, Phase.LinkPrices);
            _nextPrice.CopyTo(_price, 0);
        }

        var converged = false;
        for (Rounds = 1; Rounds <= MaxRounds; Rounds++)
        {
            Run(team, Phase.Thresholds);
            Run(team, Phase.LinkPrices);
            converged = _nextPrice.AsSpan().SequenceEqual(_price);
            _nextPrice.CopyTo(_price, 0);
            if (converged)
            {
                break;
            }
        }

        Rounds = Math.Min(Rounds, MaxRounds);
        RepairRounds = 0;
        (_repairNodeDual, _repairLinkPrice) = (null, null);
        if (!converged)
        {
            Run(team, Phase.Thresholds);
        }

        Run(team, Phase.Point);
        var accepted = LinkShares();
        if (accepted)
        {
            Run(team, Phase.Finish);
            accepted = Check();
        }

        accepted = accepted || Repair();
        _hasPrices = accepted;
        return accepted;
    }

    /// <summary>
    /// The last accepted solve's row duals into <paramref name="y"/> (model rows; minimization convention, ≤ 0): −μ = τ
    /// for the node rows and −λ for the link rows, or the repair's.
    /// </summary>
    public void RowDuals(Span<double> y)
    {
        for (var i = 0; i < _nodeRows.Length; i++)
        {
            y[_nodeRows[i]] = _repairNodeDual is { } nodeDual ? nodeDual[i] : _threshold[i];
        }

        for (var l = 0; l < _linkRows.Length; l++)
        {
            y[_linkRows[l]] = -(_repairLinkPrice is { } linkPrice ? linkPrice[l] : _price[l]);
        }
    }

    /// <summary>Rounds of the repair's restricted LP the last solve needed (0 when the priced point was accepted).</summary>
    /// <remarks>The repair stops at the deadline given to TrySolve: past it the caller's iteration returns its best point.</remarks>
    public int RepairRounds { get; private set; }

    private const int MaxRepairRounds = 4;
    private double[]? _repairNodeDual;   // the accepted repair's node duals (0 for the fixed nodes); null when priced
    private double[]? _repairLinkPrice;
    private const double CriticalTolerance = 1e-6;  // relative to the largest |cost|: how near a threshold counts as on it
    private const double DualTolerance = 1e-7;      // relative to the largest |cost|: the reduced costs' sign test

    /// <summary>
    /// When the priced point fails the check (the alternation stalled, or tied columns of several links had to be split
    /// other than in proportion), the node rows where the prices leave a choice — every binding node, and every node
    /// with a column near its threshold — are solved together as a restricted LP by the interior-point solver, with the
    /// other nodes' columns fixed at the priced point. The restricted LP's link duals λ' are then checked against the
    /// fixed nodes: each must still be at its own knapsack's optimum under λ' (slack, every column on the right side of
    /// 0). Nodes that are not join the restricted LP and it is solved again. An accepted point satisfies the whole LP's
    /// optimality conditions to the interior-point solver's tolerance. Allocates: the pricing's fallback, not its path.
    /// </summary>
    private bool Repair()
    {
        var nodes = _nodeRows.Length;
        var links = _linkRows.Length;
        var critical = new bool[nodes];
        var near = CriticalTolerance * Math.Max(_scale, double.Epsilon);
        for (var i = 0; i < nodes; i++)
        {
            var tau = _threshold[i];
            var end = _nodeStart[i] + _nodeProfitable[i];
            critical[i] = tau < -_tie;
            for (var k = _nodeStart[i]; k < end && !critical[i]; k++)
            {
                var a = _pCost[k] + _price[_pSlot[k]];
                critical[i] = Math.Abs(a) <= near;
            }
        }

        for (RepairRounds = 1; RepairRounds <= MaxRepairRounds; RepairRounds++)
        {
            var nodeDual = new double[nodes];
            if (_time.GetTimestamp() > _deadline || !SmallEnough(critical) || !SolveRestricted(critical, out var linkPrice, nodeDual))
            {
                return false;
            }

            var added = false;
            var tolerance = DualTolerance * Math.Max(_scale, double.Epsilon);
            for (var i = 0; i < nodes; i++)
            {
                if (critical[i])
                {
                    continue;
                }

                // A fixed node keeps its priced point: full where the adjusted cost is negative, 0 where positive, and
                // its row slack. Under λ' that point must still be its knapsack's optimum with μ = 0.
                var used = 0.0;
                var consistent = true;
                for (var e = _nodeStart[i]; e < _nodeStart[i + 1]; e++)
                {
                    var a = _cost[e] + linkPrice[_slot[e]];
                    var v = _value[e];
                    used += v;
                    consistent &= !((a < -tolerance && v < _width[e]) || (a > tolerance && v > 0));
                }

                if (!consistent || used > _nodeBound[i] * (1 + FeasibilityTolerance) + FeasibilityTolerance)
                {
                    critical[i] = true;
                    added = true;
                }
            }

            if (!added)
            {
                for (var e = 0; e < _column.Length; e++)
                {
                    _target[_column[e]] = _value[e];
                }

                (_repairNodeDual, _repairLinkPrice) = (nodeDual, linkPrice);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the restricted LP stays small: at most a sixteenth of the columns (and any model of up to 4,000). Beyond
    /// that the structured iteration on the whole linked part, which uses the solver's workers and warm start, is the
    /// faster way.
    /// </summary>
    private bool SmallEnough(bool[] critical)
    {
        var columns = 0;
        for (var i = 0; i < critical.Length; i++)
        {
            columns += critical[i] ? _nodeStart[i + 1] - _nodeStart[i] : 0;
        }

        return columns <= Math.Max(4000, _column.Length / 16);
    }

    /// <summary>
    /// Solves the LP over the columns of <paramref name="critical"/> node rows, the others fixed at their current values,
    /// into <see cref="_value"/>; <paramref name="linkPrice"/> receives the link rows' duals λ' (and 0 for "no link").
    /// </summary>
    private bool SolveRestricted(bool[] critical, out double[] linkPrice, double[] nodeDual)
    {
        var nodes = _nodeRows.Length;
        var links = _linkRows.Length;
        linkPrice = new double[links + 1];
        var builder = new LinearProgramBuilder { Name = "linked-restricted" };
        var rowOf = new int[nodes];
        var fixedUsage = new double[links];
        for (var i = 0; i < nodes; i++)
        {
            rowOf[i] = critical[i] ? builder.AddRow("n" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), double.NegativeInfinity, _nodeBound[i]) : -1;
            if (!critical[i])
            {
                for (var e = _nodeStart[i]; e < _nodeStart[i + 1]; e++)
                {
                    if (_slot[e] < links)
                    {
                        fixedUsage[_slot[e]] += _value[e];
                    }
                }
            }
        }

        var linkRow = new int[links];
        for (var l = 0; l < links; l++)
        {
            var room = _linkBound[l] - fixedUsage[l];
            if (room < -FeasibilityTolerance * (1 + _linkBound[l]))
            {
                return false;
            }

            linkRow[l] = builder.AddRow("l" + l.ToString(System.Globalization.CultureInfo.InvariantCulture), double.NegativeInfinity, Math.Max(0, room));
        }

        var columnOf = new List<int>();
        for (var i = 0; i < nodes; i++)
        {
            if (!critical[i])
            {
                continue;
            }

            for (var e = _nodeStart[i]; e < _nodeStart[i + 1]; e++)
            {
                var c = builder.AddColumn("e" + e.ToString(System.Globalization.CultureInfo.InvariantCulture), _cost[e], 0, _width[e]);
                builder.AddEntry(rowOf[i], c, 1);
                if (_slot[e] < links)
                {
                    builder.AddEntry(linkRow[_slot[e]], c, 1);
                }

                columnOf.Add(e);
            }
        }

        var restricted = builder.Build();
        // The iteration itself, not the public entry (whose exact path would send this same shape back here).
        var result = Ipm.InteriorPointSolver.SolveWithDeadline(restricted, new Ipm.InteriorPointOptions { Threads = 1, TimeProvider = _time }, _deadline, allowCertificates: false);
        if (result.Status != Ipm.LpStatus.Optimal)
        {
            return false;
        }

        for (var k = 0; k < columnOf.Count; k++)
        {
            _value[columnOf[k]] = Math.Clamp(result.X[k], 0, _width[columnOf[k]]);
        }

        for (var l = 0; l < links; l++)
        {
            linkPrice[l] = Math.Max(0, -result.RowDuals[linkRow[l]]);
        }

        for (var i = 0; i < nodes; i++)
        {
            nodeDual[i] = critical[i] ? Math.Min(0, result.RowDuals[rowOf[i]]) : 0;
        }

        RelativeGap = result.RelativeGap;
        RelativePrimalResidual = result.PrimalResidual;
        return true;
    }

    private void Run(WorkerTeam? team, Phase phase)
    {
        _phase = phase;
        _phaseWorkers = team?.Count ?? 1;
        if (team is null)
        {
            RunPart(0);
        }
        else
        {
            team.Run(_body);
        }
    }

    private void RunPart(int worker)
    {
        var blocks = _blockObjective.Length;
        var fromBlock = (int)((long)blocks * worker / _phaseWorkers);
        var toBlock = (int)((long)blocks * (worker + 1) / _phaseWorkers);
        switch (_phase)
        {
            case Phase.Gather:
                Gather(worker, fromBlock * NodesPerBlock, Math.Min(_nodeRows.Length, toBlock * NodesPerBlock));
                break;
            case Phase.LinkGather:
                foreach (var l in LinksOf(worker))
                {
                    GatherLink(l);
                }

                break;
            case Phase.Thresholds:
                NodeThresholds(worker, fromBlock * NodesPerBlock, Math.Min(_nodeRows.Length, toBlock * NodesPerBlock));
                break;
            case Phase.LinkPrices:
                foreach (var l in LinksOf(worker))
                {
                    _nextPrice[l] = LinkPrice(worker, l);
                }

                break;
            case Phase.Point:
                for (var b = fromBlock; b < toBlock; b++)
                {
                    PointBlock(b);
                }

                break;
            default:
                for (var b = fromBlock; b < toBlock; b++)
                {
                    FinishBlock(b);
                }

                break;
        }
    }

    /// <summary>The links worker <paramref name="worker"/> prices: its share of them, or all of them when it works alone.</summary>
    private int[] LinksOf(int worker) =>
        _workerLinks.Length == _phaseWorkers ? _workerLinks[worker] : worker == 0 ? AllLinks() : [];

    private int[] AllLinks() => _allLinks ??= [.. Enumerable.Range(0, _linkRows.Length)];

    private int[]? _allLinks;

    /// <summary>Costs and lengths of node rows [from, to)'s columns, those worth filling packed; flags a column that is not a band [0, u].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Gather(int worker, int from, int to)
    {
        var lp = _lp!;
        var scale = 0.0;
        var bad = false;
        var lower = lp.ColumnLower;
        var upper = lp.ColumnUpper;
        var objective = lp.Objective;
        for (var i = from; i < to; i++)
        {
            var packed = _nodeStart[i];
            var wanted = 0.0;
            for (var e = _nodeStart[i]; e < _nodeStart[i + 1]; e++)
            {
                var c = _column[e];
                var u = upper[c];
                bad |= !IsBand(lower[c], u);
                var cost = objective[c];
                _cost[e] = cost;
                _width[e] = u;
                scale = Math.Max(scale, Math.Abs(cost));
                if (cost < 0 && u > 0)
                {
                    _pCost[packed] = cost;
                    _pWidth[packed] = u;
                    _pSlot[packed] = _slot[e];
                    _pElement[packed++] = e;
                    wanted += u;
                }
            }

            _nodeProfitable[i] = packed - _nodeStart[i];
            _nodeWanted[i] = wanted;
        }

        _workerScale[worker] = scale;
        _workerBad[worker] = bad;
    }

    /// <summary>
    /// Link <paramref name="l"/>'s columns worth filling, packed with their node rows: first those of node rows that may
    /// bind (their keys move with the thresholds), then the others, whose keys are their costs and whose histogram and
    /// buckets are taken here once per solve.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GatherLink(int l)
    {
        var from = _linkStart[l];
        var dynamic = from;
        var fixedKeys = _linkStart[l + 1];
        var histogram = _linkHistogram.AsSpan(l * (Buckets + 1), Buckets + 1);
        histogram.Clear();
        var low = -_scale;
        var perBucket = Buckets / Math.Max(_scale, double.Epsilon);
        for (var k = from; k < _linkStart[l + 1]; k++)
        {
            var e = _linkElements[k];
            var cost = _cost[e];
            var w = _width[e];
            if (!(cost < 0 && w > 0))
            {
                continue;
            }

            var i = _node[e];
            if (_nodeWanted[i] > _nodeBound[i])
            {
                _lCost[dynamic] = cost;
                _lWidth[dynamic] = w;
                _lNode[dynamic++] = i;
            }
            else
            {
                var bucket = BucketOf(cost, low, perBucket, _tie);
                _lCost[--fixedKeys] = cost;
                _lWidth[fixedKeys] = w;
                _lNode[fixedKeys] = i;
                _lBucket[fixedKeys] = (ushort)bucket;
                histogram[bucket] += w;
            }
        }

        _linkDynamic[l] = dynamic - from;
        _linkFixed[l] = fixedKeys;
    }

    /// <summary>Row bounds; false when a column was not a band or a row is not "≤ b" with 0 ≤ b &lt; ∞.</summary>
    private bool GatherRows()
    {
        var lp = _lp!;
        var scale = 0.0;
        for (var w = 0; w < _phaseWorkers; w++)
        {
            if (_workerBad[w])
            {
                return false;
            }

            scale = Math.Max(scale, _workerScale[w]);
        }

        for (var i = 0; i < _nodeRows.Length; i++)
        {
            if (!Bound(lp, _nodeRows[i], out _nodeBound[i]))
            {
                return false;
            }
        }

        for (var l = 0; l < _linkRows.Length; l++)
        {
            if (!Bound(lp, _linkRows[l], out _linkBound[l]))
            {
                return false;
            }
        }

        _scale = scale;
        _tie = TieTolerance * Math.Max(scale, double.Epsilon);
        return true;
    }

    private static bool Bound(LinearProgram lp, int row, out double bound)
    {
        bound = lp.RowUpper[row];
        return IsCapacityRow(lp, row);
    }

    /// <summary>Whether a column's bounds make it a band [0, u] with 0 ≤ u &lt; ∞.</summary>
    internal static bool IsBand(double lower, double upper) => lower == 0 && upper >= 0 && !double.IsPositiveInfinity(upper);

    /// <summary>Whether row <paramref name="row"/> is "≤ b" with 0 ≤ b &lt; ∞ (no lower bound).</summary>
    internal static bool IsCapacityRow(LinearProgram lp, int row) =>
        double.IsNegativeInfinity(lp.RowLower[row]) && lp.RowUpper[row] >= 0 && !double.IsPositiveInfinity(lp.RowUpper[row]);

    /// <summary>Thresholds τ ≤ 0 of node rows [from, to) at the current prices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void NodeThresholds(int worker, int from, int to)
    {
        var price = _price;
        var tie = _tie;
        for (var i = from; i < to; i++)
        {
            if (!(_nodeWanted[i] > _nodeBound[i]))
            {
                _threshold[i] = 0;
                continue;
            }

            var wanted = 0.0;
            var end = _nodeStart[i] + _nodeProfitable[i];
            for (var k = _nodeStart[i]; k < end; k++)
            {
                wanted += _pCost[k] + price[_pSlot[k]] < -tie ? _pWidth[k] : 0.0;
            }

            _threshold[i] = wanted <= _nodeBound[i] ? 0 : SortedThreshold(worker, i);
        }
    }

    /// <summary>The adjusted cost at which node row <paramref name="i"/>'s cheapest columns fill its bound.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double SortedThreshold(int worker, int i)
    {
        var keys = _sortKey[worker];
        var elements = _sortIndex[worker];
        var n = 0;
        var end = _nodeStart[i] + _nodeProfitable[i];
        for (var k = _nodeStart[i]; k < end; k++)
        {
            var a = _pCost[k] + _price[_pSlot[k]];
            if (a < -_tie)
            {
                keys[n] = a;
                elements[n++] = _pElement[k];
            }
        }

        keys.AsSpan(0, n).Sort(elements.AsSpan(0, n));
        var filled = 0.0;
        for (var k = 0; k < n; k++)
        {
            filled += _width[elements[k]];
            if (filled >= _nodeBound[i])
            {
                return keys[k];
            }
        }

        return keys[n - 1];
    }

    /// <summary>
    /// Link <paramref name="l"/>'s price given the node thresholds: its knapsack over its columns at cost c − τ. A
    /// histogram of the lengths over the keys finds the bucket where the budget runs out, and a selection among that
    /// bucket's columns the key itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double LinkPrice(int worker, int l)
    {
        var histogram = _histogram[worker];
        _linkHistogram.AsSpan(l * (Buckets + 1), Buckets + 1).CopyTo(histogram);
        var tie = _tie;
        var low = -_scale;
        var perBucket = Buckets / Math.Max(_scale, double.Epsilon);
        var from = _linkStart[l];
        var dynamicEnd = from + _linkDynamic[l];
        for (var k = from; k < dynamicEnd; k++)
        {
            var bucket = BucketOf(_lCost[k] - _threshold[_lNode[k]], low, perBucket, tie);
            _lBucket[k] = (ushort)bucket;
            histogram[bucket] += _lWidth[k];
        }

        var budget = _linkBound[l];
        var below = 0.0;
        var crossing = 0;
        for (; crossing < Buckets; crossing++)
        {
            if (below + histogram[crossing] >= budget && histogram[crossing] > 0)
            {
                break;
            }

            below += histogram[crossing];
        }

        if (crossing == Buckets)
        {
            return 0;
        }

        var n = Collect(from, dynamicEnd, crossing, from);
        n += Collect(_linkFixed[l], _linkStart[l + 1], crossing, from + n);

        return -WeightedSelect(_selectKey.AsSpan(from, n), _selectWidth.AsSpan(from, n), budget - below);
    }

    /// <summary>Copies the keys and lengths of packed link columns [from, to) in bucket <paramref name="bucket"/> to the selection buffers at <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Collect(int from, int to, int bucket, int at)
    {
        var n = 0;
        for (var k = from; k < to; k++)
        {
            if (_lBucket[k] == bucket)
            {
                _selectKey[at + n] = _lCost[k] - _threshold[_lNode[k]];
                _selectWidth[at + n++] = _lWidth[k];
            }
        }

        return n;
    }

    private const int Buckets = 2048;

    /// <summary>Bucket of a key in [−scale, 0) (keys at or above −tie, not worth filling, go to the last slot, <see cref="Buckets"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BucketOf(double key, double low, double perBucket, double tie)
    {
        var b = Math.Clamp((int)((key - low) * perBucket), 0, Buckets - 1);
        return key < -tie ? b : Buckets;
    }

    /// <summary>
    /// The key v at which the widths of keys ≤ v first reach <paramref name="budget"/> (the total exceeds it): a
    /// three-way quickselect, expected linear; reorders both spans.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double WeightedSelect(Span<double> keys, Span<double> widths, double budget)
    {
        var lo = 0;
        var hi = keys.Length;
        var remaining = budget;
        while (hi - lo > 1)
        {
            var pivot = MedianOfThree(keys[lo], keys[lo + ((hi - lo) / 2)], keys[hi - 1]);

            // [lo, lt) < pivot, [lt, i) == pivot, (gt, hi) > pivot.
            int lt = lo, i = lo, gt = hi - 1;
            double below = 0, equal = 0;
            while (i <= gt)
            {
                var k = keys[i];
                if (k < pivot)
                {
                    below += widths[i];
                    Swap(keys, widths, lt++, i++);
                }
                else if (k > pivot)
                {
                    Swap(keys, widths, i, gt--);
                }
                else
                {
                    equal += widths[i++];
                }
            }

            if (remaining <= below && lt > lo)
            {
                hi = lt;
            }
            else if (remaining <= below + equal || gt + 1 >= hi)
            {
                return pivot;
            }
            else
            {
                remaining -= below + equal;
                lo = gt + 1;
            }
        }

        return keys[lo];
    }

    private static double MedianOfThree(double a, double b, double c) =>
        a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);

    private static void Swap(Span<double> keys, Span<double> widths, int a, int b)
    {
        (keys[a], keys[b]) = (keys[b], keys[a]);
        (widths[a], widths[b]) = (widths[b], widths[a]);
    }

    /// <summary>
    /// The point of block <paramref name="b"/>'s node rows at the current (λ, τ), tied columns of slack nodes left at 0
    /// and marked; the block's link usage.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PointBlock(int b)
    {
        var links = _linkRows.Length;
        var usage = _blockUsage.AsSpan(b * links, links);
        usage.Clear();
        var tie = _tie;
        var end = Math.Min(_nodeRows.Length, (b + 1) * NodesPerBlock);
        for (var i = b * NodesPerBlock; i < end; i++)
        {
            var tau = _threshold[i];
            var used = 0.0;
            var tied = _nodeTied.AsSpan(i * links, links);
            tied.Clear();
            if (tau < -tie)
            {
                // A binding node: below the threshold full, the threshold's group shares what is left.
                var group = 0.0;
                for (var e = _nodeStart[i]; e < _nodeStart[i + 1]; e++)
                {
                    var a = _cost[e] + _price[_slot[e]];
                    _tied[e] = 0;
                    _value[e] = 0;
                    if (a < tau - tie)
                    {
                        _value[e] = _width[e];
                        used += _width[e];
                    }
                    else if (a <= tau + tie)
                    {
                        _tied[e] = 1;
                        group += _width[e];
                    }
                }

                var share = group > 0 ? Math.Clamp((_nodeBound[i] - used) / group, 0, 1) : 0;
                for (var e = _nodeStart[i]; e < _nodeStart[i + 1]; e++)
                {
                    if (_tied[e] != 0)
                    {
                        _value[e] = _width[e] * share;
                        _tied[e] = 0;
                    }

                    if (_slot[e] < links)
                    {
                        usage[_slot[e]] += _value[e];
                    }
                }

                _room[i] = 0;
                continue;
            }

            // A slack node: columns of negative adjusted cost full; those at 0 in a priced link wait for its share.
            for (var e = _nodeStart[i]; e < _nodeStart[i + 1]; e++)
            {
                var l = _slot[e];
                var a = _cost[e] + _price[l];
                _tied[e] = 0;
                _value[e] = 0;
                if (a < -tie)
                {
                    _value[e] = _width[e];
                    used += _width[e];
                    if (l < links)
                    {
                        usage[l] += _width[e];
                    }
                }
                else if (a <= tie && l < links && _price[l] > 0 && _width[e] > 0)
                {
                    _tied[e] = 1;
                    tied[l] += _width[e];
                }
            }

            _room[i] = Math.Max(0, _nodeBound[i] - used);
        }
    }

    /// <summary>Each priced link's common share of its tied lengths; false when a link cannot reach its budget.</summary>
    private bool LinkShares()
    {
        var links = _linkRows.Length;
        for (var l = 0; l < links; l++)
        {
            _share[l] = 0;
            var need = _linkBound[l] - LinkUsage(l);
            if (_price[l] > 0 && need > 0 && !LinkShare(l, need))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Link <paramref name="l"/>'s usage by the last pass over the blocks, summed in block order.</summary>
    private double LinkUsage(int l)
    {
        var links = _linkRows.Length;
        var usage = 0.0;
        for (var b = 0; b < _blockObjective.Length; b++)
        {
            usage += _blockUsage[(b * links) + l];
        }

        return usage;
    }

    /// <summary>
    /// The room link <paramref name="l"/>'s tied columns get in node <paramref name="i"/>: all of it, or, when the node's
    /// tied columns of several links do not all fit, its room in proportion to their lengths.
    /// </summary>
    private double NodeCap(int i, int l)
    {
        var links = _linkRows.Length;
        var tied = 0.0;
        for (var k = 0; k < links; k++)
        {
            tied += _nodeTied[(i * links) + k];
        }

        var own = _nodeTied[(i * links) + l];
        return tied <= _room[i] ? own : _room[i] * own / tied;
    }

    /// <summary>
    /// The common share s of link <paramref name="l"/>'s tied lengths with Σ_nodes min(s·T, cap) = <paramref name="need"/>;
    /// false when even s = 1 falls short.
    /// </summary>
    private bool LinkShare(int l, double need)
    {
        var links = _linkRows.Length;

        // Nodes whose cap stops them below s = 1 are listed by the share where they stop.
        var slope = 0.0;
        var capped = 0;
        for (var i = 0; i < _nodeRows.Length; i++)
        {
            var t = _nodeTied[(i * links) + l];
            if (t <= 0)
            {
                continue;
            }

            slope += t;
            var cap = NodeCap(i, l);
            if (cap < t)
            {
                _selectKey[capped] = cap / t;
                _selectWidth[capped++] = t;
            }
        }

        var stops = _selectKey.AsSpan(0, capped);
        var lengths = _selectWidth.AsSpan(0, capped);
        stops.Sort(lengths);

        // f(s) = s·(Σ T of nodes not stopped by s) + Σ stop·T of those stopped: increasing; walk the stops.
        var reached = 0.0;
        var previous = 0.0;
        for (var k = 0; k < capped; k++)
        {
            var atStop = reached + (slope * (stops[k] - previous));
            if (atStop >= need)
            {
                _share[l] = previous + ((need - reached) / slope);
                return true;
            }

            reached = atStop;
            previous = stops[k];
            slope -= lengths[k];
        }

        var atOne = reached + (slope * (1 - previous));
        if (atOne < need * (1 - FeasibilityTolerance) - FeasibilityTolerance)
        {
            return false;
        }

        _share[l] = slope > 0 ? Math.Min(1, previous + ((need - reached) / slope)) : 1;
        return true;
    }

    /// <summary>
    /// Block <paramref name="b"/>: the tied columns' values, the point written to the model's columns, and the block's
    /// objective, link usage, node-row excess and complementarity gap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FinishBlock(int b)
    {
        var links = _linkRows.Length;
        var usage = _blockUsage.AsSpan(b * links, links);
        usage.Clear();
        var x = _target;
        double objective = 0, gap = 0, residual = 0;
        var end = Math.Min(_nodeRows.Length, (b + 1) * NodesPerBlock);
        for (var i = b * NodesPerBlock; i < end; i++)
        {
            var used = 0.0;
            for (var e = _nodeStart[i]; e < _nodeStart[i + 1]; e++)
            {
                var l = _slot[e];
                if (_tied[e] != 0)
                {
                    _value[e] = _width[e] * Math.Min(_share[l], NodeCap(i, l) / _nodeTied[(i * links) + l]);
                }

                var v = _value[e];
                x[_column[e]] = v;
                used += v;
                objective += _cost[e] * v;
                if (l < links)
                {
                    usage[l] += v;
                }
            }

            var bound = _nodeBound[i];
            residual = Math.Max(residual, (used - bound) / (1 + Math.Abs(bound)));
            gap += -_threshold[i] * Math.Max(0, bound - used);
        }

        _blockObjective[b] = objective;
        _blockGap[b] = gap;
        _blockResidual[b] = residual;
    }

    /// <summary>Feasibility of the point and its complementarity with (λ, −τ); records the gap and the residual.</summary>
    private bool Check()
    {
        var links = _linkRows.Length;
        double objective = 0, gap = 0, residual = 0;
        for (var b = 0; b < _blockObjective.Length; b++)
        {
            objective += _blockObjective[b];
            gap += _blockGap[b];
            residual = Math.Max(residual, _blockResidual[b]);
        }

        for (var l = 0; l < links; l++)
        {
            var usage = LinkUsage(l);
            var bound = _linkBound[l];
            residual = Math.Max(residual, (usage - bound) / (1 + Math.Abs(bound)));
            gap += _price[l] * Math.Max(0, bound - usage);
        }

        var relativeGap = gap / (1 + Math.Abs(objective));
        if (!(residual <= FeasibilityTolerance) || !(relativeGap <= FeasibilityTolerance))
        {
            return false;
        }

        RelativePrimalResidual = Math.Max(0, residual);
        RelativeGap = relativeGap;
        return true;
    }
}
