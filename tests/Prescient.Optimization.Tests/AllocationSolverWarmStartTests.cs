using System.Globalization;
using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;

namespace Prescient.Optimization.Tests;

/// <summary>
/// Regression for the NumericalError the orchestrator met on a crowded, warm-started allocation LP
/// (OrchestratorTests, seed 22, third cycle): 3 nodes, 12 jobs plus one reserve per node, 4 resources. Between
/// the two cycles the forecasts collapsed (0.9 and 0.99 quantiles down to the median, the current allocation
/// down to it too), so most bands shrank to zero width and the previous optimum sat on a face the new model
/// left: after the warm start's push inside the bounds the products xz spanned ten orders of magnitude, the
/// first step was 6e-7 long and the duals diverged. The states are the orchestrator's, to 4 significant digits
/// (still failing without the fix).
/// </summary>
public sealed class AllocationSolverWarmStartTests
{
    private const string NodeCapacity = "20 81 10 2 20 81 10 2 20 81 10 2";
    private const string JobNode = "0 0 0 0 1 1 1 1 2 2 2 2 0 1 2";
    private const string Priority = "1 1 1 1 1 1 1 1 1 1 1 1 1 1 1";
    private static readonly string[] Before =
    [
        "0.9751 7.039 0.2896 0.3732 3.632 20.31 0.9037 0.2199 5.447 27.45 0.9025 0.3752 4.466 8.382 1.728 0.342 4.88 22.34 2.019 0.2888 2.393 18.97 1.926 0.144 1.108 15.18 0.7485 0.3417 2.59 3.065 0.9386 0.1789 4.821 22.92 1.083 0.07406 5.232 8.438 0.2842 0.4632 4.483 29.4 1.352 0.4093 3.22 12.15 0.998 0.3899 0 0 0 0 0 0 0 0 0 0 0 0",
        "1.219 8.799 0.362 0.4665 4.54 25.38 1.13 0.2748 6.809 34.31 1.128 0.469 5.583 10.48 2.16 0.4276 6.1 27.92 2.523 0.3611 2.992 23.72 2.407 0.18 1.385 18.97 0.9356 0.4271 3.237 3.831 1.173 0.2237 6.027 28.65 1.354 0.09258 6.54 10.55 0.3553 0.579 5.604 36.74 1.69 0.5117 4.025 15.18 1.247 0.4873 0 0 0 0 0 0 0 0 0 0 0 0",
        "1.463 10.56 0.4343 0.5598 5.448 30.46 1.355 0.3298 8.171 41.17 1.354 0.5628 6.699 12.57 2.593 0.5131 7.32 33.51 3.028 0.4333 3.59 28.46 2.889 0.216 1.663 22.77 1.123 0.5125 3.885 4.598 1.408 0.2684 7.232 34.38 1.625 0.1111 7.847 12.66 0.4263 0.6949 6.724 44.09 2.027 0.614 4.83 18.22 1.497 0.5848 0 0 0 0 0 0 0 0 0 0 0 0",
        "0.1 7.391 0 0 0.1 21.32 0 0 0.1 28.82 0 0 0.1 8.801 0 0 0.1 23.46 0 0 0.1 19.92 0 0 0.1 15.94 0 0 0.1 3.218 0 0 0.1 24.07 0 0 0.1 8.86 0 0 0.1 30.87 0 0 0.1 12.75 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        "2.194 15.84 0.6515 0.8397 8.172 45.69 2.033 0.4947 7.5 61.76 2.031 0.8442 7.5 18.86 3.889 0.7696 10.98 50.26 4.542 0.6499 5.385 42.69 4.333 0.3239 2.494 34.15 1.684 0.7687 5.827 6.896 2.112 0.4026 10.85 51.57 2.437 0.1666 11.77 18.99 0.6395 1.042 10.09 66.14 3.041 0.921 7.244 27.33 2.245 0.8772 inf inf inf inf inf inf inf inf inf inf inf inf",
        "1.463 10.56 0.4343 0.5598 5.448 30.46 1.355 0.3298 7.5 41.17 1.354 0.5628 6.699 12.57 2.593 0.5131 7.32 33.51 3.028 0.4333 3.59 28.46 2.889 0.216 1.663 22.77 1.123 0.5125 3.885 4.598 1.408 0.2684 7.232 34.38 1.625 0.1111 7.847 12.66 0.4263 0.6949 6.724 44.09 2.027 0.614 4.83 18.22 1.497 0.5848 0 0 0 0 0 0 0 0 0 0 0 0",
        "inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf",
    ];
    private static readonly string[] After =
    [
        "1.039 7.225 0.2983 0.3857 3.623 21.29 0.9006 0.2196 5.392 27.15 0.9308 0.3659 4.652 8.61 1.692 0.3313 4.937 21.36 2.014 0.2975 2.373 19.22 1.899 0.1474 1.083 15.95 0.7469 0.3521 2.541 3.163 0.9898 0.1705 4.635 22.37 1.133 0.07584 5.415 8.084 0.2983 0.4492 4.283 29.57 1.416 0.4227 3.175 12.34 1.056 0.4096 0 0 0 0 0 0 0 0 0 0 0 0",
        "1.039 7.225 0.2983 0.3857 3.623 21.29 0.9006 0.2196 5.392 27.15 0.9308 0.3659 4.652 8.61 1.692 0.3313 4.937 21.36 2.014 0.2975 2.373 19.22 1.899 0.1474 1.083 15.95 0.7469 0.3521 2.541 3.163 0.9898 0.1705 4.635 22.37 1.133 0.07584 5.415 8.084 0.2983 0.4492 4.283 29.57 1.416 0.4227 3.175 12.34 1.056 0.4096 0 0 0 0 0 0 0 0 0 0 0 0",
        "1.039 7.225 0.2983 0.3857 3.623 21.29 0.9006 0.2196 5.392 27.15 0.9308 0.3659 4.652 8.61 1.692 0.3313 4.937 21.36 2.014 0.2975 2.373 19.22 1.899 0.1474 1.083 15.95 0.7469 0.3521 2.541 3.163 0.9898 0.1705 4.635 22.37 1.133 0.07584 5.415 8.084 0.2983 0.4492 4.283 29.57 1.416 0.4227 3.175 12.34 1.056 0.4096 0 0 0 0 0 0 0 0 0 0 0 0",
        "0.1 7.59 0 0 0.1 23.34 0 0 0.1 28.6 0 0 0.1 9.506 0 0 0.1 22.13 0 0 0.1 20.87 0 0 0.1 17.25 0 0 0.1 3.339 0 0 0.1 23.26 0 0 0.1 8.014 0 0 0.1 31.82 0 0 0.1 13.45 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        "1.559 10.84 0.4475 0.5785 5.435 31.94 1.351 0.3293 7.5 40.73 1.396 0.5489 6.978 12.92 2.538 0.4969 7.406 32.04 3.021 0.4462 3.559 28.84 2.848 0.2211 1.625 23.92 1.12 0.5282 3.811 4.745 1.485 0.2557 6.953 33.55 1.7 0.1138 8.123 12.13 0.4474 0.6738 6.425 44.36 2.123 0.634 4.763 18.51 1.584 0.6144 inf inf inf inf inf inf inf inf inf inf inf inf",
        "1.039 7.225 0.2983 0.3857 3.623 21.29 0.9006 0.2196 5.392 27.15 0.9308 0.3659 4.652 8.61 1.692 0.3313 4.937 21.36 2.014 0.2975 2.373 19.22 1.899 0.1474 1.083 15.95 0.7469 0.3521 2.541 3.163 0.9898 0.1705 4.635 22.37 1.133 0.07584 5.415 8.084 0.2983 0.4492 4.283 29.57 1.416 0.4227 3.175 12.34 1.056 0.4096 0 0 0 0 0 0 0 0 0 0 0 0",
        "inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf inf",
    ];

