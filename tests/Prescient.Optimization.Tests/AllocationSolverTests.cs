using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;

namespace Prescient.Optimization.Tests;

public sealed class AllocationSolverTests
{
    [Theory]
    [InlineData(20, 100, 4, 1)]
    [InlineData(50, 250, 4, 2)]
    [InlineData(30, 90, 2, 3)]
    [InlineData(25, 125, 6, 4)]
    public void Solve_StructuredPath_MatchesGeneralPath(int nodes, int jobs, int resources, int seed)
    {
        var state = SyntheticCluster.Create(nodes, jobs, resources, seed);
        using var solver = new AllocationSolver();
        var allocation = new double[jobs * resources];
        var structured = solver.Solve(state, allocation);

        // Only network (2) and storage (3) have linking rows: the other resources' rows are the presolve's knapsacks, and
        // the linked rows are solved by pricing the linking rows.
        Assert.Equal(state.LinkingRowCount > 0 ? "linked" : "presolve", solver.Path);
        Assert.Equal(nodes * (resources - Math.Clamp(resources - 2, 0, 2)), solver.SeparableRowCount);
        Assert.Equal(LpStatus.Optimal, structured.Status);

        // The iteration on what the knapsacks leave reaches the same optimum.
        using var iterated = new AllocationSolver { LinkedPricing = false };
        var viaIteration = iterated.Solve(state, new double[jobs * resources]);
        Assert.Equal(state.LinkingRowCount > 0 ? "structured" : "presolve", iterated.Path);
        Assert.Equal(LpStatus.Optimal, viaIteration.Status);
        Assert.True(Math.Abs(viaIteration.Objective - structured.Objective) <= 1e-7 * Math.Max(1, Math.Abs(structured.Objective)), $"{structured.Objective} vs iterated {viaIteration.Objective}");

        // The iteration on the whole LP (no presolve) reaches the same optimum, on the structured path.
        using var wholeSolver = new AllocationSolver(new InteriorPointOptions { Presolve = false });
        var whole = wholeSolver.Solve(state, new double[jobs * resources]);
        Assert.Equal("structured", wholeSolver.Path);
        Assert.Equal(0, wholeSolver.SeparableRowCount);
        Assert.Equal(LpStatus.Optimal, whole.Status);
        Assert.True(Math.Abs(whole.Objective - structured.Objective) <= 1e-6 * Math.Max(1, Math.Abs(whole.Objective)), $"{structured.Objective} vs whole {whole.Objective}");

        var general = InteriorPointSolver.Solve(solver.Builder.Model!, new InteriorPointOptions { Path = SolverPath.General });
        Assert.Equal(LpStatus.Optimal, general.Status);
        Assert.True(Math.Abs(general.Objective - structured.Objective) <= 1e-6 * Math.Max(1, Math.Abs(general.Objective)), $"{structured.Objective} vs {general.Objective}");

        var viaStructuredLp = InteriorPointSolver.Solve(solver.Builder.Model!, new InteriorPointOptions { Path = SolverPath.Structured });
        Assert.Equal("structured", viaStructuredLp.Path);
        Assert.True(Math.Abs(viaStructuredLp.Objective - general.Objective) <= 1e-6 * Math.Max(1, Math.Abs(general.Objective)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Solve_RandomCluster_PlanRespectsCapacityFloorsAndLimits(int seed)
    {
        var state = SyntheticCluster.Create(40, 200, 4, seed);
        var solver = new AllocationSolver();
        var allocation = new double[200 * 4];
        var result = solver.Solve(state, allocation);
        Assert.Equal(LpStatus.Optimal, result.Status);
        var r = state.ResourceCount;
        var used = new double[state.NodeCount * r];
        var linked = new double[state.LinkingRowCount];
        for (var j = 0; j < state.JobCount; j++)
        {
            for (var k = 0; k < r; k++)
            {
                var pair = j * r + k;
                var a = allocation[pair];
                used[state.JobNode[j] * r + k] += a;
                if (state.JobLinkingRow[pair] >= 0)
                {
                    linked[state.JobLinkingRow[pair]] += a;
                }

                var tolerance = 1e-6 * (1 + Math.Abs(a));
                Assert.True(a >= state.Floor[pair] - tolerance, $"pair {pair}: {a} below floor {state.Floor[pair]}");
                Assert.True(Math.Abs(a - state.Current[pair]) <= state.ChangeLimit[pair] + tolerance || a <= state.Floor[pair] + tolerance, $"pair {pair}: change beyond limit");
                Assert.True(a <= Math.Max(state.Ceiling[pair], state.Floor[pair]) + tolerance, $"pair {pair}: above ceiling");
            }
        }

        for (var i = 0; i < used.Length; i++)
        {
            Assert.True(used[i] <= state.NodeCapacity[i] * (1 + 1e-7), $"node-resource {i}: {used[i]} > {state.NodeCapacity[i]}");
        }

        for (var l = 0; l < linked.Length; l++)
        {
            Assert.True(linked[l] <= state.LinkingBudget[l] * (1 + 1e-7));
        }
    }

    [Fact]
    public void Solve_SameSeed_SamePlan()
    {
        var a = new double[300 * 4];
        var b = new double[300 * 4];
        new AllocationSolver().Solve(SyntheticCluster.Create(60, 300, 4, 9), a);
        new AllocationSolver().Solve(SyntheticCluster.Create(60, 300, 4, 9), b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Solve_SecondCycleSameShape_RefillsInPlaceAndWarmStartAgrees()
    {
        var state = SyntheticCluster.Create(30, 150, 4, 5);
        var solver = new AllocationSolver();
        var allocation = new double[150 * 4];
        var first = solver.Solve(state, allocation);
        var model = solver.Builder.Model;
        Assert.True(first.Rebuilt);

        // Demand moves a little, as between two cycles.
        for (var p = 0; p < state.DemandMedian.Length; p++)
        {
            state.DemandMedian[p] *= 1.03;
            state.DemandP90[p] *= 1.03;
            state.DemandP99[p] *= 1.03;
        }

        var cold = solver.Solve(state, allocation);
        Assert.False(cold.Rebuilt);
        Assert.Same(model, solver.Builder.Model);
        var warm = solver.Solve(state, allocation, warmStart: true);
        Assert.Equal(LpStatus.Optimal, cold.Status);
        Assert.Equal(LpStatus.Optimal, warm.Status);
        Assert.True(Math.Abs(warm.Objective - cold.Objective) <= 1e-6 * Math.Max(1, Math.Abs(cold.Objective)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Solve_WarmStartFromAdvancedCentre_ReachesColdOptimaInFewerIterations(int seed)
    {
        // As between planning cycles: a few pairs' forecasts move each cycle, bands reorder, the shape stays.
        var state = SyntheticCluster.Create(80, 400, 4, seed);
        using var warmSolver = new AllocationSolver { LinkedPricing = false };
        using var coldSolver = new AllocationSolver { LinkedPricing = false };
        var allocation = new double[400 * 4];
        var rng = new Random(seed);
        Assert.Equal(LpStatus.Optimal, warmSolver.Solve(state, allocation).Status);
        int warmIterations = 0, coldIterations = 0;
        for (var cycle = 0; cycle < 8; cycle++)
        {
            for (var p = 0; p < state.DemandMedian.Length; p++)
            {
                if (rng.Next(20) == 0)
                {
                    var f = 1 + (0.1 * (rng.NextDouble() - 0.5));
                    state.DemandMedian[p] *= f;
                    state.DemandP90[p] *= f;
                    state.DemandP99[p] *= f;
                }
            }

            var warm = warmSolver.Solve(state, allocation, warmStart: true);
            var cold = coldSolver.Solve(state, new double[allocation.Length]);
            Assert.Equal(LpStatus.Optimal, warm.Status);
            Assert.Equal(LpStatus.Optimal, cold.Status);
            Assert.True(Math.Abs(warm.Objective - cold.Objective) <= 1e-6 * Math.Max(1, Math.Abs(cold.Objective)), $"cycle {cycle}: warm {warm.Objective:R} vs cold {cold.Objective:R}");
            warmIterations += warm.Iterations;
            coldIterations += cold.Iterations;
        }

        Assert.True(warmIterations < 0.75 * coldIterations, $"warm {warmIterations} iterations vs cold {coldIterations} over 8 cycles");
    }

    [Fact]
    public void Solve_SteadyState_AllocatesNothing()
    {
        var state = SyntheticCluster.Create(50, 250, 4, 6);
        var solver = new AllocationSolver();
        var allocation = new double[250 * 4];
        solver.Solve(state, allocation);
        solver.Solve(state, allocation);
        var before = GC.GetAllocatedBytesForCurrentThread();
        solver.Solve(state, allocation);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(bytes < 1024, $"{bytes} bytes allocated in a steady-state solve");
    }

    [Fact]
    public void Build_FloorsAboveCapacity_SolveReportsInfeasible()
    {
        var state = SyntheticCluster.Create(5, 20, 4, 1);
        for (var j = 0; j < state.JobCount; j++)
        {
            state.Floor[j * 4 + 1] = 1000; // memory floor far above the node
        }

        var result = new AllocationSolver().Solve(state, new double[20 * 4]);
        Assert.Equal(LpStatus.Infeasible, result.Status);
        var general = InteriorPointSolver.Solve(new AllocationLpBuilderProbe(state).Model);
        Assert.Equal(LpStatus.Infeasible, general.Status);
    }

    [Fact]
    public void Build_TenThousandNodeShape_HasExpectedRowsAndColumns()
    {
        var state = SyntheticCluster.Create(1000, 5000, 4, 1);
        var builder = new AllocationLpBuilder();
        builder.Build(state);
        var lp = builder.Model!;
        Assert.Equal(1000 * 4 + 4, lp.RowCount);
        Assert.Equal(5000 * 4 * AllocationLpBuilder.BandsPerPair, lp.ColumnCount);
        Assert.Equal(5000 * 4 * AllocationLpBuilder.BandsPerPair + 5000 * 2 * AllocationLpBuilder.BandsPerPair, lp.NonZeroCount);
    }

    [Fact]
    public void Solve_OnWorkers_SameModelAndSolutionBitForBitAsOneThread()
    {
        // 3,000 jobs × 4 resources × 4 bands, with the workers' share lowered to 20,000 columns: two threads share the
        // filling, the refills and reading the solution back. Cold, then warm on perturbed data: every number agrees with the single thread's exactly.
        var state = SyntheticCluster.Create(600, 3000, 4, 3);
        using var one = new AllocationSolver(new InteriorPointOptions { Threads = 1 });
        using var two = new AllocationSolver(new InteriorPointOptions { Threads = 2 }) { MinColumnsPerWorker = 20_000 };
        var a = new double[state.JobCount * state.ResourceCount];
        var b = new double[a.Length];
        var rng = new Random(4);
        for (var cycle = 0; cycle < 3; cycle++)
        {
            var ra = one.Solve(state, a, warmStart: cycle > 0);
            var rb = two.Solve(state, b, warmStart: cycle > 0);
            Assert.False(one.WorkersShared);
            Assert.True(two.WorkersShared);
            Assert.Equal(LpStatus.Optimal, ra.Status);
            Assert.Equal(ra.Status, rb.Status);
            Assert.Equal(ra.Objective, rb.Objective);
            Assert.Equal(ra.Iterations, rb.Iterations);
            Assert.Equal(a, b);
            Assert.Equal(one.Builder.Model!.ObjectiveConstant, two.Builder.Model!.ObjectiveConstant);
            Assert.Equal(one.Builder.Model.RowUpper, two.Builder.Model.RowUpper);
            Assert.Equal(one.Builder.Model.Objective, two.Builder.Model.Objective);
            Assert.Equal(one.Builder.Model.ColumnUpper, two.Builder.Model.ColumnUpper);

            // And the same model as a builder of its own makes.
            var fresh = new AllocationLpBuilderProbe(state).Model;
            Assert.Equal(fresh.ObjectiveConstant, two.Builder.Model.ObjectiveConstant);
            Assert.Equal(fresh.RowUpper, two.Builder.Model.RowUpper);
            for (var p = 0; p < state.DemandMedian.Length; p++)
            {
                var f = 1 + ((rng.NextDouble() - 0.5) * 0.1);
                state.DemandMedian[p] *= f;
                state.DemandP90[p] *= f;
                state.DemandP99[p] *= f;
            }
        }
    }

    [Fact]
    public void Solve_IterationOnTwoThreads_SameOptimumAsOne()
    {
        // 6,500 jobs: 52,000 band columns of network and storage reach the iteration, enough for two threads to share
        // its passes and the normal equations' sweep; the optimum agrees with one thread's (sums in another order).
        var state = SyntheticCluster.Create(1300, 6500, 4, 8);
        using var one = new AllocationSolver(new InteriorPointOptions { Threads = 1 }) { LinkedPricing = false };
        using var two = new AllocationSolver(new InteriorPointOptions { Threads = 2 }) { LinkedPricing = false };
        var a = new double[state.JobCount * state.ResourceCount];
        var b = new double[a.Length];
        var ra = one.Solve(state, a);
        var rb = two.Solve(state, b);
        Assert.Equal(LpStatus.Optimal, ra.Status);
        Assert.Equal(LpStatus.Optimal, rb.Status);
        Assert.Equal(1, one.Threads);
        Assert.Equal(2, two.Threads);
        Assert.Equal(ra.Objective, rb.Objective, Math.Abs(ra.Objective) * 1e-8);
    }

    private sealed class AllocationLpBuilderProbe
    {
        public AllocationLpBuilderProbe(AllocationClusterState state)
        {
            var builder = new AllocationLpBuilder();
            builder.Build(state);
            Model = builder.Model!;
        }

        public Prescient.Optimization.Model.LinearProgram Model { get; }
    }
}
