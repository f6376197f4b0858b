using System.Runtime.CompilerServices;
using Prescient.Optimization.Ipm;

namespace Prescient.Optimization.Linear;

/// <summary>
/// General path for the normal equations <c>M = A Θ A' + δ I</c>: AMD ordering and symbolic
/// analysis once, then per iteration an assembly of M through precomputed positions (column j adds
/// θ_j a_j a_j') and a numeric sparse Cholesky. Dense columns (far more entries than the average)
/// are left out of the factor and added back by Sherman–Morrison–Woodbury (a k×k capacitance matrix per
/// iteration); conjugate gradients on the full M, preconditioned by that inverse, refine every solve.
/// </summary>
internal sealed class NormalEquationsCholesky : INormalEquationsSolver
{
    private readonly SparseMatrix _a;
    private readonly int _m;
    private readonly int[] _perm;      // perm[k] = row of A at position k
    private readonly int[] _inverse;   // inverse[row] = position
    private readonly SparseCholesky _cholesky;
    private readonly bool[] _dense;
    private readonly int[] _pairStart; // per column: range of (position, product) pairs
    private readonly int[] _pairPosition;
    private readonly double[] _pairProduct;
    private readonly int[] _diagonalPosition; // per permuted position k
    private readonly double[] _theta;
    private readonly double[] _permuted;
    private readonly double[] _residual;
    private readonly double[] _direction;
    private readonly double[] _preconditioned;
    private readonly double[] _product;
    private readonly double[] _columnWork;
    private double _regularization;
    private readonly int[] _denseColumns;
    private readonly double[][] _denseU;     // u_i = sqrt(θ_d) a_d, as a dense m-vector
    private readonly double[][] _denseV;     // v_i = M_s⁻¹ u_i
    private readonly double[] _capacitance;  // Cholesky factor of I + U'V (k×k, row-major lower)
    private readonly double[] _smallWork;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NormalEquationsCholesky(SparseMatrix a, bool separateDenseColumns = true)
    {
        _a = a;
        _m = a.RowCount;
        var n = a.ColumnCount;
        _dense = new bool[n];
        var averageCount = n == 0 ? 0 : (double)a.NonZeroCount / n;
        var denseThreshold = Math.Max(Math.Max(40, 10 * averageCount), 0.3 * _m);
        var denseCount = 0;
        for (var j = 0; j < n; j++)
        {
            if (a.ColumnStart[j + 1] - a.ColumnStart[j] > denseThreshold)
            {
                _dense[j] = true;
                denseCount++;
            }
        }

        if (denseCount > 50 || !separateDenseColumns)
        {
            // Too many to treat separately: factor them in.
            Array.Clear(_dense);
            denseCount = 0;
        }

        DenseColumnCount = denseCount;

        // Adjacency of the pattern of A_s A_s' (sparse columns only), for the ordering.
        var at = a.Transpose();
        var mark = new int[_m];
        Array.Fill(mark, -1);
        var adjacencyStart = new int[_m + 1];
        var adjacency = new List<int>(a.NonZeroCount * 2);
        for (var i = 0; i < _m; i++)
        {
            adjacencyStart[i] = adjacency.Count;
            mark[i] = i;
            for (var p = at.ColumnStart[i]; p < at.ColumnStart[i + 1]; p++)
            {
                var j = at.RowIndex[p];
                if (_dense[j])
                {
                    continue;
                }

                for (var q = a.ColumnStart[j]; q < a.ColumnStart[j + 1]; q++)
                {
                    var r = a.RowIndex[q];
                    if (mark[r] != i)
                    {
                        mark[r] = i;
                        adjacency.Add(r);
                    }
                }
            }
        }

        adjacencyStart[_m] = adjacency.Count;
        var adjacencyArray = adjacency.ToArray();
        _perm = AmdOrdering.Order(_m, adjacencyStart, adjacencyArray);
        _inverse = new int[_m];
        for (var k = 0; k < _m; k++)
        {
            _inverse[_perm[k]] = k;
        }

        // Upper triangle of P M P' column by column: column k holds positions i <= k adjacent to it.
        var upperStart = new int[_m + 1];
        var upperRows = new List<int>(adjacencyArray.Length / 2 + _m);
        var rowsOfColumn = new List<int>();
        for (var k = 0; k < _m; k++)
        {
            upperStart[k] = upperRows.Count;
            var row = _perm[k];
            rowsOfColumn.Clear();
            rowsOfColumn.Add(k);
            for (var p = adjacencyStart[row]; p < adjacencyStart[row + 1]; p++)
            {
                var other = _inverse[adjacencyArray[p]];
                if (other < k)
                {
                    rowsOfColumn.Add(other);
                }
            }

            rowsOfColumn.Sort();
            upperRows.AddRange(rowsOfColumn);
        }

        upperStart[_m] = upperRows.Count;
        var upperRowArray = upperRows.ToArray();
        _cholesky = new SparseCholesky(_m, upperStart, upperRowArray);

        _diagonalPosition = new int[_m];
        for (var k = 0; k < _m; k++)
        {
            _diagonalPosition[k] = Array.BinarySearch(upperRowArray, upperStart[k], upperStart[k + 1] - upperStart[k], k);
        }

        // For each sparse column, the positions of its outer-product entries in the upper triangle.
        _pairStart = new int[n + 1];
        long pairCount = 0;
        for (var j = 0; j < n; j++)
        {
            if (!_dense[j])
            {
                long len = a.ColumnStart[j + 1] - a.ColumnStart[j];
                pairCount += len * (len + 1) / 2;
            }
        }

        if (pairCount > int.MaxValue / 2)
        {
            throw new InvalidOperationException("normal equations too large for the general path");
        }

        _pairPosition = new int[pairCount];
        _pairProduct = new double[pairCount];
        var w = 0;
        for (var j = 0; j < n; j++)
        {
            _pairStart[j] = w;
            if (_dense[j])
            {
                continue;
            }

            for (var p = a.ColumnStart[j]; p < a.ColumnStart[j + 1]; p++)
            {
                for (var q = a.ColumnStart[j]; q <= p; q++)
                {
                    _pairProduct[w++] = a.Values[p] * a.Values[q];
                }
            }
        }

        _pairStart[n] = w;

        // Pair (p, q), q ≤ p, of column j sits at pairStart[j] + a(a+1)/2 + b with a = p - start, b = q - start, and
        // lands in column max(kp, kq) of the upper triangle. Column by column of that triangle, scatter its row
        // positions once, then place every pair whose larger position is this column: linear in the pairs, where a
        // binary search per pair cost more than the whole ordering on Netlib models.
        var positionOf = mark;
        for (var column = 0; column < _m; column++)
        {
            for (var p = upperStart[column]; p < upperStart[column + 1]; p++)
            {
                positionOf[upperRowArray[p]] = p;
            }

            var row = _perm[column];
            for (var t = at.ColumnStart[row]; t < at.ColumnStart[row + 1]; t++)
            {
                var j = at.RowIndex[t];
                if (_dense[j])
                {
                    continue;
                }

                var start = a.ColumnStart[j];
                var end = a.ColumnStart[j + 1];
                var self = start;
                while (a.RowIndex[self] != row)
                {
                    self++;
                }

                var sa = self - start;
                for (var q = start; q < end; q++)
                {
                    var kq = _inverse[a.RowIndex[q]];
                    if (kq > column || (kq == column && q != self))
                    {
                        continue;
                    }

                    var b = q - start;
                    var (hi, lo) = sa >= b ? (sa, b) : (b, sa);
                    _pairPosition[_pairStart[j] + (hi * (hi + 1) / 2) + lo] = positionOf[kq];
                }
            }
        }

        _theta = new double[n];
        _permuted = new double[_m];
        _residual = new double[_m];
        _direction = new double[_m];
        _preconditioned = new double[_m];
        _product = new double[_m];
        _columnWork = new double[n];
        _denseColumns = new int[denseCount];
        var d = 0;
        for (var j = 0; j < n; j++)
        {
            if (_dense[j])
            {
                _denseColumns[d++] = j;
            }
        }

        _denseU = new double[denseCount][];
        _denseV = new double[denseCount][];
        for (var k = 0; k < denseCount; k++)
        {
            _denseU[k] = new double[_m];
            _denseV[k] = new double[_m];
        }

        _capacitance = new double[denseCount * denseCount];
        _smallWork = new double[denseCount];
    }

