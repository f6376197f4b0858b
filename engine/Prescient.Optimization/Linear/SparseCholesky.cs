using System.Runtime.CompilerServices;

namespace Prescient.Optimization.Linear;

/// <summary>
/// Sparse Cholesky factorization P M P' = L L' of a symmetric positive (semi)definite matrix with a
/// fixed pattern: the ordering and symbolic analysis (elimination tree, row patterns of L, column
/// pointers) run once in the constructor; <see cref="Factorize"/> runs per interior-point iteration
/// and allocates nothing.
/// </summary>
/// <remarks>
/// Up-looking (row-by-row) algorithm: row k of L solves L(0:k-1,0:k-1) l = M(0:k-1,k) over the row
/// pattern given by the elimination tree (the "row subtree"), then L(k,k) = sqrt(M(k,k) - l'l).
/// A pivot that is not safely positive (below <see cref="PivotTolerance"/> times the original
/// diagonal) is replaced by a huge value, so that the matching component of the solution is ~0: the
/// standard treatment of the rank deficiency that normal equations reach near an LP's optimum.
/// The matrix is given as its upper triangle in the permuted order, column by column, and is filled by the caller through <see cref="Values"/>.
/// </remarks>
public sealed class SparseCholesky
{
    private const double HugePivot = 1e128;

    private readonly int _n;
    private readonly int[] _cStart;   // upper triangle of P M P', column k holds rows i <= k (diagonal included)
    private readonly int[] _cRow;
    private readonly double[] _cValue;
    private readonly int[] _lStart;   // L by columns, the diagonal first in each column
    private readonly int[] _lRow;
    private readonly double[] _lValue;
    private readonly int[] _rowPatternStart; // for row k: the columns j < k with L(k,j) != 0, in topological order
    private readonly int[] _rowPattern;
    private readonly int[] _rowPatternPosition; // position of L(k,j) in _lValue
    private readonly double[] _work;

    /// <summary>
    /// Analyses the upper-triangular pattern (column-wise, rows ≤ column, diagonal present) of the
    /// permuted matrix of order <paramref name="n"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SparseCholesky(int n, int[] upperStart, int[] upperRow)
    {
        _n = n;
        _cStart = upperStart;
        _cRow = upperRow;
        _cValue = new double[upperStart[n]];
        _work = new double[n];

        // Elimination tree (Liu), with path compression through 'ancestor'.
        var parent = new int[n];
        var ancestor = new int[n];
        for (var k = 0; k < n; k++)
        {
            parent[k] = -1;
            ancestor[k] = -1;
            for (var p = upperStart[k]; p < upperStart[k + 1]; p++)
            {
                var i = upperRow[p];
                while (i != -1 && i < k)
                {
                    var next = ancestor[i];
                    ancestor[i] = k;
                    if (next == -1)
                    {
                        parent[i] = k;
                        break;
                    }

                    i = next;
                }
            }
        }

        // Row patterns by reachability in the elimination tree; count entries per column of L.
        var flag = new int[n];
        Array.Fill(flag, -1);
        var stack = new int[n];
        var colCount = new int[n];
        var patternStart = new int[n + 1];
        var pattern = new List<int>(upperStart[n] * 2);
        var path = new int[n];
        for (var k = 0; k < n; k++)
        {
            flag[k] = k;
            var top = n;
            for (var p = upperStart[k]; p < upperStart[k + 1]; p++)
            {
                var i = upperRow[p];
                if (i >= k)
                {
                    continue;
                }

                var len = 0;
                while (flag[i] != k)
                {
                    path[len++] = i;
                    flag[i] = k;
                    i = parent[i];
                }

                while (len > 0)
                {
                    stack[--top] = path[--len];
                }
            }

            patternStart[k] = pattern.Count;
            for (var t = top; t < n; t++)
            {
                pattern.Add(stack[t]);
                colCount[stack[t]]++;
            }
        }

        patternStart[n] = pattern.Count;
        _rowPatternStart = patternStart;
        _rowPattern = [.. pattern];
        _lStart = new int[n + 1];
        for (var j = 0; j < n; j++)
        {
            _lStart[j + 1] = _lStart[j] + colCount[j] + 1;
        }

        _lRow = new int[_lStart[n]];
        _lValue = new double[_lStart[n]];
        _rowPatternPosition = new int[_rowPattern.Length];
        var fill = new int[n];
        for (var j = 0; j < n; j++)
        {
            _lRow[_lStart[j]] = j;
            fill[j] = _lStart[j] + 1;
        }

        for (var k = 0; k < n; k++)
        {
            for (var t = patternStart[k]; t < patternStart[k + 1]; t++)
            {
                var j = _rowPattern[t];
                var q = fill[j]++;
                _lRow[q] = k;
                _rowPatternPosition[t] = q;
            }
        }
    }

