using Prescient.Optimization.Ipm;

namespace Prescient.Optimization.Allocation;

/// <summary>
/// Outcome of one <see cref="AllocationSolver.Solve"/> call (a value, so that the cycle allocates nothing). The last three
/// split the iteration time: forming and factorizing the normal equations, solving with them, and the column passes.
/// <see cref="WarmStartAbandoned"/> is set when a requested warm start made no progress and the solve restarted cold.
/// </summary>
public readonly record struct AllocationSolveResult(
    LpStatus Status,
    double Objective,
    int Iterations,
    double Seconds,
    double RelativePrimalResidual,
    double RelativeDualResidual,
    double RelativeGap,
    bool Rebuilt,
    double FactorizeSeconds,
    double SolveSeconds,
    double PassSeconds,
    bool WarmStartAbandoned = false);
