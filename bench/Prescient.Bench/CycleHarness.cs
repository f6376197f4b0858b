using System.Diagnostics;
using System.Globalization;
using Prescient.Orchestration.Cycle;

namespace Prescient.Bench;

/// <summary>
/// <c>cycle</c> verb: runs the orchestrator's cycle on a synthetic cluster for N cycles after warm-up and prints the
/// latency percentiles (p50/p99/max from every cycle, not sampled), bytes allocated per cycle and the process RSS.
/// </summary>
public static class CycleHarness
{
    public static (SyntheticOrchestratorCluster, Orchestrator) Create(int nodes, int jobsPerNode, string model, string solver, int seed, double uplink = 0, double storage = 0, int forecastThreads = 0)
    {
        var cluster = new SyntheticOrchestratorCluster(nodes, jobsPerNode, seed);
        var options = new OrchestratorOptions
        {
            Model = model,
            Solver = solver,
            FallbackModel = "persistence",
            StepSeconds = 60,
            CycleMilliseconds = 1000,
            CycleBudgetMilliseconds = 100_000,
            HorizonsSeconds = [60, 300, 3600],
            UplinkBudgetGigabits = uplink,
            StorageBudgetGigabytes = storage,
        };
        if (forecastThreads > 0)
        {
            // Otherwise the orchestrator's default.
            options.ForecastThreads = forecastThreads;
        }

        return (cluster, new Orchestrator(options));
    }

    /// <summary><paramref name="steps"/> full forecast steps (every cohort observed that many times), checking every plan.</summary>
    public static void Warm(SyntheticOrchestratorCluster cluster, Orchestrator orchestrator, int steps = 2)
    {
        for (var i = 0; i < (steps * orchestrator.Cohorts) + 5; i++)
        {
            cluster.Advance();
            var result = orchestrator.Run(cluster.Snapshot);
            if (result.Status != CycleStatus.Planned)
            {
                throw new InvalidOperationException($"cycle {result.Cycle}: {result.Status} {result.Error}");
            }

            cluster.Apply(result);
            cluster.Check(orchestrator);
        }
    }

    public static int Run(string[] args)
    {
        int nodes = 1000, jobs = 5, cycles = 300, seed = 42, warmSteps = 2, forecastThreads = 0;
        double uplink = 0, storage = 0;
        var model = "ensemble";
        var solver = "auto";
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--nodes": nodes = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--jobs-per-node": jobs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--cycles": cycles = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--model": model = args[i + 1]; break;
                case "--solver": solver = args[i + 1]; break;
                case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--warm-steps": warmSteps = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--uplink": uplink = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--storage": storage = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--forecast-threads": forecastThreads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"cycle: unknown option {args[i]} (known: --nodes --jobs-per-node --cycles --model --solver --seed --warm-steps --uplink --storage --forecast-threads)");
                    return 2;
            }
        }

        var setup = Stopwatch.StartNew();
        var (cluster, orchestrator) = Create(nodes, jobs, model, solver, seed, uplink, storage, forecastThreads);
        Warm(cluster, orchestrator, warmSteps);
        setup.Stop();
        var times = new double[cycles];
        var solve = new double[cycles];
        var forecast = new double[cycles];
        var changes = 0L;
        var iterations = 0L;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < cycles; i++)
        {
            cluster.Advance();
            var started = Stopwatch.GetTimestamp();
            var result = orchestrator.Run(cluster.Snapshot);
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            solve[i] = result.SolveMilliseconds;
            forecast[i] = result.ForecastMilliseconds;
            changes += result.ChangeCount;
            iterations += result.SolverIterations;
            cluster.Apply(result);
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        cluster.Check(orchestrator);
        Array.Sort(times);
        Array.Sort(solve);
        Array.Sort(forecast);
        var rssMb = Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"nodes\": {nodes}, \"jobs\": {nodes * jobs}, \"model\": \"{model}\", \"solver\": \"{solver}\", \"cycles\": {cycles}, \"cycle_ms\": {{\"p50\": {P(times, 0.5):0.00}, \"p99\": {P(times, 0.99):0.00}, \"max\": {times[^1]:0.00}}}, \"solve_ms\": {{\"p50\": {P(solve, 0.5):0.00}, \"p99\": {P(solve, 0.99):0.00}}}, \"forecast_ms\": {{\"p50\": {P(forecast, 0.5):0.00}, \"p99\": {P(forecast, 0.99):0.00}}}, \"bytes_per_cycle\": {allocated / (double)cycles:0}, \"changes_per_cycle\": {changes / (double)cycles:0.0}, \"solver_iterations_per_cycle\": {iterations / (double)cycles:0.0}, \"managed_heap_mb\": {GC.GetTotalMemory(true) / (1024.0 * 1024):0}, \"rss_mb\": {rssMb:0}, \"rollbacks\": {orchestrator.Feedback.Rollbacks}, \"setup_s\": {setup.Elapsed.TotalSeconds:0.0}}}"));
        return 0;
    }

    private static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
