using Prescient.Abstractions.Threading;
using Prescient.Optimization.Ipm;
using Prescient.Optimization.Linear;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Allocation;

/// <summary>
/// The planning cycle's solver (the <c>ipm</c> structured path): keeps the allocation LP, its standard form,
/// the block-angular normal-equations solver and the interior-point workspace across calls. When the cluster's
/// shape is unchanged, a call re-fills the numbers in place and allocates nothing. A presolve solves every capacity
/// row without a linked column exactly as a knapsack (<see cref="InteriorPointOptions.Presolve"/>; off, the iteration
/// runs on the whole LP), then the rows with linked columns by pricing the linking rows (<see cref="LinkedKnapsacks"/>,
/// <see cref="LinkedPricing"/>): exact, and accepted only when its point passes the optimality check. When it does not,
/// the interior-point iteration runs on what the knapsacks left. A warm start reuses the last prices, or begins the
/// iteration at an advanced centre kept from its previous solve (an iterate with a relative gap of 1e-3..1e-2, placed in
/// the new data); when that point makes no progress the solve retries re-centred, then cold, within the same budget.
/// </summary>
/// <remarks>Not thread-safe: one instance per planning loop. On large models the column passes run on
/// <see cref="InteriorPointOptions.Threads"/> threads kept for the solver's lifetime; dispose it to stop them.</remarks>
public sealed class AllocationSolver : IDisposable
{
    private readonly InteriorPointOptions _options;
    private readonly WorkerTeam? _team;
    private SeparableRows? _split;
    private StandardForm? _form;
    private InteriorPointCore? _core;
    private LinkedKnapsacks? _linked;
    private double[] _x = [];
    private bool _hasSolution;
    private bool _iterationFilled;
    private int _firstLinkingRow;

    public AllocationSolver(InteriorPointOptions? options = null, AllocationLpOptions? lpOptions = null)
    {
        _options = options ?? new InteriorPointOptions();
        _options.Validate();
        Builder = new AllocationLpBuilder(lpOptions);

        // The work around the iteration (filling the model, copying it into the reduced model and the standard form,
        // reading the solution back) is shared by these workers on a large model; the iteration's passes use them too.
        _team = _options.Threads > 1 ? new WorkerTeam(_options.Threads, "allocation") : null;
        _phaseBody = RunPhasePart;
    }

    public AllocationLpBuilder Builder { get; }

    /// <summary>
    /// Whether the rows the knapsacks leave are first solved by pricing the linking rows (<see cref="LinkedKnapsacks"/>:
    /// exact, and checked against the optimality conditions; the interior-point iteration runs when the check fails).
    /// Off, the iteration always runs. Needs <see cref="InteriorPointOptions.Presolve"/>.
    /// </summary>
    public bool LinkedPricing { get; init; } = true;

    /// <summary>Rounds of pricing the last linked solve took.</summary>
    public int PricingRounds => _linked?.Rounds ?? 0;

    /// <summary>Threads the column passes use on the current model.</summary>
    public int Threads => _core?.Threads ?? 1;

    /// <summary>Whether the last solve's work around the iteration ran on the workers (a large enough model).</summary>
    internal bool WorkersShared { get; private set; }

    /// <summary>Stops the worker threads of the column passes.</summary>
    public void Dispose()
    {
        _core?.Dispose();
        _team?.Dispose();
    }

    /// <summary>
    /// How the last solve ended: <c>presolve</c> when no row had a linked column and the knapsacks solved the whole LP,
    /// <c>linked</c> when pricing the linking rows solved the rest, else the interior-point iteration's path:
    /// <c>structured</c>, or <c>general</c> when the model was not block-angular (never for the builder's models).
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
        var team = _team is not null && (long)state.JobCount * state.ResourceCount * AllocationLpBuilder.BandsPerPair >= MinColumnsPerWorker * _team.Count ? _team : null;
        WorkersShared = team is not null;
        var rebuilt = Builder.Build(state, team);
        var lp = Builder.Model!;
        if (allocation.Length < Builder.PairCount)
        {
            ThrowTooShort(allocation.Length, Builder.PairCount);
        }

        if (rebuilt || _split is null)
        {
            _split = new SeparableRows(lp, _options.Presolve, _team?.Count ?? 1);
            _x = new double[lp.ColumnCount];
            _firstLinkingRow = state.NodeCount * state.ResourceCount;
            _linked = _options.Presolve && LinkedPricing && _split.ReducedColumns.Length > 0
                ? LinkedKnapsacks.TryCreate(lp, _split.ReducedColumns, _team?.Count ?? 1)
                : null;
            DropWorkspace();
        }

