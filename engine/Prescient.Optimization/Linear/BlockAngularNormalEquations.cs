using System.Runtime.CompilerServices;
using Prescient.Abstractions.Threading;
using Prescient.Optimization.Ipm;

namespace Prescient.Optimization.Linear;

/// <summary>
/// Structured path for block-angular matrices: with the block rows first and the linking rows last,
/// <code>
///   M = A Θ A' + δ I = [ D  B ]     D = blockdiag(D_1..D_K) (one small dense block per block of rows)
///                      [ B' L ]     L = linking × linking (dense, small)
/// </code>
/// D_b = L_b L_b' is factorized per block, W_b = L_b⁻¹ B_b, and the Schur complement S = L - Σ_b W_b' W_b
/// is factorized densely. A solve is t = L⁻¹ r_B, y_L = S⁻¹ (r_L - W' t), y_B = L⁻ᵀ (t - W y_L).
/// Work per iteration is O(nonzeros · linking rows); all buffers are allocated in the constructor.
/// </summary>
internal sealed class BlockAngularNormalEquations : INormalEquationsSolver
{
    private const double PivotTolerance = 1e-13;
    private const double HugePivot = 1e128;

    private readonly SparseMatrix _a;
    private readonly BlockStructure _structure;
    private readonly int _linking;
    private readonly int[] _entryTarget;     // per entry of A: local index in its block (>= 0) or -(l+1) for linking row l
    private readonly int[] _columnBlock;     // per column: its block or -1
    private readonly int[] _blockMatrixStart; // per block: offset of its k×k dense matrix
    private readonly double[] _blockMatrix;
    private readonly double[] _blockDiagonal; // original diagonals, for the pivot test
    private readonly double[] _coupling;     // per block row (in block order): nL values of B, overwritten by W
    private readonly double[] _schur;
    private readonly double[] _schurDiagonal;
    private readonly double[] _t;
    private readonly double[] _linkingRhs;
    private readonly int[] _positionOfRow;   // row -> position in block order

    // Fast path for columns with at most one block entry and one linking entry (every column of the
    // allocation LP): the entry positions in A and the targets of their three products.
    private readonly int[] _blockEntry;      // position in A of the block entry, -1 none, -2 = generic column
    private readonly int[] _linkEntry;       // position in A of the linking entry, -1 none
    private readonly int[] _diagonalTarget;  // index in _blockMatrix of the block entry's diagonal
    private readonly int[] _couplingTarget;  // index in _coupling, -1 none
    private readonly int[] _linkOf;          // linking row index, -1 none

    public BlockAngularNormalEquations(SparseMatrix a, BlockStructure structure)
    {
        _a = a;
        _structure = structure;
        _linking = structure.LinkingRows.Length;
        _entryTarget = new int[a.NonZeroCount];
        _columnBlock = new int[a.ColumnCount];
        _positionOfRow = new int[a.RowCount];
        for (var b = 0; b < structure.BlockCount; b++)
        {
            for (var k = structure.BlockStart[b]; k < structure.BlockStart[b + 1]; k++)
            {
                _positionOfRow[structure.BlockRows[k]] = k;
            }
        }

        for (var j = 0; j < a.ColumnCount; j++)
        {
            _columnBlock[j] = -1;
            for (var p = a.ColumnStart[j]; p < a.ColumnStart[j + 1]; p++)
            {
                var i = a.RowIndex[p];
                var b = structure.BlockOf[i];
                if (b < 0)
                {
                    _entryTarget[p] = -(structure.LocalIndex[i] + 1);
                }
                else
                {
                    _entryTarget[p] = structure.LocalIndex[i];
                    _columnBlock[j] = b;
                }
            }
        }

        _blockMatrixStart = new int[structure.BlockCount + 1];
        for (var b = 0; b < structure.BlockCount; b++)
        {
            var k = structure.BlockStart[b + 1] - structure.BlockStart[b];
            _blockMatrixStart[b + 1] = _blockMatrixStart[b] + k * k;
        }

        _blockEntry = new int[a.ColumnCount];
        _linkEntry = new int[a.ColumnCount];
        _diagonalTarget = new int[a.ColumnCount];
        _couplingTarget = new int[a.ColumnCount];
        _linkOf = new int[a.ColumnCount];
        for (var j = 0; j < a.ColumnCount; j++)
        {
            int blockEntries = 0, linkEntries = 0, pb = -1, pl = -1;
            for (var p = a.ColumnStart[j]; p < a.ColumnStart[j + 1]; p++)
            {
                if (_entryTarget[p] >= 0)
                {
                    blockEntries++;
                    pb = p;
                }
                else
                {
                    linkEntries++;
                    pl = p;
                }
            }

            _linkOf[j] = pl >= 0 ? -_entryTarget[pl] - 1 : -1;
            _couplingTarget[j] = -1;
            if (blockEntries > 1 || linkEntries > 1)
            {
                _blockEntry[j] = -2;
                _linkEntry[j] = -1;
                continue;
            }

            _blockEntry[j] = pb;
            _linkEntry[j] = pl;
            if (pb >= 0)
            {
                var b = _columnBlock[j];
                var k = structure.BlockStart[b + 1] - structure.BlockStart[b];
                var local = _entryTarget[pb];
                _diagonalTarget[j] = _blockMatrixStart[b] + (local * k) + local;
                if (pl >= 0)
                {
                    _couplingTarget[j] = ((structure.BlockStart[b] + local) * _linking) + _linkOf[j];
                }
            }
        }

        _blockMatrix = new double[_blockMatrixStart[^1]];
        _blockDiagonal = new double[structure.BlockRows.Length];
        _coupling = new double[structure.BlockRows.Length * _linking];
        _schur = new double[_linking * _linking];
        _schurDiagonal = new double[_linking];
        _t = new double[structure.BlockRows.Length];
        _linkingRhs = new double[_linking];
    }