    public string Name => "general";

    public int DenseColumnCount { get; }

    public int FactorNonZeroCount => _cholesky.FactorNonZeroCount;

    public int ReplacedPivots => _cholesky.ReplacedPivots;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe bool Factorize(double[] theta, double regularization)
    {
        theta.AsSpan().CopyTo(_theta);
        _regularization = regularization;
        var values = _cholesky.Values;
        Array.Clear(values);
        var n = _a.ColumnCount;
        // Pointers: the scatter goes through pairPosition, so the JIT cannot drop its bounds checks.
        fixed (double* target = values, product = _pairProduct)
        fixed (int* position = _pairPosition, pairStart = _pairStart)
        {
            for (var j = 0; j < n; j++)
            {
                var t = theta[j];
                if (t == 0)
                {
                    continue;
                }

                for (var w = pairStart[j]; w < pairStart[j + 1]; w++)
                {
                    target[position[w]] += t * product[w];
                }
            }
        }

        // Without its dense columns the sparse part can be (nearly) singular where only a dense column
        // covers a row; a small shift keeps its factor usable as the Woodbury base and preconditioner,
        // and conjugate gradients on the true M remove the shift's effect.
        var shift = 0.0;
        if (_denseColumns.Length > 0)
        {
            for (var k = 0; k < _m; k++)
            {
                shift = Math.Max(shift, values[_diagonalPosition[k]]);
            }

            shift *= 1e-8;
        }

        for (var k = 0; k < _m; k++)
        {
            values[_diagonalPosition[k]] += regularization + shift;
        }

        if (!_cholesky.Factorize())
        {
            return false;
        }

        if (_denseColumns.Length > 0)
        {
            FactorizeDenseUpdate(theta);
        }

        return true;
    }

