using System.Diagnostics;
using System.Globalization;
using Prescient.Optimization.Ipm;
using Prescient.Optimization.Linear;
using Prescient.Optimization.Mps;
using Prescient.Optimization.Presolve;

namespace Prescient.Bench.Solvers;

/// <summary>
/// <c>profile --netlib DIR [--repeat N] [NAME...]</c>: per Netlib instance, the median over N solves of the public
/// solve and of its phases run one by one on the general path (presolve, standard form and scaling, ordering and
/// symbolic analysis, the iteration split into factorization, solves and column passes, unscaling and postsolve),
/// in milliseconds. The first solve of each instance is reported apart: it includes the JIT's share.
/// </summary>
public static class ProfileHarness
{
    public static int Run(string[] args)
    {
        string? netlib = null;
        var repeat = 9;
        var names = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--netlib":
                    netlib = args[++i];
                    break;
                case "--repeat":
                    repeat = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    names.Add(args[i]);
                    break;
            }
        }

        if (netlib is null)
        {
            Console.Error.WriteLine("profile: --netlib DIR is required");
            return 2;
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"{"instance",-10} {"rows",5} {"cols",5} {"L nnz",7} {"iter",4} {"dense",5} {"first",7} {"solve",7} {"presolve",8} {"form",6} {"symbolic",8} {"factor",7} {"solves",7} {"passes",7} {"post",6}"));
        foreach (var file in Directory.EnumerateFiles(netlib, "*.mps").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (names.Count > 0 && !names.Contains(name))
            {
                continue;
            }

            var lp = MpsReader.ReadString(File.ReadAllText(file), name);
            var first = InteriorPointSolver.Solve(lp);
            var samples = new double[8][];
            for (var k = 0; k < samples.Length; k++)
            {
                samples[k] = new double[repeat];
            }

            var iterations = 0;
            var dense = 0;
            var shape = "";
            var options = new InteriorPointOptions();
            for (var r = 0; r < repeat; r++)
            {
                samples[0][r] = InteriorPointSolver.Solve(lp).Seconds;
                var t0 = Stopwatch.GetTimestamp();
                var presolved = Presolver.Run(lp);
                var t1 = Stopwatch.GetTimestamp();
                var form = new StandardForm(presolved.Reduced, options.Scaling);
                var t2 = Stopwatch.GetTimestamp();
                var normal = new NormalEquationsCholesky(form.A);
                var t3 = Stopwatch.GetTimestamp();
                using var core = new InteriorPointCore(form.A, form.B, form.C, form.Lower, form.Upper, form.Kind, normal);
                core.UseThreads(options.Threads);
                core.Run(options.Tolerance, options.MaxIterations, options.CorrectorsFor(form.ColumnCount), long.MaxValue, TimeProvider.System, warmStart: false);
                var t4 = Stopwatch.GetTimestamp();
                var (x, y) = InteriorPointSolver.Unscale(form, core);
                presolved.Postsolve(x, y);
                var t5 = Stopwatch.GetTimestamp();
                samples[1][r] = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
                samples[2][r] = Stopwatch.GetElapsedTime(t1, t2).TotalSeconds;
                samples[3][r] = Stopwatch.GetElapsedTime(t2, t3).TotalSeconds;
                samples[4][r] = (double)core.FactorizeTicks / Stopwatch.Frequency;
                samples[5][r] = (double)core.SolveTicks / Stopwatch.Frequency;
                samples[6][r] = (double)core.PassTicks / Stopwatch.Frequency;
                samples[7][r] = Stopwatch.GetElapsedTime(t4, t5).TotalSeconds;
                iterations = core.Iterations;
                dense = normal.DenseColumnCount;
                shape = string.Create(CultureInfo.InvariantCulture, $"{form.RowCount,5} {form.ColumnCount,5} {normal.FactorNonZeroCount,7}");
            }

            var line = string.Create(inv, $"{name,-10} {shape} {iterations,4} {dense,5} {first.Seconds * 1000,7:F2} {Median(samples[0]) * 1000,7:F2}");
            line += string.Create(inv, $" {Median(samples[1]) * 1000,8:F2} {Median(samples[2]) * 1000,6:F2} {Median(samples[3]) * 1000,8:F2}");
            line += string.Create(inv, $" {Median(samples[4]) * 1000,7:F2} {Median(samples[5]) * 1000,7:F2} {Median(samples[6]) * 1000,7:F2} {Median(samples[7]) * 1000,6:F2}");
            Console.WriteLine(line);
            if (Environment.GetEnvironmentVariable("PROFILE_DETAIL") == "1")
            {
                Detail(lp);
            }
        }

        return 0;
    }

    private static void Detail(Prescient.Optimization.Model.LinearProgram lp)
    {
        var form = new StandardForm(Presolver.Run(lp).Reduced, true);
        var normal = new NormalEquationsCholesky(form.A);
        var theta = new double[form.ColumnCount];
        var rng = new Random(1);
        for (var j = 0; j < theta.Length; j++)
        {
            theta[j] = Math.Exp(rng.NextDouble() * 10 - 5);
        }

        var rhs = new double[form.RowCount];
        var sol = new double[form.RowCount];
        for (var i = 0; i < rhs.Length; i++)
        {
            rhs[i] = rng.NextDouble();
        }

        const int N = 50;
        var t0 = Stopwatch.GetTimestamp();
        for (var r = 0; r < N; r++) { _ = new NormalEquationsCholesky(form.A); }
        var t1 = Stopwatch.GetTimestamp();
        for (var r = 0; r < N; r++) { normal.Factorize(theta, 1e-10); }
        var t2 = Stopwatch.GetTimestamp();
        for (var r = 0; r < N; r++) { normal.Solve(rhs, sol); }
        var t3 = Stopwatch.GetTimestamp();
        for (var r = 0; r < N; r++) { form.A.Multiply(theta, rhs); form.A.MultiplyTransposed(rhs, theta); }
        var t4 = Stopwatch.GetTimestamp();
        double Us(long a, long b) => (b - a) * 1e6 / Stopwatch.Frequency / N;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   ctor {Us(t0, t1):F1} us, factorize {Us(t1, t2):F1} us, solve {Us(t2, t3):F1} us, A and A' multiply {Us(t3, t4):F1} us, nnz(A) {form.A.NonZeroCount}"));
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
