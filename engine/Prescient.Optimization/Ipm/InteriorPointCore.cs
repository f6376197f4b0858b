using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Prescient.Abstractions.Threading;
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
internal sealed partial class InteriorPointCore : IDisposable
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

    private readonly double[] _rp;
    private readonly double[] _rd;
    private readonly double[] _theta;
    private readonly double[] _dyAffine;
    // A Gondzio corrector's direction and targets go to the trial buffers; an accepted one swaps them in.
    private double[] _rl;
    private double[] _ru;
    private double[] _dx;
    private double[] _dy;
    private double[] _dzl;
    private double[] _dzu;
    private double[] _dxTrial;
    private double[] _dyTrial;
    private double[] _dzlTrial;
    private double[] _dzuTrial;
    private double[] _rlTrial;
    private double[] _ruTrial;
    private readonly double[] _workN;
    private readonly double[] _workM;
    private readonly double[] _rhs;
    // The primal point and bound duals live in two buffers each: the best point so far is kept by pointing at
    // its buffer instead of copying it, and a step from the best point is written into the other buffer.
    private readonly double[][] _xBuffers;
    private readonly double[][] _zlBuffers;
    private readonly double[][] _zuBuffers;
    private readonly double[] _bestY;
    private int _current;
    private int _best = -1;
    private int _source;

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
        _xBuffers = [new double[_n], new double[_n]];
        _zlBuffers = [new double[_n], new double[_n]];
        _zuBuffers = [new double[_n], new double[_n]];
        Y = new double[_m];
        _rp = new double[_m];
        _rd = new double[_n];
        _theta = new double[_n];
        _rl = new double[_n];
        _ru = new double[_n];
        _dx = new double[_n];
        _dy = new double[_m];
        _dzl = new double[_n];
        _dzu = new double[_n];
        _dyAffine = new double[_m];
        _dxTrial = new double[_n];
        _dyTrial = new double[_m];
        _dzlTrial = new double[_n];
        _dzuTrial = new double[_n];
        _rlTrial = new double[_n];
        _ruTrial = new double[_n];
        _workN = new double[_n];
        _workM = new double[_m];
        _rhs = new double[_m];
        _bestY = new double[_m];
    }

    /// <summary>The current primal point (the best one after a run that did not reach optimality).</summary>
    public double[] X => _xBuffers[_current];

    public double[] Y { get; }

    public double[] Zl => _zlBuffers[_current];

    public double[] Zu => _zuBuffers[_current];

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

    /// <summary>True when the last <see cref="Run"/> was asked to warm start but gave up on that point and started cold.</summary>
    public bool WarmStartAbandoned { get; private set; }

    /// <summary>
    /// Runs the iteration from the default starting point, or, when <paramref name="warmStart"/> is set, from the kept
    /// advanced centre (<see cref="EnableWarmStart"/>; without one, from the current X/Y/Zl/Zu pushed inside the bounds).
    /// A warm start that cannot make progress (a step shorter than <see cref="WarmStepFloor"/> in its first iterations,
    /// primal steps under <see cref="WarmCrawlStep"/> <see cref="WarmCrawlIterations"/> times in a row, divergence, a stall
    /// or a breakdown) is abandoned: the kept point's duals are tried once more with every column
    /// re-centred well inside, then the iteration restarts cold with the iterations left; <see cref="Iterations"/> and
    /// the tick counters cover every attempt.
    /// </summary>
    public CoreOutcome Run(double tolerance, int maxIterations, int maxCorrectors, long deadlineTimestamp, TimeProvider time, bool warmStart)
    {
        FactorizeTicks = 0;
        SolveTicks = 0;
        PassTicks = 0;
        WarmStartAbandoned = false;
        if (!warmStart)
        {
            return RunFrom(tolerance, maxIterations, maxCorrectors, deadlineTimestamp, time, Start.Cold, null);
        }

        // The kept advanced centre as it is, then its duals alone with every column re-centred well inside (a
        // hundred times its mean product); without one, the previous solution pushed inside the bounds.
        ReadOnlySpan<Start> attempts = _warmPoint is { Kept: true } ? [Start.Kept, Start.Recentred] : [Start.Previous];
        var used = 0;
        CoreOutcome outcome;
        foreach (var start in attempts)
        {
            outcome = RunFrom(tolerance, Math.Max(1, maxIterations - used), maxCorrectors, deadlineTimestamp, time, start, _warmPoint);
            used += Iterations;
            if (outcome is CoreOutcome.Optimal or CoreOutcome.TimeLimit or CoreOutcome.IterationLimit)
            {
                Iterations = used;
                return outcome;
            }

            WarmStartAbandoned = true;
        }

        // No warm point made progress (the previous solution, for one, sits on the old optimal face: when the data moved
        // it off that face its products xz span 1e-12 to 1e-3, the steps collapse and the duals blow up). A cold start
        // does not depend on any old point.
        outcome = RunFrom(tolerance, Math.Max(1, maxIterations - used), maxCorrectors, deadlineTimestamp, time, Start.Cold, null);
        Iterations += used;
        return outcome;
    }

    private enum Start
    {
        Cold,
        Previous,
        Kept,
        Recentred,
    }

    /// <summary>A warm-started run whose longer step stays below this in its first iterations is abandoned.</summary>
    private const double WarmStepFloor = 1e-2;

    /// <summary>A warm-started run whose primal step stays under <see cref="WarmCrawlStep"/> this many iterations in a row is abandoned.</summary>
    private const int WarmCrawlIterations = 3;

    /// <summary>The primal step below which a warm-started run counts as crawling.</summary>
    private const double WarmCrawlStep = 0.1;

    /// <summary>Iterations of a warm-started run in which a collapsed step abandons the warm start.</summary>
    private const int WarmProbeIterations = 3;

    private CoreOutcome RunFrom(double tolerance, int maxIterations, int maxCorrectors, long deadlineTimestamp, TimeProvider time, Start start, WarmPoint? point)
    {
        Iterations = 0;
        _best = -1;
        var warmStart = start != Start.Cold;
        if (warmStart)
        {
            if (!(start == Start.Previous ? WarmStartPoint() : LoadWarmPoint(point!, recentreAll: start == Start.Recentred)))
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
        var shortPrimalSteps = 0;
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
            RelativePrimalResidual = NormInf(_rp) / (1 + primalScale);
            RelativeDualResidual = _rdNorm / (1 + cNorm);
            RelativeGap = Math.Abs(PrimalObjective - DualObjective) / (1 + Math.Abs(PrimalObjective));
            var merit = Math.Max(RelativePrimalResidual, Math.Max(RelativeDualResidual, RelativeGap));
            if (double.IsNaN(merit))
            {
                outcome = CoreOutcome.NumericalError;
                break;
            }

            alphaPrimal = 0;
            alphaDual = 0;
            KeepWarmPointIfWanted(iteration, mu);

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
            shortPrimalSteps = alphaPrimal < WarmCrawlStep ? shortPrimalSteps + 1 : 0;
            Iterations = iteration + 1;
            if (warmStart && ((iteration < WarmProbeIterations && Math.Max(alphaPrimal, alphaDual) < WarmStepFloor) || shortPrimalSteps >= WarmCrawlIterations))
            {
                // A warm point too close to the boundary for the new rows' residual crawls (primal steps of a few
                // percent for dozens of iterations); starting again costs less.
                outcome = CoreOutcome.Stalled;
                break;
            }
        }

        if (outcome != CoreOutcome.Optimal)
        {
            RestoreBest();
            Evaluate(0, 0, out _, out _, out _);
            RelativePrimalResidual = NormInf(_rp) / (1 + primalScale);
            RelativeDualResidual = _rdNorm / (1 + cNorm);
            RelativeGap = Math.Abs(PrimalObjective - DualObjective) / (1 + Math.Abs(PrimalObjective));
        }

        return outcome;
    }

    /// <summary>The largest finite |bound|, lower and upper (vectorized: it runs once per solve over every column).</summary>
    private double BoundNorm() => Math.Max(MaxAbsFinite(_l.AsSpan(0, _n)), MaxAbsFinite(_u.AsSpan(0, _n)));

    private static double MaxAbsFinite(ReadOnlySpan<double> values)
    {
        var i = 0;
        var max = 0.0;
        if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<double>.Count)
        {
            var infinity = Vector256.Create(double.PositiveInfinity);
            var best = Vector256<double>.Zero;
            for (; i <= values.Length - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                // |NaN| and |±∞| fail "< ∞" and count as 0, as double.IsFinite excludes them.
                var a = Vector256.Abs(Vector256.Create(values.Slice(i, Vector256<double>.Count)));
                best = Vector256.Max(best, Vector256.ConditionalSelect(Vector256.LessThan(a, infinity), a, Vector256<double>.Zero));
            }

            for (var k = 0; k < Vector256<double>.Count; k++)
            {
                max = Math.Max(max, best[k]);
            }
        }

        for (; i < values.Length; i++)
        {
            if (double.IsFinite(values[i]))
            {
                max = Math.Max(max, Math.Abs(values[i]));
            }
        }

        return max;
    }

    private const int AccumulatorStride = 16; // doubles per worker, a cache line apart
    private const int MinColumnsPerWorker = 20_000;

    private WorkerTeam? _team;
    private bool _ownsTeam;
    private Action<int>? _passBody;
    private double[][] _rowBuffers = [];
    private double[][] _rhsBuffers = [];
    private double[][] _targetBuffers = [];
    private double[] _accumulators = [];
    private int _pass;
    private double _passAlphaPrimal;
    private double _passAlphaDual;
    private double _passTarget;
    private bool _passKeepTargets;
    private double _passTrialAlphaPrimal;
    private double _passTrialAlphaDual;
    private double _rdNorm;
    private const int WarmLoadPass = 6;
    private WarmPoint? _passWarm;
    private bool _passRecentreAll;
    private double _passMu;

    /// <summary>Number of threads the column passes use (1 unless set by <see cref="UseThreads"/> on a large model).</summary>
    public int Threads => _team?.Count ?? 1;

    /// <summary>
    /// Splits the column passes over up to <paramref name="threads"/> threads (the caller plus background
    /// workers), when the model has at least 20,000 columns per thread. Call once, before <see cref="Run"/>. A
    /// <paramref name="shared"/> team of that many threads is used instead of starting one (its owner disposes it).
    /// </summary>
    public void UseThreads(int threads, WorkerTeam? shared = null)
    {
        var count = Math.Max(1, Math.Min(threads, _n / MinColumnsPerWorker));
        if (_ownsTeam)
        {
            _team?.Dispose();
        }

        _ownsTeam = count > 1 && shared?.Count != count;
        _team = count == 1 ? null : _ownsTeam ? new WorkerTeam(count, "ipm") : shared;
        (_solver as Linear.BlockAngularNormalEquations)?.UseWorkers(_team);
        _passBody = RunPassPart;
        _rowBuffers = new double[count][];
        _rhsBuffers = new double[count][];
        _targetBuffers = new double[count][];
        _rowBuffers[0] = _workM;
        _rhsBuffers[0] = _rhs;
        for (var w = 0; w < count; w++)
        {
            _rowBuffers[w] ??= new double[_m];
            _rhsBuffers[w] ??= new double[_m];
            _targetBuffers[w] = new double[_m];
        }

        _accumulators = new double[count * AccumulatorStride];
    }

    public void Dispose()
    {
        if (_ownsTeam)
        {
            _team?.Dispose();
        }
    }

    private void RunPass(int pass)
    {
        _pass = pass;
        if (_team is { } team)
        {
            team.Run(_passBody!);
        }
        else
        {
            RunPassPart(0);
        }
    }

    private void RunPassPart(int worker)
    {
        var count = _team?.Count ?? 1;
        var start = (int)((long)_n * worker / count);
        var end = (int)((long)_n * (worker + 1) / count);
        var acc = _accumulators.AsSpan(worker * AccumulatorStride, AccumulatorStride);
        switch (_pass)
        {
            case 1:
                EvaluateRange(start, end, _rowBuffers[worker], _rhsBuffers[worker], _targetBuffers[worker], acc);
                break;
            case 2:
                AffineRange(start, end, _rhsBuffers[worker], acc);
                break;
            case 3:
                CorrectorRange(start, end, acc);
                break;
            case 4:
                CenteringRhsRange(start, end, _rhsBuffers[worker]);
                break;
            case WarmLoadPass:
                LoadWarmRange(start, end, acc);
                break;
            default:
                CenteringDirectionRange(start, end, acc);
                break;
        }
    }

    /// <summary>Sums the accumulator <paramref name="k"/> over the workers (max when <paramref name="max"/>, min when <paramref name="min"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Reduce(int k, bool max = false, bool min = false)
    {
        var count = _accumulators.Length / AccumulatorStride;
        var value = _accumulators[k];
        for (var w = 1; w < count; w++)
        {
            var v = _accumulators[w * AccumulatorStride + k];
            value = max ? Math.Max(value, v) : min ? Math.Min(value, v) : value + v;
        }

        return value;
    }

    /// <summary>Adds the other workers' row buffers into worker 0's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReduceRows(double[][] buffers)
    {
        var target = buffers[0];
        for (var w = 1; w < buffers.Length; w++)
        {
            var b = buffers[w];
            for (var i = 0; i < _m; i++)
            {
                target[i] += b[i];
            }
        }
    }

    /// <summary>
    /// Pass 1, serial prologue and epilogue around the column ranges: applies the pending step (x += αp dx,
    /// z += αd dz, y += αd dy), then computes xl, xu, rp = b - A x, rd = c - A'y - zl + zu, the objectives, Θ,
    /// and the predictor's r̂ = rd + zl - zu with its right-hand side rp + A Θ r̂. Returns μ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Evaluate(double alphaPrimal, double alphaDual, out double xNorm, out double zNorm, out double yNorm)
    {
        if (_passBody is null)
        {
            UseThreads(1);
        }

        var y = Y;
        yNorm = 0;
        for (var i = 0; i < _m; i++)
        {
            if (alphaDual != 0)
            {
                y[i] += alphaDual * _dy[i];
            }

            yNorm = Math.Max(yNorm, Math.Abs(y[i]));
        }

        foreach (var b in _rowBuffers)
        {
            Array.Clear(b, 0, _m);
        }

        foreach (var b in _rhsBuffers)
        {
            Array.Clear(b, 0, _m);
        }

        foreach (var b in _targetBuffers)
        {
            Array.Clear(b, 0, _m);
        }

        _passAlphaPrimal = alphaPrimal;
        _passAlphaDual = alphaDual;
        var stepping = alphaPrimal != 0 || alphaDual != 0;
        _source = _current;
        if (stepping && _current == _best)
        {
            _current = 1 - _current;
        }

        RunPass(1);
        ReduceRows(_rowBuffers);
        ReduceRows(_rhsBuffers);
        ReduceRows(_targetBuffers);
        var ax = _workM;
        var rhs = _rhs;
        var dualFromRows = 0.0;
        for (var i = 0; i < _m; i++)
        {
            var rp = _b[i] - ax[i];
            _rp[i] = rp;
            rhs[i] += rp;
            dualFromRows += _b[i] * y[i];
        }

        xNorm = Reduce(3, max: true);
        zNorm = Reduce(4, max: true);
        _rdNorm = Reduce(6, max: true);
        PrimalObjective = Reduce(0);
        DualObjective = Reduce(1) + dualFromRows;
        var count = Reduce(5);
        return count > 0 ? Reduce(2) / count : 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Iterate(double mu, int maxCorrectors, out double alphaPrimal, out double alphaDual)
    {
        alphaPrimal = 0;
        alphaDual = 0;
        var t0 = Stopwatch.GetTimestamp();
        if (!_solver.Factorize(_theta, DualRegularization))
        {
            return false;
        }

        // Predictor (affine scaling, target products 0): rhs = rp + A Θ r̂ was formed by Evaluate.
        var t1 = Stopwatch.GetTimestamp();
        _solver.Solve(_rhs, _dyAffine);
        var t2 = Stopwatch.GetTimestamp();
        FactorizeTicks += t1 - t0;
        SolveTicks += t2 - t1;
        foreach (var b in _rhsBuffers)
        {
            Array.Clear(b, 0, _m);
        }

        RunPass(2);
        ReduceRows(_rhsBuffers);

        // Σ(xl + αp dx)(zl + αd dzl) = s0 + αp s1 + αd s2 + αp αd s3, the same for the upper side.
        var ap = Math.Min(1, Reduce(0, min: true));
        var ad = Math.Min(1, Reduce(1, min: true));
        var count = Reduce(6);
        var muAffine = count > 0 ? (Reduce(2) + (ap * Reduce(3)) + (ad * Reduce(4)) + (ap * ad * Reduce(5))) / count : 0;
        var ratio = mu > 0 ? Math.Max(0, muAffine) / mu : 0;
        var sigma = Math.Clamp(ratio * ratio * ratio, 0, 1);
        var target = sigma * mu;

        // Corrector: rl = σμ - xl zl - dxl_aff dzl_aff, ru = σμ - xu zu - dxu_aff dzu_aff (dxu = -dx);
        // r̂ = rd - rl/xl + ru/xu = p + σμ q, rhs = rp + A Θ p + σμ A Θ q (passes 2 and 1 formed both products).
        _passTarget = target;
        _passKeepTargets = maxCorrectors > 0;
        var targetRhs = _targetBuffers[0];
        for (var i = 0; i < _m; i++)
        {
            _rhs[i] += (target * targetRhs[i]) + _rp[i];
        }

        var t3 = Stopwatch.GetTimestamp();
        _solver.Solve(_rhs, _dy);
        var t4 = Stopwatch.GetTimestamp();
        SolveTicks += t4 - t3;
        PassTicks += t3 - t2;
        RunPass(3);
        ap = Reduce(0, min: true);
        ad = Reduce(1, min: true);

        // Gondzio multiple-centrality correctors: push outlying products of the trial point back into
        // [βmin σμ, βmax σμ] and keep the corrected direction when it allows longer steps.
        var correctorSolveTicks = 0L;
        for (var k = 0; k < maxCorrectors && target > 0; k++)
        {
            _passTrialAlphaPrimal = Math.Min(1, 1.5 * ap + 0.1);
            _passTrialAlphaDual = Math.Min(1, 1.5 * ad + 0.1);

            // rhs = rp + A Θ r̂: worker 0's buffer starts as rp, so one worker sums in the order of A x + rp.
            Array.Copy(_rp, _rhsBuffers[0], _m);
            for (var w = 1; w < _rhsBuffers.Length; w++)
            {
                Array.Clear(_rhsBuffers[w], 0, _m);
            }

            RunPass(4);
            ReduceRows(_rhsBuffers);
            var t5 = Stopwatch.GetTimestamp();
            _solver.Solve(_rhs, _dyTrial);
            var t6 = Stopwatch.GetTimestamp();
            SolveTicks += t6 - t5;
            correctorSolveTicks += t6 - t5;
            RunPass(5);
            var apNew = Math.Min(Reduce(0, min: true), 1e30);
            var adNew = Math.Min(Reduce(1, min: true), 1e30);
            if (apNew + adNew < 1.01 * (Math.Min(ap, 1e30) + Math.Min(ad, 1e30)))
            {
                break;
            }

            ap = apNew;
            ad = adNew;
            (_dx, _dxTrial) = (_dxTrial, _dx);
            (_dy, _dyTrial) = (_dyTrial, _dy);
            (_dzl, _dzlTrial) = (_dzlTrial, _dzl);
            (_dzu, _dzuTrial) = (_dzuTrial, _dzu);
            (_rl, _rlTrial) = (_rlTrial, _rl);
            (_ru, _ruTrial) = (_ruTrial, _ru);
        }

        PassTicks += Stopwatch.GetTimestamp() - t4 - correctorSolveTicks;
        alphaPrimal = Math.Min(1, StepFactor * ap);
        alphaDual = Math.Min(1, StepFactor * ad);
        return true;
    }

    private const double CenteringBetaMin = 0.1;
    private const double CenteringBetaMax = 10;

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
        _best = _current;
        Array.Copy(Y, _bestY, _m);
    }

    private void RestoreBest()
    {
        if (_best >= 0)
        {
            _current = _best;
            Array.Copy(_bestY, Y, _m);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double NormInf(ReadOnlySpan<double> v)
    {
        var s = 0.0;
        foreach (var e in v)
        {
            s = Math.Max(s, Math.Abs(e));
        }

        return s;
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
