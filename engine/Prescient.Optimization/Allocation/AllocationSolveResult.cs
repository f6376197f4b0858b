using Prescient.Optimization.Ipm;

namespace Prescient.Optimization.Allocation;

/// <summary>Outcome of one <see cref="AllocationSolver.Solve"/> call (a value, so that the cycle allocates nothing).</summary>
public readonly record struct AllocationSolveResult(
    LpStatus Status,
    double Objective,
    int Iterations,
    double Seconds,
    double RelativePrimalResidual,
    double RelativeDualResidual,
    double RelativeGap,
    bool Rebuilt);
