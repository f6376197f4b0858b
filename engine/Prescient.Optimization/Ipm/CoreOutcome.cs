namespace Prescient.Optimization.Ipm;

/// <summary>How the interior-point iteration ended, before certificates and postsolve.</summary>
internal enum CoreOutcome
{
    Optimal,
    IterationLimit,
    TimeLimit,
    Diverging,
    Stalled,
    NumericalError,
}
