using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;

namespace Prescient.Orchestration.Cycle;

/// <summary>
/// Exact solver of the allocation LP when it has no linking rows (<c>Solver = decomposed</c>). Every band column
/// then lies in exactly one row (its node's capacity for its resource), so the LP separates into one continuous
/// knapsack per (node, resource): minimize Σ c_k x_k subject to Σ x_k ≤ b, 0 ≤ x_k ≤ u_k. Its optimum fills the
/// columns with c_k &lt; 0 in increasing order of cost until b is used up (the greedy is exact for a fractional
/// knapsack). Columns of equal cost that do not all fit share what is left in proportion to their lengths: that
/// is one of the optimal points, and the fair one (the interior-point solver converges to the same split).
/// Same LP and builder as the interior-point path; zero allocations when the shape is unchanged.
/// </summary>
internal sealed class DecomposedAllocationSolver(AllocationLpOptions? lpOptions)
{
    private readonly AllocationLpBuilder _builder = new(lpOptions);
    private double[] _x = [];
    private int[] _rowStart = [];
    private int[] _rowColumns = [];
    private double[] _costs = [];
    private int[] _columns = [];

    /// <summary>Solves the LP of <paramref name="state"/> and writes the allocation per pair; returns the status and the objective.</summary>
    public (LpStatus Status, double Objective) Solve(AllocationClusterState state, Span<double> allocation)
    {
        if (state.LinkingRowCount != 0)
        {
            throw new ArgumentException("the decomposed solver needs an LP without linking rows", nameof(state));
        }

        var rebuilt = _builder.Build(state);
        var lp = _builder.Model!;
        if (rebuilt || _x.Length != lp.ColumnCount)
        {
            Index(lp.RowCount, lp.ColumnCount, lp.ColumnStart, lp.RowIndex);
        }

        var x = _x.AsSpan();
        x.Clear();
        var status = LpStatus.Optimal;
        for (var row = 0; row < lp.RowCount; row++)
        {
            var budget = lp.RowUpper[row];
            if (budget < -1e-9 * Math.Max(1, Math.Abs(budget)))
            {
                // The fixed part alone exceeds the row: x = 0 is the best point and the model is infeasible.
                status = LpStatus.Infeasible;
                continue;
            }

            var n = 0;
            for (var k = _rowStart[row]; k < _rowStart[row + 1]; k++)
            {
                var c = _rowColumns[k];
                if (lp.Objective[c] < 0 && lp.ColumnUpper[c] > 0)
                {
                    _costs[n] = lp.Objective[c];
                    _columns[n++] = c;
                }
            }

            // Equal costs are filled together below, so the order among them does not matter.
            var costs = _costs.AsSpan(0, n);
            var columns = _columns.AsSpan(0, n);
            costs.Sort(columns);
            var remaining = Math.Max(0, budget);
            for (var i = 0; i < n && remaining > 0;)
            {
                // The group of columns with this cost (ties within 1e-12 relative).
                var cost = costs[i];
                var end = i;
                var length = 0.0;
                while (end < n && costs[end] <= cost + (1e-12 * Math.Abs(cost)))
                {
                    length += lp.ColumnUpper[columns[end]];
                    end++;
                }

                var share = length <= remaining ? 1 : remaining / length;
                for (var k = i; k < end; k++)
                {
                    var c = columns[k];
                    x[c] = lp.ColumnUpper[c] * share;
                }

                remaining -= length * share;
                i = end;
            }
        }

        _builder.ExtractAllocation(x, allocation);
        return (status, lp.ObjectiveValue(x));
    }

    private void Index(int rows, int columns, int[] columnStart, int[] rowIndex)
    {
        _x = new double[columns];
        _rowStart = new int[rows + 1];
        _rowColumns = new int[columns];
        for (var c = 0; c < columns; c++)
        {
            if (columnStart[c + 1] - columnStart[c] != 1)
            {
                throw new ArgumentException("every column of a decomposable allocation LP lies in exactly one row");
            }

            _rowStart[rowIndex[columnStart[c]] + 1]++;
        }

        var max = 0;
        for (var r = 0; r < rows; r++)
        {
            max = Math.Max(max, _rowStart[r + 1]);
            _rowStart[r + 1] += _rowStart[r];
        }

        var fill = new int[rows];
        for (var c = 0; c < columns; c++)
        {
            var r = rowIndex[columnStart[c]];
            _rowColumns[_rowStart[r] + fill[r]++] = c;
        }

        _costs = new double[max];
        _columns = new int[max];
    }
}
