using System.Runtime.CompilerServices;

namespace Prescient.Optimization.Ipm;

/// <summary>
/// The column passes of an iteration, each over a range of columns so that workers can share them.
/// </summary>
/// <remarks>
/// The passes are memory-bound: on the allocation LP (1.5 nonzeros per column) a pass costs what it reads and
/// writes per column, not its flops. So nothing is stored that a pass can recompute from what it reads anyway:
/// xl = x - l, xu = u - x and their inverses come from x and the bounds (one division each, the same bits as a
/// stored copy), and the affine direction is recomputed from A'dy_aff by pass 3 rather than written by pass 2
/// and read back. An iteration without Gondzio correctors makes three passes: evaluate, affine (which also forms
/// the corrector's right-hand side, see <see cref="AffineRange"/>), corrector. Every array a pass touches is loaded into a local first: the fields and the
/// double-buffered point (<see cref="X"/> is <c>_xBuffers[_current]</c>) are not dereferenced per column.
/// The passes index pinned pointers: a pass holds up to twenty arrays, more than the registers, and with
/// bounds checks each access reloaded an array and its length from the stack. The indices are in range by
/// construction: columns in [0, n) of n-long arrays, CSC positions below ColumnStart[n] (checked by
/// <see cref="Linear.SparseMatrix"/>), row indices below m, the length of every row buffer.
/// The ratio tests go through <see cref="StepLimit"/>.
/// </remarks>
internal sealed partial class InteriorPointCore
{
    /// <summary>
    /// Pass 1: applies the pending step (x = x₀ + αp dx, z = z₀ + αd dz), then A x, rd = c - A'y - zl + zu, the
    /// objectives, μ's sums, Θ = 1/(zl/xl + zu/xu + ρ), the predictor's A Θ r̂ with r̂ = rd + zl - zu, and the
    /// corrector's target part A Θ q with q = 1/xu - 1/xl (see <see cref="AffineRange"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void EvaluateRange(int from, int to, double[] ax, double[] rhs, double[] targetRhs, Span<double> acc)
    {
        var alphaPrimal = _passAlphaPrimal;
        var alphaDual = _passAlphaDual;
        var stepping = alphaPrimal != 0 || alphaDual != 0;
        double primal = 0, dual = 0, complementarity = 0, xMax = 0, zMax = 0, rdMax = 0;
        var count = 0;
        fixed (int* cs = _a.ColumnStart, ri = _a.RowIndex)
        fixed (byte* kinds = _kind)
        fixed (double* av = _a.Values, x = X, y = Y, zl = Zl, zu = Zu, xFrom = _xBuffers[_source],
            zlFrom = _zlBuffers[_source], zuFrom = _zuBuffers[_source], dxs = _dx, dzls = _dzl, dzus = _dzu, cost = _c,
            lower = _l, upper = _u, rds = _rd, thetas = _theta, axP = ax, rhsP = rhs, targetRhsP = targetRhs)
        {
            for (var j = from; j < to; j++)
            {
                if (stepping)
                {
                    x[j] = xFrom[j] + (alphaPrimal * dxs[j]);
                    zl[j] = zlFrom[j] + (alphaDual * dzls[j]);
                    zu[j] = zuFrom[j] + (alphaDual * dzus[j]);
                }

                var xj = x[j];
                var aty = 0.0;
                var start = cs[j];
                var end = cs[j + 1];
                for (var p = start; p < end; p++)
                {
                    var r = ri[p];
                    aty += av[p] * y[r];
                    axP[r] += av[p] * xj;
                }

                primal += cost[j] * xj;
                xMax = MaxKeepingNaN(xMax, Math.Abs(xj));
                var kind = kinds[j];
                if (kind == StandardForm.KindFixed)
                {
                    dual += lower[j] * (cost[j] - aty);
                    rds[j] = 0;
                    thetas[j] = 0;
                    continue;
                }

                var rd = cost[j] - aty;
                double inverse;
                double rhat;
                double q;
                switch (kind)
                {
                    case StandardForm.KindLower:
                    {
                        var xl = xj - lower[j];
                        if (!(xl > 0))
                        {
                            (xj, xl) = Inside(x, j, lower[j], up: true);
                        }

                        var z = zl[j];
                        var ixl = 1 / xl;
                        rd -= z;
                        dual += lower[j] * z;
                        complementarity += xl * z;
                        count++;
                        zMax = MaxKeepingNaN(zMax, z);
                        inverse = z * ixl;
                        rhat = rd + z;
                        q = -ixl;
                        break;
                    }

                    case StandardForm.KindUpper:
                    {
                        var xu = upper[j] - xj;
                        if (!(xu > 0))
                        {
                            (xj, xu) = Inside(x, j, upper[j], up: false);
                        }

                        var z = zu[j];
                        var ixu = 1 / xu;
                        rd += z;
                        dual -= upper[j] * z;
                        complementarity += xu * z;
                        count++;
                        zMax = MaxKeepingNaN(zMax, z);
                        inverse = z * ixu;
                        rhat = rd - z;
                        q = ixu;
                        break;
                    }

                    case StandardForm.KindBoxed:
                    {
                        var xl = xj - lower[j];
                        var xu = upper[j] - xj;
                        if (!(xl > 0) || !(xu > 0))
                        {
                            (xj, _) = Inside(x, j, xl > 0 ? upper[j] : lower[j], up: !(xl > 0));
                            xl = xj - lower[j];
                            xu = upper[j] - xj;
                        }

                        var a = zl[j];
                        var b = zu[j];
                        var ixl = 1 / xl;
                        var ixu = 1 / xu;
                        rd += b - a;
                        dual += (lower[j] * a) - (upper[j] * b);
                        complementarity += (xl * a) + (xu * b);
                        count += 2;
                        zMax = MaxKeepingNaN(zMax, MaxKeepingNaN(a, b));
                        inverse = (a * ixl) + (b * ixu);
                        rhat = rd + a - b;
                        q = ixu - ixl;
                        break;
                    }

                    default:
                        inverse = FreeRegularization;
                        rhat = rd;
                        q = 0;
                        break;
                }

                rds[j] = rd;
                rdMax = MaxKeepingNaN(rdMax, Math.Abs(rd));
                var theta = 1 / (inverse + PrimalRegularization);
                thetas[j] = theta;
                var t = theta * rhat;
                var tq = theta * q;
                for (var p = start; p < end; p++)
                {
                    var r = ri[p];
                    rhsP[r] += av[p] * t;
                    targetRhsP[r] += av[p] * tq;
                }
            }

            acc[0] = primal;
            acc[1] = dual;
            acc[2] = complementarity;
            acc[3] = xMax;
            acc[4] = zMax;
            acc[5] = count;
            acc[6] = rdMax;
        }
    }

