using System.Runtime.CompilerServices;
using Prescient.Optimization.Ipm;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Presolve;

/// <summary>
/// A reduced model plus the stack of reductions needed to map its solution back (postsolve). When the
/// presolve already decided the model (e.g. an empty row that cannot be satisfied), <see cref="Status"/> is set.
/// </summary>
public sealed class PresolveResult
{
    internal PresolveResult(LinearProgram original, LinearProgram reduced, int[] keptRows, int[] keptColumns, List<Reduction> stack, LpStatus? status, string reason, List<ColumnMerge>? merges = null)
    {
        Original = original;
        Reduced = reduced;
        KeptRows = keptRows;
        KeptColumns = keptColumns;
        Stack = stack;
        Status = status;
        Reason = reason;
        Merges = merges ?? [];
    }

    public LinearProgram Original { get; }

    /// <summary>The model that remains to be solved.</summary>
    public LinearProgram Reduced { get; }

    /// <summary>Reduced row index → original row index.</summary>
    public int[] KeptRows { get; }

    /// <summary>Reduced column index → original column index.</summary>
    public int[] KeptColumns { get; }

    public LpStatus? Status { get; }

    public string Reason { get; }

    public int RemovedRows => Original.RowCount - KeptRows.Length;

    public int RemovedColumns => Original.ColumnCount - KeptColumns.Length;

    internal List<Reduction> Stack { get; }

    private List<ColumnMerge> Merges { get; }

    /// <summary>
    /// Maps a primal-dual solution of <see cref="Reduced"/> (duals in the minimization convention) back to
    /// the original model, undoing the reductions in reverse order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (double[] X, double[] Y) Postsolve(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var lp = Original;
        var fullX = new double[lp.ColumnCount];
        var fullY = new double[lp.RowCount];
        for (var k = 0; k < KeptColumns.Length; k++)
        {
            fullX[KeptColumns[k]] = x[k];
        }

        for (var k = 0; k < KeptRows.Length; k++)
        {
            fullY[KeptRows[k]] = y[k];
        }

        // A free column singleton's row dual is known up front (it zeroes the column's reduced cost), and the
        // objective the later reductions saw already had that row substituted in: with every such dual set
        // first, d_j = c̃_j - Σ a_ij y_i over the original costs equals the reduced cost at each later step.
        int[]? rowStart = null;
        int[]? rowColumn = null;
        double[]? rowValue = null;
        foreach (var r in Stack)
        {
            if (r.Kind == ReductionKind.FreeColumnSingleton)
            {
                fullY[r.Row] = r.Dual;
                rowStart ??= BuildRows(lp, out rowColumn, out rowValue);
            }
        }

        var sign = lp.Sense == ObjectiveSense.Maximize ? -1.0 : 1.0;
        for (var s = Stack.Count - 1; s >= 0; s--)
        {
            var r = Stack[s];
            switch (r.Kind)
            {
                case ReductionKind.FixColumn:
                    fullX[r.Column] = r.Value;
                    break;
                case ReductionKind.EmptyRow:
                    fullY[r.Row] = 0;
                    break;
                case ReductionKind.IsolatedRow:
                    fullY[r.Row] = r.Value;
                    break;
                case ReductionKind.ParallelColumn:
                {
                    // The kept column holds the sum; split it in proportion to the widths, each within its bounds.
                    var m = Merges[r.Row];
                    var total = fullX[m.Kept];
                    var keptWidth = m.KeptUpper - m.KeptLower;
                    var removedWidth = m.RemovedUpper - m.RemovedLower;
                    var share = Math.Clamp(total - m.KeptLower - m.RemovedLower, 0, keptWidth + removedWidth) * (keptWidth / (keptWidth + removedWidth));
                    var kept = Math.Min(m.KeptLower + share, m.KeptUpper);
                    fullX[m.Kept] = kept;
                    fullX[m.Removed] = Math.Clamp(total - kept, m.RemovedLower, m.RemovedUpper);
                    break;
                }

                case ReductionKind.DuplicateRow:
                {
                    // The kept row's dual moves to the removed row when the active bound came from it.
                    var kept = r.Column;
                    var yk = fullY[kept];
                    if ((yk > 0 && r.LowerFromRow) || (yk < 0 && r.UpperFromRow))
                    {
                        fullY[r.Row] = yk / r.Value;
                        fullY[kept] = 0;
                    }

                    break;
                }

                case ReductionKind.SingletonRow:
                {
                    // d_j with the rows restored so far; this row's dual takes over the part of d_j that
                    // belongs to the bound the row imposed.
                    var j = r.Column;
                    var d = sign * lp.Objective[j];
                    for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
                    {
                        d -= lp.Values[p] * fullY[lp.RowIndex[p]];
                    }

                    if ((d > 0 && r.LowerFromRow) || (d < 0 && r.UpperFromRow))
                    {
                        fullY[r.Row] = d / r.Value;
                    }

                    break;
                }

                case ReductionKind.FreeColumnSingleton:
                {
                    // x_j = (b - Σ_{k≠j} a_ik x_k) / a_ij. Columns removed before this step are still 0 here and
                    // their part is already in b; every column live at this step has its value.
                    var sum = 0.0;
                    for (var q = rowStart![r.Row]; q < rowStart[r.Row + 1]; q++)
                    {
                        if (rowColumn![q] != r.Column)
                        {
                            sum += rowValue![q] * fullX[rowColumn[q]];
                        }
                    }

                    fullX[r.Column] = (r.Rhs - sum) / r.Value;
                    break;
                }
            }
        }

        return (fullX, fullY);
    }

    private static int[] BuildRows(LinearProgram lp, out int[] rowColumn, out double[] rowValue)
    {
        var rowStart = new int[lp.RowCount + 1];
        for (var p = 0; p < lp.NonZeroCount; p++)
        {
            rowStart[lp.RowIndex[p] + 1]++;
        }

        for (var i = 0; i < lp.RowCount; i++)
        {
            rowStart[i + 1] += rowStart[i];
        }

        rowColumn = new int[lp.NonZeroCount];
        rowValue = new double[lp.NonZeroCount];
        var next = (int[])rowStart.Clone();
        for (var j = 0; j < lp.ColumnCount; j++)
        {
            for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
            {
                var q = next[lp.RowIndex[p]]++;
                rowColumn[q] = j;
                rowValue[q] = lp.Values[p];
            }
        }

        return rowStart;
    }
}
