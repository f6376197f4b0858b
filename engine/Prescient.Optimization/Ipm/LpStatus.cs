namespace Prescient.Optimization.Ipm;

/// <summary>Outcome of a solve. JSON and CLI use the snake_case names given by <see cref="LpStatusNames.Name"/>.</summary>
public enum LpStatus
{
    /// <summary>Relative primal and dual residuals and relative gap within tolerance.</summary>
    Optimal = 0,

    /// <summary>No point satisfies the constraints (checked on an always-feasible phase-one problem).</summary>
    Infeasible = 1,

    /// <summary>Feasible, and the objective improves without limit along a checked ray.</summary>
    Unbounded = 2,

    /// <summary>The iteration cap was reached; the best point so far is returned.</summary>
    IterationLimit = 3,

    /// <summary>The deadline passed; the best point so far is returned.</summary>
    TimeLimit = 4,

    /// <summary>The iteration broke down (non-finite numbers, stalled progress) and no certificate could be established.</summary>
    NumericalError = 5,
}