    /// <summary>
    /// The ratio test of one bound: lowers <paramref name="alpha"/> to the largest step that a variable at
    /// <paramref name="distance"/> from its bound can take when the step moves it <paramref name="toward"/> the bound per
    /// unit. The sign of a step component is a coin toss: tested on its own (<c>&amp;&amp;</c>) it was a mispredicted branch
    /// per bound and pass, so both comparisons are combined into one rarely true test, whose branch is predicted, and
    /// there is no division unless the limit moves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StepLimit(ref double alpha, double distance, double toward)
    {
        if ((toward > 0) & (distance < alpha * toward))
        {
            alpha = distance / toward;
        }
    }

    /// <summary>
    /// A step of 0.9995 of the way to a bound keeps x inside in exact arithmetic, but near the end a distance below the
    /// bound's rounding unit (a slack 1e-14 under a capacity of 100) rounds to 0 and 1/xl to infinity: x moves to the
    /// nearest representable value inside, and the distance that goes with it is returned.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe (double X, double Distance) Inside(double* x, int j, double bound, bool up)
    {
        var inside = up ? Math.BitIncrement(bound) : Math.BitDecrement(bound);
        x[j] = inside;
        return (inside, up ? inside - bound : bound - inside);
    }

    /// <summary>
    /// max(<paramref name="max"/>, <paramref name="v"/>) that keeps a NaN once it has seen one, as <see cref="Math.Max(double, double)"/>
    /// does (the divergence and NaN checks rely on it), without Math.Max's ordering of signed zeros, which the
    /// passes do not need and which costs a dozen instructions per call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double MaxKeepingNaN(double max, double v) => v > max || double.IsNaN(v) ? v : max;

