using System.Runtime.CompilerServices;

namespace Prescient.Optimization.Ipm;

/// <summary>
/// Warm start from an advanced centre (Gondzio and Grothey, "Reoptimization with the primal-dual interior point
/// method", SIAM J. Optim. 13, 2003): an optimal point sits on the boundary of the old feasible set, where half the
/// products x·z are ~0 and the rest ~1e-9, so a slightly different problem cannot start there without losing its
/// centrality. An iterate from before the end is still well centred: the last with a relative gap in [1e-3, 1e-2] is
/// kept, as distances to the bounds rather than positions, and the next, slightly different problem starts from it
/// (<see cref="LoadWarmPoint"/>); when that run makes no progress, it starts again from the point's duals alone with
/// every column re-centred a hundred times further inside, and only then cold.
/// </summary>
internal sealed partial class InteriorPointCore
{
    /// <summary>The band of relative gaps an iterate is kept from: its lower end…</summary>
    private const double WarmGapFrom = 1e-3;

    /// <summary>…and its upper end (residuals up to 10× this are accepted).</summary>
    private const double WarmGapTo = 1e-2;

    private WarmPoint? _warmPoint;

    /// <summary>
    /// Allocates the buffers of the advanced-centre warm start (4 columns' and 1 row's worth of doubles): from now on
    /// each run keeps its last iterate with a relative gap in [1e-3, 1e-2], and a warm-started run begins there.
    /// </summary>
    public void EnableWarmStart() => _warmPoint ??= new WarmPoint(_n, _m);

