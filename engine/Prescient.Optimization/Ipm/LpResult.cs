namespace Prescient.Optimization.Ipm;

/// <summary>
/// Result of a solve, in the terms of the model given to the solver: <see cref="Objective"/> in the
/// model's own sense with its constant; <see cref="X"/> per column; <see cref="RowDuals"/> and
/// <see cref="ReducedCosts"/> with the sign convention of a minimization (for a maximization they are
/// those of the negated objective). Residuals are relative, measured on the original model.
/// </summary>
public sealed class LpResult
{
    public LpStatus Status { get; set; }

    /// <summary>Why the status was reached, in words (e.g. "phase-one optimum 3.2 > 0").</summary>
    public string Reason { get; set; } = "";

    public double Objective { get; set; } = double.NaN;

    public int Iterations { get; set; }

    /// <summary>Solve time in seconds (excluding reading the model).</summary>
    public double Seconds { get; set; }

    /// <summary><c>general</c> or <c>structured</c>.</summary>
    public string Path { get; set; } = "";

    public double[] X { get; set; } = [];

    public double[] RowDuals { get; set; } = [];

    public double[] ReducedCosts { get; set; } = [];

    /// <summary>max violation of rows and bounds / (1 + max |bound|).</summary>
    public double PrimalResidual { get; set; } = double.NaN;

    /// <summary>max violation of dual feasibility / (1 + max |c|).</summary>
    public double DualResidual { get; set; } = double.NaN;

    /// <summary>|primal objective - dual objective| / (1 + |primal objective|).</summary>
    public double RelativeGap { get; set; } = double.NaN;

    /// <summary>Rows and columns removed by presolve.</summary>
    public int PresolveRemovedRows { get; set; }

    public int PresolveRemovedColumns { get; set; }

    /// <summary>Seconds spent before the first iteration: presolve, standard form, scaling, ordering and symbolic analysis.</summary>
    public double SetupSeconds { get; set; }

    /// <summary>Entries of the Cholesky factor on the general path (0 on the structured path).</summary>
    public long FactorNonZeros { get; set; }
}
