using System.Diagnostics;
using System.Runtime.CompilerServices;
using Prescient.Optimization.Linear;

namespace Prescient.Optimization.Ipm;

/// <summary>
/// Mehrotra predictor-corrector with Gondzio multiple-centrality correctors, for
/// minimize c'x subject to A x = b, l ≤ x ≤ u (one-sided, boxed, fixed and free columns; bounds handled
/// explicitly: x - l = xl with dual zl ≥ 0, u - x = xu with dual zu ≥ 0). Every buffer is allocated in the
/// constructor; <see cref="Run"/> allocates nothing, so a caller that keeps the core solves in steady state without garbage.
/// </summary>
/// <remarks>
/// Newton system, with Θ⁻¹ = zl/xl + zu/xu + ρ (ρ the primal regularization) and target products rl, ru:
/// <code>
///   (A Θ A' + δ I) dy = rp + A Θ r̂,   r̂ = rd - rl/xl + ru/xu
///   dx = Θ (A' dy - r̂),   dzl = (rl - zl dx) / xl,   dzu = (ru + zu dx) / xu
/// </code>
/// where rp = b - A x and rd = c - A'y - zl + zu.
/// </remarks>
internal sealed class InteriorPointCore
{
    private const double StepFactor = 0.9995;
    private const double PrimalRegularization = 1e-10;
    private const double DualRegularization = 1e-10;
    private const double FreeRegularization = 1e-8;

    private readonly int _m;
    private readonly int _n;
    private readonly SparseMatrix _a;
    private readonly double[] _b;
    private readonly double[] _c;
    private readonly double[] _l;
    private readonly double[] _u;
    private readonly byte[] _kind;
    private readonly INormalEquationsSolver _solver;

    private readonly double[] _xl;
    private readonly double[] _xu;
    private readonly double[] _rp;
    private readonly double[] _rd;
    private readonly double[] _theta;
    private readonly double[] _rhat;
    private readonly double[] _rl;
    private readonly double[] _ru;
    private readonly double[] _dx;
    private readonly double[] _dy;
    private readonly double[] _dzl;
    private readonly double[] _dzu;
    private readonly double[] _dxAffine;
    private readonly double[] _dzlAffine;
    private readonly double[] _dzuAffine;
    private readonly double[] _dxTrial;
    private readonly double[] _dyTrial;
    private readonly double[] _dzlTrial;
    private readonly double[] _dzuTrial;
    private readonly double[] _rlTrial;
    private readonly double[] _ruTrial;
    private readonly double[] _workN;
    private readonly double[] _workM;
    private readonly double[] _rhs;
    private readonly double[] _bestX;
    private readonly double[] _bestY;
    private readonly double[] _bestZl;
    private readonly double[] _bestZu;

    public InteriorPointCore(SparseMatrix a, double[] b, double[] c, double[] lower, double[] upper, byte[] kind, INormalEquationsSolver solver)
    {
        _a = a;
        _m = a.RowCount;
        _n = a.ColumnCount;
        _b = b;
        _c = c;
        _l = lower;
        _u = upper;
        _kind = kind;
        _solver = solver;
        X = new double[_n];
        Y = new double[_m];
        Zl = new double[_n];
        Zu = new double[_n];
        _xl = new double[_n];
        _xu = new double[_n];
        _rp = new double[_m];
        _rd = new double[_n];
        _theta = new double[_n];
        _rhat = new double[_n];
        _rl = new double[_n];
        _ru = new double[_n];
        _dx = new double[_n];
        _dy = new double[_m];
        _dzl = new double[_n];
        _dzu = new double[_n];
        _dxAffine = new double[_n];
        _dzlAffine = new double[_n];
        _dzuAffine = new double[_n];
        _dxTrial = new double[_n];
        _dyTrial = new double[_m];
        _dzlTrial = new double[_n];
        _dzuTrial = new double[_n];
        _rlTrial = new double[_n];
        _ruTrial = new double[_n];
        _workN = new double[_n];
        _workM = new double[_m];
        _rhs = new double[_m];
        _bestX = new double[_n];
        _bestY = new double[_m];
        _bestZl = new double[_n];
        _bestZu = new double[_n];
    }

