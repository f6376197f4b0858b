using Prescient.Optimization.Ipm;

namespace Prescient.Orchestration.Cycle;

/// <summary>What a cycle ended with.</summary>
public enum CycleStatus
{
    /// <summary>The LP was solved (or its best point repaired to feasibility) and the changes planned.</summary>
    Planned = 0,

    /// <summary>The snapshot was refused (see <see cref="CycleResult.Error"/>); nothing was planned.</summary>
    InvalidInput = 1,

    /// <summary>The cluster is empty; nothing to plan.</summary>
    Empty = 2,
}

/// <summary>
/// The outcome of one cycle: counters, timings and the planned changes. Owned by the orchestrator and overwritten by
/// the next cycle (copy what must outlive it). Spans are valid until then.
/// </summary>
public sealed class CycleResult
{
    internal PlannedChange[] ChangeBuffer = [];
    internal IReadOnlyList<string>?[] PathBuffer = [];

    public ulong Cycle { get; internal set; }

    public CycleStatus Status { get; internal set; }

    /// <summary>Why the snapshot was refused; null otherwise.</summary>
    public string? Error { get; internal set; }

    public LpStatus SolverStatus { get; internal set; }

    public int SolverIterations { get; internal set; }

    /// <summary>
    /// How the allocation LP was solved (<c>AllocationSolver.Path</c>): <c>presolve</c> (knapsacks alone, no linking
    /// budget), <c>linked</c> (the budgets priced), <c>structured</c> or <c>general</c> (the interior-point iteration: the
    /// pricing's check failed, or <c>Solver = ipm-whole</c>); empty when no LP was solved this cycle.
    /// </summary>
    public string SolverPath { get; internal set; } = "";

    /// <summary>Objective of the LP at the solver's point (before the repair), in the LP's own sense (minimized cost).</summary>
    public double SolverObjective { get; internal set; }

    /// <summary>True when the LP's point had to be repaired (clamped to floors, scaled to capacity) after the solve.</summary>
    public bool Repaired { get; internal set; }

    public double ForecastMilliseconds { get; internal set; }

    public double SolveMilliseconds { get; internal set; }

    public double CycleMilliseconds { get; internal set; }

    /// <summary>True when this cycle took longer than its budget (the next one degrades).</summary>
    public bool Overrun { get; internal set; }

    /// <summary>Degradation level in force during this cycle: 0 = all horizons; k = the k longest skipped.</summary>
    public int DegradationLevel { get; internal set; }

    /// <summary>Series observed (stepped) in this cycle.</summary>
    public int SeriesObserved { get; internal set; }

    /// <summary>(Job, resource) pairs planned from the reactive path because of a spike.</summary>
    public int SpikeSeries { get; internal set; }

    /// <summary>Series in the forecast-error fallback.</summary>
    public int FallbackSeries { get; internal set; }

    /// <summary>Series with no forecast yet (cold start, reactive).</summary>
    public int ColdSeries { get; internal set; }

    /// <summary>True while the configured model is rolled back to the fallback model.</summary>
    public bool ModelRolledBack { get; internal set; }

    /// <summary>Nodes kept fail-static (agent silent, lost, or not yet resynced after an engine restart).</summary>
    public int FailStaticNodes { get; internal set; }

    public int ChangeCount { get; internal set; }

    /// <summary>The planned changes: commands first in job order, then recommendations.</summary>
    public ReadOnlySpan<PlannedChange> Changes => ChangeBuffer.AsSpan(0, ChangeCount);

    /// <summary>Paths to prefetch for change <paramref name="index"/> (a <see cref="ChangeKind.Prefetch"/>), else empty.</summary>
    public IReadOnlyList<string> PathsOf(int index) => PathBuffer[index] ?? [];
}
