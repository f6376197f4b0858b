using System.Runtime.CompilerServices;
using Prescient.Optimization.Ipm;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Presolve;

/// <summary>
/// Light presolve: duplicate rows (multiples merged into one), then, repeated until nothing changes:
/// empty rows (dropped, or infeasible), singleton rows
/// (turned into column bounds), fixed columns (substituted into the row bounds and the objective
/// constant), empty columns whose best bound is finite (fixed there) and free column singletons (a free or
/// implied-free column with one entry, in an equality row: substituted out of the objective, the row
/// dropped). Reductions that could hide an
/// unbounded or infeasible model (an empty column improving towards an infinite bound) are left to the
/// solver's checked certificates. Postsolve recovers the primal point and the row duals.
/// </summary>
public static class Presolver
{
    private const double FeasibilityTolerance = 1e-9;

    /// <summary>
    /// A free column singleton is substituted only when its entry is at least this fraction of the row's
    /// largest entry: the objective update c_k -= c_j a_ik / a_ij must not blow up costs.
    /// </summary>
    private const double SingletonPivotRatio = 1e-3;

    /// <summary>Reduces <paramref name="lp"/>; the result maps a solution of the reduced model back (postsolve).</summary>

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static PresolveResult Run(LinearProgram lp)
    {
        var m = lp.RowCount;
        var n = lp.ColumnCount;
        var sign = lp.Sense == ObjectiveSense.Maximize ? -1.0 : 1.0;
        var rowLower = (double[])lp.RowLower.Clone();
        var rowUpper = (double[])lp.RowUpper.Clone();
        var colLower = (double[])lp.ColumnLower.Clone();
        var colUpper = (double[])lp.ColumnUpper.Clone();
        var rowAlive = new bool[m];
        var colAlive = new bool[n];
        Array.Fill(rowAlive, true);
        Array.Fill(colAlive, true);
        var rowCount = new int[m];
        var colCount = new int[n];
        var stack = new List<Reduction>();
        var constant = lp.ObjectiveConstant;
        var cost = (double[])lp.Objective.Clone();

        // A column whose bounds certified another column as implied free must keep them: it may still be
        // substituted out when truly free, never as implied free (its bounds would vanish with it).
        var boundsRelied = new bool[n];

        // Row-wise view of the matrix.
        var rowStart = new int[m + 1];
        for (var p = 0; p < lp.NonZeroCount; p++)
        {
            rowStart[lp.RowIndex[p] + 1]++;
        }

        for (var i = 0; i < m; i++)
        {
            rowStart[i + 1] += rowStart[i];
        }

        var rowColumn = new int[lp.NonZeroCount];
        var rowValue = new double[lp.NonZeroCount];
        var next = (int[])rowStart.Clone();
        for (var j = 0; j < n; j++)
        {
            for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
            {
                var q = next[lp.RowIndex[p]]++;
                rowColumn[q] = j;
                rowValue[q] = lp.Values[p];
                if (lp.Values[p] != 0)
                {
                    rowCount[lp.RowIndex[p]]++;
                    colCount[j]++;
                }
            }
        }

        LpStatus? status = null;
        var reason = "";
        MergeDuplicateRows(lp, rowStart, rowColumn, rowValue, rowLower, rowUpper, rowAlive, rowCount, colCount, stack, ref status, ref reason);
        var changed = true;
        while (changed && status is null)
        {
            changed = false;
            for (var i = 0; i < m && status is null; i++)
            {
                if (!rowAlive[i])
                {
                    continue;
                }

                if (rowCount[i] == 0)
                {
                    if (rowLower[i] > Tolerance(rowLower[i]) || rowUpper[i] < -Tolerance(rowUpper[i]))
                    {
                        status = LpStatus.Infeasible;
                        reason = $"row '{lp.RowName(i)}' has no entries but needs {rowLower[i]} ≤ 0 ≤ {rowUpper[i]}";
                        break;
                    }

                    rowAlive[i] = false;
                    stack.Add(new Reduction(ReductionKind.EmptyRow, i, -1, 0, false, false));
                    changed = true;
                }
                else if (rowCount[i] == 1)
                {
                    var j = -1;
                    var a = 0.0;
                    for (var q = rowStart[i]; q < rowStart[i + 1]; q++)
                    {
                        if (colAlive[rowColumn[q]] && rowValue[q] != 0)
                        {
                            j = rowColumn[q];
                            a = rowValue[q];
                        }
                    }

                    var lo = a > 0 ? rowLower[i] / a : rowUpper[i] / a;
                    var hi = a > 0 ? rowUpper[i] / a : rowLower[i] / a;
                    var lowerFromRow = lo > colLower[j];
                    var upperFromRow = hi < colUpper[j];
                    if (lowerFromRow)
                    {
                        colLower[j] = lo;
                    }

                    if (upperFromRow)
                    {
                        colUpper[j] = hi;
                    }

                    if (colLower[j] > colUpper[j])
                    {
                        if (colLower[j] - colUpper[j] > Tolerance(colLower[j]))
                        {
                            status = LpStatus.Infeasible;
                            reason = $"singleton row '{lp.RowName(i)}' bounds column '{lp.ColumnName(j)}' to an empty interval";
                            break;
                        }

                        colUpper[j] = colLower[j];
                    }

                    rowAlive[i] = false;
                    colCount[j]--;
                    stack.Add(new Reduction(ReductionKind.SingletonRow, i, j, a, lowerFromRow, upperFromRow));
                    changed = true;
                }
            }

            for (var j = 0; j < n && status is null; j++)
            {
                if (!colAlive[j])
                {
                    continue;
                }

                double value;
                if (colLower[j] == colUpper[j])
                {
                    value = colLower[j];
                }
                else if (colCount[j] == 0)
                {
                    var c = sign * cost[j];
                    if (c > 0 && double.IsFinite(colLower[j]))
                    {
                        value = colLower[j];
                    }
                    else if (c < 0 && double.IsFinite(colUpper[j]))
                    {
                        value = colUpper[j];
                    }
                    else if (c == 0)
                    {
                        value = Math.Clamp(0, colLower[j], colUpper[j]);
                    }
                    else
                    {
                        continue;
                    }
                }
                else
                {
                    continue;
                }

                if (colLower[j] > colUpper[j])
                {
                    status = LpStatus.Infeasible;
                    reason = $"column '{lp.ColumnName(j)}' has lower bound above upper bound";
                    break;
                }

                colAlive[j] = false;
                constant += cost[j] * value;
                for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
                {
                    var i = lp.RowIndex[p];
                    if (!rowAlive[i] || lp.Values[p] == 0)
                    {
                        continue;
                    }

                    rowLower[i] -= lp.Values[p] * value;
                    rowUpper[i] -= lp.Values[p] * value;
                    rowCount[i]--;
                }

                stack.Add(new Reduction(ReductionKind.FixColumn, -1, j, value, false, false));
                changed = true;
            }

            for (var j = 0; j < n && status is null; j++)
            {
                if (colAlive[j] && colCount[j] == 1 && colLower[j] < colUpper[j]
                    && TrySubstituteFreeSingleton(lp, j, rowStart, rowColumn, rowValue, rowLower, rowUpper, colLower, colUpper, rowAlive, colAlive, colCount, boundsRelied, cost, sign, ref constant, stack))
                {
                    changed = true;
                }
            }
        }

        // Build the reduced model.
        var keptRows = new List<int>();
        var rowMap = new int[m];
        for (var i = 0; i < m; i++)
        {
            rowMap[i] = -1;
            if (rowAlive[i])
            {
                rowMap[i] = keptRows.Count;
                keptRows.Add(i);
            }
        }

        var keptColumns = new List<int>();
        var nnz = 0;
        for (var j = 0; j < n; j++)
        {
            if (colAlive[j])
            {
                keptColumns.Add(j);
                for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
                {
                    if (rowMap[lp.RowIndex[p]] >= 0)
                    {
                        nnz++;
                    }
                }
            }
        }

        var reduced = new LinearProgram(keptRows.Count, keptColumns.Count, nnz)
        {
            Name = lp.Name,
            ObjectiveName = lp.ObjectiveName,
            Sense = lp.Sense,
            ObjectiveConstant = constant,
        };
        var w = 0;
        for (var k = 0; k < keptColumns.Count; k++)
        {
            var j = keptColumns[k];
            reduced.ColumnStart[k] = w;
            reduced.Objective[k] = cost[j];
            reduced.ColumnLower[k] = colLower[j];
            reduced.ColumnUpper[k] = colUpper[j];
            for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
            {
                var r = rowMap[lp.RowIndex[p]];
                if (r >= 0)
                {
                    reduced.RowIndex[w] = r;
                    reduced.Values[w] = lp.Values[p];
                    w++;
                }
            }
        }

        reduced.ColumnStart[keptColumns.Count] = w;
        for (var k = 0; k < keptRows.Count; k++)
        {
            reduced.RowLower[k] = rowLower[keptRows[k]];
            reduced.RowUpper[k] = rowUpper[keptRows[k]];
        }

        return new PresolveResult(lp, reduced, [.. keptRows], [.. keptColumns], stack, status, reason);
    }

