using System.Globalization;
using System.Text;
using Prescient.Host.State;
using Prescient.Orchestration.Feedback;

namespace Prescient.Host.Metrics;

/// <summary>
/// The planner's Prometheus metrics: cycle latency and solve time histograms, forecast error by horizon, model health,
/// degraded paths, commands sent/applied/refused (from the command log). Updated once per cycle, rendered in the
/// Prometheus text format (version 0.0.4) on <c>GET /metrics</c>. Thread-safe.
/// </summary>
public sealed class PlanningMetrics(CommandLog commands)
{
    private static readonly double[] BucketsMilliseconds = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
    private readonly Lock _lock = new();
    private readonly Histogram _cycle = new(BucketsMilliseconds);
    private readonly Histogram _solve = new(BucketsMilliseconds);
    private readonly Histogram _forecast = new(BucketsMilliseconds);
    private readonly SortedDictionary<string, ulong> _degraded = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ulong> _solverStatus = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ulong> _solverPath = new(StringComparer.Ordinal);
    private HorizonErrorStatistics[] _horizons = [];
    private ModelHealthStatus[] _models = [];
    private ulong _cycles;
    private ulong _overruns;
    private ulong _changes;
    private ulong _recommendations;
    private int _degradationLevel;
    private int _fallbackSeries;
    private int _failStaticNodes;
    private ulong _unsent;
    private int _fineTuningRounds = -1;
    private int _fineTuningAccepted;
    private double _fineTuningBefore = double.NaN;
    private double _fineTuningAfter = double.NaN;

    /// <summary>Records one cycle's timings and outcome.</summary>
    public void RecordCycle(double cycleMilliseconds, double solveMilliseconds, double forecastMilliseconds, string solverStatus, bool overrun, int degradationLevel, int changes, int recommendations, int fallbackSeries, int failStaticNodes)
    {
        lock (_lock)
        {
            _cycles++;
            _cycle.Add(cycleMilliseconds);
            _solve.Add(solveMilliseconds);
            _forecast.Add(forecastMilliseconds);
            _solverStatus[solverStatus] = _solverStatus.GetValueOrDefault(solverStatus) + 1;
            _overruns += overrun ? 1UL : 0;
            _degradationLevel = degradationLevel;
            _changes += (ulong)changes;
            _recommendations += (ulong)recommendations;
            _fallbackSeries = fallbackSeries;
            _failStaticNodes = failStaticNodes;
        }
    }

    /// <summary>Counts a cycle's allocation LP solve by how it ended (<c>CycleResult.SolverPath</c>; empty: none).</summary>
    public void SolverPath(string path)
    {
        if (path.Length == 0)
        {
            return;
        }

        lock (_lock)
        {
            _solverPath[path] = _solverPath.GetValueOrDefault(path) + 1;
        }
    }

    /// <summary>Counts one use of a degraded path (e.g. <c>reactive-fallback</c>, <c>model-rollback</c>, <c>horizon-skipped</c>).</summary>
    public void Degraded(string path, ulong count = 1)
    {
        lock (_lock)
        {
            _degraded[path] = _degraded.GetValueOrDefault(path) + count;
        }
    }

    /// <summary>Counts commands the planner could not hand to an agent (no stream, full queue).</summary>
    public void Unsent(int count)
    {
        lock (_lock)
        {
            _unsent += (ulong)count;
        }
    }

    /// <summary>Replaces the forecast-error and model-health figures (copies are kept).</summary>
    /// <summary>The LSTM's background fine-tuning: rounds finished, rounds kept, and the last round's held-out pinball loss before and after.</summary>
    public void SetFineTuning(int rounds, int accepted, double lossBefore, double lossAfter)
    {
        lock (_lock)
        {
            (_fineTuningRounds, _fineTuningAccepted, _fineTuningBefore, _fineTuningAfter) = (rounds, accepted, lossBefore, lossAfter);
        }
    }

    public void SetFeedback(ReadOnlySpan<HorizonErrorStatistics> horizons, ReadOnlySpan<ModelHealthStatus> models)
    {
        lock (_lock)
        {
            _horizons = horizons.ToArray();
            _models = models.ToArray();
        }
    }

