using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;
using Prescient.Optimization.Linear;

namespace Prescient.Optimization.Tests;

public sealed class InteriorPointCoreTests
{
    /// <summary>
    /// A warm start from the optimum of another instance (the same model with its costs negated, so that every
    /// bound it holds active is the wrong one) still ends at the cold optimum. The orchestrator's failing case
    /// is in <see cref="AllocationSolverWarmStartTests"/>.
    /// </summary>
    [Theory]
    [InlineData(3, 15, 22, 1.0)]
    [InlineData(8, 48, 5, 1.4)]
    [InlineData(40, 200, 7, 1.2)]
    public void Run_WarmStartFromAnotherInstancesOptimum_ReachesTheColdOptimum(int nodes, int jobs, int seed, double crowding)
    {
        var state = SyntheticCluster.Create(nodes, jobs, 4, seed);
        for (var p = 0; p < state.Current.Length; p++)
        {
            state.Current[p] *= crowding;
        }

        var builder = new AllocationLpBuilder();
        builder.Build(state);
        var form = new StandardForm(builder.Model!);
        var structure = BlockStructure.Detect(form.A);
        Assert.NotNull(structure);
        var negated = new double[form.C.Length];
        for (var j = 0; j < negated.Length; j++)
        {
            negated[j] = -form.C[j];
        }

        using var cold = NewCore(form, form.C, structure);
        using var perturbed = NewCore(form, negated, structure);
        using var warm = NewCore(form, form.C, structure);
        const double Tolerance = 1e-8;
        Assert.Equal(CoreOutcome.Optimal, cold.Run(Tolerance, 100, 2, long.MaxValue, TimeProvider.System, warmStart: false));
        Assert.Equal(CoreOutcome.Optimal, perturbed.Run(Tolerance, 100, 2, long.MaxValue, TimeProvider.System, warmStart: false));
        perturbed.X.CopyTo(warm.X, 0);
        perturbed.Y.CopyTo(warm.Y, 0);
        perturbed.Zl.CopyTo(warm.Zl, 0);
        perturbed.Zu.CopyTo(warm.Zu, 0);

        var outcome = warm.Run(Tolerance, 100, 2, long.MaxValue, TimeProvider.System, warmStart: true);
        Assert.Equal(CoreOutcome.Optimal, outcome);
        Assert.True(Math.Abs(warm.PrimalObjective - cold.PrimalObjective) <= 1e-6 * Math.Max(1, Math.Abs(cold.PrimalObjective)),
            $"warm {warm.PrimalObjective:R} vs cold {cold.PrimalObjective:R} after {warm.Iterations} iterations (warm start abandoned: {warm.WarmStartAbandoned})");
    }

    [Fact]
    public void Run_WarmStartFromTheSameOptimum_KeepsTheWarmStart()
    {
        var state = SyntheticCluster.Create(8, 48, 4, 3);
        var builder = new AllocationLpBuilder();
        builder.Build(state);
        var form = new StandardForm(builder.Model!);
        var structure = BlockStructure.Detect(form.A);
        using var core = NewCore(form, form.C, structure);
        Assert.Equal(CoreOutcome.Optimal, core.Run(1e-8, 100, 2, long.MaxValue, TimeProvider.System, warmStart: false));
        var coldIterations = core.Iterations;
        Assert.Equal(CoreOutcome.Optimal, core.Run(1e-8, 100, 2, long.MaxValue, TimeProvider.System, warmStart: true));
        Assert.False(core.WarmStartAbandoned);
        Assert.True(core.Iterations < coldIterations, $"warm {core.Iterations} iterations, cold {coldIterations}");
    }

    private static InteriorPointCore NewCore(StandardForm form, double[] costs, BlockStructure? structure)
    {
        INormalEquationsSolver normal = structure is not null ? new BlockAngularNormalEquations(form.A, structure) : new NormalEquationsCholesky(form.A);
        return new InteriorPointCore(form.A, form.B, costs, form.Lower, form.Upper, form.Kind, normal);
    }
}
