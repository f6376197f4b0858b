namespace Prescient.Optimization.Ipm;

/// <summary>Stable names of <see cref="LpStatus"/> values.</summary>
public static class LpStatusNames
{
    /// <summary><c>optimal</c>, <c>infeasible</c>, <c>unbounded</c>, <c>iteration_limit</c>, <c>time_limit</c> or <c>numerical_error</c>.</summary>
    public static string Name(this LpStatus status) => status switch
    {
        LpStatus.Optimal => "optimal",
        LpStatus.Infeasible => "infeasible",
        LpStatus.Unbounded => "unbounded",
        LpStatus.IterationLimit => "iteration_limit",
        LpStatus.TimeLimit => "time_limit",
        _ => "numerical_error",
    };
}
