using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;

namespace Prescient.Bench.Solvers;

/// <summary>
/// The planning cycle's solve of the allocation LP at 1k/5k/10k nodes (5 jobs per node, 4 resources), cold and warm
/// start: as the orchestrator runs it (knapsacks, then the linked rows priced; <c>Priced*</c>), with the interior-point
/// iteration on the structured path instead of the pricing (<c>Structured*</c>), and the same LP solved fresh on the
/// general path with its presolve. [GlobalSetup] checks both optima against the general path (relative 1e-6) before
/// anything is timed; the memory diagnoser shows the steady state allocates nothing.
/// Run: <c>dotnet run -c Release --project bench/Prescient.Bench.Solvers -- --filter *AllocationLp*</c>.
/// </summary>
[Config(typeof(InProcessConfig))]
public class AllocationLpBenchmarks
{
    private AllocationClusterState _state = null!;
    private AllocationSolver _solver = null!;
    private AllocationSolver _iterated = null!;
    private double[] _allocation = [];

    [Params(1000, 5000, 10000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _state = SyntheticCluster.Create(Nodes, Nodes * 5, 4, seed: 1);
        _solver = new AllocationSolver();
        _iterated = new AllocationSolver { LinkedPricing = false };
        _allocation = new double[_state.JobCount * _state.ResourceCount];
        var builder = new AllocationLpBuilder();
        builder.Build(_state);
        var general = InteriorPointSolver.Solve(builder.Model!, new InteriorPointOptions { Path = SolverPath.General });
        foreach (var (solver, path) in new[] { (_solver, "linked"), (_iterated, "structured") })
        {
            var result = solver.Solve(_state, _allocation);
            var error = Math.Abs(general.Objective - result.Objective) / Math.Max(1, Math.Abs(general.Objective));
            if (result.Status != LpStatus.Optimal || solver.Path != path || general.Status != LpStatus.Optimal || error > 1e-6)
            {
                throw new InvalidOperationException($"{path} solve: {result.Status.Name()} on path {solver.Path}, objective {result.Objective} vs general {general.Objective} ({general.Status.Name()}, relative {error:E2})");
            }

            // One more solve so the warm-start benchmark starts from a solution.
            solver.Solve(_state, _allocation);
        }
    }

    [Benchmark(Baseline = true)]
    public double PricedColdSolve() => _solver.Solve(_state, _allocation).Objective;

    [Benchmark]
    public double PricedWarmSolve() => _solver.Solve(_state, _allocation, warmStart: true).Objective;

    [Benchmark]
    public double StructuredColdSolve() => _iterated.Solve(_state, _allocation).Objective;

    [Benchmark]
    public double StructuredWarmSolve() => _iterated.Solve(_state, _allocation, warmStart: true).Objective;

    /// <summary>
    /// The same LP as a fresh general solve (what <c>prescient lp solve</c> does with the <c>gen-allocation</c> MPS):
    /// presolve (knapsack rows solved, redundant rows, dominated and parallel columns), the iteration on what is left,
    /// postsolve. Allocates its model copies: a one-off solve, not the planning cycle.
    /// </summary>
    [Benchmark]
    public double GeneralFreshSolve() => InteriorPointSolver.Solve(_solver.Builder.Model!).Objective;

    [GlobalCleanup]
    public void Cleanup()
    {
        _solver.Dispose();
        _iterated.Dispose();
    }

    /// <summary>
    /// In-process (no generated project to build, which on a loaded 2-core machine outlasts BenchmarkDotNet's
    /// build timeout), monitoring strategy (each solve takes 0.1–3 s), with the memory diagnoser.
    /// </summary>
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(5));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }
}
