namespace Prescient.Optimization.Ipm;

/// <summary>
/// Solves the interior-point normal equations <c>(A Θ A' + δ I) dy = r</c> for a constraint matrix
/// fixed at construction. One implementation per linear-algebra strategy (general sparse Cholesky,
/// block-angular Schur complement). Implementations allocate nothing in <see cref="Factorize"/> and <see cref="Solve"/>.
/// </summary>
internal interface INormalEquationsSolver
{
    /// <summary>Path name reported in results (<c>general</c> or <c>structured</c>).</summary>
    string Name { get; }

    /// <summary>Forms and factorizes <c>A Θ A' + δ I</c>; false when the factorization broke down (non-finite numbers).</summary>
    bool Factorize(double[] theta, double regularization);

    /// <summary>Solves with the last factorization; <paramref name="rhs"/> and <paramref name="solution"/> may not alias.</summary>
    void Solve(ReadOnlySpan<double> rhs, Span<double> solution);
}