    public double[] X { get; }

    public double[] Y { get; }

    public double[] Zl { get; }

    public double[] Zu { get; }

    public int Iterations { get; private set; }

    /// <summary>Stopwatch ticks spent in the last run forming and factorizing the normal equations.</summary>
    public long FactorizeTicks { get; private set; }

    /// <summary>Stopwatch ticks spent in the last run in normal-equation solves.</summary>
    public long SolveTicks { get; private set; }

    /// <summary>Stopwatch ticks spent in the last run in the column passes (residuals, directions, steps).</summary>
    public long PassTicks { get; private set; }

    public double RelativePrimalResidual { get; private set; }

    public double RelativeDualResidual { get; private set; }

    public double RelativeGap { get; private set; }

    public double PrimalObjective { get; private set; }

    public double DualObjective { get; private set; }

    /// <summary>Runs the iteration from the default starting point, or from the current X/Y/Zl/Zu when <paramref name="warmStart"/> is set.</summary>
    public CoreOutcome Run(double tolerance, int maxIterations, int maxCorrectors, long deadlineTimestamp, TimeProvider time, bool warmStart)
    {
        Iterations = 0;
        FactorizeTicks = 0;
        SolveTicks = 0;
        PassTicks = 0;
        if (warmStart)
        {
            if (!WarmStartPoint())
            {
                return CoreOutcome.NumericalError;
            }
        }
        else if (!StartingPoint())
        {
            return CoreOutcome.NumericalError;
        }

        var bNorm = NormInf(_b);
        var cNorm = NormInf(_c);
        var boundNorm = BoundNorm();

        // Rows of the standard form are mostly "a_i x - s_i = 0" with the row bounds moved onto the slack,
        // so b alone does not give the scale of the primal residual: the finite bounds do too.
        var primalScale = Math.Max(bNorm, boundNorm);
        var bestMerit = double.PositiveInfinity;
        var sinceBest = 0;
        var smallSteps = 0;
        var alphaPrimal = 0.0;
        var alphaDual = 0.0;
        var outcome = CoreOutcome.IterationLimit;
        for (var iteration = 0; ; iteration++)
        {
            // Pass 1: apply the pending step, then residuals, Θ and the predictor's right-hand side.
            var passStart = Stopwatch.GetTimestamp();
            var mu = Evaluate(alphaPrimal, alphaDual, out var xNorm, out var zNorm, out var yNorm);
            PassTicks += Stopwatch.GetTimestamp() - passStart;
            alphaPrimal = 0;
            alphaDual = 0;
            RelativePrimalResidual = NormInf(_rp) / (1 + primalScale);
            RelativeDualResidual = NormInf(_rd) / (1 + cNorm);
            RelativeGap = Math.Abs(PrimalObjective - DualObjective) / (1 + Math.Abs(PrimalObjective));
            var merit = Math.Max(RelativePrimalResidual, Math.Max(RelativeDualResidual, RelativeGap));
            if (double.IsNaN(merit))
            {
                outcome = CoreOutcome.NumericalError;
                break;
            }

            if (merit < bestMerit)
            {
                if (merit < 0.9 * bestMerit)
                {
                    sinceBest = 0;
                }

                bestMerit = merit;
                SaveBest();
            }
            else
            {
                sinceBest++;
            }

            if (RelativePrimalResidual <= tolerance && RelativeDualResidual <= tolerance && RelativeGap <= tolerance)
            {
                outcome = CoreOutcome.Optimal;
                break;
            }

            if (iteration >= maxIterations)
            {
                outcome = CoreOutcome.IterationLimit;
                break;
            }

            if (time.GetTimestamp() > deadlineTimestamp)
            {
                outcome = CoreOutcome.TimeLimit;
                break;
            }

            const double Big = 1e12;
            if (xNorm > Big * (1 + bNorm + boundNorm) || zNorm > Big * (1 + cNorm) || yNorm > Big * (1 + cNorm))
            {
                outcome = CoreOutcome.Diverging;
                break;
            }

            if (sinceBest > 30 || smallSteps > 8)
            {
                outcome = CoreOutcome.Stalled;
                break;
            }

            if (!Iterate(mu, maxCorrectors, out alphaPrimal, out alphaDual))
            {
                outcome = CoreOutcome.NumericalError;
                break;
            }

            smallSteps = Math.Max(alphaPrimal, alphaDual) < 1e-6 ? smallSteps + 1 : 0;
            Iterations = iteration + 1;
        }

        if (outcome != CoreOutcome.Optimal)
        {
            RestoreBest();
            Evaluate(0, 0, out _, out _, out _);
            RelativePrimalResidual = NormInf(_rp) / (1 + primalScale);
            RelativeDualResidual = NormInf(_rd) / (1 + cNorm);
            RelativeGap = Math.Abs(PrimalObjective - DualObjective) / (1 + Math.Abs(PrimalObjective));
        }

        return outcome;
    }

