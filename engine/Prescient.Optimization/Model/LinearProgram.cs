namespace Prescient.Optimization.Model;

/// <summary>
/// A linear program in general form:
/// optimize <c>c'x + ObjectiveConstant</c> subject to <c>RowLower ≤ A x ≤ RowUpper</c> and
/// <c>ColumnLower ≤ x ≤ ColumnUpper</c>, where any bound may be infinite
/// (<see cref="double.NegativeInfinity"/> / <see cref="double.PositiveInfinity"/>).
/// An equality row has equal bounds; a ≤ row has an infinite lower bound; a ranged row has two finite ones.
/// </summary>
/// <remarks>
/// The constraint matrix is stored column-wise (compressed sparse column): the entries of column
/// <c>j</c> are <c>RowIndex[ColumnStart[j] .. ColumnStart[j+1])</c> with values <c>Values[...]</c>.
/// Row indices inside a column are not required to be sorted but must not repeat. The arrays are
/// exposed so that builders can re-fill the numbers in place when the shape of the model does not
/// change (zero allocations per planning cycle). Not thread-safe.
/// </remarks>
public sealed class LinearProgram
{
    /// <summary>Creates a model with the given shape; all numbers zero, all bounds [0, +inf) for columns and (-inf, +inf) for rows.</summary>
    public LinearProgram(int rowCount, int columnCount, int nonZeroCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentOutOfRangeException.ThrowIfNegative(columnCount);
        ArgumentOutOfRangeException.ThrowIfNegative(nonZeroCapacity);
        RowCount = rowCount;
        ColumnCount = columnCount;
        Objective = new double[columnCount];
        ColumnLower = new double[columnCount];
        ColumnUpper = new double[columnCount];
        Array.Fill(ColumnUpper, double.PositiveInfinity);
        RowLower = new double[rowCount];
        RowUpper = new double[rowCount];
        Array.Fill(RowLower, double.NegativeInfinity);
        Array.Fill(RowUpper, double.PositiveInfinity);
        ColumnStart = new int[columnCount + 1];
        RowIndex = new int[nonZeroCapacity];
        Values = new double[nonZeroCapacity];
    }

    /// <summary>Model name (the MPS NAME card); informational.</summary>
    public string Name { get; set; } = "";

    /// <summary>Name of the objective row (the MPS N row); informational.</summary>
    public string ObjectiveName { get; set; } = "obj";

    public ObjectiveSense Sense { get; set; } = ObjectiveSense.Minimize;

    /// <summary>Constant added to <c>c'x</c> (in the model's own sense).</summary>
    public double ObjectiveConstant { get; set; }

    public int RowCount { get; }

    public int ColumnCount { get; }

    /// <summary>Number of stored matrix entries, <c>ColumnStart[ColumnCount]</c>.</summary>
    public int NonZeroCount => ColumnStart[ColumnCount];

    public double[] Objective { get; }

    public double[] ColumnLower { get; }

    public double[] ColumnUpper { get; }

    public double[] RowLower { get; }

    public double[] RowUpper { get; }

    public int[] ColumnStart { get; }

    public int[] RowIndex { get; private set; }

    public double[] Values { get; private set; }

    /// <summary>Row names, or null when the model is anonymous (writers then use R0, R1, ...).</summary>
    public string[]? RowNames { get; set; }

    /// <summary>Column names, or null when the model is anonymous (writers then use C0, C1, ...).</summary>
    public string[]? ColumnNames { get; set; }

    /// <summary>Name of row <paramref name="row"/>: its given name or <c>R{row}</c>.</summary>
    public string RowName(int row) => RowNames is { } names ? names[row] : "R" + row.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Name of column <paramref name="column"/>: its given name or <c>C{column}</c>.</summary>
    public string ColumnName(int column) => ColumnNames is { } names ? names[column] : "C" + column.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Grows the entry arrays so that at least <paramref name="capacity"/> entries fit (used by builders).</summary>
    public void EnsureNonZeroCapacity(int capacity)
    {
        if (capacity <= RowIndex.Length)
        {
            return;
        }

        var rows = RowIndex;
        var values = Values;
        Array.Resize(ref rows, capacity);
        Array.Resize(ref values, capacity);
        RowIndex = rows;
        Values = values;
    }

    /// <summary>The objective value <c>c'x + constant</c> of a point, in the model's own sense.</summary>
    public double ObjectiveValue(ReadOnlySpan<double> x)
    {
        var value = ObjectiveConstant;
        for (var j = 0; j < ColumnCount; j++)
        {
            value += Objective[j] * x[j];
        }

        return value;
    }

    /// <summary>Computes <c>A x</c> into <paramref name="activity"/> (length <see cref="RowCount"/>).</summary>
    public void RowActivity(ReadOnlySpan<double> x, Span<double> activity)
    {
        activity[..RowCount].Clear();
        for (var j = 0; j < ColumnCount; j++)
        {
            var xj = x[j];
            if (xj == 0)
            {
                continue;
            }

            for (var p = ColumnStart[j]; p < ColumnStart[j + 1]; p++)
            {
                activity[RowIndex[p]] += Values[p] * xj;
            }
        }
    }

    /// <summary>
    /// Checks the model's numbers: every coefficient and objective entry finite, no bound NaN, no lower
    /// bound +inf nor upper bound -inf, row indices in range. Returns null when valid, else a message naming the first problem.
    /// Inconsistent bounds (lower above upper) are not an error here: the solver reports them as infeasible.
    /// </summary>
    public string? Validate()
    {
        if (!double.IsFinite(ObjectiveConstant))
        {
            return "objective constant is not finite";
        }

        for (var j = 0; j < ColumnCount; j++)
        {
            if (!double.IsFinite(Objective[j]))
            {
                return $"objective coefficient of column '{ColumnName(j)}' is not finite ({Objective[j]})";
            }

            if (double.IsNaN(ColumnLower[j]) || double.IsNaN(ColumnUpper[j]) || ColumnLower[j] == double.PositiveInfinity || ColumnUpper[j] == double.NegativeInfinity)
            {
                return $"bounds of column '{ColumnName(j)}' are invalid [{ColumnLower[j]}, {ColumnUpper[j]}]";
            }

            for (var p = ColumnStart[j]; p < ColumnStart[j + 1]; p++)
            {
                if ((uint)RowIndex[p] >= (uint)RowCount)
                {
                    return $"column '{ColumnName(j)}' refers to row {RowIndex[p]} out of range";
                }

                if (!double.IsFinite(Values[p]))
                {
                    return $"coefficient of column '{ColumnName(j)}' in row '{RowName(RowIndex[p])}' is not finite ({Values[p]})";
                }
            }
        }

        for (var i = 0; i < RowCount; i++)
        {
            if (double.IsNaN(RowLower[i]) || double.IsNaN(RowUpper[i]) || RowLower[i] == double.PositiveInfinity || RowUpper[i] == double.NegativeInfinity)
            {
                return $"bounds of row '{RowName(i)}' are invalid [{RowLower[i]}, {RowUpper[i]}]";
            }
        }

        return null;
    }
}
