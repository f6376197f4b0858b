using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;

namespace Prescient.Optimization.Tests;

public sealed class StandardFormRefillTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Refill_MatrixUnchanged_SameNumbersAsAFullRefill(int seed)
    {
        var state = SyntheticCluster.Create(40, 200, 4, seed);
        var builder = new AllocationLpBuilder();
        builder.Build(state);
        var lp = builder.Model!;
        var kept = new StandardForm(lp);
        var full = new StandardForm(lp);

        // A new cycle: other forecasts, allocations and budgets, the same shape (the matrix's ones do not change).
        var rng = new Random(seed);
        for (var p = 0; p < state.DemandMedian.Length; p++)
        {
            state.DemandMedian[p] *= 0.5 + rng.NextDouble();
            state.Current[p] *= 0.8 + (0.4 * rng.NextDouble());
        }

        for (var l = 0; l < state.LinkingBudget.Length; l++)
        {
            state.LinkingBudget[l] *= 0.9;
        }

        Assert.False(builder.Build(state));
        RefillBothWaysAndCompare(lp, kept, full);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Refill_MatrixUnchanged_ScaledModel_BitForBitTheDivisionsOfAFullRefill(int seed)
    {
        // Coefficients of many magnitudes, so the scale factors are powers of two other than 1.
        var rng = new Random(seed);
        var lp = RandomLp.Create(rng, 12, 20, feasible: true);
        var kept = new StandardForm(lp);
        var full = new StandardForm(lp);
        Assert.Contains(kept.ColumnScale, s => s != 1);
        for (var j = 0; j < lp.ColumnCount; j++)
        {
            lp.Objective[j] *= 1 + rng.NextDouble();
            lp.ColumnUpper[j] = double.IsFinite(lp.ColumnUpper[j]) ? lp.ColumnUpper[j] * 1.5 : lp.ColumnUpper[j];
        }

        RefillBothWaysAndCompare(lp, kept, full);
    }

    /// <summary>Re-reads <paramref name="lp"/> keeping the matrix and in full; every number must be the same, bit for bit.</summary>
    private static void RefillBothWaysAndCompare(Model.LinearProgram lp, StandardForm kept, StandardForm full)
    {
        kept.Refill(lp, recomputeScaling: false, matrixUnchanged: true);
        full.Refill(lp, recomputeScaling: false);
        Assert.Equal(full.C, kept.C);
        Assert.Equal(full.Lower, kept.Lower);
        Assert.Equal(full.Upper, kept.Upper);
        Assert.Equal(full.Kind, kept.Kind);
        Assert.Equal(full.B, kept.B);
        Assert.Equal(full.A.Values, kept.A.Values);
        Assert.Equal(full.InconsistentBounds, kept.InconsistentBounds);
    }
}
