using System.Globalization;
using Prescient.Abstractions.Threading;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Allocation;

/// <summary>
/// Builds the orchestrator's allocation LP from an <see cref="AllocationClusterState"/>.
/// </summary>
/// <remarks>
/// For job j and resource r the allocation is <c>a = low + Σ_k x_k</c> with
/// <c>low = max(floor, current - changeLimit)</c> and <c>high = max(low, min(ceiling, current + changeLimit))</c>.
/// The band columns x_0..x_3 (<see cref="BandsPerPair"/>) cover the consecutive segments between low and the
/// sorted breakpoints {median, p90, p99, current} clamped to [low, high]; inside a segment the utility slope
/// and the sign of the change are constant, so the objective is exactly the concave piecewise-linear
/// utility minus the change cost (minimized as cost = -utility + change cost; bands fill in order because
/// their costs increase). Nothing is allocated above the last breakpoint: its slope would be ≤ -change cost.
/// Rows: capacity per (node, resource), <c>Σ_{j on n} Σ_k x ≤ capacity - Σ low</c>, then the linking rows,
/// <c>Σ_{(j,r) in l} Σ_k x ≤ budget - Σ low</c>. Floors, ceilings and change limits are column bounds.
/// Shape: rows = nodes·resources + linking; columns = 4·jobs·resources; nonzeros = columns + 4·(linked pairs).
/// When the shape (counts, job placement, linking membership) is unchanged, <see cref="Build"/> re-fills the
/// numbers of the same model in place and allocates nothing.
/// </remarks>
public sealed class AllocationLpBuilder
{
    /// <summary>Band columns per (job, resource).</summary>
    public const int BandsPerPair = 4;

    private readonly AllocationLpOptions _options;
    private int[] _shapeJobNode = [];
    private int[] _shapeLinking = [];
    private int _shapeNodes = -1;
    private int _shapeResources = -1;
    private int _shapeLinkingRows = -1;
    private double[] _low = [];
    private double[] _referenceCapacity = [];

    // The pairs are filled in blocks of jobs, on the solver's workers when it has some; each block sums its own share
    // of the objective constant, and the blocks are added in order: the same model, bit for bit, on any number of them.
    private const int JobsPerBlock = 2048;
    private double[] _blockConstant = [];
    private AllocationClusterState? _filling;
    private Action<int>? _fillPart;
    private int _fillWorkers;

    public AllocationLpBuilder(AllocationLpOptions? options = null)
    {
        _options = options ?? new AllocationLpOptions();
        _options.Validate();
    }

    /// <summary>The current model (null before the first <see cref="Build"/>).</summary>
    public LinearProgram? Model { get; private set; }

    /// <summary>Number of (job, resource) pairs of the current model.</summary>
    public int PairCount => _low.Length;

    /// <summary>
    /// Builds or re-fills the model for <paramref name="state"/>. Returns true when a new model was created
    /// (first call or shape change), false when the numbers were re-filled in place.
    /// </summary>
    public bool Build(AllocationClusterState state) => Build(state, null);

    /// <summary><see cref="Build(AllocationClusterState)"/>, filling the pairs on <paramref name="team"/> when given.</summary>
    internal bool Build(AllocationClusterState state, WorkerTeam? team)
    {
        ArgumentNullException.ThrowIfNull(state);
        var shapeChanged = !SameShape(state);
        if (shapeChanged)
        {
            CreateShape(state);
        }

        Fill(state, team);
        return shapeChanged;
    }

    /// <summary>Column of band <paramref name="band"/> of (job, resource).</summary>
    public int Column(int job, int resource, int band) => ((job * _shapeResources) + resource) * BandsPerPair + band;

    /// <summary>Allocation per (job, resource) from a solution x of the model: low + Σ bands.</summary>
    public void ExtractAllocation(ReadOnlySpan<double> x, Span<double> allocation)
    {
        for (var pair = 0; pair < _low.Length; pair++)
        {
            var c = pair * BandsPerPair;
            allocation[pair] = _low[pair] + x[c] + x[c + 1] + x[c + 2] + x[c + 3];
        }
    }

    /// <summary>The lower end of each pair's allocation range (the part fixed before the LP decides).</summary>
    public ReadOnlySpan<double> Low => _low;

