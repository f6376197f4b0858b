using System.Runtime.CompilerServices;
namespace Prescient.Optimization.Linear;

/// <summary>
/// A sparse matrix in compressed sparse column form. The entries of column <c>j</c> are at
/// <c>[ColumnStart[j], ColumnStart[j+1])</c> of <see cref="RowIndex"/> / <see cref="Values"/>.
/// Values may be overwritten in place (the pattern is fixed once built). Not thread-safe.
/// </summary>
public sealed class SparseMatrix
{
    public SparseMatrix(int rowCount, int columnCount, int[] columnStart, int[] rowIndex, double[] values)
    {
        if (columnStart.Length != columnCount + 1 || rowIndex.Length < columnStart[columnCount] || values.Length < columnStart[columnCount])
        {
            throw new ArgumentException("inconsistent CSC arrays");
        }

        RowCount = rowCount;
        ColumnCount = columnCount;
        ColumnStart = columnStart;
        RowIndex = rowIndex;
        Values = values;
    }

    public int RowCount { get; }

    public int ColumnCount { get; }

    public int[] ColumnStart { get; }

    public int[] RowIndex { get; }

    public double[] Values { get; }

    public int NonZeroCount => ColumnStart[ColumnCount];

    /// <summary>y = A x (overwrites y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Multiply(ReadOnlySpan<double> x, Span<double> y)
    {
        y[..RowCount].Clear();
        MultiplyAdd(x, y);
    }

    /// <summary>y += A x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MultiplyAdd(ReadOnlySpan<double> x, Span<double> y)
    {
        var cs = ColumnStart;
        var ri = RowIndex;
        var v = Values;
        for (var j = 0; j < ColumnCount; j++)
        {
            var xj = x[j];
            if (xj == 0)
            {
                continue;
            }

            for (var p = cs[j]; p < cs[j + 1]; p++)
            {
                y[ri[p]] += v[p] * xj;
            }
        }
    }

    /// <summary>x = A' y (overwrites x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MultiplyTransposed(ReadOnlySpan<double> y, Span<double> x)
    {
        var cs = ColumnStart;
        var ri = RowIndex;
        var v = Values;
        for (var j = 0; j < ColumnCount; j++)
        {
            var sum = 0.0;
            for (var p = cs[j]; p < cs[j + 1]; p++)
            {
                sum += v[p] * y[ri[p]];
            }

            x[j] = sum;
        }
    }

    /// <summary>The transpose, as a new matrix (rows become columns); row indices come out sorted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SparseMatrix Transpose()
    {
        var count = new int[RowCount + 1];
        for (var p = 0; p < NonZeroCount; p++)
        {
            count[RowIndex[p] + 1]++;
        }

        for (var i = 0; i < RowCount; i++)
        {
            count[i + 1] += count[i];
        }

        var next = (int[])count.Clone();
        var ri = new int[NonZeroCount];
        var v = new double[NonZeroCount];
        for (var j = 0; j < ColumnCount; j++)
        {
            for (var p = ColumnStart[j]; p < ColumnStart[j + 1]; p++)
            {
                var q = next[RowIndex[p]]++;
                ri[q] = j;
                v[q] = Values[p];
            }
        }

        return new SparseMatrix(ColumnCount, RowCount, count, ri, v);
    }
}
