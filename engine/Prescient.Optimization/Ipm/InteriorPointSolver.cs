using System.Diagnostics;
using System.Runtime.CompilerServices;
using Prescient.Optimization.Linear;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Ipm;

/// <summary>
/// Primal-dual interior-point LP solver (<c>ipm</c>): light presolve, scaling, Mehrotra predictor-corrector
/// with Gondzio correctors on the normal equations, then checked infeasibility/unboundedness decisions
/// and postsolve. Stateless and thread-safe; each call allocates its own workspace (the allocation
/// planner's steady-state path is <see cref="Allocation.AllocationSolver"/>).
/// </summary>
public static class InteriorPointSolver
{
    /// <summary>Stable plugin name.</summary>
    public const string Name = "ipm";

    /// <summary>
    /// Solves <paramref name="lp"/>. Invalid numbers (NaN, infinite coefficients) throw <see cref="ArgumentException"/>
    /// naming the entry; everything else — inconsistent bounds included — comes back as a status.
    /// </summary>
    public static LpResult Solve(LinearProgram lp, InteriorPointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lp);
        options ??= new InteriorPointOptions();
        options.Validate();
        if (lp.Validate() is { } problem)
        {
            throw new ArgumentException($"invalid model: {problem}", nameof(lp));
        }

        var time = options.TimeProvider;
        var started = time.GetTimestamp();

        // The allocation LP's shape (bands in ≤ rows with coefficients 1) is solved exactly without the iteration when
        // its point passes the KKT check; anything else, or a point that does not, takes the presolve and the iteration.
        var result = options.Presolve && options.Path == SolverPath.Auto ? Allocation.LinkedShape.TrySolve(lp, options) : null;
        if (result is null)
        {
            var deadline = options.TimeLimit is { } limit ? started + (long)(limit.TotalSeconds * time.TimestampFrequency) : long.MaxValue;
            result = SolveWithDeadline(lp, options, deadline, allowCertificates: options.DetectInfeasibility);
        }

