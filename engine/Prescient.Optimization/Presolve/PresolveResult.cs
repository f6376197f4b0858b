using Prescient.Optimization.Ipm;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Presolve;

/// <summary>
/// A reduced model plus the stack of reductions needed to map its solution back (postsolve). When the
/// presolve already decided the model (e.g. an empty row that cannot be satisfied), <see cref="Status"/> is set.
/// </summary>
public sealed class PresolveResult
{
    internal PresolveResult(LinearProgram original, LinearProgram reduced, int[] keptRows, int[] keptColumns, List<Reduction> stack, LpStatus? status, string reason)
    {
        Original = original;
        Reduced = reduced;
        KeptRows = keptRows;
        KeptColumns = keptColumns;
        Stack = stack;
        Status = status;
        Reason = reason;
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

    /// <summary>
    /// Maps a primal-dual solution of <see cref="Reduced"/> (duals in the minimization convention) back to
    /// the original model, undoing the reductions in reverse order.
    /// </summary>
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
            }
        }

        return (fullX, fullY);
    }
}