    /// <summary>The affine (predictor) residual r̂ = rd + zl - zu of a column (target products 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double AffineRhat(byte kind, double rd, double zl, double zu) => kind switch
    {
        StandardForm.KindLower => rd + zl,
        StandardForm.KindUpper => rd - zu,
        StandardForm.KindBoxed => rd + zl - zu,
        _ => rd,
    };

    /// <summary>
    /// Pass 2: the affine direction dx = Θ(A'dy_aff - r̂), dzl = -zl - zl dx/xl, dzu = -zu + zu dx/xu, its
    /// ratio tests and the sums for μ_aff, and the corrector's right-hand side but for its target σμ, which
    /// needs these sums first. The corrector's r̂ = rd - rl/xl + ru/xu, with rl = σμ - xl zl - dx dzl and
    /// ru = σμ - xu zu + dx dzu, is linear in σμ:
    /// <code>
    ///   r̂ = p + σμ q,   p = rd + (xl zl + dx dzl)/xl - (xu zu - dx dzu)/xu,   q = 1/xu - 1/xl
    /// </code>
    /// so A Θ r̂ = A Θ p + σμ A Θ q: this pass adds A Θ p into the worker's row buffer, pass 1 formed A Θ q,
    /// and no separate pass over the columns is needed for the corrector's right-hand side. Nothing per
    /// column is stored: pass 3 recomputes the affine direction from dy_aff, which costs less than reading
    /// it back from memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void AffineRange(int from, int to, double[] rhs, Span<double> acc)
    {
        double ap = double.PositiveInfinity, ad = double.PositiveInfinity;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var count = 0;
        fixed (int* cs = _a.ColumnStart, ri = _a.RowIndex)
        fixed (byte* kinds = _kind)
        fixed (double* av = _a.Values, dyAffine = _dyAffine, thetas = _theta, rds = _rd, x = X, lower = _l, upper = _u,
            zls = Zl, zus = Zu, rhsP = rhs)
        {
            for (var j = from; j < to; j++)
            {
                var kind = kinds[j];
                if (kind == StandardForm.KindFixed)
                {
                    continue;
                }

                var aty = 0.0;
                var end = cs[j + 1];
                for (var p = cs[j]; p < end; p++)
                {
                    aty += av[p] * dyAffine[ri[p]];
                }

                var xj = x[j];
                var zlj = zls[j];
                var zuj = zus[j];
                var theta = thetas[j];
                var rd = rds[j];
                var dx = theta * (aty - AffineRhat(kind, rd, zlj, zuj));
                var pj = rd;
                if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
                {
                    var xl = xj - lower[j];
                    var z = zlj;
                    var ixl = 1 / xl;
                    var dzl = -z - (z * dx * ixl);
                    pj += ((xl * z) + (dx * dzl)) * ixl;
                    StepLimit(ref ap, xl, -dx);

                    StepLimit(ref ad, z, -dzl);

                    s0 += xl * z;
                    s1 += dx * z;
                    s2 += xl * dzl;
                    s3 += dx * dzl;
                    count++;
                }

                if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
                {
                    var xu = upper[j] - xj;
                    var z = zuj;
                    var ixu = 1 / xu;
                    var dzu = -z + (z * dx * ixu);
                    pj -= ((xu * z) - (dx * dzu)) * ixu;
                    StepLimit(ref ap, xu, dx);

                    StepLimit(ref ad, z, -dzu);

                    s0 += xu * z;
                    s1 -= dx * z;
                    s2 += xu * dzu;
                    s3 -= dx * dzu;
                    count++;
                }

                var t = theta * pj;
                for (var p = cs[j]; p < end; p++)
                {
                    rhsP[ri[p]] += av[p] * t;
                }
            }

            acc[0] = ap;
            acc[1] = ad;
            acc[2] = s0;
            acc[3] = s1;
            acc[4] = s2;
            acc[5] = s3;
            acc[6] = count;
        }
    }

