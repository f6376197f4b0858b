using System.Diagnostics;
using System.Globalization;
using Prescient.Kernels;

namespace Prescient.Bench.Kernels;

/// <summary>
/// <c>compare</c>: a quick Stopwatch comparison of our CPU path and ONNX Runtime for one case (parity checked first),
/// alternating the two so machine noise hits both. For tuning; the reported figures come from BenchmarkDotNet.
/// </summary>
internal static class CompareCommand
{
    public static int Run(string[] args)
    {
        var cell = Enum.Parse<RecurrentCellKind>(Option(args, "--cell", "lstm"), ignoreCase: true);
        var series = int.Parse(Option(args, "--series", "50000"), CultureInfo.InvariantCulture);
        var hidden = int.Parse(Option(args, "--hidden", "32"), CultureInfo.InvariantCulture);
        var steps = int.Parse(Option(args, "--steps", "1"), CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds", "15"), CultureInfo.InvariantCulture);
        var threads = int.Parse(Option(args, "--threads", "0"), CultureInfo.InvariantCulture);
        using var workload = new RecurrentWorkload(cell, series, hidden, steps, withRival: true, threads);
        var error = workload.CheckParity();
        var ours = new List<double>();
        var rival = new List<double>();
        var process = Process.GetCurrentProcess();
        double oursCpu = 0, rivalCpu = 0;
        for (var r = 0; r < rounds + 2; r++)
        {
            process.Refresh();
            var c0 = process.TotalProcessorTime;
            var w = Stopwatch.StartNew();
            workload.RunOurs();
            var a = w.Elapsed.TotalMilliseconds;
            process.Refresh();
            var c1 = process.TotalProcessorTime;
            w.Restart();
            workload.RunRival();
            var b = w.Elapsed.TotalMilliseconds;
            process.Refresh();
            var c2 = process.TotalProcessorTime;
            if (r >= 2)
            {
                ours.Add(a);
                rival.Add(b);
                oursCpu += (c1 - c0).TotalMilliseconds;
                rivalCpu += (c2 - c1).TotalMilliseconds;
            }
        }

        ours.Sort();
        rival.Sort();
        double mo = ours[ours.Count / 2], mr = rival[rival.Count / 2];
        Console.WriteLine(
            $"{cell} N={series} H={hidden} F={RecurrentWorkload.InputSize} O={RecurrentWorkload.OutputSize} steps={steps} threads={workload.Threads}: "
            + $"parity {error:E2}; cpu-simd median {mo:F3} ms ({series * (double)steps / mo / 1000:F2} M series-steps/s), "
            + $"onnxruntime median {mr:F3} ms ({series * (double)steps / mr / 1000:F2} M series-steps/s); speed-up {mr / mo:F2}x; "
            + $"CPU time per call {oursCpu / rounds:F2} vs {rivalCpu / rounds:F2} ms");
        return 0;
    }

    internal static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