    /// <summary>The metrics in the Prometheus text exposition format.</summary>
    public string Render()
    {
        var counters = commands.Counters();
        var b = new StringBuilder(4096);
        lock (_lock)
        {
            _cycle.Write(b, "prescient_cycle_duration_milliseconds", "Wall time of a planning cycle.");
            _solve.Write(b, "prescient_solve_duration_milliseconds", "Time spent in the allocation LP solver per cycle.");
            _forecast.Write(b, "prescient_forecast_duration_milliseconds", "Time spent observing and forecasting per cycle.");
            Counter(b, "prescient_cycles_total", "Planning cycles run.", _cycles);
            Counter(b, "prescient_cycle_overruns_total", "Cycles that exceeded their budget (the next ones degrade).", _overruns);
            Gauge(b, "prescient_degradation_level", "Horizons skipped because of overruns.", _degradationLevel);
            Counter(b, "prescient_planned_changes_total", "Changes planned (commands and recommendations).", _changes);
            Counter(b, "prescient_recommendations_total", "Scale-out, migration and re-plan recommendations.", _recommendations);
            Gauge(b, "prescient_fallback_series", "Series on the reactive fallback because their forecast error is over threshold.", _fallbackSeries);
            Gauge(b, "prescient_fail_static_nodes", "Nodes kept fail-static (agent silent, lost, or not resynced).", _failStaticNodes);
            Counter(b, "prescient_commands_unsent_total", "Planned commands that could not be handed to an agent.", _unsent);
            b.Append("# HELP prescient_solver_status_total Cycles by allocation LP solver status.\n# TYPE prescient_solver_status_total counter\n");
            foreach (var (status, count) in _solverStatus)
            {
                b.Append(CultureInfo.InvariantCulture, $"prescient_solver_status_total{{status=\"{status}\"}} {count}\n");
            }

            b.Append("# HELP prescient_solver_path_total Cycles by how the allocation LP was solved (presolve, linked, structured, general).\n# TYPE prescient_solver_path_total counter\n");
            foreach (var (path, count) in _solverPath)
            {
                b.Append(CultureInfo.InvariantCulture, $"prescient_solver_path_total{{path=\"{path}\"}} {count}\n");
            }

            b.Append("# HELP prescient_degraded_path_total Uses of a degraded path.\n# TYPE prescient_degraded_path_total counter\n");
            foreach (var (path, count) in _degraded)
            {
                b.Append(CultureInfo.InvariantCulture, $"prescient_degraded_path_total{{path=\"{path}\"}} {count}\n");
            }

            b.Append("# HELP prescient_forecast_error_normalized Mean |actual - median| / level per horizon.\n# TYPE prescient_forecast_error_normalized gauge\n");
            foreach (var h in _horizons)
            {
                b.Append(CultureInfo.InvariantCulture, $"prescient_forecast_error_normalized{{horizon_seconds=\"{h.HorizonSeconds}\"}} {Number(h.MeanNormalizedAbsoluteError)}\n");
            }

            b.Append("# HELP prescient_forecast_pinball_normalized Mean pinball loss (0.5, 0.9, 0.99) / level per horizon.\n# TYPE prescient_forecast_pinball_normalized gauge\n");
            foreach (var h in _horizons)
            {
                b.Append(CultureInfo.InvariantCulture, $"prescient_forecast_pinball_normalized{{horizon_seconds=\"{h.HorizonSeconds}\"}} {Number(h.MeanNormalizedPinball)}\n");
            }

            b.Append("# HELP prescient_forecast_coverage Share of actuals at or below the quantile, per horizon.\n# TYPE prescient_forecast_coverage gauge\n");
            foreach (var h in _horizons)
            {
                b.Append(CultureInfo.InvariantCulture, $"prescient_forecast_coverage{{horizon_seconds=\"{h.HorizonSeconds}\",quantile=\"0.9\"}} {Number(h.CoverageP90)}\n");
                b.Append(CultureInfo.InvariantCulture, $"prescient_forecast_coverage{{horizon_seconds=\"{h.HorizonSeconds}\",quantile=\"0.99\"}} {Number(h.CoverageP99)}\n");
            }

            b.Append("# HELP prescient_forecast_scored_total Predictions scored against actuals per horizon.\n# TYPE prescient_forecast_scored_total counter\n");
            foreach (var h in _horizons)
            {
                b.Append(CultureInfo.InvariantCulture, $"prescient_forecast_scored_total{{horizon_seconds=\"{h.HorizonSeconds}\"}} {h.Scored}\n");
            }

            b.Append("# HELP prescient_model_pinball Recent and baseline normalized pinball loss per model.\n# TYPE prescient_model_pinball gauge\n");
            foreach (var m in _models)
            {
                b.Append(CultureInfo.InvariantCulture, $"prescient_model_pinball{{model=\"{m.Name}\",window=\"recent\"}} {Number(m.RecentPinball)}\n");
                b.Append(CultureInfo.InvariantCulture, $"prescient_model_pinball{{model=\"{m.Name}\",window=\"baseline\"}} {Number(m.BaselinePinball)}\n");
            }

            if (_fineTuningRounds >= 0)
            {
                Counter(b, "prescient_lstm_finetune_rounds_total", "Background fine-tuning rounds of the LSTM that finished.", (ulong)_fineTuningRounds);
                Counter(b, "prescient_lstm_finetune_accepted_total", "Rounds whose model was better on held-out windows and was swapped in.", (ulong)_fineTuningAccepted);
                b.Append("# HELP prescient_lstm_finetune_heldout_pinball Held-out pinball loss (scaled units) of the last round, before and after.\n# TYPE prescient_lstm_finetune_heldout_pinball gauge\n");
                b.Append(CultureInfo.InvariantCulture, $"prescient_lstm_finetune_heldout_pinball{{model=\"before\"}} {Number(_fineTuningBefore)}\n");
                b.Append(CultureInfo.InvariantCulture, $"prescient_lstm_finetune_heldout_pinball{{model=\"after\"}} {Number(_fineTuningAfter)}\n");
            }

            b.Append("# HELP prescient_model_active 1 for the model whose forecasts are planned from.\n# TYPE prescient_model_active gauge\n");
            foreach (var m in _models)
            {
                b.Append(CultureInfo.InvariantCulture, $"prescient_model_active{{model=\"{m.Name}\"}} {(m.Active ? 1 : 0)}\n");
            }
        }

        Counter(b, "prescient_commands_sent_total", "Commands sent to agents.", counters.Sent);
        Counter(b, "prescient_commands_applied_total", "Commands agents applied.", counters.Applied);
        Counter(b, "prescient_commands_refused_total", "Commands agents refused.", counters.Refused);
        Counter(b, "prescient_commands_dry_run_total", "Commands agents answered in dry-run mode.", counters.DryRun);
        Counter(b, "prescient_commands_expired_total", "Commands given up unanswered after the pending timeout (10 minutes).", counters.Expired);
        WriteProcess(b);
        return b.ToString();
    }

