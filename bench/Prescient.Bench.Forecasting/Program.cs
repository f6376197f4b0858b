using System.Diagnostics;
using BenchmarkDotNet.Running;

namespace Prescient.Bench.Forecasting;

/// <summary>
/// <c>quick [N]</c>: times one serve and one step+serve per model for N series (default 50,000) with a stopwatch
/// (median of 5 after warm-up) and prints a table (the ensemble on one thread and on two, and on two with the
/// orchestrator's memory settings, <see cref="Workload.EngineSettings"/>); <c>memory [N]</c> prints each model's bytes per series (see
/// <see cref="MemoryProbe"/>); anything else goes to BenchmarkDotNet
/// (e.g. <c>--filter *InferenceBenchmarks*</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick")
        {
            var n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50_000;
            Console.WriteLine($"{"model",-12} {"series",8} {"serve ms",10} {"step+serve ms",14} {"alloc B/step",13}");
            foreach (var (model, threads) in new[] { ("persistence", 1), ("seasonal-naive", 1), ("bayes-dlm", 1), ("lstm", 1), ("ensemble", 1), ("ensemble", 2), ("ensemble-engine", 2) })
            {
                var w = new Workload(model, n, 12, threads);
                w.Check();
                var serve = Median(5, w.Serve);
                var before = GC.GetAllocatedBytesForCurrentThread();
                var step = Median(5, () =>
                {
                    w.Step();
                    w.Serve();
                });
                var alloc = (GC.GetAllocatedBytesForCurrentThread() - before) / 5;
                var name = threads > 1 ? $"{model} ×{threads}" : model;
                Console.WriteLine($"{name,-12} {n,8} {serve,10:F2} {step,14:F2} {alloc,13}");
            }

            return 0;
        }

        if (args.Length > 0 && args[0] == "memory")
        {
            var n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
            return MemoryProbe.Run(n);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static double Median(int runs, Action action)
    {
        action();
        var t = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            t[i] = sw.Elapsed.TotalMilliseconds;
        }

        Array.Sort(t);
        return t[runs / 2];
    }
}
