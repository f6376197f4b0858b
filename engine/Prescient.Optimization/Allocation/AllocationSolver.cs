using Prescient.Optimization.Ipm;
using Prescient.Optimization.Linear;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Allocation;

/// <summary>
/// The planning cycle's solver (the <c>ipm</c> structured path): keeps the allocation LP, its standard form,
/// the block-angular normal-equations solver and the interior-point workspace across calls. When the cluster's
/// shape is unchanged, a call re-fills the numbers in place and allocates nothing. A presolve solves every capacity
/// row without a linked column exactly as a knapsack (<see cref="InteriorPointOptions.Presolve"/>; off, the iteration
/// runs on the whole LP); the interior-point iteration runs on what is left. A warm start begins at an advanced centre
/// kept from the previous solve (an iterate with a relative gap of 1e-3..1e-2, placed in the new data); when that
/// point makes no progress the solve retries re-centred, then cold, within the same budget.
/// </summary>
/// <remarks>Not thread-safe: one instance per planning loop. On large models the column passes run on
/// <see cref="InteriorPointOptions.Threads"/> threads kept for the solver's lifetime; dispose it to stop them.</remarks>
public sealed class AllocationSolver : IDisposable
{
    private readonly InteriorPointOptions _options;
    private SeparableRows? _split;
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

    /// <summary>
    /// <c>structured</c>, or <c>general</c> when the model was not block-angular (never for the builder's models), or
    /// <c>presolve</c> when no row had a linked column and the presolve's knapsacks solved the whole LP.
    /// </summary>
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

        if (rebuilt || _split is null)
        {
            _split = new SeparableRows(lp, _options.Presolve);
            _x = new double[lp.ColumnCount];
            _split.Refill(lp);
            CreateWorkspace(_split.Reduced, state.NodeCount * state.ResourceCount);
        }
        else
        {
            _split.Refill(lp);

            // Scaling factors and the scaled matrix are kept from the build: the pattern and the ones in the matrix do not change.
            _form?.Refill(_split.Reduced, recomputeScaling: false, matrixUnchanged: true);
        }

        // Every band column has lower bound 0 and every row is "≤" with coefficients +1, so the model is feasible
        // exactly when x = 0 is, i.e. when every row's bound (capacity minus the fixed part) is ≥ 0.
        var split = _split;
        split.SolveKnapsacks(lp, _x);
        var status = FixedPartFits(lp) ? LpStatus.Optimal : LpStatus.Infeasible;
        var core = _core;
        var form = _form;
        if (core is not null && form is not null)
        {
            if (form.InconsistentBounds)
            {
                status = LpStatus.Infeasible;
            }
            else if (status == LpStatus.Optimal)
            {
                var deadline = _options.TimeLimit is { } limit ? started + (long)(limit.TotalSeconds * time.TimestampFrequency) : long.MaxValue;
                var outcome = core.Run(_options.Tolerance, _options.MaxIterations, _options.CorrectorsFor(form.ColumnCount), deadline, time, warmStart && _hasSolution && !rebuilt);
                status = outcome switch
                {
                    CoreOutcome.Optimal => LpStatus.Optimal,
                    CoreOutcome.TimeLimit => LpStatus.TimeLimit,
                    CoreOutcome.IterationLimit => LpStatus.IterationLimit,
                    _ => LpStatus.NumericalError,
                };
            }

            var columns = split.ReducedColumns;
            for (var k = 0; k < columns.Length; k++)
            {
                _x[columns[k]] = core.X[k] * form.ColumnScale[k];
            }
        }

        _hasSolution = status == LpStatus.Optimal;
        Builder.ExtractAllocation(_x, allocation);
        var objective = lp.ObjectiveValue(_x);
        var frequency = (double)System.Diagnostics.Stopwatch.Frequency;
        return new AllocationSolveResult(
            status,
            objective,
            core?.Iterations ?? 0,
            time.GetElapsedTime(started).TotalSeconds,
            core?.RelativePrimalResidual ?? 0,
            core?.RelativeDualResidual ?? 0,
            core?.RelativeGap ?? 0,
            rebuilt,
            (core?.FactorizeTicks ?? 0) / frequency,
            (core?.SolveTicks ?? 0) / frequency,
            (core?.PassTicks ?? 0) / frequency,
            core?.WarmStartAbandoned ?? false);
    }

    /// <summary>Rows solved exactly by the presolve (capacity rows with no linked column) in the current model.</summary>
    public int SeparableRowCount => _split?.SeparableRowCount ?? 0;

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

    private void CreateWorkspace(LinearProgram reduced, int firstLinkingRow)
    {
        _core?.Dispose();
        _core = null;
        _form = null;
        _hasSolution = false;
        if (reduced.ColumnCount == 0)
        {
            Path = "presolve";
            return;
        }

        _form = new StandardForm(reduced);

        // The budgets' rows are the linking rows, however many columns the presolve left in them.
        var linking = new bool[_form.RowCount];
        for (var i = 0; i < linking.Length; i++)
        {
            linking[i] = _split!.ModelRow(_form.LpRowOf[i]) >= firstLinkingRow;
        }

        var structure = BlockStructure.Detect(_form.A, linking);
        INormalEquationsSolver normal = structure is not null
            ? new BlockAngularNormalEquations(_form.A, structure)
            : new NormalEquationsCholesky(_form.A);
        Path = normal.Name;
        _core = new InteriorPointCore(_form.A, _form.B, _form.C, _form.Lower, _form.Upper, _form.Kind, normal);
        _core.UseThreads(_options.Threads);
        _core.EnableWarmStart();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowTooShort(int length, int needed) =>
        throw new ArgumentException($"allocation span has {length} entries; the model has {needed} (job, resource) pairs");
}
