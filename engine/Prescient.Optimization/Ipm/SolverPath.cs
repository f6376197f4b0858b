namespace Prescient.Optimization.Ipm;

/// <summary>Which linear algebra the interior-point iteration uses.</summary>
public enum SolverPath
{
    /// <summary>Structured when the matrix is block-angular with small blocks, general otherwise.</summary>
    Auto = 0,

    /// <summary>Presolve, AMD-ordered sparse Cholesky of A·D·A'.</summary>
    General = 1,

    /// <summary>Per-block dense Cholesky plus a dense Schur complement on the linking rows; fails with a clear error when the matrix is not block-angular.</summary>
    Structured = 2,
}
