namespace Prescient.Optimization.Model;

/// <summary>Whether the objective of a <see cref="LinearProgram"/> is minimized or maximized.</summary>
public enum ObjectiveSense
{
    Minimize = 0,
    Maximize = 1,
}