        _iterationFilled = false;

        // Every band column has lower bound 0 and every row is "≤" with coefficients +1, so the model is feasible
        // exactly when x = 0 is, i.e. when every row's bound (capacity minus the fixed part) is ≥ 0.
        var split = _split;
        _phaseLp = lp;
        RunPhase(team, Phase.Knapsacks, split.SeparableRowCount);
        var status = FixedPartFits(lp) ? LpStatus.Optimal : LpStatus.Infeasible;
        var linkedSolved = false;
        var deadline = _options.TimeLimit is { } limit ? started + (long)(limit.TotalSeconds * time.TimestampFrequency) : long.MaxValue;
        if (split.ReducedColumns.Length == 0)
        {
            Path = "presolve";
        }
        else if (status == LpStatus.Optimal && _linked is not null && _linked.TrySolve(lp, _x, warmStart, team, deadline, time))
        {
            linkedSolved = true;
            Path = "linked";
        }
        else
        {
            PrepareIteration(lp, team);
        }

        var core = linkedSolved ? null : _core;
        var form = _form;
        if (core is not null && form is not null)
        {
            if (form.InconsistentBounds)
            {
                status = LpStatus.Infeasible;
            }
            else if (status == LpStatus.Optimal)
            {
                var outcome = core.Run(_options.Tolerance, _options.MaxIterations, _options.CorrectorsFor(form.ColumnCount), deadline, time, warmStart && _hasSolution);
                status = outcome switch
                {
                    CoreOutcome.Optimal => LpStatus.Optimal,
                    CoreOutcome.TimeLimit => LpStatus.TimeLimit,
                    CoreOutcome.IterationLimit => LpStatus.IterationLimit,
                    _ => LpStatus.NumericalError,
                };
                _hasSolution = status == LpStatus.Optimal;
            }

            RunPhase(team, Phase.Solution, split.ReducedColumns.Length);
        }

        Builder.ExtractAllocation(_x, allocation);
        _phaseLp = lp;
        var blocks = (lp.ColumnCount + ColumnsPerObjectiveBlock - 1) / ColumnsPerObjectiveBlock;
        if (_objectiveBlocks.Length < blocks)
        {
            _objectiveBlocks = new double[blocks];
        }

        RunPhase(team, Phase.Objective, blocks);

        // Summed by blocks of columns in order: the same value on any number of workers.
        var objective = lp.ObjectiveConstant;
        for (var b = 0; b < blocks; b++)
        {
            objective += _objectiveBlocks[b];
        }

