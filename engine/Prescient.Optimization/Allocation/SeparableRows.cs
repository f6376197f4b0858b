using System.Runtime.CompilerServices;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Allocation;

/// <summary>
/// The allocation solver's presolve: a capacity row none of whose columns reaches a linking row is a component of the
/// LP on its own, and a one-row component of "≤" with coefficients +1 and columns in [0, u] is a continuous knapsack,
/// solved exactly by filling the columns of negative cost in increasing order of cost (columns of equal cost that do
/// not all fit share what is left in proportion to their lengths, the interior-point solver's split). What is left —
/// the capacity rows with linked columns, and the linking rows — is copied into a reduced LP for the interior-point
/// solver. With no linking rows that is nothing; with an uplink budget it is the network rows and the uplink. The
/// pattern is set up once per shape; <see cref="Refill"/> and <see cref="SolveKnapsacks"/> allocate nothing.
/// </summary>
internal sealed class SeparableRows
{
    private readonly int[] _reducedColumn;   // reduced column -> model column
    private readonly int[] _reducedRow;      // reduced row -> model row
    private readonly int[] _rowStart;        // separable rows' columns, CSR
    private readonly int[] _rowColumns;
    private readonly int[] _separableRows;
    private readonly double[][] _costs;        // per worker: a binding row's columns sorted by cost
    private readonly int[][] _order;
    private readonly double[] _rowDual;        // per separable row: the last solve's dual (0 when its columns all fit)

    /// <summary>
    /// Classifies the rows of <paramref name="lp"/>; with <paramref name="enabled"/> false every row stays for the solver.
    /// <see cref="SolveKnapsacks"/> may then run on up to <paramref name="workers"/> workers.
    /// </summary>
    public SeparableRows(LinearProgram lp, bool enabled, int workers = 1)
    {
        var rows = lp.RowCount;
        var columns = lp.ColumnCount;
        var coupled = new bool[rows];
        for (var c = 0; c < columns; c++)
        {
            var count = lp.ColumnStart[c + 1] - lp.ColumnStart[c];
            if (!enabled || count != 1)
            {
                for (var k = lp.ColumnStart[c]; k < lp.ColumnStart[c + 1]; k++)
                {
                    coupled[lp.RowIndex[k]] = true;
                }
            }
        }

        var reducedRows = 0;
        for (var r = 0; r < rows; r++)
        {
            // A linking row with no column left still belongs to the solver's model (its bound is checked there).
            reducedRows += coupled[r] ? 1 : 0;
        }

        _reducedRow = new int[reducedRows];
        var rowOf = new int[rows];
        var separable = new List<int>();
        for (int r = 0, next = 0; r < rows; r++)
        {
            if (coupled[r])
            {
                rowOf[r] = next;
                _reducedRow[next++] = r;
            }
            else
            {
                rowOf[r] = -1;
                separable.Add(r);
            }
        }

        _separableRows = [.. separable];
        var reducedColumns = 0;
        var reducedNonZeros = 0;
        _rowStart = new int[rows + 1];
        for (var c = 0; c < columns; c++)
        {
            var first = lp.RowIndex[lp.ColumnStart[c]];
            if (coupled[first])
            {
                reducedColumns++;
                reducedNonZeros += lp.ColumnStart[c + 1] - lp.ColumnStart[c];
            }
            else
            {
                _rowStart[first + 1]++;
            }
        }

        var widest = 0;
        for (var r = 0; r < rows; r++)
        {
            widest = Math.Max(widest, _rowStart[r + 1]);
            _rowStart[r + 1] += _rowStart[r];
        }

        _rowColumns = new int[columns - reducedColumns];
        _rowDual = new double[_separableRows.Length];
        _costs = new double[Math.Max(1, workers)][];
        _order = new int[_costs.Length][];
        for (var w = 0; w < _costs.Length; w++)
        {
            _costs[w] = new double[widest];
            _order[w] = new int[widest];
        }

        _reducedColumn = new int[reducedColumns];
        var fill = new int[rows];
        if (reducedColumns == columns && reducedRows == rows)
        {
            Reduced = lp;
            for (var c = 0; c < columns; c++)
            {
                _reducedColumn[c] = c;
            }

            for (var r = 0; r < rows; r++)
            {
                _reducedRow[r] = r;
            }

            return;
        }

        var reduced = new LinearProgram(reducedRows, reducedColumns, reducedNonZeros)
        {
            Name = lp.Name,
            ObjectiveName = lp.ObjectiveName,
            Sense = lp.Sense,
        };
        var nz = 0;
        var rc = 0;
        for (var c = 0; c < columns; c++)
        {
            var first = lp.RowIndex[lp.ColumnStart[c]];
            if (!coupled[first])
            {
                _rowColumns[_rowStart[first] + fill[first]++] = c;
                continue;
            }

            reduced.ColumnStart[rc] = nz;
            _reducedColumn[rc++] = c;
            for (var k = lp.ColumnStart[c]; k < lp.ColumnStart[c + 1]; k++)
            {
                reduced.RowIndex[nz] = rowOf[lp.RowIndex[k]];
                reduced.Values[nz++] = lp.Values[k];
            }
        }

        reduced.ColumnStart[reducedColumns] = nz;
        Reduced = reduced;
    }

