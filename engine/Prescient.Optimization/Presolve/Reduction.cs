namespace Prescient.Optimization.Presolve;

internal enum ReductionKind
{
    EmptyRow,
    FixColumn,
    SingletonRow,
    DuplicateRow,
}

/// <summary>
/// One presolve step, kept for postsolve. For a singleton row, <see cref="Value"/> is its coefficient; for a
/// duplicate row, <see cref="Row"/> is the removed row, <see cref="Column"/> the kept row and <see cref="Value"/>
/// the factor λ with a_removed = λ a_kept.
/// </summary>
internal readonly record struct Reduction(ReductionKind Kind, int Row, int Column, double Value, bool LowerFromRow, bool UpperFromRow);