    private double BoundNorm()
    {
        var s = 0.0;
        for (var j = 0; j < _n; j++)
        {
            if (double.IsFinite(_l[j]))
            {
                s = Math.Max(s, Math.Abs(_l[j]));
            }

            if (double.IsFinite(_u[j]))
            {
                s = Math.Max(s, Math.Abs(_u[j]));
            }
        }

        return s;
    }

    /// <summary>
    /// One pass over the columns: applies the pending step (x += αp dx, z += αd dz, y += αd dy), then computes
    /// xl, xu, rp = b - A x, rd = c - A'y - zl + zu, the objectives, Θ, and the predictor's r̂ = rd + zl - zu
    /// with its right-hand side A Θ r̂ accumulated into the rhs buffer (rp is added at the end). Returns μ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Evaluate(double alphaPrimal, double alphaDual, out double xNorm, out double zNorm, out double yNorm)
    {
        var xlLocal = _xl;
        var xuLocal = _xu;
        var rdLocal = _rd;
        var rpLocal = _rp;
        var thetaLocal = _theta;
        var rhatLocal = _rhat;
        var dxLocal = _dx;
        var dzlLocal = _dzl;
        var dzuLocal = _dzu;
        var costLocal = _c;
        var lowerLocal = _l;
        var upperLocal = _u;
        var kindLocal = _kind;
        var bLocal = _b;
        var dyLocal = _dy;
        var cs = _a.ColumnStart;
        var ri = _a.RowIndex;
        var av = _a.Values;
        var x = X;
        var y = Y;
        var zl = Zl;
        var zu = Zu;
        var ax = _workM;
        var rhs = _rhs;
        yNorm = 0;
        for (var i = 0; i < _m; i++)
        {
            if (alphaDual != 0)
            {
                y[i] += alphaDual * dyLocal[i];
            }

            yNorm = Math.Max(yNorm, Math.Abs(y[i]));
            ax[i] = 0;
            rhs[i] = 0;
        }

        var stepping = alphaPrimal != 0 || alphaDual != 0;
        double primal = 0, dual = 0, complementarity = 0, xMax = 0, zMax = 0;
        var count = 0;
        for (var j = 0; j < _n; j++)
        {
            if (stepping)
            {
                x[j] += alphaPrimal * dxLocal[j];
                zl[j] += alphaDual * dzlLocal[j];
                zu[j] += alphaDual * dzuLocal[j];
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

            primal += costLocal[j] * xj;
            xMax = Math.Max(xMax, Math.Abs(xj));
            var kind = kindLocal[j];
            if (kind == StandardForm.KindFixed)
            {
                dual += lowerLocal[j] * (costLocal[j] - aty);
                rdLocal[j] = 0;
                thetaLocal[j] = 0;
                rhatLocal[j] = 0;
                continue;
            }

            var rd = costLocal[j] - aty;
            double inverse;
            double rhat;
            switch (kind)
            {
                case StandardForm.KindLower:
                {
                    var xl = xj - lowerLocal[j];
                    var z = zl[j];
                    xlLocal[j] = xl;
                    rd -= z;
                    dual += lowerLocal[j] * z;
                    complementarity += xl * z;
                    count++;
                    zMax = Math.Max(zMax, z);
                    inverse = z / xl;
                    rhat = rd + z;
                    break;
                }

                case StandardForm.KindUpper:
                {
                    var xu = upperLocal[j] - xj;
                    var z = zu[j];
                    xuLocal[j] = xu;
                    rd += z;
                    dual -= upperLocal[j] * z;
                    complementarity += xu * z;
                    count++;
                    zMax = Math.Max(zMax, z);
                    inverse = z / xu;
                    rhat = rd - z;
                    break;
                }

                case StandardForm.KindBoxed:
                {
                    var xl = xj - lowerLocal[j];
                    var xu = upperLocal[j] - xj;
                    var a = zl[j];
                    var b = zu[j];
                    xlLocal[j] = xl;
                    xuLocal[j] = xu;
                    rd += b - a;
                    dual += (lowerLocal[j] * a) - (upperLocal[j] * b);
                    complementarity += (xl * a) + (xu * b);
                    count += 2;
                    zMax = Math.Max(zMax, Math.Max(a, b));
                    inverse = (a / xl) + (b / xu);
                    rhat = rd + a - b;
                    break;
                }

                default:
                    inverse = FreeRegularization;
                    rhat = rd;
                    break;
            }

            rdLocal[j] = rd;
            var theta = 1 / (inverse + PrimalRegularization);
            thetaLocal[j] = theta;
            rhatLocal[j] = rhat;
            var t = theta * rhat;
            if (t != 0)
            {
                for (var p = start; p < end; p++)
                {
                    rhs[ri[p]] += av[p] * t;
                }
            }
        }

        var dualFromRows = 0.0;
        for (var i = 0; i < _m; i++)
        {
            var rp = bLocal[i] - ax[i];
            rpLocal[i] = rp;
            rhs[i] += rp;
            dualFromRows += bLocal[i] * y[i];
        }

        xNorm = xMax;
        zNorm = zMax;
        PrimalObjective = primal;
        DualObjective = dual + dualFromRows;
        return count > 0 ? complementarity / count : 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Iterate(double mu, int maxCorrectors, out double alphaPrimal, out double alphaDual)
    {
        var xlLocal = _xl;
        var xuLocal = _xu;
        var rdLocal = _rd;
        var thetaLocal = _theta;
        var rhatLocal = _rhat;
        var dxLocal = _dx;
        var dzlLocal = _dzl;
        var dzuLocal = _dzu;
        var dxAffineLocal = _dxAffine;
        var dzlAffineLocal = _dzlAffine;
        var dzuAffineLocal = _dzuAffine;
        var kindLocal = _kind;
        var dyLocal = _dy;
        var rlLocal = _rl;
        var ruLocal = _ru;
        alphaPrimal = 0;
        alphaDual = 0;
        var t0 = Stopwatch.GetTimestamp();
        if (!_solver.Factorize(_theta, DualRegularization))
        {
            return false;
        }

        // Predictor (affine scaling, target products 0): rhs = rp + A Θ r̂ was formed by Evaluate.
        var t1 = Stopwatch.GetTimestamp();
        _solver.Solve(_rhs, _dy);
        var t2 = Stopwatch.GetTimestamp();
        FactorizeTicks += t1 - t0;
        SolveTicks += t2 - t1;
        var cs = _a.ColumnStart;
        var ri = _a.RowIndex;
        var av = _a.Values;
        double ap = double.PositiveInfinity, ad = double.PositiveInfinity;
        // Σ(xl + αp dx)(zl + αd dzl) = s0 + αp s1 + αd s2 + αp αd s3, the same for the upper side.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var count = 0;
        for (var j = 0; j < _n; j++)
        {
            var kind = kindLocal[j];
            if (kind == StandardForm.KindFixed)
            {
                dxAffineLocal[j] = 0;
                dzlAffineLocal[j] = 0;
                dzuAffineLocal[j] = 0;
                continue;
            }

            var aty = 0.0;
            for (var p = cs[j]; p < cs[j + 1]; p++)
            {
                aty += av[p] * dyLocal[ri[p]];
            }

            var dx = thetaLocal[j] * (aty - rhatLocal[j]);
            dxAffineLocal[j] = dx;
            double dzl = 0, dzu = 0;
            if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
            {
                var xl = xlLocal[j];
                var z = Zl[j];
                dzl = -z - (z * dx / xl);
                if (dx < 0)
                {
                    ap = Math.Min(ap, -xl / dx);
                }

                if (dzl < 0)
                {
                    ad = Math.Min(ad, -z / dzl);
                }

                s0 += xl * z;
                s1 += dx * z;
                s2 += xl * dzl;
                s3 += dx * dzl;
                count++;
            }

            if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
            {
                var xu = xuLocal[j];
                var z = Zu[j];
                dzu = -z + (z * dx / xu);
                if (dx > 0)
                {
                    ap = Math.Min(ap, xu / dx);
                }

                if (dzu < 0)
                {
                    ad = Math.Min(ad, -z / dzu);
                }

                s0 += xu * z;
                s1 -= dx * z;
                s2 += xu * dzu;
                s3 -= dx * dzu;
                count++;
            }

            dzlAffineLocal[j] = dzl;
            dzuAffineLocal[j] = dzu;
        }

        ap = Math.Min(1, ap);
        ad = Math.Min(1, ad);
        var muAffine = count > 0 ? (s0 + (ap * s1) + (ad * s2) + (ap * ad * s3)) / count : 0;
        var ratio = mu > 0 ? Math.Max(0, muAffine) / mu : 0;
        var sigma = Math.Clamp(ratio * ratio * ratio, 0, 1);
        var target = sigma * mu;

        // Corrector: rl = σμ - xl zl - dxl_aff dzl_aff, ru = σμ - xu zu - dxu_aff dzu_aff (dxu = -dx);
        // r̂ = rd - rl/xl + ru/xu, rhs = rp + A Θ r̂.
        var rhs = _rhs;
        Array.Copy(_rp, rhs, _m);
        var keepTargets = maxCorrectors > 0;
        for (var j = 0; j < _n; j++)
        {
            var kind = kindLocal[j];
            if (kind == StandardForm.KindFixed)
            {
                continue;
            }

            var rhat = rdLocal[j];
            var dxa = dxAffineLocal[j];
            double rl = 0, ru = 0;
            if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
            {
                rl = target - (xlLocal[j] * Zl[j]) - (dxa * dzlAffineLocal[j]);
                rhat -= rl / xlLocal[j];
            }

            if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
            {
                ru = target - (xuLocal[j] * Zu[j]) + (dxa * dzuAffineLocal[j]);
                rhat += ru / xuLocal[j];
            }

            if (keepTargets)
            {
                rlLocal[j] = rl;
                ruLocal[j] = ru;
            }

            rhatLocal[j] = rhat;
            var t = thetaLocal[j] * rhat;
            if (t != 0)
            {
                for (var p = cs[j]; p < cs[j + 1]; p++)
                {
                    rhs[ri[p]] += av[p] * t;
                }
            }
        }

        var t3 = Stopwatch.GetTimestamp();
        _solver.Solve(rhs, _dy);
        var t4 = Stopwatch.GetTimestamp();
        SolveTicks += t4 - t3;
        PassTicks += t3 - t2;
        ap = double.PositiveInfinity;
        ad = double.PositiveInfinity;
        for (var j = 0; j < _n; j++)
        {
            var kind = kindLocal[j];
            if (kind == StandardForm.KindFixed)
            {
                dxLocal[j] = 0;
                dzlLocal[j] = 0;
                dzuLocal[j] = 0;
                continue;
            }

            var aty = 0.0;
            for (var p = cs[j]; p < cs[j + 1]; p++)
            {
                aty += av[p] * dyLocal[ri[p]];
            }

            var dx = thetaLocal[j] * (aty - rhatLocal[j]);
            dxLocal[j] = dx;
            double dzl = 0, dzu = 0;
            var dxa = dxAffineLocal[j];
            if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
            {
                var xl = xlLocal[j];
                var z = Zl[j];
                var rl = target - (xl * z) - (dxa * dzlAffineLocal[j]);
                dzl = (rl - (z * dx)) / xl;
                if (dx < 0)
                {
                    ap = Math.Min(ap, -xl / dx);
                }

                if (dzl < 0)
                {
                    ad = Math.Min(ad, -z / dzl);
                }
            }

            if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
            {
                var xu = xuLocal[j];
                var z = Zu[j];
                var ru = target - (xu * z) + (dxa * dzuAffineLocal[j]);
                dzu = (ru + (z * dx)) / xu;
                if (dx > 0)
                {
                    ap = Math.Min(ap, xu / dx);
                }

                if (dzu < 0)
                {
                    ad = Math.Min(ad, -z / dzu);
                }
            }

            dzlLocal[j] = dzl;
            dzuLocal[j] = dzu;
        }

        // Gondzio multiple-centrality correctors: push outlying products of the trial point back into
        // [βmin σμ, βmax σμ] and keep the corrected direction when it allows longer steps.
        for (var k = 0; k < maxCorrectors && target > 0; k++)
        {
            var apTarget = Math.Min(1, 1.5 * ap + 0.1);
            var adTarget = Math.Min(1, 1.5 * ad + 0.1);
            const double betaMin = 0.1;
            const double betaMax = 10;
            for (var j = 0; j < _n; j++)
            {
                var kind = kindLocal[j];
                _rlTrial[j] = rlLocal[j];
                _ruTrial[j] = ruLocal[j];
                if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
                {
                    var v = (xlLocal[j] + apTarget * dxLocal[j]) * (Zl[j] + adTarget * dzlLocal[j]);
                    _rlTrial[j] += CenteringTerm(v, betaMin * target, betaMax * target);
                }

                if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
                {
                    var v = (xuLocal[j] - apTarget * dxLocal[j]) * (Zu[j] + adTarget * dzuLocal[j]);
                    _ruTrial[j] += CenteringTerm(v, betaMin * target, betaMax * target);
                }
            }

            Direction(_rlTrial, _ruTrial, _dxTrial, _dyTrial, _dzlTrial, _dzuTrial);
            StepLengths(_dxTrial, _dzlTrial, _dzuTrial, out var apNew, out var adNew);
            if (apNew + adNew < 1.01 * (Math.Min(ap, 1e30) + Math.Min(ad, 1e30)))
            {
                break;
            }

            ap = apNew;
            ad = adNew;
            Array.Copy(_dxTrial, _dx, _n);
            Array.Copy(_dyTrial, _dy, _m);
            Array.Copy(_dzlTrial, _dzl, _n);
            Array.Copy(_dzuTrial, _dzu, _n);
            Array.Copy(_rlTrial, _rl, _n);
            Array.Copy(_ruTrial, _ru, _n);
        }

        PassTicks += Stopwatch.GetTimestamp() - t4;
        alphaPrimal = Math.Min(1, StepFactor * ap);
        alphaDual = Math.Min(1, StepFactor * ad);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double CenteringTerm(double v, double low, double high)
    {
        if (v < low)
        {
            return low - v;
        }

        if (v > high)
        {
            return Math.Max(high - v, -high);
        }

        return 0;
    }

    /// <summary>Solves the Newton system for complementarity targets rl, ru with the current factorization.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Direction(double[] rl, double[] ru, double[] dx, double[] dy, double[] dzl, double[] dzu)
    {
        var rhat = _rhat;
        for (var j = 0; j < _n; j++)
        {
            var kind = _kind[j];
            var r = _rd[j];
            if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
            {
                r -= rl[j] / _xl[j];
            }

            if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
            {
                r += ru[j] / _xu[j];
            }

            rhat[j] = r;
            _workN[j] = _theta[j] * r;
        }

        // rhs = rp + A Θ r̂
        Array.Copy(_rp, _rhs, _m);
        _a.MultiplyAdd(_workN, _rhs);
        _solver.Solve(_rhs, dy);
        _a.MultiplyTransposed(dy, dx);
        for (var j = 0; j < _n; j++)
        {
            var kind = _kind[j];
            if (kind == StandardForm.KindFixed)
            {
                dx[j] = 0;
                dzl[j] = 0;
                dzu[j] = 0;
                continue;
            }

            var d = _theta[j] * (dx[j] - rhat[j]);
            dx[j] = d;
            dzl[j] = kind is StandardForm.KindLower or StandardForm.KindBoxed ? (rl[j] - Zl[j] * d) / _xl[j] : 0;
            dzu[j] = kind is StandardForm.KindUpper or StandardForm.KindBoxed ? (ru[j] + Zu[j] * d) / _xu[j] : 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StepLengths(double[] dx, double[] dzl, double[] dzu, out double alphaPrimal, out double alphaDual)
    {
        var ap = double.PositiveInfinity;
        var ad = double.PositiveInfinity;
        for (var j = 0; j < _n; j++)
        {
            var kind = _kind[j];
            var d = dx[j];
            if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
            {
                if (d < 0)
                {
                    ap = Math.Min(ap, -_xl[j] / d);
                }

                if (dzl[j] < 0)
                {
                    ad = Math.Min(ad, -Zl[j] / dzl[j]);
                }
            }

            if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
            {
                if (d > 0)
                {
                    ap = Math.Min(ap, _xu[j] / d);
                }

                if (dzu[j] < 0)
                {
                    ad = Math.Min(ad, -Zu[j] / dzu[j]);
                }
            }
        }

        alphaPrimal = Math.Min(ap, 1e30);
        alphaDual = Math.Min(ad, 1e30);
    }

    /// <summary>
    /// Mehrotra's starting point: x̃ = A'(AA')⁻¹ b (least norm), y = (AA')⁻¹ A c, z̃ = c - A'y, then both
    /// shifted to be interior and balanced (the products xz made comparable).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool StartingPoint()
    {
        for (var j = 0; j < _n; j++)
        {
            _theta[j] = _kind[j] == StandardForm.KindFixed ? 0 : 1;
            _workN[j] = _kind[j] == StandardForm.KindFixed ? _l[j] : 0;
        }

        if (!_solver.Factorize(_theta, DualRegularization))
        {
            return false;
        }

        _a.Multiply(_workN, _rhs);
        for (var i = 0; i < _m; i++)
        {
            _rhs[i] = _b[i] - _rhs[i];
        }

        _solver.Solve(_rhs, _workM);
        _a.MultiplyTransposed(_workM, X);

        for (var j = 0; j < _n; j++)
        {
            _workN[j] = _kind[j] == StandardForm.KindFixed ? 0 : _c[j];
        }

        _a.Multiply(_workN, _rhs);
        _solver.Solve(_rhs, Y);
        _a.MultiplyTransposed(Y, _workN);

        var minPrimal = double.PositiveInfinity;
        var minDual = double.PositiveInfinity;
        for (var j = 0; j < _n; j++)
        {
            var z = _c[j] - _workN[j];
            Zl[j] = 0;
            Zu[j] = 0;
            switch (_kind[j])
            {
                case StandardForm.KindFixed:
                    X[j] = _l[j];
                    break;
                case StandardForm.KindLower:
                    minPrimal = Math.Min(minPrimal, X[j] - _l[j]);
                    Zl[j] = z;
                    minDual = Math.Min(minDual, z);
                    break;
                case StandardForm.KindUpper:
                    minPrimal = Math.Min(minPrimal, _u[j] - X[j]);
                    Zu[j] = -z;
                    minDual = Math.Min(minDual, -z);
                    break;
                case StandardForm.KindBoxed:
                    Zl[j] = Math.Max(z, 0);
                    Zu[j] = Math.Max(-z, 0);
                    minDual = Math.Min(minDual, 0);
                    break;
            }
        }

        var shiftPrimal = Math.Max(-1.5 * (double.IsFinite(minPrimal) ? minPrimal : 0), 0);
        var shiftDual = Math.Max(-1.5 * (double.IsFinite(minDual) ? minDual : 0), 0);
        for (var j = 0; j < _n; j++)
        {
            switch (_kind[j])
            {
                case StandardForm.KindLower:
                    X[j] += shiftPrimal;
                    Zl[j] += shiftDual;
                    break;
                case StandardForm.KindUpper:
                    X[j] -= shiftPrimal;
                    Zu[j] += shiftDual;
                    break;
                case StandardForm.KindBoxed:
                    var width = _u[j] - _l[j];
                    var t = Math.Clamp((X[j] - _l[j]) / width, 0.1, 0.9);
                    X[j] = _l[j] + t * width;
                    Zl[j] += shiftDual;
                    Zu[j] += shiftDual;
                    break;
            }
        }

        // Second shift: make the products comparable, x += ½ x'z / Σz, z += ½ x'z / Σx.
        double products = 0, sumX = 0, sumZ = 0;
        for (var j = 0; j < _n; j++)
        {
            var kind = _kind[j];
            if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
            {
                var xl = X[j] - _l[j];
                products += xl * Zl[j];
                sumX += xl;
                sumZ += Zl[j];
            }

            if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
            {
                var xu = _u[j] - X[j];
                products += xu * Zu[j];
                sumX += xu;
                sumZ += Zu[j];
            }
        }

        var primal2 = sumZ > 0 ? 0.5 * products / sumZ : 0;
        var dual2 = sumX > 0 ? 0.5 * products / sumX : 0;
        const double Floor = 1e-2;
        for (var j = 0; j < _n; j++)
        {
            switch (_kind[j])
            {
                case StandardForm.KindLower:
                    X[j] = _l[j] + Math.Max(X[j] - _l[j] + primal2, Floor);
                    Zl[j] = Math.Max(Zl[j] + dual2, Floor);
                    break;
                case StandardForm.KindUpper:
                    X[j] = _u[j] - Math.Max(_u[j] - X[j] + primal2, Floor);
                    Zu[j] = Math.Max(Zu[j] + dual2, Floor);
                    break;
                case StandardForm.KindBoxed:
                    Zl[j] = Math.Max(Zl[j] + dual2, Floor);
                    Zu[j] = Math.Max(Zu[j] + dual2, Floor);
                    break;
            }
        }

        return true;
    }

    /// <summary>Moves the current point (a previous solution) back inside the bounds with a small margin, keeping its duals.</summary>
    private bool WarmStartPoint()
    {
        const double Margin = 1e-3;
        for (var j = 0; j < _n; j++)
        {
            var lo = _l[j];
            var hi = _u[j];
            switch (_kind[j])
            {
                case StandardForm.KindFixed:
                    X[j] = lo;
                    Zl[j] = 0;
                    Zu[j] = 0;
                    break;
                case StandardForm.KindLower:
                    X[j] = Math.Max(X[j], lo + Margin);
                    Zl[j] = Math.Max(Zl[j], Margin);
                    Zu[j] = 0;
                    break;
                case StandardForm.KindUpper:
                    X[j] = Math.Min(X[j], hi - Margin);
                    Zu[j] = Math.Max(Zu[j], Margin);
                    Zl[j] = 0;
                    break;
                case StandardForm.KindBoxed:
                    var width = hi - lo;
                    var m = Math.Min(Margin, 0.25 * width);
                    X[j] = Math.Clamp(X[j], lo + m, hi - m);
                    Zl[j] = Math.Max(Zl[j], Margin);
                    Zu[j] = Math.Max(Zu[j], Margin);
                    break;
                default:
                    Zl[j] = 0;
                    Zu[j] = 0;
                    break;
            }

            if (!double.IsFinite(X[j]))
            {
                return false;
            }
        }

        return true;
    }

    private void SaveBest()
    {
        Array.Copy(X, _bestX, _n);
        Array.Copy(Y, _bestY, _m);
        Array.Copy(Zl, _bestZl, _n);
        Array.Copy(Zu, _bestZu, _n);
    }

    private void RestoreBest()
    {
        Array.Copy(_bestX, X, _n);
        Array.Copy(_bestY, Y, _m);
        Array.Copy(_bestZl, Zl, _n);
        Array.Copy(_bestZu, Zu, _n);
    }

    private static double NormInf(ReadOnlySpan<double> v)
    {
        var s = 0.0;
        foreach (var e in v)
        {
            s = Math.Max(s, Math.Abs(e));
        }

        return s;
    }

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
