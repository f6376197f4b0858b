using System.Runtime.CompilerServices;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Ipm;

/// <summary>
/// Relative KKT residuals of a primal-dual point of a <see cref="LinearProgram"/>, measured on the model
/// itself (no scaling, no presolve). The duals follow the minimization convention: for the objective
/// c̃ = ±c (negated when maximizing), reduced costs d = c̃ - A'y; a row dual may be positive only on a finite
/// lower row bound and negative only on a finite upper one; likewise for d and the column bounds.
/// </summary>
public static class KktResiduals
{
    /// <summary>Computes (primal, dual, gap) residuals; <paramref name="reducedCosts"/> receives d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Primal, double Dual, double Gap) Compute(LinearProgram lp, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> reducedCosts)
    {
        var sign = lp.Sense == ObjectiveSense.Maximize ? -1.0 : 1.0;
        var activity = new double[lp.RowCount];
        lp.RowActivity(x, activity);
        var boundNorm = 0.0;
        var primalViolation = 0.0;
        var dualViolation = 0.0;
        var dualObjective = sign * lp.ObjectiveConstant;
        var costNorm = 0.0;
        for (var i = 0; i < lp.RowCount; i++)
        {
            var lo = lp.RowLower[i];
            var hi = lp.RowUpper[i];
            boundNorm = Math.Max(boundNorm, Finite(lo));
            boundNorm = Math.Max(boundNorm, Finite(hi));
            primalViolation = Math.Max(primalViolation, Math.Max(lo - activity[i], activity[i] - hi));
            var yi = y[i];
            if (yi > 0)
            {
                if (double.IsFinite(lo))
                {
                    dualObjective += lo * yi;
                }
                else
                {
                    dualViolation = Math.Max(dualViolation, yi);
                }
            }
            else if (yi < 0)
            {
                if (double.IsFinite(hi))
                {
                    dualObjective += hi * yi;
                }
                else
                {
                    dualViolation = Math.Max(dualViolation, -yi);
                }
            }
        }

        for (var j = 0; j < lp.ColumnCount; j++)
        {
            var cj = sign * lp.Objective[j];
            costNorm = Math.Max(costNorm, Math.Abs(cj));
            var d = cj;
            for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
            {
                d -= lp.Values[p] * y[lp.RowIndex[p]];
            }

            reducedCosts[j] = d;
            var lo = lp.ColumnLower[j];
            var hi = lp.ColumnUpper[j];
            boundNorm = Math.Max(boundNorm, Finite(lo));
            boundNorm = Math.Max(boundNorm, Finite(hi));
            primalViolation = Math.Max(primalViolation, Math.Max(lo - x[j], x[j] - hi));
            if (d > 0)
            {
                if (double.IsFinite(lo))
                {
                    dualObjective += lo * d;
                }
                else
                {
                    dualViolation = Math.Max(dualViolation, d);
                }
            }
            else if (d < 0)
            {
                if (double.IsFinite(hi))
                {
                    dualObjective += hi * d;
                }
                else
                {
                    dualViolation = Math.Max(dualViolation, -d);
                }
            }
        }

        var primalObjective = sign * lp.ObjectiveValue(x);
        var gap = Math.Abs(primalObjective - dualObjective) / (1 + Math.Abs(primalObjective));
        return (Math.Max(0, primalViolation) / (1 + boundNorm), dualViolation / (1 + costNorm), gap);
    }

    private static double Finite(double v) => double.IsFinite(v) ? Math.Abs(v) : 0;
}