    /// <summary>Order of the matrix.</summary>
    public int Order => _n;

    /// <summary>Entries of L, diagonal included.</summary>
    public int FactorNonZeroCount => _lStart[_n];

    /// <summary>Values of the permuted upper triangle, aligned with the pattern given to the constructor; the caller fills them before <see cref="Factorize"/>.</summary>
    public double[] Values => _cValue;

    /// <summary>Relative pivot threshold below which a pivot is treated as zero (default 1e-13).</summary>
    public double PivotTolerance { get; set; } = 1e-13;

    /// <summary>Number of pivots replaced in the last factorization.</summary>
    public int ReplacedPivots { get; private set; }

    /// <summary>Numeric factorization of the values in <see cref="Values"/>. Returns false if a pivot was NaN (the matrix held non-finite numbers).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe bool Factorize()
    {
        var replaced = 0;
        // Pointers: the inner loop is indexed through lRow, so the JIT cannot drop its bounds checks.
        fixed (double* x = _work, lValue = _lValue, cValue = _cValue)
        fixed (int* lStart = _lStart, lRow = _lRow, cStart = _cStart, cRow = _cRow)
        fixed (int* rowPatternStart = _rowPatternStart, rowPattern = _rowPattern, rowPatternPosition = _rowPatternPosition)
        {
            for (var k = 0; k < _n; k++)
            {
                var diagonal = 0.0;
                for (var p = cStart[k]; p < cStart[k + 1]; p++)
                {
                    var i = cRow[p];
                    if (i == k)
                    {
                        diagonal = cValue[p];
                    }
                    else
                    {
                        x[i] = cValue[p];
                    }
                }

                var d = diagonal;
                var end = rowPatternStart[k + 1];
                for (var t = rowPatternStart[k]; t < end; t++)
                {
                    var i = rowPattern[t];
                    var q = rowPatternPosition[t];
                    var lki = x[i] / lValue[lStart[i]];
                    x[i] = 0;
                    for (var p = lStart[i] + 1; p < q; p++)
                    {
                        x[lRow[p]] -= lValue[p] * lki;
                    }

                    d -= lki * lki;
                    lValue[q] = lki;
                }

                if (double.IsNaN(d))
                {
                    ReplacedPivots = replaced;
                    return false;
                }

                if (!(d > PivotTolerance * Math.Max(Math.Abs(diagonal), 1e-300)) || double.IsInfinity(d))
                {
                    d = HugePivot;
                    replaced++;
                }

                lValue[lStart[k]] = Math.Sqrt(d);
            }
        }

        ReplacedPivots = replaced;
        return true;
    }

    /// <summary>Solves L L' x = b in place, in the permuted order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Solve(Span<double> b)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(b.Length, _n);
        fixed (double* x = b, lValue = _lValue)
        fixed (int* lStart = _lStart, lRow = _lRow)
        {
            for (var j = 0; j < _n; j++)
            {
                var xj = x[j] / lValue[lStart[j]];
                x[j] = xj;
                if (xj == 0)
                {
                    continue;
                }

                for (var p = lStart[j] + 1; p < lStart[j + 1]; p++)
                {
                    x[lRow[p]] -= lValue[p] * xj;
                }
            }

            for (var j = _n - 1; j >= 0; j--)
            {
                var sum = x[j];
                for (var p = lStart[j] + 1; p < lStart[j + 1]; p++)
                {
                    sum -= lValue[p] * x[lRow[p]];
                }

                x[j] = sum / lValue[lStart[j]];
            }
        }
    }
}
