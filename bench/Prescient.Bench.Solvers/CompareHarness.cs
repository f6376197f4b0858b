using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Google.OrTools.ModelBuilder;
using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;
using Prescient.Optimization.Model;
using Prescient.Optimization.Mps;

namespace Prescient.Bench.Solvers;

/// <summary>
/// Side-by-side harness: <c>compare [--netlib DIR] [--allocation 1000,10000] [--solvers glop,pdlp,highs]
/// [--time-limit SECONDS] [--repeat N] [--json]</c>. Every instance is the same MPS text for everyone: ours reads it with
/// <see cref="MpsReader"/>, OR-Tools with <c>Model.ImportFromMpsString</c>; reading is not timed. Every solver solves
/// each instance N times (default 1) and its median time is reported: with N ≥ 3 neither our first, JIT-compiling
/// solve nor a rival's first call is what is compared. Ours is a fresh <see cref="InteriorPointSolver.Solve"/> (path
/// auto) each time; on allocation instances the planning
/// cycle's steady state (<see cref="AllocationSolver"/> re-solving the same state in place, cold: the knapsacks and the
/// priced linked rows, median of 9) is reported too, with its objective's error. Objective errors
/// are relative to the Netlib optimum when known, else to the most accurate finished rival (HiGHS, then GLOP).
/// </summary>
public static class CompareHarness
{
    private sealed record Row(string Instance, int Rows, int Columns, long NonZeros, double? Reference,
        double OursSeconds, string OursStatus, double OursObjective, double? OursSteadySeconds, double OursSteadyObjective,
        Dictionary<string, (double Seconds, string Status, double Objective)> Rivals);