    [Fact]
    public void Solve_WarmStartAfterForecastsCollapse_ReachesTheColdOptimum()
    {
        // No presolve: these LPs have no linking rows, so the presolve alone would solve them.
        using var solver = new AllocationSolver(new InteriorPointOptions { MaxIterations = 100, Presolve = false });
        var allocation = new double[15 * 4];
        Assert.Equal(LpStatus.Optimal, solver.Solve(State(Before), allocation).Status);

        var after = State(After);
        var warm = solver.Solve(after, allocation, warmStart: true);
        using var coldSolver = new AllocationSolver(new InteriorPointOptions { MaxIterations = 100, Presolve = false });
        var cold = coldSolver.Solve(after, new double[allocation.Length]);
        Assert.Equal(LpStatus.Optimal, cold.Status);
        Assert.False(warm.Rebuilt);
        Assert.True(warm.Status == LpStatus.Optimal, $"warm start ended {warm.Status} after {warm.Iterations} iterations");
        Assert.True(warm.WarmStartAbandoned);
        Assert.True(Math.Abs(warm.Objective - cold.Objective) <= 1e-6 * Math.Max(1, Math.Abs(cold.Objective)), $"warm {warm.Objective:R} vs cold {cold.Objective:R}");
    }

    private static AllocationClusterState State(string[] pairs)
    {
        var state = new AllocationClusterState(3, 15, 4, 0);
        Parse(NodeCapacity, state.NodeCapacity);
        Parse(Priority, state.Priority);
        var nodes = JobNode.Split(' ');
        for (var j = 0; j < nodes.Length; j++)
        {
            state.JobNode[j] = int.Parse(nodes[j], CultureInfo.InvariantCulture);
        }

        Parse(pairs[0], state.DemandMedian);
        Parse(pairs[1], state.DemandP90);
        Parse(pairs[2], state.DemandP99);
        Parse(pairs[3], state.Floor);
        Parse(pairs[4], state.Ceiling);
        Parse(pairs[5], state.Current);
        Parse(pairs[6], state.ChangeLimit);
        return state;
    }

    private static void Parse(string text, double[] target)
    {
        var parts = text.Split(' ');
        Assert.Equal(target.Length, parts.Length);
        for (var i = 0; i < parts.Length; i++)
        {
            target[i] = parts[i] == "inf" ? double.PositiveInfinity : double.Parse(parts[i], CultureInfo.InvariantCulture);
        }
    }
}
