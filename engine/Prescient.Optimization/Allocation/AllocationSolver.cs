using Prescient.Optimization.Ipm;
using Prescient.Optimization.Linear;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Allocation;

/// <summary>
/// The planning cycle's solver (the <c>ipm</c> structured path): keeps the allocation LP, its standard form,
/// the block-angular normal-equations solver and the interior-point workspace across calls. When the cluster's
/// shape is unchanged, a call re-fills the numbers in place and allocates nothing. A warm start reuses the
/// previous cycle's primal-dual point, pushed back inside the new bounds; when that point makes no progress
/// (the data moved the optimum to another face) the solve restarts cold within the same budget.
/// </summary>
/// <remarks>Not thread-safe: one instance per planning loop. On large models the column passes run on
/// <see cref="InteriorPointOptions.Threads"/> threads kept for the solver's lifetime; dispose it to stop them.</remarks>
public sealed class AllocationSolver : IDisposable
{
    private readonly InteriorPointOptions _options;
    private StandardForm? _form;
    private InteriorPointCore? _core;
    private double[] _x = [];
    private bool _hasSolution;

    public AllocationSolver(InteriorPointOptions? options = null, AllocationLpOptions? lpOptions = null)
    {
        _options = options ?? new InteriorPointOptions();
        _options.Validate();
        Builder = new AllocationLpBuilder(lpOptions);
    }

    public AllocationLpBuilder Builder { get; }

    /// <summary>Threads the column passes use on the current model.</summary>
    public int Threads => _core?.Threads ?? 1;

    /// <summary>Stops the worker threads of the column passes.</summary>
    public void Dispose() => _core?.Dispose();

    /// <summary><c>structured</c>, or <c>general</c> when the model was not block-angular (never for the builder's models).</summary>
    public string Path { get; private set; } = "";

    /// <summary>
    /// Builds (or re-fills) the LP for <paramref name="state"/>, solves it and writes the allocation per
    /// (job, resource) into <paramref name="allocation"/> (length JobCount·ResourceCount). On a status other
    /// than optimal the best point found is written. With <paramref name="warmStart"/> the previous
    /// solution seeds the iteration when the shape is unchanged.
    /// </summary>
    public AllocationSolveResult Solve(AllocationClusterState state, Span<double> allocation, bool warmStart = false)
    {
        var time = _options.TimeProvider;
        var started = time.GetTimestamp();
        var rebuilt = Builder.Build(state);
        var lp = Builder.Model!;
        if (allocation.Length < Builder.PairCount)
        {
            ThrowTooShort(allocation.Length, Builder.PairCount);
        }

        if (rebuilt || _form is null || _core is null)
        {
            CreateWorkspace(lp);
        }
        else
        {
            // Scaling factors are kept from the build: the pattern and the ones in the matrix do not change.
            _form.Refill(lp, recomputeScaling: false);
        }

        var form = _form!;
        var core = _core!;
        var deadline = _options.TimeLimit is { } limit ? started + (long)(limit.TotalSeconds * time.TimestampFrequency) : long.MaxValue;
        LpStatus status;
        if (form.InconsistentBounds || !FixedPartFits(lp))
        {
            // Every band column has lower bound 0 and every row is "≤" with coefficients +1, so the model is
            // feasible exactly when x = 0 is, i.e. when every row's bound (capacity minus the fixed part) is ≥ 0.
            status = LpStatus.Infeasible;
        }
        else
        {
            var outcome = core.Run(_options.Tolerance, _options.MaxIterations, _options.CorrectorsFor(form.ColumnCount), deadline, time, warmStart && _hasSolution && !rebuilt);
            status = outcome switch
            {
                CoreOutcome.Optimal => LpStatus.Optimal,
                CoreOutcome.TimeLimit => LpStatus.TimeLimit,
                CoreOutcome.IterationLimit => LpStatus.IterationLimit,
                _ => LpStatus.NumericalError,
            };
        }

        for (var j = 0; j < _x.Length; j++)
        {
            _x[j] = core.X[j] * form.ColumnScale[j];
        }

        _hasSolution = status == LpStatus.Optimal;
        Builder.ExtractAllocation(_x, allocation);
        var objective = lp.ObjectiveValue(_x);
        return new AllocationSolveResult(
            status,
            objective,
            core.Iterations,
            time.GetElapsedTime(started).TotalSeconds,
            core.RelativePrimalResidual,
            core.RelativeDualResidual,
            core.RelativeGap,
            rebuilt,
            (double)core.FactorizeTicks / System.Diagnostics.Stopwatch.Frequency,
            (double)core.SolveTicks / System.Diagnostics.Stopwatch.Frequency,
            (double)core.PassTicks / System.Diagnostics.Stopwatch.Frequency,
            core.WarmStartAbandoned);
    }

    private static bool FixedPartFits(LinearProgram lp)
    {
        for (var i = 0; i < lp.RowCount; i++)
        {
            if (lp.RowUpper[i] < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The last solution's band values per model column (unscaled).</summary>
    public ReadOnlySpan<double> ColumnValues => _x;

    private void CreateWorkspace(LinearProgram lp)
    {
        _form = new StandardForm(lp);
        var structure = BlockStructure.Detect(_form.A);
        INormalEquationsSolver normal = structure is not null
            ? new BlockAngularNormalEquations(_form.A, structure)
            : new NormalEquationsCholesky(_form.A);
        Path = normal.Name;
        _core?.Dispose();
        _core = new InteriorPointCore(_form.A, _form.B, _form.C, _form.Lower, _form.Upper, _form.Kind, normal);
        _core.UseThreads(_options.Threads);
        _x = new double[lp.ColumnCount];
        _hasSolution = false;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowTooShort(int length, int needed) =>
        throw new ArgumentException($"allocation span has {length} entries; the model has {needed} (job, resource) pairs");
}