        result.Seconds = time.GetElapsedTime(started).TotalSeconds;
        return result;
    }

    internal static LpResult SolveWithDeadline(LinearProgram lp, InteriorPointOptions options, long deadline, bool allowCertificates)
    {
        Presolve.PresolveResult? presolved = null;
        var working = lp;
        var setupStarted = options.TimeProvider.GetTimestamp();
        if (options.Presolve && options.Path != SolverPath.Structured)
        {
            presolved = Presolve.Presolver.Run(lp);
            if (presolved.Status is { } decided)
            {
                return Finish(lp, decided, presolved.Reason, Clamp(lp), new double[lp.RowCount], 0, "general", null);
            }

            working = presolved.Reduced;
        }

        var form = new StandardForm(working, options.Scaling);
        if (form.InconsistentBounds)
        {
            return Finish(lp, LpStatus.Infeasible, "a column or row has lower bound above upper bound", Clamp(lp), new double[lp.RowCount], 0, "general", null);
        }

        var normal = CreateNormalEquations(form, options.Path);
        var setupSeconds = options.TimeProvider.GetElapsedTime(setupStarted).TotalSeconds;
        using var core = new InteriorPointCore(form.A, form.B, form.C, form.Lower, form.Upper, form.Kind, normal);
        core.UseThreads(options.Threads);
        var outcome = core.Run(options.Tolerance, options.MaxIterations, options.CorrectorsFor(form.ColumnCount), deadline, options.TimeProvider, warmStart: false);
        var (x, y) = Unscale(form, core);
        if (presolved is not null)
        {
            (x, y) = presolved.Postsolve(x, y);
        }

        var status = outcome switch
        {
            CoreOutcome.Optimal => LpStatus.Optimal,
            CoreOutcome.TimeLimit => LpStatus.TimeLimit,
            CoreOutcome.IterationLimit => LpStatus.IterationLimit,
            _ => LpStatus.NumericalError,
        };
        var reason = outcome switch
        {
            CoreOutcome.Optimal => "residuals and gap within tolerance",
            CoreOutcome.TimeLimit => "deadline reached; best point returned",
            CoreOutcome.IterationLimit => "iteration cap reached; best point returned",
            CoreOutcome.Diverging => "iterates diverged",
            CoreOutcome.Stalled => "no progress",
            _ => "factorization broke down",
        };

        if (outcome is not (CoreOutcome.Optimal or CoreOutcome.TimeLimit) && allowCertificates)
        {
            var (decided, why) = Certify(lp, options, deadline);
            if (decided is { } s)
            {
                status = s;
                reason = why;
            }
            else
            {
                reason += "; " + why;
            }
        }

        var result = Finish(lp, status, reason, x, y, core.Iterations, normal.Name, presolved);
        result.SetupSeconds = setupSeconds;
        result.FactorNonZeros = normal is NormalEquationsCholesky cholesky ? cholesky.FactorNonZeroCount : 0;
        return result;
    }

    private static INormalEquationsSolver CreateNormalEquations(StandardForm form, SolverPath path)
    {
        if (path == SolverPath.General)
        {
            return new NormalEquationsCholesky(form.A);
        }

        var structure = BlockStructure.Detect(form.A);
        if (structure is not null)
        {
            return new BlockAngularNormalEquations(form.A, structure);
        }

        if (path == SolverPath.Structured)
        {
            throw new InvalidOperationException("the structured path needs a block-angular matrix (small blocks plus a few linking rows); this model is not");
        }

        return new NormalEquationsCholesky(form.A);
    }

    /// <summary>x = C x̄ (free columns recombined), y = R ȳ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (double[] X, double[] Y) Unscale(StandardForm form, InteriorPointCore core)
    {
        var x = new double[form.SourceColumns];
        for (var col = 0; col < form.SlackStart; col++)
        {
            var j = form.SourceOf[col];
            var value = core.X[col] * form.ColumnScale[col];
            x[j] += form.NegativeOf[j] == col ? -value : value;
        }

        var y = new double[form.SourceRows];
        for (var r = 0; r < form.RowCount; r++)
        {
            y[form.LpRowOf[r]] = core.Y[r] * form.RowScale[r];
        }

        return (x, y);
    }

    /// <summary>The result for a point of <paramref name="lp"/> and its duals, with the KKT residuals measured on the model.</summary>
    internal static LpResult Finish(LinearProgram lp, LpStatus status, string reason, double[] x, double[] y, int iterations, string path, Presolve.PresolveResult? presolved)
    {
        var reduced = new double[lp.ColumnCount];
        var (primal, dual, gap) = KktResiduals.Compute(lp, x, y, reduced);
        return new LpResult
        {
            Status = status,
            Reason = reason,
            Objective = status is LpStatus.Infeasible or LpStatus.Unbounded ? double.NaN : lp.ObjectiveValue(x),
            Iterations = iterations,
            Path = path,
            X = x,
            RowDuals = y,
            ReducedCosts = reduced,
            PrimalResidual = primal,
            DualResidual = dual,
            RelativeGap = gap,
            PresolveRemovedRows = presolved?.RemovedRows ?? 0,
            PresolveRemovedColumns = presolved?.RemovedColumns ?? 0,
        };
    }

    private static double[] Clamp(LinearProgram lp)
    {
        var x = new double[lp.ColumnCount];
        for (var j = 0; j < x.Length; j++)
        {
            var lo = lp.ColumnLower[j];
            var hi = lp.ColumnUpper[j];
            x[j] = double.IsFinite(lo) ? lo : double.IsFinite(hi) ? hi : 0;
        }

        return x;
    }

    /// <summary>
    /// Decides infeasibility or unboundedness with two auxiliary LPs that are always feasible and bounded,
    /// so the same iteration solves them reliably: phase one, min Σ(p+q) s.t. rowLower ≤ A x + p - q ≤ rowUpper,
    /// whose positive optimum certifies infeasibility (its duals are a Farkas certificate); then, when feasible,
    /// min c'd over the recession cone cut to |d| ≤ 1, whose negative optimum is an improving ray.
    /// </summary>
    private static (LpStatus? Status, string Reason) Certify(LinearProgram lp, InteriorPointOptions options, long deadline)
    {
        var auxOptions = new InteriorPointOptions
        {
            Tolerance = 1e-9,
            MaxIterations = Math.Max(options.MaxIterations, 200),
            TimeProvider = options.TimeProvider,
            Path = SolverPath.General,
            Presolve = false,
            MaxCorrectors = options.MaxCorrectors,
            DetectInfeasibility = false,
        };

        var boundNorm = 0.0;
        for (var i = 0; i < lp.RowCount; i++)
        {
            boundNorm = Math.Max(boundNorm, Math.Max(Finite(lp.RowLower[i]), Finite(lp.RowUpper[i])));
        }

        var phaseOne = BuildPhaseOne(lp);
        var p1 = SolveWithDeadline(phaseOne, auxOptions, deadline, allowCertificates: false);
        if (p1.Status != LpStatus.Optimal)
        {
            return (null, $"phase one ended {p1.Status.Name()}");
        }

        if (p1.Objective > 1e-6 * (1 + boundNorm))
        {
            return (LpStatus.Infeasible, $"phase-one optimum {p1.Objective:G4} > 0: no point satisfies the constraints");
        }

        var ray = BuildRayProblem(lp);
        var r = SolveWithDeadline(ray, auxOptions, deadline, allowCertificates: false);
        var costNorm = 0.0;
        foreach (var c in lp.Objective)
        {
            costNorm = Math.Max(costNorm, Math.Abs(c));
        }

        if (r.Status == LpStatus.Optimal && r.Objective < -1e-6 * (1 + costNorm))
        {
            return (LpStatus.Unbounded, $"feasible, and ray d with A d in the recession cone improves the objective by {-r.Objective:G4} per unit");
        }

        return (null, "no infeasibility or unboundedness certificate found");
    }

    private static double Finite(double v) => double.IsFinite(v) ? Math.Abs(v) : 0;

    private static LinearProgram BuildPhaseOne(LinearProgram lp)
    {
        var b = new LinearProgramBuilder { Name = lp.Name + "_phase1" };
        for (var i = 0; i < lp.RowCount; i++)
        {
            b.AddRow(lp.RowName(i), lp.RowLower[i], lp.RowUpper[i]);
        }

        for (var j = 0; j < lp.ColumnCount; j++)
        {
            var lo = lp.ColumnLower[j];
            var hi = lp.ColumnUpper[j];
            if (lo > hi)
            {
                (lo, hi) = (hi, lo);
            }

            b.AddColumn(lp.ColumnName(j), 0, lo, hi);
            for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
            {
                b.AddEntry(lp.RowIndex[p], j, lp.Values[p]);
            }
        }

        for (var i = 0; i < lp.RowCount; i++)
        {
            if (double.IsNegativeInfinity(lp.RowLower[i]) && double.IsPositiveInfinity(lp.RowUpper[i]))
            {
                continue;
            }

            var plus = b.AddColumn("p_" + i, 1, 0, double.PositiveInfinity);
            var minus = b.AddColumn("q_" + i, 1, 0, double.PositiveInfinity);
            b.AddEntry(i, plus, 1);
            b.AddEntry(i, minus, -1);
        }

        return b.Build();
    }

    private static LinearProgram BuildRayProblem(LinearProgram lp)
    {
        var sign = lp.Sense == ObjectiveSense.Maximize ? -1.0 : 1.0;
        var b = new LinearProgramBuilder { Name = lp.Name + "_ray" };
        for (var i = 0; i < lp.RowCount; i++)
        {
            var lo = double.IsFinite(lp.RowLower[i]) ? 0 : double.NegativeInfinity;
            var hi = double.IsFinite(lp.RowUpper[i]) ? 0 : double.PositiveInfinity;
            b.AddRow(lp.RowName(i), lo, hi);
        }

        for (var j = 0; j < lp.ColumnCount; j++)
        {
            var lo = double.IsFinite(lp.ColumnLower[j]) ? 0 : -1;
            var hi = double.IsFinite(lp.ColumnUpper[j]) ? 0 : 1;
            b.AddColumn(lp.ColumnName(j), sign * lp.Objective[j], lo, hi);
            for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
            {
                b.AddEntry(lp.RowIndex[p], j, lp.Values[p]);
            }
        }

        return b.Build();
    }
}
