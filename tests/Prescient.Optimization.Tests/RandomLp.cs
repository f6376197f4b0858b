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
}
