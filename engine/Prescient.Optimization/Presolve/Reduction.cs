namespace Prescient.Optimization.Presolve;

internal enum ReductionKind
{
    EmptyRow,
    FixColumn,
    SingletonRow,
    DuplicateRow,
    FreeColumnSingleton,
    ParallelColumn,
    IsolatedRow,
}

/// <summary>
/// One presolve step, kept for postsolve. For a singleton row, <see cref="Value"/> is its coefficient; for a
/// duplicate row, <see cref="Row"/> is the removed row, <see cref="Column"/> the kept row and <see cref="Value"/>
/// the factor λ with a_removed = λ a_kept. For a free column singleton, <see cref="Value"/> is the pivot a_ij,
/// <see cref="Rhs"/> the equality row's right-hand side when it was removed and <see cref="Dual"/> the row's dual
/// (minimization convention), fixed by the column's zero reduced cost. For parallel columns, <see cref="Row"/> is the
/// index of the <see cref="ColumnMerge"/> and <see cref="Column"/> the removed column. For an isolated row,
/// <see cref="Value"/> is its dual (minimization convention); its columns are fixed columns of their own.
/// </summary>
internal readonly record struct Reduction(ReductionKind Kind, int Row, int Column, double Value, bool LowerFromRow, bool UpperFromRow, double Rhs = 0, double Dual = 0);

/// <summary>Column <see cref="Removed"/> merged into <see cref="Kept"/>; the bounds are each one's before the merge.</summary>
internal readonly record struct ColumnMerge(int Kept, int Removed, double KeptLower, double KeptUpper, double RemovedLower, double RemovedUpper);