    /// <summary>
    /// Free column singleton (Andersen and Andersen 1995, §3.4): column j has its only live entry a_ij in the
    /// equality row i, and is free or implied free by that row (the other columns' bounds keep
    /// x_j = (b_i - Σ_k a_ik x_k) / a_ij within [l_j, u_j]). Then the row only defines x_j, so x_j is
    /// substituted out: c_k -= c_j a_ik / a_ij for the other columns of the row, the constant gains
    /// c_j b_i / a_ij, and row i and column j go. Postsolve recovers x_j from the row and y_i = c̃_j / a_ij,
    /// the dual that makes x_j's reduced cost zero.
    /// </summary>
    private static bool TrySubstituteFreeSingleton(LinearProgram lp, int j, int[] rowStart, int[] rowColumn, double[] rowValue, double[] rowLower, double[] rowUpper,
        double[] colLower, double[] colUpper, bool[] rowAlive, bool[] colAlive, int[] colCount, bool[] boundsRelied, double[] cost, double sign,
        ref double constant, List<Reduction> stack)
    {
        var i = -1;
        var a = 0.0;
        for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
        {
            if (rowAlive[lp.RowIndex[p]] && lp.Values[p] != 0)
            {
                i = lp.RowIndex[p];
                a = lp.Values[p];
                break;
            }
        }

        if (i < 0 || rowLower[i] != rowUpper[i] || !double.IsFinite(rowLower[i]))
        {
            return false;
        }

        var b = rowLower[i];
        var largest = 0.0;
        var minActivity = 0.0;
        var maxActivity = 0.0;
        for (var q = rowStart[i]; q < rowStart[i + 1]; q++)
        {
            var k = rowColumn[q];
            var v = rowValue[q];
            if (!colAlive[k] || v == 0)
            {
                continue;
            }

            largest = Math.Max(largest, Math.Abs(v));
            if (k != j)
            {
                minActivity += v > 0 ? v * colLower[k] : v * colUpper[k];
                maxActivity += v > 0 ? v * colUpper[k] : v * colLower[k];
            }
        }

        if (Math.Abs(a) < SingletonPivotRatio * largest)
        {
            return false;
        }

        var free = double.IsNegativeInfinity(colLower[j]) && double.IsPositiveInfinity(colUpper[j]);
        if (!free)
        {
            if (boundsRelied[j])
            {
                return false;
            }

            // x_j ranges over (b - maxActivity) / a .. (b - minActivity) / a (swapped when a < 0); an infinite
            // activity bound leaves that side unbounded (∞ - ∞ cannot occur: each sum is one-signed infinite).
            var impliedLower = a > 0 ? (b - maxActivity) / a : (b - minActivity) / a;
            var impliedUpper = a > 0 ? (b - minActivity) / a : (b - maxActivity) / a;
            if (double.IsNaN(impliedLower) || double.IsNaN(impliedUpper) || impliedLower < colLower[j] || impliedUpper > colUpper[j])
            {
                return false;
            }
        }

        // min c_j x_j + Σ c_k x_k with x_j = (b - Σ a_ik x_k) / a  =  c_j b / a + Σ (c_k - c_j a_ik / a) x_k.
        var ratio = cost[j] / a;
        constant += ratio * b;
        for (var q = rowStart[i]; q < rowStart[i + 1]; q++)
        {
            var k = rowColumn[q];
            if (k == j || !colAlive[k] || rowValue[q] == 0)
            {
                continue;
            }

            cost[k] -= ratio * rowValue[q];
            colCount[k]--;
            if (!free)
            {
                boundsRelied[k] = true;
            }
        }

        rowAlive[i] = false;
        colAlive[j] = false;
        colCount[j] = 0;
        stack.Add(new Reduction(ReductionKind.FreeColumnSingleton, i, j, a, false, false, b, sign * ratio));
        return true;
    }

