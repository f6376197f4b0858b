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

    public double RelativePrimalResidual { get; private set; }

    public double RelativeDualResidual { get; private set; }

    public double RelativeGap { get; private set; }

    public double PrimalObjective { get; private set; }

    public double DualObjective { get; private set; }

    /// <summary>Runs the iteration from the default starting point, or from the current X/Y/Zl/Zu when <paramref name="warmStart"/> is set.</summary>
    public CoreOutcome Run(double tolerance, int maxIterations, int maxCorrectors, long deadlineTimestamp, TimeProvider time, bool warmStart)
    {
        Iterations = 0;
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
        var bestMerit = double.PositiveInfinity;
        var sinceBest = 0;
        var smallSteps = 0;
        var outcome = CoreOutcome.IterationLimit;
        for (var iteration = 0; ; iteration++)
        {
            var mu = Residuals();
            RelativePrimalResidual = NormInf(_rp) / (1 + bNorm);
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

            if (Diverging(bNorm, cNorm))
            {
                outcome = CoreOutcome.Diverging;
                break;
            }

            if (sinceBest > 30 || smallSteps > 8)
            {
                outcome = CoreOutcome.Stalled;
                break;
            }

            if (!Iterate(mu, maxCorrectors, out var alphaPrimal, out var alphaDual))
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
            Residuals();
            RelativePrimalResidual = NormInf(_rp) / (1 + bNorm);
            RelativeDualResidual = NormInf(_rd) / (1 + cNorm);
            RelativeGap = Math.Abs(PrimalObjective - DualObjective) / (1 + Math.Abs(PrimalObjective));
        }

        return outcome;
    }

    private bool Diverging(double bNorm, double cNorm)
    {
        var big = 1e12;
        var xNorm = 0.0;
        var zNorm = 0.0;
        for (var j = 0; j < _n; j++)
        {
            xNorm = Math.Max(xNorm, Math.Abs(X[j]));
            zNorm = Math.Max(zNorm, Math.Max(Zl[j], Zu[j]));
        }

        return xNorm > big * (1 + bNorm + BoundNorm()) || zNorm > big * (1 + cNorm) || NormInf(Y) > big * (1 + cNorm);
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

    /// <summary>Computes xl, xu, rp, rd, the objectives and returns μ.</summary>
    private double Residuals()
    {
        var x = X;
        _a.Multiply(x, _rp);
        var primal = 0.0;
        for (var i = 0; i < _m; i++)
        {
            _rp[i] = _b[i] - _rp[i];
        }

        _a.MultiplyTransposed(Y, _rd);
        var dual = Dot(_b, Y);
        var complementarity = 0.0;
        var count = 0;
        for (var j = 0; j < _n; j++)
        {
            primal += _c[j] * x[j];
            var kind = _kind[j];
            if (kind == StandardForm.KindFixed)
            {
                dual += _l[j] * (_c[j] - _rd[j]);
                _rd[j] = 0;
                continue;
            }

            var r = _c[j] - _rd[j];
            if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
            {
                _xl[j] = x[j] - _l[j];
                r -= Zl[j];
                dual += _l[j] * Zl[j];
                complementarity += _xl[j] * Zl[j];
                count++;
            }

            if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
            {
                _xu[j] = _u[j] - x[j];
                r += Zu[j];
                dual -= _u[j] * Zu[j];
                complementarity += _xu[j] * Zu[j];
                count++;
            }

            _rd[j] = r;
        }

        PrimalObjective = primal;
        DualObjective = dual;
        return count > 0 ? complementarity / count : 0;
    }

    private bool Iterate(double mu, int maxCorrectors, out double alphaPrimal, out double alphaDual)
    {
        alphaPrimal = 0;
        alphaDual = 0;
        for (var j = 0; j < _n; j++)
        {
            var kind = _kind[j];
            double inverse;
            switch (kind)
            {
                case StandardForm.KindFixed:
                    _theta[j] = 0;
                    continue;
                case StandardForm.KindLower:
                    inverse = Zl[j] / _xl[j];
                    break;
                case StandardForm.KindUpper:
                    inverse = Zu[j] / _xu[j];
                    break;
                case StandardForm.KindBoxed:
                    inverse = Zl[j] / _xl[j] + Zu[j] / _xu[j];
                    break;
                default:
                    inverse = FreeRegularization;
                    break;
            }

            _theta[j] = 1 / (inverse + PrimalRegularization);
        }

        if (!_solver.Factorize(_theta, DualRegularization))
        {
            return false;
        }

        // Predictor (affine scaling): target products 0.
        for (var j = 0; j < _n; j++)
        {
            _rl[j] = -_xl[j] * Zl[j];
            _ru[j] = -_xu[j] * Zu[j];
        }

        Direction(_rl, _ru, _dxAffine, _dy, _dzlAffine, _dzuAffine);
        StepLengths(_dxAffine, _dzlAffine, _dzuAffine, out var ap, out var ad);
        var muAffine = 0.0;
        var count = 0;
        for (var j = 0; j < _n; j++)
        {
            var kind = _kind[j];
            if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
            {
                muAffine += (_xl[j] + ap * _dxAffine[j]) * (Zl[j] + ad * _dzlAffine[j]);
                count++;
            }

            if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
            {
                muAffine += (_xu[j] - ap * _dxAffine[j]) * (Zu[j] + ad * _dzuAffine[j]);
                count++;
            }
        }

        muAffine = count > 0 ? muAffine / count : 0;
        var ratio = mu > 0 ? muAffine / mu : 0;
        var sigma = Math.Clamp(ratio * ratio * ratio, 0, 1);
        var target = sigma * mu;

        // Corrector: rl = σμ - xl zl - dxl_aff dzl_aff, ru = σμ - xu zu - dxu_aff dzu_aff (dxu = -dx).
        for (var j = 0; j < _n; j++)
        {
            var kind = _kind[j];
            _rl[j] = kind is StandardForm.KindLower or StandardForm.KindBoxed ? target - _xl[j] * Zl[j] - _dxAffine[j] * _dzlAffine[j] : 0;
            _ru[j] = kind is StandardForm.KindUpper or StandardForm.KindBoxed ? target - _xu[j] * Zu[j] + _dxAffine[j] * _dzuAffine[j] : 0;
        }

        Direction(_rl, _ru, _dx, _dy, _dzl, _dzu);
        StepLengths(_dx, _dzl, _dzu, out ap, out ad);

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
                var kind = _kind[j];
                _rlTrial[j] = _rl[j];
                _ruTrial[j] = _ru[j];
                if (kind is StandardForm.KindLower or StandardForm.KindBoxed)
                {
                    var v = (_xl[j] + apTarget * _dx[j]) * (Zl[j] + adTarget * _dzl[j]);
                    _rlTrial[j] += CenteringTerm(v, betaMin * target, betaMax * target);
                }

                if (kind is StandardForm.KindUpper or StandardForm.KindBoxed)
                {
                    var v = (_xu[j] - apTarget * _dx[j]) * (Zu[j] + adTarget * _dzu[j]);
                    _ruTrial[j] += CenteringTerm(v, betaMin * target, betaMax * target);
                }
            }

            Direction(_rlTrial, _ruTrial, _dxTrial, _dyTrial, _dzlTrial, _dzuTrial);
            StepLengths(_dxTrial, _dzlTrial, _dzuTrial, out var apNew, out var adNew);
            if (apNew + adNew < 1.01 * (ap + ad))
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

        alphaPrimal = Math.Min(1, StepFactor * ap);
        alphaDual = Math.Min(1, StepFactor * ad);
        for (var j = 0; j < _n; j++)
        {
            X[j] += alphaPrimal * _dx[j];
            Zl[j] += alphaDual * _dzl[j];
            Zu[j] += alphaDual * _dzu[j];
        }

        for (var i = 0; i < _m; i++)
        {
            Y[i] += alphaDual * _dy[i];
        }

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
