using System.Runtime.CompilerServices;
using Prescient.Optimization.Linear;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Ipm;

/// <summary>
/// The interior-point method's form of a <see cref="LinearProgram"/>: minimize c'x subject to A x = b,
/// l ≤ x ≤ u, where every non-equality row i gets a slack column (a_i x - s_i = 0, rowLower_i ≤ s_i ≤ rowUpper_i),
/// free rows are dropped, free columns are split into a positive and a negative part, and a maximization
/// is negated. Rows and columns are then scaled (x = C x̄, rows multiplied by R). The shape is fixed at
/// construction; <see cref="Refill"/> re-reads the numbers of a model of the same shape in place.
/// </summary>
internal sealed class StandardForm
{
    public const byte KindFree = 0;
    public const byte KindLower = 1;
    public const byte KindUpper = 2;
    public const byte KindBoxed = 3;
    public const byte KindFixed = 4;

    private readonly int[] _rowOfLp;      // LP row -> standard row or -1 (free row)
    private readonly int[] _lpEntryPosition; // LP entry -> position in A (or -1 for dropped rows); negative parts follow via _negativeOf
    private readonly double[] _rowMin;
    private readonly double[] _rowMax;
    private readonly double[] _inverseColumnScale;

    public StandardForm(LinearProgram lp, bool scale = true)
    {
        SourceColumns = lp.ColumnCount;
        SourceRows = lp.RowCount;
        _rowOfLp = new int[lp.RowCount];
        var m = 0;
        var slackCount = 0;
        for (var i = 0; i < lp.RowCount; i++)
        {
            var lo = lp.RowLower[i];
            var hi = lp.RowUpper[i];
            if (double.IsNegativeInfinity(lo) && double.IsPositiveInfinity(hi))
            {
                _rowOfLp[i] = -1;
                continue;
            }

            _rowOfLp[i] = m++;
            if (lo != hi)
            {
                slackCount++;
            }
        }

        var splitCount = 0;
        for (var j = 0; j < lp.ColumnCount; j++)
        {
            if (double.IsNegativeInfinity(lp.ColumnLower[j]) && double.IsPositiveInfinity(lp.ColumnUpper[j]))
            {
                splitCount++;
            }
        }

        RowCount = m;
        LpRowOf = new int[m];
        for (var i = 0; i < lp.RowCount; i++)
        {
            if (_rowOfLp[i] >= 0)
            {
                LpRowOf[_rowOfLp[i]] = i;
            }
        }

        var n = lp.ColumnCount + splitCount + slackCount;
        ColumnCount = n;
        SourceOf = new int[n];
        NegativeOf = new int[lp.ColumnCount];
        Array.Fill(NegativeOf, -1);
        var columnStart = new int[n + 1];
        var keptEntries = 0;
        for (var j = 0; j < lp.ColumnCount; j++)
        {
            for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
            {
                if (_rowOfLp[lp.RowIndex[p]] >= 0)
                {
                    keptEntries++;
                }
            }
        }

        var nnz = 0;
        var rowIndex = new int[keptEntries * 2 + slackCount];
        _lpEntryPosition = new int[lp.NonZeroCount];
        var column = 0;
        for (var j = 0; j < lp.ColumnCount; j++)
        {
            var split = double.IsNegativeInfinity(lp.ColumnLower[j]) && double.IsPositiveInfinity(lp.ColumnUpper[j]);
            for (var part = 0; part < (split ? 2 : 1); part++)
            {
                columnStart[column] = nnz;
                SourceOf[column] = j;
                if (part == 1)
                {
                    NegativeOf[j] = column;
                }

                for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
                {
                    var row = _rowOfLp[lp.RowIndex[p]];
                    if (row < 0)
                    {
                        if (part == 0)
                        {
                            _lpEntryPosition[p] = -1;
                        }

                        continue;
                    }

                    if (part == 0)
                    {
                        _lpEntryPosition[p] = nnz;
                    }

                    rowIndex[nnz++] = row;
                }

                column++;
            }
        }

        SlackStart = column;
        for (var i = 0; i < lp.RowCount; i++)
        {
            var row = _rowOfLp[i];
            if (row < 0 || lp.RowLower[i] == lp.RowUpper[i])
            {
                continue;
            }

            columnStart[column] = nnz;
            SourceOf[column] = -(i + 1);
            rowIndex[nnz++] = row;
            column++;
        }

        columnStart[n] = nnz;
        A = new SparseMatrix(m, n, columnStart, rowIndex[..nnz], new double[nnz]);
        B = new double[m];
        C = new double[n];
        Lower = new double[n];
        Upper = new double[n];
        Kind = new byte[n];
        ColumnScale = new double[n];
        RowScale = new double[m];
        _rowMin = new double[m];
        _rowMax = new double[m];
        _inverseColumnScale = new double[n];
        Array.Fill(ColumnScale, 1.0);
        Array.Fill(RowScale, 1.0);
        Refill(lp, recomputeScaling: scale);
    }

    public int RowCount { get; }

    public int ColumnCount { get; }

    public int SourceRows { get; }

    public int SourceColumns { get; }