    /// <summary>
    /// Rows that are multiples of each other (a_k = λ a_i, same pattern) are merged into the first: row k's
    /// bounds divided by λ (swapped when λ &lt; 0) are intersected with row i's, and row k is dropped.
    /// </summary>
    private static void MergeDuplicateRows(LinearProgram lp, int[] rowStart, int[] rowColumn, double[] rowValue, double[] rowLower, double[] rowUpper,
        bool[] rowAlive, int[] rowCount, int[] colCount, List<Reduction> stack, ref LpStatus? status, ref string reason)
    {
        var groups = new Dictionary<long, List<int>>();
        for (var i = 0; i < lp.RowCount; i++)
        {
            if (rowCount[i] < 2)
            {
                continue;
            }

            // Hash of the pattern and of the values scaled so that the first entry is 1.
            var first = rowValue[rowStart[i]];
            var hash = new HashCode();
            for (var q = rowStart[i]; q < rowStart[i + 1]; q++)
            {
                hash.Add(rowColumn[q]);
                hash.Add(Math.Round(rowValue[q] / first, 9));
            }

            var key = ((long)hash.ToHashCode() << 20) ^ (rowStart[i + 1] - rowStart[i]);
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add(i);
        }

        foreach (var list in groups.Values)
        {
            for (var a = 0; a < list.Count && status is null; a++)
            {
                var i = list[a];
                if (!rowAlive[i])
                {
                    continue;
                }

                for (var b = a + 1; b < list.Count; b++)
                {
                    var k = list[b];
                    if (!rowAlive[k] || !Proportional(rowStart, rowColumn, rowValue, i, k, out var lambda))
                    {
                        continue;
                    }

                    var lo = lambda > 0 ? rowLower[k] / lambda : rowUpper[k] / lambda;
                    var hi = lambda > 0 ? rowUpper[k] / lambda : rowLower[k] / lambda;
                    var lowerFromRemoved = lo > rowLower[i];
                    var upperFromRemoved = hi < rowUpper[i];
                    if (lowerFromRemoved)
                    {
                        rowLower[i] = lo;
                    }

                    if (upperFromRemoved)
                    {
                        rowUpper[i] = hi;
                    }

                    if (rowLower[i] > rowUpper[i])
                    {
                        if (rowLower[i] - rowUpper[i] > Tolerance(rowLower[i]))
                        {
                            status = LpStatus.Infeasible;
                            reason = $"rows '{lp.RowName(i)}' and '{lp.RowName(k)}' are multiples with disjoint bounds";
                            return;
                        }

                        rowUpper[i] = rowLower[i];
                    }

                    rowAlive[k] = false;
                    for (var q = rowStart[k]; q < rowStart[k + 1]; q++)
                    {
                        if (rowValue[q] != 0)
                        {
                            colCount[rowColumn[q]]--;
                        }
                    }

                    stack.Add(new Reduction(ReductionKind.DuplicateRow, k, i, lambda, lowerFromRemoved, upperFromRemoved));
                }
            }
        }
    }

    private static bool Proportional(int[] rowStart, int[] rowColumn, double[] rowValue, int i, int k, out double lambda)
    {
        lambda = 0;
        var length = rowStart[i + 1] - rowStart[i];
        if (rowStart[k + 1] - rowStart[k] != length)
        {
            return false;
        }

        lambda = rowValue[rowStart[k]] / rowValue[rowStart[i]];
        if (lambda == 0 || !double.IsFinite(lambda))
        {
            return false;
        }

        for (var t = 0; t < length; t++)
        {
            var qi = rowStart[i] + t;
            var qk = rowStart[k] + t;
            if (rowColumn[qi] != rowColumn[qk] || Math.Abs(rowValue[qk] - (lambda * rowValue[qi])) > 1e-12 * Math.Abs(rowValue[qk]))
            {
                return false;
            }
        }

        return true;
    }

    private static double Tolerance(double value) => FeasibilityTolerance * (1 + (double.IsFinite(value) ? Math.Abs(value) : 0));
}