        _phaseLp = null;
        var frequency = (double)System.Diagnostics.Stopwatch.Frequency;
        return new AllocationSolveResult(
            status,
            objective,
            core?.Iterations ?? 0,
            time.GetElapsedTime(started).TotalSeconds,
            linkedSolved ? _linked!.RelativePrimalResidual : core?.RelativePrimalResidual ?? 0,
            core?.RelativeDualResidual ?? 0,
            linkedSolved ? _linked!.RelativeGap : core?.RelativeGap ?? 0,
            rebuilt,
            (core?.FactorizeTicks ?? 0) / frequency,
            (core?.SolveTicks ?? 0) / frequency,
            (core?.PassTicks ?? 0) / frequency,
            core?.WarmStartAbandoned ?? false);
    }

    /// <summary>
    /// Band columns per worker below which a solve's work around the iteration stays on the calling thread (waking a
    /// worker costs more than a few milliseconds of work saves: at 1,000 nodes, 96,000 columns, it stays).
    /// </summary>
    internal int MinColumnsPerWorker { get; init; } = 100_000;

    private const int ColumnsPerObjectiveBlock = 16_384;
    private readonly Action<int> _phaseBody;
    private LinearProgram? _phaseLp;
    private Phase _phase;
    private int _phaseLength;
    private int _phaseWorkers;
    private double[] _objectiveBlocks = [];

    private enum Phase
    {
        Knapsacks,
        ReducedColumns,
        FormColumns,
        Solution,
        Objective,
    }

    /// <summary>Runs <paramref name="phase"/> over [0, <paramref name="length"/>), on <paramref name="team"/>'s workers or, without one, here.</summary>
    private void RunPhase(WorkerTeam? team, Phase phase, int length)
    {
        (_phase, _phaseLength, _phaseWorkers) = (phase, length, team?.Count ?? 1);
        if (team is null)
        {
            RunPhasePart(0);
        }
        else
        {
            team.Run(_phaseBody);
        }
    }

    private void RunPhasePart(int worker)
    {
        var from = (int)((long)_phaseLength * worker / _phaseWorkers);
        var to = (int)((long)_phaseLength * (worker + 1) / _phaseWorkers);
        switch (_phase)
        {
            case Phase.Knapsacks:
                _split!.SolveKnapsacks(_phaseLp!, _x, from, to, worker);
                break;
            case Phase.ReducedColumns:
                _split!.RefillColumns(_phaseLp!, from, to);
                break;
            case Phase.FormColumns:
                _form!.RefillColumns(_split!.Reduced, from, to);
                break;
            case Phase.Solution:
                ReadSolution(from, to);
                break;
            default:
                SumObjective(from, to);
                break;
        }
    }

    /// <summary>The iteration's point, unscaled, into the model's columns [from, to) of the reduced model.</summary>
    private void ReadSolution(int from, int to)
    {
        var columns = _split!.ReducedColumns;
        var x = _core!.X;
        var scale = _form!.ColumnScale;
        for (var k = from; k < to; k++)
        {
            _x[columns[k]] = x[k] * scale[k];
        }
    }

    /// <summary>c'x over each block of columns in [from, to).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void SumObjective(int fromBlock, int toBlock)
    {
        var lp = _phaseLp!;
        var c = lp.Objective;
        for (var b = fromBlock; b < toBlock; b++)
        {
            var end = Math.Min(lp.ColumnCount, (b + 1) * ColumnsPerObjectiveBlock);
            var sum = 0.0;
            for (var j = b * ColumnsPerObjectiveBlock; j < end; j++)
            {
                sum += c[j] * _x[j];
            }

            _objectiveBlocks[b] = sum;
        }
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

    /// <summary>
    /// Brings the interior-point workspace up to date with <paramref name="lp"/>: created on first need after a shape
    /// change, else re-filled in place.
    /// </summary>
    private void PrepareIteration(LinearProgram lp, WorkerTeam? team)
    {
        var split = _split!;
        if (_core is null)
        {
            split.Refill(lp);
            CreateWorkspace(split.Reduced);
        }
        else if (!_iterationFilled)
        {
            // The numbers only: scaling factors and the scaled matrix are kept from the build (the pattern and the ones in
            // the matrix do not change). StandardForm.Refill(..., matrixUnchanged: true) in pieces, its column loop shared.
            _phaseLp = lp;
            RunPhase(team, Phase.ReducedColumns, split.ReducedColumns.Length);
            split.RefillRows(lp);
            if (_form is { } f)
            {
                f.BeginRefill(split.Reduced);
                RunPhase(team, Phase.FormColumns, f.ColumnCount);
                f.RefillRightHandSide(split.Reduced);
            }
        }

        _iterationFilled = true;
        Path = _normalName;
    }

    private void DropWorkspace()
    {
        _core?.Dispose();
        _core = null;
        _form = null;
        _hasSolution = false;
    }

    private string _normalName = "";

    /// <summary>The interior-point workspace for <paramref name="reduced"/> (only after a shape change dropped the last one).</summary>
    private void CreateWorkspace(LinearProgram reduced)
    {
        _form = new StandardForm(reduced);

        // The budgets' rows are the linking rows, however many columns the presolve left in them.
        var linking = new bool[_form.RowCount];
        for (var i = 0; i < linking.Length; i++)
        {
            linking[i] = _split!.ModelRow(_form.LpRowOf[i]) >= _firstLinkingRow;
        }

        var structure = BlockStructure.Detect(_form.A, linking);
        INormalEquationsSolver normal = structure is not null
            ? new BlockAngularNormalEquations(_form.A, structure)
            : new NormalEquationsCholesky(_form.A);
        _normalName = normal.Name;
        _core = new InteriorPointCore(_form.A, _form.B, _form.C, _form.Lower, _form.Upper, _form.Kind, normal);
        _core.UseThreads(_options.Threads, _team);
        _core.EnableWarmStart();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowTooShort(int length, int needed) =>
        throw new ArgumentException($"allocation span has {length} entries; the model has {needed} (job, resource) pairs");
}