    /// <summary>First slack column; columns before it come from the model's columns.</summary>
    public int SlackStart { get; }

    /// <summary>Per standard column: the model column it comes from (≥ 0), or -(row+1) for the slack of a model row.</summary>
    public int[] SourceOf { get; }

    /// <summary>Per model column: the standard column of its negative part (free columns), or -1.</summary>
    public int[] NegativeOf { get; }

    /// <summary>Per standard row: the model row.</summary>
    public int[] LpRowOf { get; }

    public SparseMatrix A { get; }

    public double[] B { get; }

    public double[] C { get; }

    public double[] Lower { get; }

    public double[] Upper { get; }

    public byte[] Kind { get; }

    public double[] ColumnScale { get; }

    public double[] RowScale { get; }

    /// <summary>-1 when the model maximizes (c was negated), else +1.</summary>
    public double ObjectiveSign { get; private set; }

    public double ObjectiveConstant { get; private set; }

    /// <summary>True when some column has lower > upper (the model is infeasible as stated).</summary>
    public bool InconsistentBounds { get; private set; }

    /// <summary>
    /// Re-reads the numbers of <paramref name="lp"/>, which must have the shape this form was built from (same
    /// pattern, same free rows/columns and equality rows). With <paramref name="recomputeScaling"/> the scale
    /// factors are computed afresh, else the current ones are applied again. <paramref name="matrixUnchanged"/> (without
    /// rescaling) says the matrix's numbers are those of the last fill: the scaled matrix is kept as it is and only the
    /// objective, bounds and right-hand side are re-read (the allocation LP's coefficients are all 1, every cycle).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Refill(LinearProgram lp, bool recomputeScaling, bool matrixUnchanged = false)
    {
        BeginRefill(lp);
        var values = A.Values;
        var n = ColumnCount;
        var refillMatrix = recomputeScaling || !matrixUnchanged;
        if (!refillMatrix)
        {
            RefillVectors(lp);
            return;
        }

        for (var j = 0; j < lp.ColumnCount; j++)
        {
            for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
            {
                var q = _lpEntryPosition[p];
                if (q >= 0)
                {
                    values[q] = lp.Values[p];
                }
            }
        }

        for (var col = 0; col < SlackStart; col++)
        {
            var j = SourceOf[col];
            var negative = NegativeOf[j] == col;
            var lo = lp.ColumnLower[j];
            var hi = lp.ColumnUpper[j];
            C[col] = ObjectiveSign * lp.Objective[j] * (negative ? -1 : 1);
            if (negative)
            {
                var start = A.ColumnStart[col];
                var positiveStart = A.ColumnStart[col - 1];
                for (var k = 0; k < A.ColumnStart[col + 1] - start; k++)
                {
                    values[start + k] = -values[positiveStart + k];
                }
            }

            if (double.IsNegativeInfinity(lo) && double.IsPositiveInfinity(hi))
            {
                lo = 0;
            }

            if (lo > hi)
            {
                InconsistentBounds = true;
            }

            Lower[col] = lo;
            Upper[col] = hi;
        }

        for (var col = SlackStart; col < n; col++)
        {
            var i = -SourceOf[col] - 1;
            values[A.ColumnStart[col]] = -1;
            C[col] = 0;
            Lower[col] = lp.RowLower[i];
            Upper[col] = lp.RowUpper[i];
            if (lp.RowLower[i] > lp.RowUpper[i])
            {
                InconsistentBounds = true;
            }
        }

        for (var r = 0; r < RowCount; r++)
        {
            var i = LpRowOf[r];
            B[r] = lp.RowLower[i] == lp.RowUpper[i] ? lp.RowLower[i] : 0;
        }

        if (recomputeScaling)
        {
            Array.Fill(ColumnScale, 1.0);
            Array.Fill(RowScale, 1.0);
            ComputeScaling();
        }

        ApplyScaling();
        for (var j = 0; j < n; j++)
        {
            _inverseColumnScale[j] = 1 / ColumnScale[j];
        }

        for (var col = 0; col < n; col++)
        {
            Kind[col] = KindOf(Lower[col], Upper[col]);
        }
    }

    /// <summary>A column's kind from its (scaled) bounds.</summary>
    private static byte KindOf(double lo, double hi)
    {
        var hasLower = !double.IsNegativeInfinity(lo);
        var hasUpper = !double.IsPositiveInfinity(hi);
        return lo == hi ? KindFixed : hasLower && hasUpper ? KindBoxed : hasLower ? KindLower : hasUpper ? KindUpper : KindFree;
    }

    /// <summary>
    /// <see cref="Refill"/> when only the objective, bounds and right-hand side changed: one pass per column writes them
    /// scaled, with their kind. The scale factors are powers of two, so multiplying by the kept inverse is the division
    /// of the general path, bit for bit.
    /// </summary>
    private void RefillVectors(LinearProgram lp)
    {
        RefillColumns(lp, 0, ColumnCount);
        RefillRightHandSide(lp);
    }

