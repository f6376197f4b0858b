using Prescient.Optimization.Ipm;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Allocation;

/// <summary>
/// The general solver's way into the allocation solver's exact path for a model read from a file: when every column
/// is a band [0, u] with coefficient 1 in one or two rows, and every row is "≤ b" with 0 ≤ b &lt; ∞ (minimizing) — the
/// shape <c>prescient lp gen-allocation</c> writes —, the capacity rows alone are solved as knapsacks
/// (<see cref="SeparableRows"/>) and the linked rows by pricing (<see cref="LinkedKnapsacks"/>). The point and its
/// duals are accepted only when the KKT residuals measured on the model itself are within the tolerance; otherwise
/// the caller runs its presolve and iteration.
/// </summary>
internal static class LinkedShape
{
    /// <summary>Whether <paramref name="lp"/> has the shape (one pass over its entries).</summary>
    public static bool Matches(LinearProgram lp)
    {
        if (lp.Sense != ObjectiveSense.Minimize || lp.ColumnCount == 0)
        {
            return false;
        }

        for (var i = 0; i < lp.RowCount; i++)
        {
            if (!LinkedKnapsacks.IsCapacityRow(lp, i))
            {
                return false;
            }
        }

        for (var c = 0; c < lp.ColumnCount; c++)
        {
            var count = lp.ColumnStart[c + 1] - lp.ColumnStart[c];
            if (!LinkedKnapsacks.IsBand(lp.ColumnLower[c], lp.ColumnUpper[c]) || count is < 1 or > 2)
            {
                return false;
            }

            for (var k = lp.ColumnStart[c]; k < lp.ColumnStart[c + 1]; k++)
            {
                if (lp.Values[k] != 1)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The optimum of <paramref name="lp"/> by the exact path, or null when the shape or the check does not hold.</summary>
    public static LpResult? TrySolve(LinearProgram lp, InteriorPointOptions options)
    {
        if (!Matches(lp))
        {
            return null;
        }

        var split = new SeparableRows(lp, enabled: true);
        var x = new double[lp.ColumnCount];
        split.SolveKnapsacks(lp, x, 0, split.SeparableRowCount, 0);
        var y = new double[lp.RowCount];
        split.RowDuals(y);
        var linked = split.ReducedColumns.Length == 0 ? null : LinkedKnapsacks.TryCreate(lp, split.ReducedColumns, 1);
        var time = options.TimeProvider;
        var deadline = options.TimeLimit is { } limit ? time.GetTimestamp() + (long)(limit.TotalSeconds * time.TimestampFrequency) : long.MaxValue;
        if (split.ReducedColumns.Length > 0 && (linked is null || !linked.TrySolve(lp, x, warmStart: false, team: null, deadline, time)))
        {
            return null;
        }

        linked?.RowDuals(y);
        var reason = linked?.RepairRounds > 0
            ? "knapsack rows and priced linking rows, repaired by a restricted LP; residuals and gap within tolerance"
            : "knapsack rows and priced linking rows; residuals and gap within tolerance";
        var result = InteriorPointSolver.Finish(lp, LpStatus.Optimal, reason, x, y, 0, "linked", null);
        var tolerance = options.Tolerance;
        return result.PrimalResidual <= tolerance && result.DualResidual <= tolerance && result.RelativeGap <= tolerance ? result : null;
    }
}
