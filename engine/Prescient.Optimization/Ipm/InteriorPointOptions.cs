namespace Prescient.Optimization.Ipm;

/// <summary>Options of <see cref="InteriorPointSolver"/>. Defaults are the ones used for Netlib and the allocation LP.</summary>
public sealed class InteriorPointOptions
{
    /// <summary>Relative primal residual, dual residual and gap at which the point is optimal (default 1e-8; range 1e-12..1e-2).</summary>
    public double Tolerance { get; set; } = 1e-8;

    /// <summary>Iteration cap (default 200); reaching it returns <see cref="LpStatus.IterationLimit"/> with the best point.</summary>
    public int MaxIterations { get; set; } = 200;

    /// <summary>Wall-clock budget of one solve (default none); running out returns <see cref="LpStatus.TimeLimit"/> with the best point.</summary>
    public TimeSpan? TimeLimit { get; set; }

    /// <summary>Clock for the deadline (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Linear algebra path (default <see cref="SolverPath.Auto"/>).</summary>
    public SolverPath Path { get; set; } = SolverPath.Auto;

    /// <summary>Run the light presolve on the general path (default true).</summary>
    public bool Presolve { get; set; } = true;

    /// <summary>Geometric-mean and equilibration scaling of rows and columns (default true).</summary>
    public bool Scaling { get; set; } = true;

    /// <summary>
    /// Maximum Gondzio multiple-centrality correctors per iteration (0 = plain Mehrotra). The default, -1, picks
    /// 2 for models under 50,000 columns and 0 above, where a corrector (one more solve and two column passes) costs
    /// more than the iterations it saves.
    /// </summary>
    public int MaxCorrectors { get; set; } = -1;

    /// <summary>The corrector count used for a model with <paramref name="columns"/> standard-form columns.</summary>
    public int CorrectorsFor(int columns) => MaxCorrectors >= 0 ? MaxCorrectors : columns >= 50_000 ? 0 : 2;

    /// <summary>When the iteration fails, decide infeasibility/unboundedness with checked auxiliary problems (default true).</summary>
    public bool DetectInfeasibility { get; set; } = true;

    /// <summary>
    /// Threads for the column passes on large models (default: the processor count, at most 4); a model uses
    /// one thread per 20,000 columns at most. Results are identical for a given thread count.
    /// </summary>
    public int Threads { get; set; } = Math.Min(Environment.ProcessorCount, 4);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when an option is out of range.</summary>
    public void Validate()
    {
        if (!(Tolerance >= 1e-12 && Tolerance <= 1e-2))
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "tolerance must be within [1e-12, 1e-2]");
        }

        if (MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "at least one iteration");
        }

        if (TimeLimit is { } limit && limit <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TimeLimit), limit, "time limit must be positive");
        }

        if (Threads is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "1..256 threads");
        }

        if (MaxCorrectors is < -1 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCorrectors), MaxCorrectors, "0..10 correctors, or -1 for automatic");
        }
    }
}