    public string Name => "structured";

    public int ReplacedPivots { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Factorize(double[] theta, double regularization)
    {
        Array.Clear(_blockMatrix);
        Array.Clear(_coupling);
        Array.Clear(_schur);
        Array.Fill(_schurDiagonal, regularization);
        if (_team is { } team && _a.ColumnCount >= MinColumnsPerWorker * team.Count)
        {
            // The sweep over the columns on the workers, each into its own copy of the sums (worker 0 into these),
            // added together after.
            for (var w = 1; w < team.Count; w++)
            {
                Array.Clear(_blockMatrixOf[w]);
                Array.Clear(_couplingOf[w]);
                Array.Clear(_schurOf[w]);
                Array.Clear(_schurDiagonalOf[w]);
            }

            _sweepTheta = theta;
            team.Run(_sweepPart!);
            _sweepTheta = null;
            for (var w = 1; w < team.Count; w++)
            {
                Add(_blockMatrix, _blockMatrixOf[w]);
                Add(_coupling, _couplingOf[w]);
                Add(_schur, _schurOf[w]);
                Add(_schurDiagonal, _schurDiagonalOf[w]);
            }
        }
        else
        {
            Sweep(theta, 0, _a.ColumnCount, _blockMatrix, _coupling, _schur, _schurDiagonal);
        }

        return FactorizeSums(regularization);
    }

    private const int MinColumnsPerWorker = 20_000;
    private WorkerTeam? _team;
    private double[][] _blockMatrixOf = [];
    private double[][] _couplingOf = [];
    private double[][] _schurOf = [];
    private double[][] _schurDiagonalOf = [];
    private double[]? _sweepTheta;
    private Action<int>? _sweepPart;

    /// <summary>Shares the sweep of <see cref="Factorize"/> over <paramref name="team"/> on a large model (each worker sums into its own copy).</summary>
    internal void UseWorkers(WorkerTeam? team)
    {
        _team = team;
        var count = team?.Count ?? 1;
        _blockMatrixOf = new double[count][];
        _couplingOf = new double[count][];
        _schurOf = new double[count][];
        _schurDiagonalOf = new double[count][];
        for (var w = 1; w < count; w++)
        {
            _blockMatrixOf[w] = new double[_blockMatrix.Length];
            _couplingOf[w] = new double[_coupling.Length];
            _schurOf[w] = new double[_schur.Length];
            _schurDiagonalOf[w] = new double[_schurDiagonal.Length];
        }

        _sweepPart = SweepPart;
    }

    private void SweepPart(int worker)
    {
        var count = _team!.Count;
        var n = _a.ColumnCount;
        var from = (int)((long)n * worker / count);
        var to = (int)((long)n * (worker + 1) / count);
        if (worker == 0)
        {
            Sweep(_sweepTheta!, from, to, _blockMatrix, _coupling, _schur, _schurDiagonal);
        }
        else
        {
            Sweep(_sweepTheta!, from, to, _blockMatrixOf[worker], _couplingOf[worker], _schurOf[worker], _schurDiagonalOf[worker]);
        }
    }

    private static void Add(double[] into, double[] values)
    {
        for (var i = 0; i < into.Length; i++)
        {
            into[i] += values[i];
        }
    }

    /// <summary>A Θ A' of columns [from, to): the blocks' entries, the coupling B and the linking part, added into the given sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Sweep(double[] theta, int from, int to, double[] blockMatrixSum, double[] couplingSum, double[] schurSum, double[] schurDiagonalSum)
    {
        var nl = _linking;
        var cs = _a.ColumnStart;
        var values = _a.Values;
        var blockStart = _structure.BlockStart;
        for (var j = from; j < to; j++)
        {
            var t = theta[j];
            if (t == 0)
            {
                continue;
            }

            var pb = _blockEntry[j];
            if (pb != -2)
            {
                var pl = _linkEntry[j];
                var vl = pl >= 0 ? values[pl] : 0;
                if (pb >= 0)
                {
                    var vb = t * values[pb];
                    blockMatrixSum[_diagonalTarget[j]] += vb * values[pb];
                    if (pl >= 0)
                    {
                        couplingSum[_couplingTarget[j]] += vb * vl;
                    }
                }

                if (pl >= 0)
                {
                    var l = _linkOf[j];
                    var d = t * vl * vl;
                    schurSum[(l * nl) + l] += d;
                    schurDiagonalSum[l] += d;
                }

                continue;
            }

            var b = _columnBlock[j];
            var k = b >= 0 ? blockStart[b + 1] - blockStart[b] : 0;
            var matrix = b >= 0 ? _blockMatrixStart[b] : 0;
            var rowBase = b >= 0 ? blockStart[b] : 0;
            for (var p = cs[j]; p < cs[j + 1]; p++)
            {
                var tp = _entryTarget[p];
                var vp = t * values[p];
                for (var q = cs[j]; q <= p; q++)
                {
                    var tq = _entryTarget[q];
                    var product = vp * values[q];
                    if (tp >= 0 && tq >= 0)
                    {
                        var (r, c) = tp >= tq ? (tp, tq) : (tq, tp);
                        blockMatrixSum[matrix + r * k + c] += product;
                    }
                    else if (tp < 0 && tq < 0)
                    {
                        var l1 = -tp - 1;
                        var l2 = -tq - 1;
                        var (r, c) = l1 >= l2 ? (l1, l2) : (l2, l1);
                        schurSum[r * nl + c] += product;
                        if (p == q)
                        {
                            // Diagonal of L before the Schur subtraction: the scale of the Schur pivot test.
                            schurDiagonalSum[l1] += product;
                        }
                    }
                    else
                    {
                        var local = tp >= 0 ? tp : tq;
                        var link = tp >= 0 ? -tq - 1 : -tp - 1;
                        couplingSum[(rowBase + local) * nl + link] += product;
                    }
                }
            }
        }
    }

    /// <summary>The factorization proper, from the sums of the sweep: each block's dense Cholesky, W and the Schur complement.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool FactorizeSums(double regularization)
    {
        var s = _structure;
        var nl = _linking;
        var blockStart = s.BlockStart;
        var replaced = 0;
        for (var b = 0; b < s.BlockCount; b++)
        {
            var k = blockStart[b + 1] - blockStart[b];
            var matrix = _blockMatrixStart[b];
            for (var r = 0; r < k; r++)
            {
                _blockMatrix[matrix + r * k + r] += regularization;
                _blockDiagonal[blockStart[b] + r] = _blockMatrix[matrix + r * k + r];
            }

            if (!DenseCholesky(_blockMatrix.AsSpan(matrix, k * k), k, _blockDiagonal.AsSpan(blockStart[b], k), ref replaced))
            {
                return false;
            }

            if (nl == 0)
            {
                continue;
            }

            // W_b = L_b⁻¹ B_b (forward substitution, one linking column at a time), S -= W_b' W_b.
            var w = _coupling.AsSpan(blockStart[b] * nl, k * nl);
            for (var r = 0; r < k; r++)
            {
                var diagonal = _blockMatrix[matrix + r * k + r];
                for (var l = 0; l < nl; l++)
                {
                    var sum = w[r * nl + l];
                    for (var c = 0; c < r; c++)
                    {
                        sum -= _blockMatrix[matrix + r * k + c] * w[c * nl + l];
                    }

                    w[r * nl + l] = sum / diagonal;
                }
            }

            for (var r = 0; r < k; r++)
            {
                var row = w.Slice(r * nl, nl);
                for (var l1 = 0; l1 < nl; l1++)
                {
                    var v = row[l1];
                    if (v == 0)
                    {
                        continue;
                    }

                    for (var l2 = 0; l2 <= l1; l2++)
                    {
                        _schur[l1 * nl + l2] -= v * row[l2];
                    }
                }
            }
        }

        for (var l = 0; l < nl; l++)
        {
            _schur[l * nl + l] += regularization;
        }

        if (!DenseCholesky(_schur, nl, _schurDiagonal, ref replaced))
        {
            return false;
        }

        ReplacedPivots = replaced;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Solve(ReadOnlySpan<double> rhs, Span<double> solution)
    {
        var s = _structure;
        var nl = _linking;
        var t = _t;
        var blockStart = s.BlockStart;
        for (var l = 0; l < nl; l++)
        {
            _linkingRhs[l] = rhs[s.LinkingRows[l]];
        }

        // t = L_b⁻¹ r_b; r_L -= W_b' t
        for (var b = 0; b < s.BlockCount; b++)
        {
            var k = blockStart[b + 1] - blockStart[b];
            var matrix = _blockMatrixStart[b];
            var start = blockStart[b];
            for (var r = 0; r < k; r++)
            {
                var sum = rhs[s.BlockRows[start + r]];
                for (var c = 0; c < r; c++)
                {
                    sum -= _blockMatrix[matrix + r * k + c] * t[start + c];
                }

                var v = sum / _blockMatrix[matrix + r * k + r];
                t[start + r] = v;
                if (nl > 0 && v != 0)
                {
                    var w = (start + r) * nl;
                    for (var l = 0; l < nl; l++)
                    {
                        _linkingRhs[l] -= _coupling[w + l] * v;
                    }
                }
            }
        }

        // y_L = S⁻¹ (r_L - W' t)
        DenseSolve(_schur, nl, _linkingRhs);
        for (var l = 0; l < nl; l++)
        {
            solution[s.LinkingRows[l]] = _linkingRhs[l];
        }

        // y_b = L_b⁻ᵀ (t - W_b y_L)
        for (var b = 0; b < s.BlockCount; b++)
        {
            var k = blockStart[b + 1] - blockStart[b];
            var matrix = _blockMatrixStart[b];
            var start = blockStart[b];
            for (var r = 0; r < k; r++)
            {
                var sum = t[start + r];
                var w = (start + r) * nl;
                for (var l = 0; l < nl; l++)
                {
                    sum -= _coupling[w + l] * _linkingRhs[l];
                }

                t[start + r] = sum;
            }

            for (var r = k - 1; r >= 0; r--)
            {
                var sum = t[start + r];
                for (var c = r + 1; c < k; c++)
                {
                    sum -= _blockMatrix[matrix + c * k + r] * t[start + c];
                }

                var v = sum / _blockMatrix[matrix + r * k + r];
                t[start + r] = v;
                solution[s.BlockRows[start + r]] = v;
            }
        }
    }

    /// <summary>In-place lower Cholesky of a row-major k×k matrix (lower triangle used); tiny pivots become huge.</summary>
    private static bool DenseCholesky(Span<double> a, int k, ReadOnlySpan<double> originalDiagonal, ref int replaced)
    {
        for (var j = 0; j < k; j++)
        {
            var d = a[j * k + j];
            for (var c = 0; c < j; c++)
            {
                d -= a[j * k + c] * a[j * k + c];
            }

            if (double.IsNaN(d))
            {
                return false;
            }

            if (!(d > PivotTolerance * Math.Max(Math.Abs(originalDiagonal[j]), 1e-300)) || double.IsInfinity(d))
            {
                d = HugePivot;
                replaced++;
            }

            var pivot = Math.Sqrt(d);
            a[j * k + j] = pivot;
            for (var r = j + 1; r < k; r++)
            {
                var sum = a[r * k + j];
                for (var c = 0; c < j; c++)
                {
                    sum -= a[r * k + c] * a[j * k + c];
                }

                a[r * k + j] = sum / pivot;
            }
        }

        return true;
    }

    private static void DenseSolve(ReadOnlySpan<double> a, int k, Span<double> b)
    {
        for (var r = 0; r < k; r++)
        {
            var sum = b[r];
            for (var c = 0; c < r; c++)
            {
                sum -= a[r * k + c] * b[c];
            }

            b[r] = sum / a[r * k + r];
        }

        for (var r = k - 1; r >= 0; r--)
        {
            var sum = b[r];
            for (var c = r + 1; c < k; c++)
            {
                sum -= a[c * k + r] * b[c];
            }

            b[r] = sum / a[r * k + r];
        }
    }
}