    /// <summary>Gives rows and columns readable names (for MPS output); allocates, not for the planning cycle.</summary>
    public void AssignNames(AllocationClusterState state)
    {
        var lp = Model ?? throw new InvalidOperationException("Build first");
        var r = state.ResourceCount;
        var rows = new string[lp.RowCount];
        for (var n = 0; n < state.NodeCount; n++)
        {
            for (var k = 0; k < r; k++)
            {
                rows[n * r + k] = string.Create(CultureInfo.InvariantCulture, $"cap_n{n}_r{k}");
            }
        }

        for (var l = 0; l < state.LinkingRowCount; l++)
        {
            rows[state.NodeCount * r + l] = state.LinkingNames[l];
        }

        var columns = new string[lp.ColumnCount];
        for (var j = 0; j < state.JobCount; j++)
        {
            for (var k = 0; k < r; k++)
            {
                for (var b = 0; b < BandsPerPair; b++)
                {
                    columns[Column(j, k, b)] = string.Create(CultureInfo.InvariantCulture, $"x_j{j}_r{k}_b{b}");
                }
            }
        }

        lp.RowNames = rows;
        lp.ColumnNames = columns;
        lp.ObjectiveName = "cost";
        lp.Name = string.Create(CultureInfo.InvariantCulture, $"ALLOC_N{state.NodeCount}_J{state.JobCount}_R{r}");
    }

    private bool SameShape(AllocationClusterState s)
    {
        return Model is not null
            && _shapeNodes == s.NodeCount
            && _shapeResources == s.ResourceCount
            && _shapeLinkingRows == s.LinkingRowCount
            && _shapeJobNode.AsSpan().SequenceEqual(s.JobNode)
            && _shapeLinking.AsSpan().SequenceEqual(s.JobLinkingRow);
    }

    private void CreateShape(AllocationClusterState s)
    {
        var r = s.ResourceCount;
        var pairs = s.JobCount * r;
        for (var j = 0; j < s.JobCount; j++)
        {
            if ((uint)s.JobNode[j] >= (uint)s.NodeCount)
            {
                throw new ArgumentException($"job {j} is on node {s.JobNode[j]}, outside [0, {s.NodeCount})", nameof(s));
            }
        }

        var linked = 0;
        for (var p = 0; p < pairs; p++)
        {
            var l = s.JobLinkingRow[p];
            if (l >= s.LinkingRowCount || l < -1)
            {
                throw new ArgumentException($"pair {p} refers to linking row {l}, outside [-1, {s.LinkingRowCount})", nameof(s));
            }

            if (l >= 0)
            {
                linked++;
            }
        }

        var rows = s.NodeCount * r + s.LinkingRowCount;
        var columns = pairs * BandsPerPair;
        var lp = new LinearProgram(rows, columns, columns + linked * BandsPerPair)
        {
            Name = "allocation",
            ObjectiveName = "cost",
            Sense = ObjectiveSense.Minimize,
        };
        var nz = 0;
        for (var j = 0; j < s.JobCount; j++)
        {
            var node = s.JobNode[j];
            for (var k = 0; k < r; k++)
            {
                var link = s.JobLinkingRow[j * r + k];
                for (var b = 0; b < BandsPerPair; b++)
                {
                    var col = ((j * r) + k) * BandsPerPair + b;
                    lp.ColumnStart[col] = nz;
                    lp.RowIndex[nz] = node * r + k;
                    lp.Values[nz++] = 1;
                    if (link >= 0)
                    {
                        lp.RowIndex[nz] = s.NodeCount * r + link;
                        lp.Values[nz++] = 1;
                    }
                }
            }
        }

        lp.ColumnStart[columns] = nz;
        Model = lp;
        _shapeNodes = s.NodeCount;
        _shapeResources = r;
        _shapeLinkingRows = s.LinkingRowCount;
        _shapeJobNode = (int[])s.JobNode.Clone();
        _shapeLinking = (int[])s.JobLinkingRow.Clone();
        _low = new double[pairs];
        _referenceCapacity = new double[r];
    }