    /// <summary>The model left for the interior-point solver (the LP itself when nothing separates).</summary>
    public LinearProgram Reduced { get; }

    /// <summary>Number of rows solved here.</summary>
    public int SeparableRowCount => _separableRows.Length;

    /// <summary>Model row of reduced row <paramref name="k"/>.</summary>
    public int ModelRow(int k) => _reducedRow[k];

    /// <summary>Model column of each reduced column.</summary>
    public ReadOnlySpan<int> ReducedColumns => _reducedColumn;

    /// <summary>Copies the numbers of <paramref name="lp"/> (same shape) into the reduced model.</summary>
    public void Refill(LinearProgram lp)
    {
        RefillColumns(lp, 0, _reducedColumn.Length);
        RefillRows(lp);
    }

    /// <summary>The columns part of <see cref="Refill"/> for reduced columns [from, to), so that workers can share it.</summary>
    public void RefillColumns(LinearProgram lp, int from, int to)
    {
        var reduced = Reduced;
        if (ReferenceEquals(reduced, lp))
        {
            return;
        }

        for (var k = from; k < to; k++)
        {
            var c = _reducedColumn[k];
            reduced.Objective[k] = lp.Objective[c];
            reduced.ColumnLower[k] = lp.ColumnLower[c];
            reduced.ColumnUpper[k] = lp.ColumnUpper[c];
        }
    }

    /// <summary>The rows part of <see cref="Refill"/>.</summary>
    public void RefillRows(LinearProgram lp)
    {
        var reduced = Reduced;
        if (ReferenceEquals(reduced, lp))
        {
            return;
        }

        for (var k = 0; k < _reducedRow.Length; k++)
        {
            var r = _reducedRow[k];
            reduced.RowLower[k] = lp.RowLower[r];
            reduced.RowUpper[k] = lp.RowUpper[r];
        }
    }

    /// <summary>
    /// Solves the knapsacks of separable rows [<paramref name="from"/>, <paramref name="to"/>) (in the order of
    /// <see cref="SeparableRowCount"/>) into <paramref name="x"/> (model columns), with worker <paramref name="worker"/>'s
    /// buffers: every column worth filling is filled, and only a row where that does not fit is solved in order of cost.
    /// A row whose bound is negative (the fixed part alone exceeds it, so the model is infeasible) gets x = 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SolveKnapsacks(LinearProgram lp, double[] x, int from, int to, int worker)
    {
        var objective = lp.Objective;
        var upper = lp.ColumnUpper;
        for (var r = from; r < to; r++)
        {
            var row = _separableRows[r];
            var wanted = 0.0;
            for (var k = _rowStart[row]; k < _rowStart[row + 1]; k++)
            {
                var c = _rowColumns[k];
                var u = upper[c];
                var fill = objective[c] < 0 && u > 0 ? u : 0;
                x[c] = fill;
                wanted += fill;
            }

            _rowDual[r] = wanted <= lp.RowUpper[row] ? 0 : SolveBindingRow(lp, row, lp.RowUpper[row], x, worker);
        }
    }

    /// <summary>The last solve's duals of the separable rows into <paramref name="y"/> (model rows; minimization convention, ≤ 0).</summary>
    public void RowDuals(Span<double> y)
    {
        for (var r = 0; r < _separableRows.Length; r++)
        {
            y[_separableRows[r]] = _rowDual[r];
        }
    }

    /// <summary>
    /// A row whose wanted columns do not all fit: the cheapest first, equal costs sharing what is left in proportion
    /// (nothing when the bound is negative). Returns the row's dual: the cost of the group where the bound ran out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double SolveBindingRow(LinearProgram lp, int row, double budget, double[] x, int worker)
    {
        var n = 0;
        var allCosts = _costs[worker];
        var order = _order[worker];
        for (var k = _rowStart[row]; k < _rowStart[row + 1]; k++)
        {
            var c = _rowColumns[k];
            x[c] = 0;
            if (lp.Objective[c] < 0 && lp.ColumnUpper[c] > 0)
            {
                allCosts[n] = lp.Objective[c];
                order[n++] = c;
            }
        }

        // Equal costs are filled together below, so the order among them does not matter.
        var costs = allCosts.AsSpan(0, n);
        var columns = order.AsSpan(0, n);
        costs.Sort(columns);
        var remaining = Math.Max(0, budget);
        var dual = n > 0 ? costs[0] : 0;
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

            // A group filled in part ends the row (what rounding leaves of the bound is not the next group's).
            remaining = share < 1 ? 0 : remaining - length;
            dual = cost;
            i = end;
        }

        return remaining > 0 ? 0 : dual;
    }
}