    /// <summary>The engine process's memory as the kernel and the garbage collector see it (what an operator sizes a node by).</summary>
    private static void WriteProcess(StringBuilder b)
    {
        Gauge(b, "prescient_process_resident_bytes", "Resident set size of the engine process.", Environment.WorkingSet);
        var gc = GC.GetGCMemoryInfo();
        Gauge(b, "prescient_gc_heap_bytes", "Managed heap size at the last collection (live objects and fragmentation).", gc.HeapSizeBytes);
        Gauge(b, "prescient_gc_fragmented_bytes", "Free space inside the managed heap at the last collection.", gc.FragmentedBytes);
        Gauge(b, "prescient_gc_committed_bytes", "Memory committed by the garbage collector.", gc.TotalCommittedBytes);
        Gauge(b, "prescient_gc_pause_time_percent", "Share of time the runtime was paused for collections since start.", gc.PauseTimePercentage);
        Counter(b, "prescient_gc_allocated_bytes_total", "Bytes allocated on the managed heap since start.", (ulong)GC.GetTotalAllocatedBytes());
        b.Append(CultureInfo.InvariantCulture, $"# HELP prescient_gc_pause_seconds_total Time the runtime was paused for collections since start.\n# TYPE prescient_gc_pause_seconds_total counter\nprescient_gc_pause_seconds_total {Number(GC.GetTotalPauseDuration().TotalSeconds)}\n");

        // The last collection of each kind: how long it paused the engine and how much it kept (what a young collection
        // promotes is what makes it expensive).
        b.Append("# HELP prescient_gc_last_pause_seconds Pause of the last collection of each kind.\n# TYPE prescient_gc_last_pause_seconds gauge\n");
        var promoted = new StringBuilder();
        foreach (var (kind, label) in (ReadOnlySpan<(GCKind, string)>)[(GCKind.Ephemeral, "ephemeral"), (GCKind.FullBlocking, "full_blocking"), (GCKind.Background, "background")])
        {
            var info = GC.GetGCMemoryInfo(kind);
            var pause = info.Index == 0 ? 0 : info.PauseDurations[0].TotalSeconds + info.PauseDurations[1].TotalSeconds;
            b.Append(CultureInfo.InvariantCulture, $"prescient_gc_last_pause_seconds{{kind=\"{label}\"}} {Number(pause)}\n");
            promoted.Append(CultureInfo.InvariantCulture, $"prescient_gc_last_promoted_bytes{{kind=\"{label}\"}} {info.PromotedBytes}\n");
        }

        b.Append("# HELP prescient_gc_last_promoted_bytes Bytes the last collection of each kind kept (promoted or compacted).\n# TYPE prescient_gc_last_promoted_bytes gauge\n");
        b.Append(promoted);
        b.Append("# HELP prescient_gc_collections_total Garbage collections since start, by generation.\n# TYPE prescient_gc_collections_total counter\n");
        for (var g = 0; g <= GC.MaxGeneration; g++)
        {
            b.Append(CultureInfo.InvariantCulture, $"prescient_gc_collections_total{{generation=\"{g}\"}} {GC.CollectionCount(g)}\n");
        }
    }

    private static string Number(double v) => double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);

    private static void Counter(StringBuilder b, string name, string help, ulong value) =>
        b.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");

    private static void Gauge(StringBuilder b, string name, string help, double value) =>
        b.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name} {Number(value)}\n");

    /// <summary>A cumulative Prometheus histogram with fixed buckets.</summary>
    private sealed class Histogram(double[] bounds)
    {
        private readonly ulong[] _counts = new ulong[bounds.Length];
        private ulong _count;
        private double _sum;

        public void Add(double value)
        {
            _count++;
            _sum += value;
            for (var i = 0; i < bounds.Length; i++)
            {
                if (value <= bounds[i])
                {
                    _counts[i]++;
                }
            }
        }

        public void Write(StringBuilder b, string name, string help)
        {
            b.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
            for (var i = 0; i < bounds.Length; i++)
            {
                b.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"{bounds[i]}\"}} {_counts[i]}\n");
            }

            b.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"+Inf\"}} {_count}\n{name}_sum {Number(_sum)}\n{name}_count {_count}\n");
        }
    }
}