    public static int Run(string[] args)
    {
        string? netlib = null;
        var allocations = new List<int>();
        var solvers = new List<string> { "glop", "pdlp", "highs" };
        var json = false;
        var timeLimit = 120.0;
        var repeat = 1;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--netlib":
                    netlib = args[++i];
                    break;
                case "--allocation":
                    allocations.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)));
                    break;
                case "--solvers":
                    solvers = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries)];
                    break;
                case "--time-limit":
                    timeLimit = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--json":
                    json = true;
                    break;
                case "--repeat":
                    repeat = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    if (repeat < 1)
                    {
                        Console.Error.WriteLine("compare: --repeat must be at least 1");
                        return 2;
                    }

                    break;
                default:
                    Console.Error.WriteLine($"compare: unknown argument '{args[i]}'");
                    return 2;
            }
        }

        if (netlib is null && allocations.Count == 0)
        {
            netlib = FindNetlib();
            allocations.AddRange([1000, 10000]);
        }

        // Our code is JIT-compiled and the rivals are native: solve two small models first so that the
        // timings below measure the solver, not the compiler.
        WarmUp();
        var rows = new List<Row>();
        if (netlib is not null)
        {
            var optima = File.ReadLines(Path.Combine(netlib, "optima.tsv")).Skip(1)
                .Select(l => l.Split('\t'))
                .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
            foreach (var file in Directory.EnumerateFiles(netlib, "*.mps").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                rows.Add(Compare(name, File.ReadAllText(file), optima.TryGetValue(name, out var o) ? o : null, solvers, timeLimit, null, repeat));
            }
        }

        foreach (var nodes in allocations)
        {
            var state = SyntheticCluster.Create(nodes, nodes * 5, 4, seed: 1);
            var builder = new AllocationLpBuilder();
            builder.Build(state);
            builder.AssignNames(state);
            var text = MpsWriter.WriteString(builder.Model!);
            rows.Add(Compare($"allocation-{nodes}", text, null, solvers, timeLimit, state, repeat));
        }

        if (json)
        {
            WriteJson(rows, solvers);
        }
        else
        {
            WriteTable(rows, solvers);
        }

        return 0;
    }

    private static void WarmUp()
    {
        var state = SyntheticCluster.Create(20, 100, 4, seed: 2);
        var solver = new AllocationSolver();
        solver.Solve(state, new double[400]);
        InteriorPointSolver.Solve(solver.Builder.Model!, new InteriorPointOptions { Path = SolverPath.General });
        InteriorPointSolver.Solve(solver.Builder.Model!, new InteriorPointOptions { Path = SolverPath.Auto });
    }

    private static Row Compare(string name, string mps, double? optimum, List<string> solvers, double timeLimit, AllocationClusterState? state, int repeat)
    {
        Console.Error.WriteLine($"[{name}]");
        var lp = MpsReader.ReadString(mps, name);
        var oursTimes = new double[repeat];
        LpResult ours = null!;
        for (var r = 0; r < repeat; r++)
        {
            ours = InteriorPointSolver.Solve(lp, new InteriorPointOptions { TimeLimit = TimeSpan.FromSeconds(timeLimit) });
            oursTimes[r] = ours.Seconds;
        }

        double? steady = null;
        var steadyObjective = double.NaN;
        if (state is not null)
        {
            using var solver = new AllocationSolver();
            var allocation = new double[state.JobCount * state.ResourceCount];
            solver.Solve(state, allocation);
            var times = new List<double>();
            for (var r = 0; r < 9; r++)
            {
                var result = solver.Solve(state, allocation);
                times.Add(result.Seconds);
                steadyObjective = result.Status == LpStatus.Optimal ? result.Objective : double.NaN;
            }

            times.Sort();
            steady = times[times.Count / 2];
        }

        var rivals = new Dictionary<string, (double, string, double)>();
        foreach (var s in solvers)
        {
            var times = new double[repeat];
            for (var r = 0; r < repeat; r++)
            {
                rivals[s] = SolveRival(s, mps, timeLimit);
                times[r] = rivals[s].Item1;
            }

            rivals[s] = (Median(times), rivals[s].Item2, rivals[s].Item3);
        }

        var reference = optimum;
        if (reference is null)
        {
            foreach (var s in new[] { "highs", "glop" })
            {
                if (rivals.TryGetValue(s, out var r) && r.Item2 == "OPTIMAL")
                {
                    reference = r.Item3;
                    break;
                }
            }
        }

        return new Row(name, lp.RowCount, lp.ColumnCount, lp.NonZeroCount, reference, Median(oursTimes), ours.Status.Name(), ours.Objective, steady, steadyObjective, rivals);
    }

    /// <summary>The median of the repeated solves' times (with one solve, its time).</summary>
    private static double Median(double[] times)
    {
        var sorted = (double[])times.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    private static (double Seconds, string Status, double Objective) SolveRival(string name, string mps, double timeLimit)
    {
        var model = new Model();
        if (!model.ImportFromMpsString(mps))
        {
            return (double.NaN, "IMPORT_FAILED", double.NaN);
        }

        var solver = new Solver(name);
        if (!solver.SolverIsSupported())
        {
            return (double.NaN, "UNSUPPORTED", double.NaN);
        }

        solver.SetTimeLimitInSeconds(timeLimit);
        if (name == "highs")
        {
            // Keeps HiGHS's banner off stdout, which must hold only the JSON document with --json.
            solver.SetSolverSpecificParameters("output_flag=false");
        }
        var watch = Stopwatch.StartNew();
        var status = solver.Solve(model);
        watch.Stop();
        var objective = status is SolveStatus.OPTIMAL or SolveStatus.FEASIBLE ? solver.ObjectiveValue : double.NaN;
        return (watch.Elapsed.TotalSeconds, status.ToString(), objective);
    }

    private static double RelativeError(double value, double? reference) =>
        reference is { } r && double.IsFinite(value) ? Math.Abs(value - r) / Math.Max(1, Math.Abs(r)) : double.NaN;

    private static void WriteTable(List<Row> rows, List<string> solvers)
    {
        var inv = CultureInfo.InvariantCulture;
        var header = $"{"instance",-18} {"rows",7} {"cols",8} {"nnz",9} {"ours ms",10} {"status",-9} {"obj err",9}";
        foreach (var s in solvers)
        {
            header += $" {s + " ms",10} {s + " err",9}";
        }

        header += $" {"best rival/ours",15}";
        Console.WriteLine(header);
        double oursTotal = 0;
        var rivalTotals = solvers.ToDictionary(s => s, _ => 0.0);
        var netlibCount = 0;
        foreach (var row in rows)
        {
            var line = string.Create(inv, $"{row.Instance,-18} {row.Rows,7} {row.Columns,8} {row.NonZeros,9} {row.OursSeconds * 1000,10:F1} {row.OursStatus,-9} {RelativeError(row.OursObjective, row.Reference),9:E1}");
            var best = double.PositiveInfinity;
            foreach (var s in solvers)
            {
                var (seconds, status, objective) = row.Rivals[s];
                line += string.Create(inv, $" {seconds * 1000,10:F1} {(status == "OPTIMAL" ? RelativeError(objective, row.Reference).ToString("E1", inv) : status),9}");
                if (status == "OPTIMAL")
                {
                    best = Math.Min(best, seconds);
                }
            }

            line += string.Create(inv, $" {best / row.OursSeconds,15:F2}");
            if (row.OursSteadySeconds is { } steady)
            {
                line += string.Create(inv, $"   planning-cycle solve {steady * 1000:F1} ms ({best / steady:F1}x), objective error {RelativeError(row.OursSteadyObjective, row.Reference):E1}");
            }

            Console.WriteLine(line);
            if (!row.Instance.StartsWith("allocation-", StringComparison.Ordinal))
            {
                netlibCount++;
                oursTotal += row.OursSeconds;
                foreach (var s in solvers)
                {
                    rivalTotals[s] += row.Rivals[s].Seconds;
                }
            }
        }

        if (netlibCount > 0)
        {
            var total = string.Create(inv, $"{"netlib total",-18} {netlibCount,7} {"",8} {"",9} {oursTotal * 1000,10:F1} {"",-9} {"",9}");
            foreach (var s in solvers)
            {
                total += string.Create(inv, $" {rivalTotals[s] * 1000,10:F1} {"",9}");
            }

            Console.WriteLine(total);
        }
    }

    private static void WriteJson(List<Row> rows, List<string> solvers)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var row in rows)
            {
                w.WriteStartObject();
                w.WriteString("instance", row.Instance);
                w.WriteNumber("rows", row.Rows);
                w.WriteNumber("columns", row.Columns);
                w.WriteNumber("nonzeros", row.NonZeros);
                Number(w, "reference_objective", row.Reference ?? double.NaN);
                w.WriteString("ours_status", row.OursStatus);
                w.WriteNumber("ours_seconds", row.OursSeconds);
                Number(w, "ours_objective", row.OursObjective);
                Number(w, "ours_objective_error", RelativeError(row.OursObjective, row.Reference));
                if (row.OursSteadySeconds is { } steady)
                {
                    w.WriteNumber("ours_steady_seconds", steady);
                    Number(w, "ours_steady_objective_error", RelativeError(row.OursSteadyObjective, row.Reference));
                }

                foreach (var s in solvers)
                {
                    var (seconds, status, objective) = row.Rivals[s];
                    w.WriteStartObject(s);
                    w.WriteString("status", status);
                    Number(w, "seconds", seconds);
                    Number(w, "objective", objective);
                    Number(w, "objective_error", RelativeError(objective, row.Reference));
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        stdout.WriteByte((byte)'\n');
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string? FindNetlib()
    {
        var env = Environment.GetEnvironmentVariable("PRESCIENT_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            return Path.Combine(env, "netlib");
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Engine.sln")))
        {
            dir = dir.Parent;
        }

        var candidate = dir?.Parent is null ? null : Path.Combine(dir.Parent.FullName, "shared", "data", "netlib");
        return candidate is not null && Directory.Exists(candidate) ? candidate : null;
    }
}
