using System.Runtime.CompilerServices;

namespace Prescient.Optimization.Ipm;

/// <summary>The column passes of an iteration, each over a range of columns so that workers can share them.</summary>
internal sealed partial class InteriorPointCore
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EvaluateRange(int from, int to, double[] ax, double[] rhs, Span<double> acc)
    {
        var cs = _a.ColumnStart;
        var ri = _a.RowIndex;
        var av = _a.Values;
        var x = X;
        var y = Y;
        var zl = Zl;
        var zu = Zu;
        var xFrom = _xBuffers[_source];
        var zlFrom = _zlBuffers[_source];
        var zuFrom = _zuBuffers[_source];
        var dxs = _dx;
        var dzls = _dzl;
        var dzus = _dzu;
        var cost = _c;
        var lower = _l;
        var upper = _u;
        var kinds = _kind;
        var xls = _xl;
        var xus = _xu;
        var ixls = _inverseXl;
        var ixus = _inverseXu;
        var rds = _rd;
        var thetas = _theta;
        var alphaPrimal = _passAlphaPrimal;
        var alphaDual = _passAlphaDual;
        var stepping = alphaPrimal != 0 || alphaDual != 0;
        double primal = 0, dual = 0, complementarity = 0, xMax = 0, zMax = 0;
        var count = 0;
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
                ax[r] += av[p] * xj;
            }

            primal += cost[j] * xj;
            xMax = Math.Max(xMax, Math.Abs(xj));
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
            switch (kind)
            {
                case StandardForm.KindLower:
                {
                    var xl = xj - lower[j];
                    var z = zl[j];
                    var ixl = 1 / xl;
                    xls[j] = xl;
                    ixls[j] = ixl;
                    rd -= z;
                    dual += lower[j] * z;
                    complementarity += xl * z;
                    count++;
                    zMax = Math.Max(zMax, z);
                    inverse = z * ixl;
                    rhat = rd + z;
                    break;
                }

                case StandardForm.KindUpper:
                {
                    var xu = upper[j] - xj;
                    var z = zu[j];
                    var ixu = 1 / xu;
                    xus[j] = xu;
                    ixus[j] = ixu;
                    rd += z;
                    dual -= upper[j] * z;
                    complementarity += xu * z;
                    count++;
                    zMax = Math.Max(zMax, z);
                    inverse = z * ixu;
                    rhat = rd - z;
                    break;
                }

                case StandardForm.KindBoxed:
                {
                    var xl = xj - lower[j];
                    var xu = upper[j] - xj;
                    var a = zl[j];
                    var b = zu[j];
                    var ixl = 1 / xl;
                    var ixu = 1 / xu;
                    xls[j] = xl;
                    xus[j] = xu;
                    ixls[j] = ixl;
                    ixus[j] = ixu;
                    rd += b - a;
                    dual += (lower[j] * a) - (upper[j] * b);
                    complementarity += (xl * a) + (xu * b);
                    count += 2;
                    zMax = Math.Max(zMax, Math.Max(a, b));
                    inverse = (a * ixl) + (b * ixu);
                    rhat = rd + a - b;
                    break;
                }

                default:
                    inverse = FreeRegularization;
                    rhat = rd;
                    break;
            }

            rds[j] = rd;
            var theta = 1 / (inverse + PrimalRegularization);
            thetas[j] = theta;
            var t = theta * rhat;
            if (t != 0)
            {
                for (var p = start; p < end; p++)
                {
                    rhs[ri[p]] += av[p] * t;
                }
            }
        }

        acc[0] = primal;
        acc[1] = dual;
        acc[2] = complementarity;
        acc[3] = xMax;
        acc[4] = zMax;
        acc[5] = count;
    }

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
    /// ratio tests and the sums for μ_aff. Nothing per column is stored: passes 3 and 4 recompute it from
    /// dy_aff, which costs less than reading it back from memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AffineRange(int from, int to, Span<double> acc)
    {
        var cs = _a.ColumnStart;
        var ri = _a.RowIndex;
        var av = _a.Values;
        var kinds = _kind;
        var dyAffine = _dyAffine;
        var thetas = _theta;
        var rds = _rd;
        var xls = _xl;
        var xus = _xu;
        var ixls = _inverseXl;
        var ixus = _inverseXu;
        var zls = Zl;
        var zus = Zu;
        double ap = double.PositiveInfinity, ad = double.PositiveInfinity;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var count = 0;
        for (var j = from; j < to; j++)
        {
            var kind = kinds[j];
            if (kind == StandardForm.KindFixed)
            {
                continue;
            }

            var aty = 0.0;
            for (var p = cs[j]; p < cs[j + 1]; p++)
            {
                aty += av[p] * dyAffine[ri[p]];
            }

            var dx = thetas[j] * (aty - AffineRhat(kind, rds[j], zls[j], zus[j]));
            if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
            {
                var xl = xls[j];
                var z = zls[j];
                var dzl = -z - (z * dx * ixls[j]);
                if (dx < 0 && xl < ap * -dx)
                {
                    ap = -xl / dx;
                }

                if (dzl < 0 && z < ad * -dzl)
                {
                    ad = -z / dzl;
                }

                s0 += xl * z;
                s1 += dx * z;
                s2 += xl * dzl;
                s3 += dx * dzl;
                count++;
            }

            if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
            {
                var xu = xus[j];
                var z = zus[j];
                var dzu = -z + (z * dx * ixus[j]);
                if (dx > 0 && xu < ap * dx)
                {
                    ap = xu / dx;
                }

                if (dzu < 0 && z < ad * -dzu)
                {
                    ad = -z / dzu;
                }

                s0 += xu * z;
                s1 -= dx * z;
                s2 += xu * dzu;
                s3 -= dx * dzu;
                count++;
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

    /// <summary>
    /// The corrector's r̂ = rd - rl/xl + ru/xu of column j, with rl = σμ - xl zl - dx_aff dzl_aff and
    /// ru = σμ - xu zu + dx_aff dzu_aff (the affine direction recomputed from A'dy_aff = <paramref name="atyAffine"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double CorrectorRhat(int j, byte kind, double atyAffine, double target, out double rl, out double ru)
    {
        var rd = _rd[j];
        var zl = Zl[j];
        var zu = Zu[j];
        var dxa = _theta[j] * (atyAffine - AffineRhat(kind, rd, zl, zu));
        var rhat = rd;
        rl = 0;
        ru = 0;
        if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
        {
            var ixl = _inverseXl[j];
            var dzla = -zl - (zl * dxa * ixl);
            rl = target - (_xl[j] * zl) - (dxa * dzla);
            rhat -= rl * ixl;
        }

        if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
        {
            var ixu = _inverseXu[j];
            var dzua = -zu + (zu * dxa * ixu);
            ru = target - (_xu[j] * zu) + (dxa * dzua);
            rhat += ru * ixu;
        }

        return rhat;
    }

    /// <summary>Pass 3: corrector targets, r̂ and A Θ r̂ into this worker's row buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CorrectorRhsRange(int from, int to, double[] rhs)
    {
        var cs = _a.ColumnStart;
        var ri = _a.RowIndex;
        var av = _a.Values;
        var kinds = _kind;
        var dyAffine = _dyAffine;
        var thetas = _theta;
        var target = _passTarget;
        var keepTargets = _passKeepTargets;
        for (var j = from; j < to; j++)
        {
            var kind = kinds[j];
            if (kind == StandardForm.KindFixed)
            {
                continue;
            }

            var start = cs[j];
            var end = cs[j + 1];
            var aty = 0.0;
            for (var p = start; p < end; p++)
            {
                aty += av[p] * dyAffine[ri[p]];
            }

            var rhat = CorrectorRhat(j, kind, aty, target, out var rl, out var ru);
            if (keepTargets)
            {
                _rl[j] = rl;
                _ru[j] = ru;
            }

            var t = thetas[j] * rhat;
            if (t != 0)
            {
                for (var p = start; p < end; p++)
                {
                    rhs[ri[p]] += av[p] * t;
                }
            }
        }
    }

    /// <summary>Pass 4: corrector direction dx = Θ(A'dy - r̂), dzl = (rl - zl dx)/xl, dzu = (ru + zu dx)/xu and its ratio tests.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CorrectorRange(int from, int to, Span<double> acc)
    {
        var cs = _a.ColumnStart;
        var ri = _a.RowIndex;
        var av = _a.Values;
        var kinds = _kind;
        var dy = _dy;
        var dyAffine = _dyAffine;
        var thetas = _theta;
        var xls = _xl;
        var xus = _xu;
        var ixls = _inverseXl;
        var ixus = _inverseXu;
        var zls = Zl;
        var zus = Zu;
        var dxs = _dx;
        var dzls = _dzl;
        var dzus = _dzu;
        var target = _passTarget;
        double ap = double.PositiveInfinity, ad = double.PositiveInfinity;
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
            var atyAffine = 0.0;
            for (var p = cs[j]; p < cs[j + 1]; p++)
            {
                var r = ri[p];
                aty += av[p] * dy[r];
                atyAffine += av[p] * dyAffine[r];
            }

            var rhat = CorrectorRhat(j, kind, atyAffine, target, out var rl, out var ru);
            var dx = thetas[j] * (aty - rhat);
            dxs[j] = dx;
            double dzl = 0, dzu = 0;
            if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
            {
                var xl = xls[j];
                var z = zls[j];
                dzl = (rl - (z * dx)) * ixls[j];
                if (dx < 0 && xl < ap * -dx)
                {
                    ap = -xl / dx;
                }

                if (dzl < 0 && z < ad * -dzl)
                {
                    ad = -z / dzl;
                }
            }

            if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
            {
                var xu = xus[j];
                var z = zus[j];
                dzu = (ru + (z * dx)) * ixus[j];
                if (dx > 0 && xu < ap * dx)
                {
                    ap = xu / dx;
                }

                if (dzu < 0 && z < ad * -dzu)
                {
                    ad = -z / dzu;
                }
            }

            dzls[j] = dzl;
            dzus[j] = dzu;
        }

        acc[0] = ap;
        acc[1] = ad;
    }
}
