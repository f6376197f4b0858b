namespace Prescient.Optimization.Presolve;

internal enum ReductionKind
{
    EmptyRow,
    FixColumn,
    SingletonRow,
}

/// <summary>One presolve step, kept for postsolve. For a singleton row, <see cref="Value"/> is its coefficient.</summary>
internal readonly record struct Reduction(ReductionKind Kind, int Row, int Column, double Value, bool LowerFromRow, bool UpperFromRow);