    /// <summary>Keeps this iterate (gap and residuals just computed) when it falls in the band.</summary>
    private void KeepWarmPointIfWanted(int iteration, double mu)
    {
        if (_warmPoint is { } point && iteration > 0
            && RelativeGap >= WarmGapFrom && RelativeGap <= WarmGapTo
            && RelativePrimalResidual <= 10 * WarmGapTo && RelativeDualResidual <= 10 * WarmGapTo)
        {
            Keep(point, mu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Keep(WarmPoint point, double mu)
    {
        var x = X;
        var zl = Zl;
        var zu = Zu;
        for (var j = 0; j < _n; j++)
        {
            // Free and fixed columns keep their position in the lower slot.
            var lo = _l[j];
            var hi = _u[j];
            point.LowerGap[j] = double.IsFinite(lo) ? x[j] - lo : x[j];
            point.UpperGap[j] = double.IsFinite(hi) ? hi - x[j] : 0;
            point.Zl[j] = zl[j];
            point.Zu[j] = zu[j];
        }

        Array.Copy(Y, point.Y, _m);
        point.Mu = mu;
        point.Gap = RelativeGap;
        point.Kept = true;
    }

    /// <summary>
    /// Places the kept point in the new data. With r = c - a'y a column's reduced cost under the new costs (y kept):
    /// <list type="bullet">
    /// <item>a boxed column whose width changed less than 2× and whose dual residual r - zl + zu is under half its
    /// bound duals keeps its relative place in the box and its duals, the residual added to the dual on its side (most
    /// columns: the rows stay nearly satisfied);</item>
    /// <item>any other boxed column — a band whose breakpoints reordered, so that its cost and width jumped — is placed
    /// on the central path of the new data for y: xl = min(w/2, μ/r), xu = w - xl, zu = μ/xu, zl = r + zu when r ≥ 0
    /// (mirrored when r &lt; 0): dual residual zero, products between μ and 2μ (keeping its old x and z put such columns'
    /// products 1e6 off the mean, and the warm start stalled);</item>
    /// <item>a one-sided column keeps its distance d to its bound unless its reduced cost asks for a larger dual
    /// (then z = r, d = μ/r).</item>
    /// </list>
    /// μ is the kept mean product raised, when the point was kept near the bottom of its band, to the band's middle, so
    /// that the run passes through the band again and keeps a fresh point instead of reusing one that ages. With
    /// <paramref name="recentreAll"/> every boxed column is re-centred and μ is a hundred times the kept one (the fallback
    /// when the first attempt made no progress). Distances are measured from the nearer bound, and a distance below the
    /// bounds' rounding unit moves x inside, so that no 1/xl starts infinite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool LoadWarmPoint(WarmPoint point, bool recentreAll)
    {
        Array.Copy(point.Y, Y, _m);
        // Start at the middle of the point's band (geometric), never below where it was kept: the run then passes
        // through the band again and keeps a fresh point for the next cycle, instead of starting from one that ages.
        _passWarm = point;
        _passRecentreAll = recentreAll;
        _passMu = recentreAll
            ? Math.Max(100 * point.Mu, 1e-14)
            : Math.Max(point.Mu * Math.Max(1, Math.Sqrt(WarmGapFrom * WarmGapTo) / Math.Max(point.Gap, 1e-300)), 1e-14);
        RunPass(WarmLoadPass);
        _passWarm = null;
        return Reduce(0, max: true) == 0;
    }

    /// <summary>
    /// The column pass of <see cref="LoadWarmPoint"/> over [<paramref name="from"/>, <paramref name="to"/>), on the
    /// workers like the iteration's passes; <paramref name="acc"/>[0] is set to 1 when a column's start is not finite.
    /// </summary>
    private void LoadWarmRange(int from, int to, Span<double> acc)
    {
        var point = _passWarm!;
        var recentreAll = _passRecentreAll;
        var mu = _passMu;
        var x = X;
        var zl = Zl;
        var zu = Zu;
        var y = Y;
        var start = _a.ColumnStart;
        var rows = _a.RowIndex;
        var values = _a.Values;
        acc[0] = 0;
        for (var j = from; j < to; j++)
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
                x[j] = point.LowerGap[j];
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
                    var dl = point.LowerGap[j];
                    var du = point.UpperGap[j];
                    var keptWidth = dl + du;
                    var residual = r - point.Zl[j] + point.Zu[j];
                    if (!recentreAll && dl > 0 && du > 0 && width > 0.5 * keptWidth && width < 2 * keptWidth
                        && Math.Abs(residual) <= 0.5 * (point.Zl[j] + point.Zu[j]))
                    {
                        // A column whose data barely moved keeps its place (so the rows stay nearly satisfied); the
                        // small dual residual goes into the bound dual on its side.
                        xl = dl / keptWidth * width;
                        xu = width - xl;
                        zl[j] = point.Zl[j] + Math.Max(residual, 0);
                        zu[j] = point.Zu[j] + Math.Max(-residual, 0);
                    }
                    else if (r >= 0)
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

                    // Measured from the nearer bound, so that the small distance survives rounding; a distance below
                    // the bounds' resolution would leave x on the bound (an infinite 1/xl), so it moves inside.
                    x[j] = xl <= xu ? lo + xl : hi - xu;
                    if (!(x[j] - lo > 0 && hi - x[j] > 0))
                    {
                        x[j] = lo + (0.5 * width);
                    }

                    break;
                }

                case StandardForm.KindLower:
                {
                    var d = point.LowerGap[j] > 0 ? point.LowerGap[j] : 1;
                    var z = mu / d;
                    if (r > z)
                    {
                        z = r;
                        d = mu / r;
                    }

                    x[j] = lo + d;
                    if (!(x[j] - lo > 0))
                    {
                        x[j] = lo + Math.Max(1e-12 * Math.Abs(lo), 1e-12);
                    }

                    zl[j] = z;
                    zu[j] = 0;
                    break;
                }

                default:
                {
                    var d = point.UpperGap[j] > 0 ? point.UpperGap[j] : 1;
                    var z = mu / d;
                    if (-r > z)
                    {
                        z = -r;
                        d = mu / z;
                    }

                    x[j] = hi - d;
                    if (!(hi - x[j] > 0))
                    {
                        x[j] = hi - Math.Max(1e-12 * Math.Abs(hi), 1e-12);
                    }

                    zu[j] = z;
                    zl[j] = 0;
                    break;
                }
            }

            if (!double.IsFinite(x[j]) || !double.IsFinite(zl[j]) || !double.IsFinite(zu[j]))
            {
                acc[0] = 1;
                return;
            }
        }
    }

    /// <summary>An iterate kept for warm starts: y, per column its distances to the bounds and its bound duals, μ.</summary>
    private sealed class WarmPoint(int n, int m)
    {
        public readonly double[] LowerGap = new double[n];
        public readonly double[] UpperGap = new double[n];
        public readonly double[] Zl = new double[n];
        public readonly double[] Zu = new double[n];
        public readonly double[] Y = new double[m];
        public double Mu;
        public double Gap;
        public bool Kept;
    }
}
