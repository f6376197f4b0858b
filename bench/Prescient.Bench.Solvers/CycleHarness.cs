using System.Diagnostics;
using System.Globalization;
using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;
using Prescient.Optimization.Model;

namespace Prescient.Bench.Solvers;

/// <summary>
/// <c>cycle [--nodes 10000] [--jobs-per-node 5] [--repeat 10] [--general] [--no-pricing]</c>: solves the allocation LP
/// with the planning cycle's solver repeatedly (cold and warm start), then once with the general path, and prints times,
/// iterations, objective agreement and bytes allocated per steady-state solve. <c>--no-pricing</c> turns off the linked
/// rows' pricing (<see cref="AllocationSolver.LinkedPricing"/>), so that the interior-point iteration solves them.
/// </summary>
public static class CycleHarness
{
    public static int Run(string[] args)
    {
        var nodes = 10_000;
        var perNode = 5;
        var repeat = 10;
        var general = false;
        var pricing = true;
        var correctors = -1;
        var threads = Math.Min(Environment.ProcessorCount, 4);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--nodes":
                    nodes = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--jobs-per-node":
                    perNode = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--repeat":
                    repeat = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--correctors":
                    correctors = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--threads":
                    threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--general":
                    general = true;
                    break;
                case "--no-pricing":
                    pricing = false;
                    break;
                default:
                    Console.Error.WriteLine($"cycle: unknown argument '{args[i]}'");
                    return 2;
            }
        }

        var state = SyntheticCluster.Create(nodes, nodes * perNode, 4, seed: 1);
        using var solver = new AllocationSolver(new InteriorPointOptions { MaxCorrectors = correctors, Threads = threads }) { LinkedPricing = pricing };
        var allocation = new double[state.JobCount * state.ResourceCount];
        var first = solver.Solve(state, allocation);
        var lp = solver.Builder.Model!;
        Console.WriteLine($"model: {lp.RowCount} rows, {lp.ColumnCount} columns, {lp.NonZeroCount} nonzeros; path {solver.Path}, {threads} thread(s), {correctors} corrector(s), {solver.PricingRounds} pricing round(s)");
        Console.WriteLine(Describe("first (build + solve)", first));
        foreach (var warm in new[] { false, true })
        {
            var times = new List<double>();
            AllocationSolveResult last = default;
            var before = GC.GetAllocatedBytesForCurrentThread();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            for (var r = 0; r < repeat; r++)
            {
                last = solver.Solve(state, allocation, warmStart: warm);
                times.Add(last.Seconds);
            }

            var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / repeat;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / repeat;
            times.Sort();
            Console.WriteLine(Describe(warm ? "steady, warm start" : "steady, cold start", last)
                + string.Create(CultureInfo.InvariantCulture, $"; median {times[times.Count / 2] * 1000:F1} ms, min {times[0] * 1000:F1} ms, CPU {cpu:F1} ms/solve; {bytes} bytes/solve"));
        }

        if (general)
        {
            var sw = Stopwatch.StartNew();
            var result = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Path = SolverPath.General });
            sw.Stop();
            var error = Math.Abs(result.Objective - first.Objective) / Math.Max(1, Math.Abs(result.Objective));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"general: {result.Status.Name()} objective {result.Objective:R} in {result.Iterations} iterations, {sw.Elapsed.TotalMilliseconds:F0} ms; relative difference to structured {error:E2}"));
        }

        return 0;
    }

    private static string Describe(string label, AllocationSolveResult r) => string.Create(
        CultureInfo.InvariantCulture,
        $"{label}: {r.Status.Name()} objective {r.Objective:R}, {r.Iterations} iterations, {r.Seconds * 1000:F1} ms, residuals {r.RelativePrimalResidual:E1}/{r.RelativeDualResidual:E1}/{r.RelativeGap:E1}; factorize {r.FactorizeSeconds * 1000:F1} ms, solves {r.SolveSeconds * 1000:F1} ms, passes {r.PassSeconds * 1000:F1} ms");
}