    /// <summary>
    /// The corrector's r̂ = rd - rl/xl + ru/xu of a column, with rl = σμ - xl zl - dx_aff dzl_aff and
    /// ru = σμ - xu zu + dx_aff dzu_aff (the affine direction recomputed from A'dy_aff = <paramref name="atyAffine"/>).
    /// <paramref name="ixl"/> and <paramref name="ixu"/> come back as 1/xl and 1/xu (0 on a side without a bound).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double CorrectorRhat(
        byte kind, double theta, double rd, double xl, double xu, double zl, double zu, double atyAffine, double target,
        out double rl, out double ru, out double ixl, out double ixu)
    {
        var dxa = theta * (atyAffine - AffineRhat(kind, rd, zl, zu));
        var rhat = rd;
        rl = 0;
        ru = 0;
        ixl = 0;
        ixu = 0;
        if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
        {
            ixl = 1 / xl;
            var dzla = -zl - (zl * dxa * ixl);
            rl = target - (xl * zl) - (dxa * dzla);
            rhat -= rl * ixl;
        }

        if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
        {
            ixu = 1 / xu;
            var dzua = -zu + (zu * dxa * ixu);
            ru = target - (xu * zu) + (dxa * dzua);
            rhat += ru * ixu;
        }

        return rhat;
    }

    /// <summary>
    /// Pass 3: corrector direction dx = Θ(A'dy - r̂), dzl = (rl - zl dx)/xl, dzu = (ru + zu dx)/xu and its ratio
    /// tests; rl and ru are kept for the Gondzio correctors when there are any.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void CorrectorRange(int from, int to, Span<double> acc)
    {
        var target = _passTarget;
        var keepTargets = _passKeepTargets;
        double ap = double.PositiveInfinity, ad = double.PositiveInfinity;
        fixed (int* cs = _a.ColumnStart, ri = _a.RowIndex)
        fixed (byte* kinds = _kind)
        fixed (double* av = _a.Values, dy = _dy, dyAffine = _dyAffine, thetas = _theta, rds = _rd, x = X, lower = _l,
            upper = _u, zls = Zl, zus = Zu, dxs = _dx, dzls = _dzl, dzus = _dzu, rls = _rl, rus = _ru)
        {
            for (var j = from; j < to; j++)
            {
                var kind = kinds[j];
                if (kind == StandardForm.KindFixed)
                {
                    dxs[j] = 0;
                    dzls[j] = 0;
                    dzus[j] = 0;
                    if (keepTargets)
                    {
                        rls[j] = 0;
                        rus[j] = 0;
                    }

                    continue;
                }

                var aty = 0.0;
                var atyAffine = 0.0;
                var end = cs[j + 1];
                for (var p = cs[j]; p < end; p++)
                {
                    var r = ri[p];
                    aty += av[p] * dy[r];
                    atyAffine += av[p] * dyAffine[r];
                }

                var xj = x[j];
                var xl = xj - lower[j];
                var xu = upper[j] - xj;
                var zl = zls[j];
                var zu = zus[j];
                var theta = thetas[j];
                var rhat = CorrectorRhat(kind, theta, rds[j], xl, xu, zl, zu, atyAffine, target, out var rl, out var ru, out var ixl, out var ixu);
                if (keepTargets)
                {
                    rls[j] = rl;
                    rus[j] = ru;
                }

                var dx = theta * (aty - rhat);
                dxs[j] = dx;
                double dzl = 0, dzu = 0;
                if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
                {
                    dzl = (rl - (zl * dx)) * ixl;
                    StepLimit(ref ap, xl, -dx);

                    StepLimit(ref ad, zl, -dzl);
                }

                if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
                {
                    dzu = (ru + (zu * dx)) * ixu;
                    StepLimit(ref ap, xu, dx);

                    StepLimit(ref ad, zu, -dzu);
                }

                dzls[j] = dzl;
                dzus[j] = dzu;
            }

            acc[0] = ap;
            acc[1] = ad;
        }
    }

    /// <summary>
    /// Pass 4, a Gondzio corrector's right-hand side: trial targets rl' = rl + c(vl), ru' = ru + c(vu), with vl, vu
    /// the products at the enlarged trial step and c the push back into [βmin σμ, βmax σμ], then
    /// r̂ = rd - rl'/xl + ru'/xu and A Θ r̂ into this worker's row buffer (worker 0's starts as rp).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void CenteringRhsRange(int from, int to, double[] rhs)
    {
        var apTarget = _passTrialAlphaPrimal;
        var adTarget = _passTrialAlphaDual;
        var low = CenteringBetaMin * _passTarget;
        var high = CenteringBetaMax * _passTarget;
        fixed (int* cs = _a.ColumnStart, ri = _a.RowIndex)
        fixed (byte* kinds = _kind)
        fixed (double* av = _a.Values, thetas = _theta, rds = _rd, x = X, lower = _l, upper = _u, zls = Zl, zus = Zu,
            dxs = _dx, dzls = _dzl, dzus = _dzu, rls = _rl, rus = _ru, rlTrials = _rlTrial, ruTrials = _ruTrial,
            rhsP = rhs)
        {
            for (var j = from; j < to; j++)
            {
                var kind = kinds[j];
                var rl = rls[j];
                var ru = rus[j];
                var r = rds[j];
                if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
                {
                    var xl = x[j] - lower[j];
                    var v = (xl + apTarget * dxs[j]) * (zls[j] + adTarget * dzls[j]);
                    rl += CenteringTerm(v, low, high);
                    r -= rl / xl;
                }

                if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
                {
                    var xu = upper[j] - x[j];
                    var v = (xu - apTarget * dxs[j]) * (zus[j] + adTarget * dzus[j]);
                    ru += CenteringTerm(v, low, high);
                    r += ru / xu;
                }

                rlTrials[j] = rl;
                ruTrials[j] = ru;
                var t = thetas[j] * r;
                if (t != 0)
                {
                    var end = cs[j + 1];
                    for (var p = cs[j]; p < end; p++)
                    {
                        rhsP[ri[p]] += av[p] * t;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Pass 5, a Gondzio corrector's direction from its dy: dx = Θ(A'dy - r̂), dzl = (rl' - zl dx)/xl,
    /// dzu = (ru' + zu dx)/xu into the trial buffers, and its ratio tests.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void CenteringDirectionRange(int from, int to, Span<double> acc)
    {
        double ap = double.PositiveInfinity, ad = double.PositiveInfinity;
        fixed (int* cs = _a.ColumnStart, ri = _a.RowIndex)
        fixed (byte* kinds = _kind)
        fixed (double* av = _a.Values, dy = _dyTrial, thetas = _theta, rds = _rd, x = X, lower = _l, upper = _u,
            zls = Zl, zus = Zu, rls = _rlTrial, rus = _ruTrial, dxs = _dxTrial, dzls = _dzlTrial, dzus = _dzuTrial)
        {
            for (var j = from; j < to; j++)
            {
                var kind = kinds[j];
                if (kind == StandardForm.KindFixed)
                {
                    dxs[j] = 0;
                    dzls[j] = 0;
                    dzus[j] = 0;
                    continue;
                }

                var aty = 0.0;
                var end = cs[j + 1];
                for (var p = cs[j]; p < end; p++)
                {
                    aty += av[p] * dy[ri[p]];
                }

                var xj = x[j];
                var xl = xj - lower[j];
                var xu = upper[j] - xj;
                var lowerSide = kind is StandardForm.KindLower or StandardForm.KindBoxed;
                var upperSide = kind is StandardForm.KindUpper or StandardForm.KindBoxed;
                var r = rds[j];
                if (lowerSide)
                {
                    r -= rls[j] / xl;
                }

                if (upperSide)
                {
                    r += rus[j] / xu;
                }

                var d = thetas[j] * (aty - r);
                dxs[j] = d;
                double dzl = 0, dzu = 0;
                if (lowerSide)
                {
                    var z = zls[j];
                    dzl = (rls[j] - z * d) / xl;
                    StepLimit(ref ap, xl, -d);

                    StepLimit(ref ad, z, -dzl);
                }

                if (upperSide)
                {
                    var z = zus[j];
                    dzu = (rus[j] + z * d) / xu;
                    StepLimit(ref ap, xu, d);

                    StepLimit(ref ad, z, -dzu);
                }

                dzls[j] = dzl;
                dzus[j] = dzu;
            }

            acc[0] = ap;
            acc[1] = ad;
        }
    }
}