    private void Fill(AllocationClusterState s, WorkerTeam? team)
    {
        var lp = Model!;
        var r = s.ResourceCount;
        for (var k = 0; k < r; k++)
        {
            var max = 0.0;
            for (var n = 0; n < s.NodeCount; n++)
            {
                max = Math.Max(max, s.NodeCapacity[n * r + k]);
            }

            _referenceCapacity[k] = max > 0 ? max : 1;
        }

        for (var n = 0; n < s.NodeCount; n++)
        {
            for (var k = 0; k < r; k++)
            {
                lp.RowUpper[n * r + k] = s.NodeCapacity[n * r + k];
                lp.RowLower[n * r + k] = double.NegativeInfinity;
            }
        }

        for (var l = 0; l < s.LinkingRowCount; l++)
        {
            lp.RowUpper[s.NodeCount * r + l] = s.LinkingBudget[l];
            lp.RowLower[s.NodeCount * r + l] = double.NegativeInfinity;
        }

        var blocks = (s.JobCount + JobsPerBlock - 1) / JobsPerBlock;
        if (_blockConstant.Length < blocks)
        {
            _blockConstant = new double[blocks];
        }

        if (team is null || blocks < 2)
        {
            FillBlocks(s, 0, blocks);
        }
        else
        {
            _filling = s;
            _fillWorkers = team.Count;
            team.Run(_fillPart ??= FillPart);
            _filling = null;
        }

        // The fixed part of each row, in pair order (as the pairs were once filled one by one), and the constant.
        var constant = 0.0;
        for (var block = 0; block < blocks; block++)
        {
            constant += _blockConstant[block];
        }

        for (var j = 0; j < s.JobCount; j++)
        {
            var node = s.JobNode[j];
            for (var k = 0; k < r; k++)
            {
                var pair = (j * r) + k;
                var low = _low[pair];
                lp.RowUpper[(node * r) + k] -= low;
                var link = s.JobLinkingRow[pair];
                if (link >= 0)
                {
                    lp.RowUpper[(s.NodeCount * r) + link] -= low;
                }
            }
        }

        lp.ObjectiveConstant = constant;
    }

    private void FillPart(int worker)
    {
        var s = _filling!;
        var blocks = (s.JobCount + JobsPerBlock - 1) / JobsPerBlock;
        FillBlocks(s, blocks * worker / _fillWorkers, blocks * (worker + 1) / _fillWorkers);
    }

    /// <summary>Each pair's range, band columns (costs and widths) and share of the objective constant, for the jobs of blocks [from, to).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void FillBlocks(AllocationClusterState s, int fromBlock, int toBlock)
    {
        var lp = Model!;
        var r = s.ResourceCount;
        var o = _options;
        Span<double> bp = stackalloc double[BandsPerPair];
        for (var block = fromBlock; block < toBlock; block++)
        {
            var constant = 0.0;
            var from = block * JobsPerBlock;
            var to = Math.Min(s.JobCount, from + JobsPerBlock);
            for (var j = from; j < to; j++)
            {
                var node = s.JobNode[j];
                var priority = s.Priority[j];
                for (var k = 0; k < r; k++)
                {
                    var pair = j * r + k;
                    var scale = 1 / _referenceCapacity[k];
                    var w50 = priority * o.MedianBandWeight * scale;
                    var w90 = priority * o.P90BandWeight * scale;
                    var w99 = priority * o.P99BandWeight * scale;
                    var gamma = o.ChangeCost * scale;
                    var q50 = Math.Max(0, s.DemandMedian[pair]);
                    var q90 = Math.Max(q50, s.DemandP90[pair]);
                    var q99 = Math.Max(q90, s.DemandP99[pair]);
                    var current = s.Current[pair];
                    var delta = s.ChangeLimit[pair];
                    var low = Math.Max(s.Floor[pair], current - delta);
                    var high = Math.Max(low, Math.Min(s.Ceiling[pair], current + delta));
                    _low[pair] = low;
                    bp[0] = Math.Clamp(q50, low, high);
                    bp[1] = Math.Clamp(q90, low, high);
                    bp[2] = Math.Clamp(q99, low, high);
                    bp[3] = Math.Clamp(current, low, high);
                    Sort4(bp);

                    // cost(a) = -U(a) + gamma |a - current|, U the concave utility; the constant is cost(low).
                    constant += -Utility(low, q50, q90, q99, w50, w90, w99) + gamma * Math.Abs(low - current);
                    var start = low;
                    for (var b = 0; b < BandsPerPair; b++)
                    {
                        var end = bp[b];
                        var col = pair * BandsPerPair + b;
                        var mid = 0.5 * (start + end);
                        var slope = mid < q50 ? w50 : mid < q90 ? w90 : mid < q99 ? w99 : 0;
                        lp.Objective[col] = -slope + (mid < current ? -gamma : gamma);
                        lp.ColumnLower[col] = 0;
                        lp.ColumnUpper[col] = end - start;
                        start = end;
                    }
                }
            }

            _blockConstant[block] = constant;
        }
    }

    private static double Utility(double a, double q50, double q90, double q99, double w50, double w90, double w99)
    {
        return (w50 * Math.Min(a, q50))
            + (w90 * Math.Clamp(a - q50, 0, q90 - q50))
            + (w99 * Math.Clamp(a - q90, 0, q99 - q90));
    }

    private static void Sort4(Span<double> v)
    {
        for (var i = 1; i < 4; i++)
        {
            var key = v[i];
            var k = i - 1;
            while (k >= 0 && v[k] > key)
            {
                v[k + 1] = v[k];
                k--;
            }

            v[k + 1] = key;
        }
    }
}
