using System.Runtime.CompilerServices;

namespace Prescient.Optimization.Ipm;

/// <summary>
/// Warm start from an advanced centre (Gondzio and Grothey, "Reoptimization with the primal-dual interior point
/// method", SIAM J. Optim. 13, 2003): an optimal point sits on the boundary of the old feasible set, where half the
/// products x·z are ~0 and the rest ~1e-9, so a slightly different problem cannot start there without losing its
/// centrality. An iterate from before the end, with a relative gap of 1e-3..1e-2, is still well centred; it is kept, as
/// distances to the bounds rather than positions, and the next, slightly different problem starts from it.
/// </summary>
internal sealed partial class InteriorPointCore
{
    /// <summary>An iterate is kept for the next warm start when its relative gap and residuals are at most this…</summary>
    private const double WarmKeepAbove = 1e-2;

    /// <summary>…and its relative gap at least this (the last such iterate of a run wins).</summary>
    private const double WarmKeepBelow = 1e-3;

    private double[] _warmLowerGap = [];
    private double[] _warmUpperGap = [];
    private double[] _warmZl = [];
    private double[] _warmZu = [];
    private double[] _warmY = [];
    private double _warmMu;
    private bool _warmKept;

    /// <summary>
    /// Allocates the buffers of the advanced-centre warm start (4 columns' and 1 row's worth of doubles): from now on
    /// each run keeps its last iterate with a relative gap between 1e-3 and 1e-2, and a warm-started run begins
    /// there instead of at the previous optimum.
    /// </summary>
    public void KeepWarmPoints()
    {
        if (_warmY.Length == _m && _warmZl.Length == _n)
        {
            return;
        }

        _warmLowerGap = new double[_n];
        _warmUpperGap = new double[_n];
        _warmZl = new double[_n];
        _warmZu = new double[_n];
        _warmY = new double[_m];
        _warmKept = false;
    }

    /// <summary>True when an advanced centre is kept for the next warm start.</summary>
    public bool HasWarmPoint => _warmKept;

    /// <summary>Whether this iterate (gap and residuals just computed) is the one to keep.</summary>
    private bool WarmPointWanted(int iteration) =>
        _warmY.Length == _m
        && iteration > 0
        && RelativeGap <= WarmKeepAbove && RelativeGap >= WarmKeepBelow
        && RelativePrimalResidual <= WarmKeepAbove && RelativeDualResidual <= WarmKeepAbove;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void KeepWarmPoint(double mu)
    {
        var x = X;
        var zl = Zl;
        var zu = Zu;
        for (var j = 0; j < _n; j++)
        {
            // Free and fixed columns keep their position in the lower slot.
            var lo = _l[j];
            var hi = _u[j];
            _warmLowerGap[j] = double.IsFinite(lo) ? x[j] - lo : x[j];
            _warmUpperGap[j] = double.IsFinite(hi) ? hi - x[j] : 0;
            _warmZl[j] = zl[j];
            _warmZu[j] = zu[j];
        }

        Array.Copy(Y, _warmY, _m);
        _warmMu = mu;
        _warmKept = true;
    }

    /// <summary>
    /// Starts from the kept advanced centre's duals y and its mean product μ, and places every column on the central path
    /// of the new data for that y: with r = c - a'y its reduced cost under the new costs, a boxed column of width w gets
    /// xl = min(w/2, μ/r), xu = w - xl, zu = μ/xu, zl = r + zu when r ≥ 0 (mirrored when r &lt; 0), so that its dual
    /// residual is zero and its products lie between μ and 2μ; a one-sided column keeps its kept distance d to its bound
    /// unless its reduced cost asks for a larger dual (then z = r, d = μ/r). What is left is a primal residual, which the
    /// first full Newton step removes. Bands whose breakpoints reordered since the kept point (their cost and width jump)
    /// start as well centred as the others this way; keeping their old x and z put their products 1e6 off the mean.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool LoadWarmPoint()
    {
        var x = X;
        var zl = Zl;
        var zu = Zu;
        var y = Y;
        Array.Copy(_warmY, y, _m);
        var start = _a.ColumnStart;
        var rows = _a.RowIndex;
        var values = _a.Values;
        var mu = Math.Max(_warmMu, 1e-14);
        for (var j = 0; j < _n; j++)
        {
            var kind = _kind[j];
            var lo = _l[j];
            var hi = _u[j];
            if (kind == StandardForm.KindFixed)
            {
                x[j] = lo;
                zl[j] = 0;
                zu[j] = 0;
                continue;
            }

            if (kind == StandardForm.KindFree)
            {
                x[j] = _warmLowerGap[j];
                zl[j] = 0;
                zu[j] = 0;
                continue;
            }

            var r = _c[j];
            for (var k = start[j]; k < start[j + 1]; k++)
            {
                r -= values[k] * y[rows[k]];
            }

            switch (kind)
            {
                case StandardForm.KindBoxed:
                {
                    var width = hi - lo;
                    double xl, xu;
                    if (r >= 0)
                    {
                        xl = r > 0 ? Math.Min(0.5 * width, mu / r) : 0.5 * width;
                        xu = width - xl;
                        zu[j] = mu / xu;
                        zl[j] = r + zu[j];
                    }
                    else
                    {
                        xu = Math.Min(0.5 * width, mu / -r);
                        xl = width - xu;
                        zl[j] = mu / xl;
                        zu[j] = zl[j] - r;
                    }

                    x[j] = lo + xl;
                    break;
                }

                case StandardForm.KindLower:
                {
                    var d = _warmLowerGap[j] > 0 ? _warmLowerGap[j] : 1;
                    var z = mu / d;
                    if (r > z)
                    {
                        z = r;
                        d = mu / r;
                    }

                    x[j] = lo + d;
                    zl[j] = z;
                    zu[j] = 0;
                    break;
                }

                default:
                {
                    var d = _warmUpperGap[j] > 0 ? _warmUpperGap[j] : 1;
                    var z = mu / d;
                    if (-r > z)
                    {
                        z = -r;
                        d = mu / z;
                    }

                    x[j] = hi - d;
                    zu[j] = z;
                    zl[j] = 0;
                    break;
                }
            }

            if (!double.IsFinite(x[j]) || !double.IsFinite(zl[j]) || !double.IsFinite(zu[j]))
            {
                return false;
            }
        }

        return true;
    }
}
