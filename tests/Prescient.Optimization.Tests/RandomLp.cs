using Prescient.Optimization.Model;

namespace Prescient.Optimization.Tests;

/// <summary>Random sparse LPs for property tests.</summary>
internal static class RandomLp
{
    /// <summary>
    /// A random model. With <paramref name="feasible"/>, the rows are built around a point inside the column
    /// bounds (so the model is feasible) and the costs have the sign of each column's bound type (so it is bounded).
    /// </summary>
    public static LinearProgram Create(Random random, int rows, int columns, bool feasible)
    {
        var b = new LinearProgramBuilder { Name = "RANDOM" };
        var x0 = new double[columns];
        for (var j = 0; j < columns; j++)
        {
            var kind = random.Next(5);
            var lo = Math.Round(random.NextDouble() * 4 - 2, 3);
            var hi = lo + Math.Round(random.NextDouble() * 5, 3) + 0.1;
            double cost = Math.Round(random.NextDouble() * 4 - 2, 3);
            (double L, double U) bounds = kind switch
            {
                0 => (lo, double.PositiveInfinity),
                1 => (double.NegativeInfinity, hi),
                2 => (lo, hi),
                3 => (double.NegativeInfinity, double.PositiveInfinity),
                _ => (lo, lo),
            };
            if (feasible)
            {
                cost = kind switch
                {
                    0 => Math.Abs(cost),
                    1 => -Math.Abs(cost),
                    3 => 0,
                    _ => cost,
                };
            }

            x0[j] = kind switch
            {
                0 => lo + random.NextDouble(),
                1 => hi - random.NextDouble(),
                2 => lo + (hi - lo) * random.NextDouble(),
                3 => random.NextDouble() * 2 - 1,
                _ => lo,
            };
            b.AddColumn("x" + j, cost, bounds.L, bounds.U);
        }

        for (var i = 0; i < rows; i++)
        {
            var activity = 0.0;
            var any = false;
            for (var j = 0; j < columns; j++)
            {
                if (random.NextDouble() < 0.35)
                {
                    var a = Math.Round(random.NextDouble() * 6 - 3, 2);
                    if (a == 0)
                    {
                        continue;
                    }

                    b.AddEntry(i, j, a);
                    activity += a * x0[j];
                    any = true;
                }
            }

            _ = any;
            var kind = random.Next(4);
            var slack = Math.Round(random.NextDouble() * 2, 3);
            var (lo, hi) = kind switch
            {
                0 => (activity, activity),
                1 => (double.NegativeInfinity, activity + slack),
                2 => (activity - slack, double.PositiveInfinity),
                _ => (activity - slack, activity + slack + 0.5),
            };
            if (!feasible)
            {
                lo = double.IsFinite(lo) ? Math.Round(lo, 3) : lo;
                hi = double.IsFinite(hi) ? Math.Round(hi, 3) : hi;
            }

            b.AddRow("r" + i, lo, hi);
        }

        return b.Build();
    }

    /// <summary>
    /// A feasible, bounded model shaped like the allocation LP, for the presolve's reductions: blocks of 2–8 boxed
    /// columns in a row of their own (≤, ≥ or ranged, around a point inside the bounds, sometimes with a bound no
    /// activity reaches), costs from a small set (ties), some columns also in one of a few linking rows (so some blocks
    /// are isolated and some are not), and some columns copied exactly with other bounds (parallel columns).
    /// </summary>
    public static LinearProgram CreateBlocks(Random random, int blocks, int linking)
    {
        ReadOnlySpan<double> costs = [-2, -1, -1, -0.5, 0, 0.5, 1];
        ReadOnlySpan<double> coefficients = [1, 1, 1, 2, 0.5, -1];
        var b = new LinearProgramBuilder { Name = "BLOCKS" };
        var x0 = new List<double>();
        var linkRows = new int[linking];
        var linkActivity = new double[linking];
        for (var l = 0; l < linking; l++)
        {
            linkRows[l] = b.AddRow("link" + l, double.NegativeInfinity, double.PositiveInfinity);
        }

        for (var k = 0; k < blocks; k++)
        {
            var row = b.AddRow("block" + k, double.NegativeInfinity, double.PositiveInfinity);
            var activity = 0.0;
            var max = 0.0;
            var width = random.Next(2, 9);
            for (var c = 0; c < width; c++)
            {
                var lo = random.NextDouble() < 0.5 ? 0 : Math.Round(random.NextDouble() * 2 - 1, 2);
                var hi = lo + Math.Round(0.1 + random.NextDouble() * 3, 2);
                var cost = costs[random.Next(costs.Length)];
                var a = coefficients[random.Next(coefficients.Length)];
                var link = linking > 0 && random.NextDouble() < 0.3 ? random.Next(linking) : -1;
                var copies = random.NextDouble() < 0.25 ? 2 : 1;
                for (var copy = 0; copy < copies; copy++)
                {
                    var clo = copy == 0 ? lo : 0;
                    var chi = copy == 0 ? hi : Math.Round(0.2 + random.NextDouble() * 2, 2);
                    var j = b.AddColumn($"x{k}_{c}_{copy}", cost, clo, chi);
                    b.AddEntry(row, j, a);
                    var x = clo + ((chi - clo) * random.NextDouble());
                    x0.Add(x);
                    activity += a * x;
                    max += a > 0 ? a * chi : a * clo;
                    if (link >= 0)
                    {
                        b.AddEntry(linkRows[link], j, 1);
                        linkActivity[link] += x;
                    }
                }
            }

            var slack = Math.Round(random.NextDouble(), 3);
            var (rlo, rhi) = random.Next(4) switch
            {
                0 => (double.NegativeInfinity, activity + slack),
                1 => (activity - slack, double.PositiveInfinity),
                2 => (activity - slack, activity + slack),
                _ => (double.NegativeInfinity, max + 1), // never binds
            };
            b.SetRowBounds(row, rlo, rhi);
        }

        for (var l = 0; l < linking; l++)
        {
            b.SetRowBounds(linkRows[l], double.NegativeInfinity, linkActivity[l] + Math.Round(random.NextDouble(), 3));
        }

        return b.Build();
    }
}