    /// <summary>
    /// The part of <see cref="Refill"/> with recomputeScaling false and matrixUnchanged true for columns [from, to), so
    /// that workers can share it (<see cref="BeginRefill"/> first, <see cref="RefillRightHandSide"/> once).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void RefillColumns(LinearProgram lp, int from, int to)
    {
        var sign = ObjectiveSign;
        for (var col = from; col < to; col++)
        {
            double lo, hi, c;
            if (col < SlackStart)
            {
                var j = SourceOf[col];
                lo = lp.ColumnLower[j];
                hi = lp.ColumnUpper[j];
                c = sign * lp.Objective[j] * (NegativeOf[j] == col ? -1 : 1);
                if (double.IsNegativeInfinity(lo) && double.IsPositiveInfinity(hi))
                {
                    lo = 0;
                }
            }
            else
            {
                var i = -SourceOf[col] - 1;
                lo = lp.RowLower[i];
                hi = lp.RowUpper[i];
                c = 0;
            }

            if (lo > hi)
            {
                InconsistentBounds = true;
            }

            var inverse = _inverseColumnScale[col];
            C[col] = c * ColumnScale[col];
            lo *= inverse;
            hi *= inverse;
            Lower[col] = lo;
            Upper[col] = hi;
            Kind[col] = KindOf(lo, hi);
        }
    }

    /// <summary>The scaled right-hand side of the rows (the last part of a refill with unchanged matrix and scaling).</summary>
    internal void RefillRightHandSide(LinearProgram lp)
    {
        for (var r = 0; r < RowCount; r++)
        {
            var i = LpRowOf[r];
            B[r] = (lp.RowLower[i] == lp.RowUpper[i] ? lp.RowLower[i] : 0) * RowScale[r];
        }
    }

    /// <summary>What <see cref="Refill"/> sets before the columns, for a refill split over workers.</summary>
    internal void BeginRefill(LinearProgram lp)
    {
        ObjectiveSign = lp.Sense == ObjectiveSense.Maximize ? -1 : 1;
        ObjectiveConstant = lp.ObjectiveConstant;
        InconsistentBounds = false;
    }

    /// <summary>Geometric-mean scaling passes (rows then columns: 1/sqrt(min·max)), then column equilibration to unit max norm.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeScaling()
    {
        var m = RowCount;
        var n = ColumnCount;
        var cs = A.ColumnStart;
        var ri = A.RowIndex;
        var v = A.Values;
        var rowMin = _rowMin;
        var rowMax = _rowMax;
        for (var pass = 0; pass < 6; pass++)
        {
            Array.Fill(rowMin, double.PositiveInfinity);
            Array.Fill(rowMax, 0.0);
            for (var j = 0; j < n; j++)
            {
                for (var p = cs[j]; p < cs[j + 1]; p++)
                {
                    var a = Math.Abs(v[p]) * ColumnScale[j];
                    if (a == 0)
                    {
                        continue;
                    }

                    var i = ri[p];
                    if (a < rowMin[i])
                    {
                        rowMin[i] = a;
                    }

                    if (a > rowMax[i])
                    {
                        rowMax[i] = a;
                    }
                }
            }

            for (var i = 0; i < m; i++)
            {
                RowScale[i] = rowMax[i] > 0 ? 1 / Math.Sqrt(rowMin[i] * rowMax[i]) : 1;
            }

            for (var j = 0; j < n; j++)
            {
                var lo = double.PositiveInfinity;
                var hi = 0.0;
                for (var p = cs[j]; p < cs[j + 1]; p++)
                {
                    var a = Math.Abs(v[p]) * RowScale[ri[p]];
                    if (a == 0)
                    {
                        continue;
                    }

                    lo = Math.Min(lo, a);
                    hi = Math.Max(hi, a);
                }

                ColumnScale[j] = hi > 0 ? 1 / Math.Sqrt(lo * hi) : 1;
            }
        }

        for (var j = 0; j < n; j++)
        {
            var hi = 0.0;
            for (var p = cs[j]; p < cs[j + 1]; p++)
            {
                hi = Math.Max(hi, Math.Abs(v[p]) * RowScale[ri[p]] * ColumnScale[j]);
            }

            if (hi > 0)
            {
                ColumnScale[j] /= hi;
            }
        }

        // Powers of two keep the scaling exact in floating point.
        for (var i = 0; i < m; i++)
        {
            RowScale[i] = PowerOfTwo(RowScale[i]);
        }

        for (var j = 0; j < n; j++)
        {
            ColumnScale[j] = PowerOfTwo(ColumnScale[j]);
        }
    }

    private static double PowerOfTwo(double s) => double.IsFinite(s) && s > 0 ? Math.Pow(2, Math.Round(Math.Log2(s))) : 1;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ApplyScaling()
    {
        var cs = A.ColumnStart;
        var ri = A.RowIndex;
        var v = A.Values;
        for (var j = 0; j < ColumnCount; j++)
        {
            var s = ColumnScale[j];
            for (var p = cs[j]; p < cs[j + 1]; p++)
            {
                v[p] *= RowScale[ri[p]] * s;
            }

            C[j] *= s;
            Lower[j] /= s;
            Upper[j] /= s;
        }

        for (var i = 0; i < RowCount; i++)
        {
            B[i] *= RowScale[i];
        }
    }
}