    /// <summary>
    /// Sherman–Morrison–Woodbury for the dense columns: with U = A_d Θ_d^½ and V = M_s⁻¹ U,
    /// M⁻¹ = M_s⁻¹ - V (I + U'V)⁻¹ V'... applied as z = M_s⁻¹ r, z -= V (I + U'V)⁻¹ U' z.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FactorizeDenseUpdate(ReadOnlySpan<double> theta)
    {
        var k = _denseColumns.Length;
        for (var i = 0; i < k; i++)
        {
            var j = _denseColumns[i];
            var u = _denseU[i];
            Array.Clear(u);
            var scale = Math.Sqrt(Math.Max(theta[j], 0));
            for (var p = _a.ColumnStart[j]; p < _a.ColumnStart[j + 1]; p++)
            {
                u[_a.RowIndex[p]] = scale * _a.Values[p];
            }

            SparseSolve(u, _denseV[i]);
        }

        for (var r = 0; r < k; r++)
        {
            for (var c = 0; c <= r; c++)
            {
                _capacitance[r * k + c] = Dot(_denseU[r], _denseV[c]) + (r == c ? 1 : 0);
            }
        }

        for (var c = 0; c < k; c++)
        {
            var diagonal = _capacitance[c * k + c];
            for (var q = 0; q < c; q++)
            {
                diagonal -= _capacitance[c * k + q] * _capacitance[c * k + q];
            }

            var pivot = Math.Sqrt(Math.Max(diagonal, 1e-12));
            _capacitance[c * k + c] = pivot;
            for (var r = c + 1; r < k; r++)
            {
                var sum = _capacitance[r * k + c];
                for (var q = 0; q < c; q++)
                {
                    sum -= _capacitance[r * k + q] * _capacitance[c * k + q];
                }

                _capacitance[r * k + c] = sum / pivot;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Solve(ReadOnlySpan<double> rhs, Span<double> solution)
    {
        // Preconditioned conjugate gradients on the full M, preconditioned by the factor of the
        // sparse part; the first step is the plain factor solve, so without dense columns this is
        // one solve plus iterative refinement that stops as soon as the residual is small.
        var r = _residual;
        var d = _direction;
        var z = _preconditioned;
        var q = _product;
        var rhsNorm = 0.0;
        for (var i = 0; i < _m; i++)
        {
            rhsNorm = Math.Max(rhsNorm, Math.Abs(rhs[i]));
        }

        solution[.._m].Clear();
        if (rhsNorm == 0)
        {
            return;
        }

        rhs[.._m].CopyTo(r);
        ApplyPreconditioner(r, z);
        z.CopyTo(d, 0);
        var rz = Dot(r, z);
        var maxSteps = DenseColumnCount > 0 ? 12 : 2;
        for (var step = 0; step < maxSteps; step++)
        {
            Multiply(d, q);
            var dq = Dot(d, q);
            if (!(dq > 0))
            {
                if (step == 0)
                {
                    // Fall back to the plain factor solve.
                    z.CopyTo(solution);
                }

                return;
            }

            var alpha = rz / dq;
            var residualNorm = 0.0;
            for (var i = 0; i < _m; i++)
            {
                solution[i] += alpha * d[i];
                r[i] -= alpha * q[i];
                residualNorm = Math.Max(residualNorm, Math.Abs(r[i]));
            }

            if (residualNorm <= 1e-10 * rhsNorm)
            {
                return;
            }

            ApplyPreconditioner(r, z);
            var rzNext = Dot(r, z);
            var beta = rzNext / rz;
            rz = rzNext;
            for (var i = 0; i < _m; i++)
            {
                d[i] = z[i] + beta * d[i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ApplyPreconditioner(ReadOnlySpan<double> r, Span<double> z)
    {
        SparseSolve(r, z);
        var k = _denseColumns.Length;
        if (k == 0)
        {
            return;
        }

        // t = (I + U'V)⁻¹ U' z;  z -= V t
        var t = _smallWork;
        for (var i = 0; i < k; i++)
        {
            t[i] = Dot(_denseU[i], z);
        }

        for (var i = 0; i < k; i++)
        {
            var sum = t[i];
            for (var q = 0; q < i; q++)
            {
                sum -= _capacitance[i * k + q] * t[q];
            }

            t[i] = sum / _capacitance[i * k + i];
        }

        for (var i = k - 1; i >= 0; i--)
        {
            var sum = t[i];
            for (var q = i + 1; q < k; q++)
            {
                sum -= _capacitance[q * k + i] * t[q];
            }

            t[i] = sum / _capacitance[i * k + i];
        }

        for (var i = 0; i < k; i++)
        {
            var v = _denseV[i];
            var ti = t[i];
            for (var row = 0; row < _m; row++)
            {
                z[row] -= v[row] * ti;
            }
        }
    }

    /// <summary>z = M_s⁻¹ r with the sparse factor (permute, triangular solves, permute back).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SparseSolve(ReadOnlySpan<double> r, Span<double> z)
    {
        var pr = _permuted;
        for (var k = 0; k < _m; k++)
        {
            pr[k] = r[_perm[k]];
        }

        _cholesky.Solve(pr);
        for (var k = 0; k < _m; k++)
        {
            z[_perm[k]] = pr[k];
        }
    }

    /// <summary>q = (A Θ A' + δ I) d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Multiply(ReadOnlySpan<double> d, Span<double> q)
    {
        var t = _columnWork;
        _a.MultiplyTransposed(d, t);
        for (var j = 0; j < t.Length; j++)
        {
            t[j] *= _theta[j];
        }

        _a.Multiply(t, q);
        for (var i = 0; i < _m; i++)
        {
            q[i] += _regularization * d[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}
