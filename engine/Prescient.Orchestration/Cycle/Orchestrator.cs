using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;
using Prescient.Orchestration.Feedback;

namespace Prescient.Orchestration.Cycle;

/// <summary>
/// The predictive planning cycle (issue 6). Each <see cref="Run"/>:
/// <list type="number">
/// <item>maps jobs to forecaster series slots (R per job), accumulates new usage samples;</item>
/// <item>steps one cohort of series (each series steps once per <see cref="OrchestratorOptions.StepSeconds"/>):
/// scores the predictions that fall due (feedback), observes, forecasts, records the new predictions;</item>
/// <item>aggregates demand per (job, resource) over the horizons in each resource's lookahead, plus a reserve per node
/// for pending jobs and registered events, applying the contingencies (cold start, spike, forecast-error fallback,
/// model rollback, fail-static nodes);</item>
/// <item>fills the allocation LP and solves it (structured interior-point path, warm-started), then repairs the
/// point so that floors and capacities hold exactly;</item>
/// <item>diffs against what is in force and emits changes with lead times and reasons, then recommendations.</item>
/// </list>
/// Deterministic: the same sequence of snapshots gives the same plans (ties broken by index). Zero allocations per
/// cycle once the cluster's shape is steady (buffers in <see cref="OrchestratorWorkspace"/>). Not thread-safe: one
/// caller at a time, and a cycle never overlaps the next by construction.
/// </summary>
public sealed partial class Orchestrator
{
    internal const int R = OrchestratedResources.Count;
    internal const int Q = 3;

    private readonly OrchestratorOptions _options;
    private readonly TimeProvider _time;
    private readonly IForecaster _model;
    private readonly IForecaster _fallback;
    private readonly AllocationSolver _solver;
    private readonly FeedbackTracker _feedback;
    private readonly OrchestratorWorkspace _w = new();
    private readonly CycleResult _result = new();
    private readonly Dictionary<string, int> _slotOf = new(StringComparer.Ordinal);
    private readonly List<string> _expired = [];
    private readonly List<int> _freeSlots = [];
    private readonly int _h;
    private readonly int _width;
    private readonly int _cohorts;
    private AllocationClusterState? _lp;
    private ulong _cycle;
    private int _degradation;
    private int _calmCycles;

    /// <summary>
    /// Creates the orchestrator. <paramref name="forecasterFactory"/> makes a forecaster from a model name and shape
    /// (default: <c>ForecasterRegistry.Create</c>); both <see cref="OrchestratorOptions.Model"/> and
    /// <see cref="OrchestratorOptions.FallbackModel"/> are created through it. Throws <see cref="ArgumentException"/>
    /// for bad options or an unknown model.
    /// </summary>
    public Orchestrator(
        OrchestratorOptions options,
        TimeProvider? time = null,
        Func<string, ForecastShape, IForecaster>? forecasterFactory = null,
        AllocationLpOptions? lpOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        Shape = ShapeFor(options);
        var factory = forecasterFactory ?? ((name, shape) => DefaultFactory(name, shape, options));
        if (options.LstmModelPath.Length > 0 && forecasterFactory is null)
        {
            if (options.Model is not ("ensemble" or "lstm"))
            {
                throw new ArgumentException($"Prescient:Orchestrator:LstmModelPath needs Model = ensemble (the LSTM joins its members) or lstm, not '{options.Model}'", nameof(options));
            }

            _model = CreateWithLstm(options.Model, Shape, LoadLstm(options.LstmModelPath));
        }
        else
        {
            _model = factory(options.Model, Shape);
        }

        _fallback = factory(options.FallbackModel, Shape);
        if (_model.Shape.Width != Shape.Width || _fallback.Shape.Width != Shape.Width)
        {
            throw new ArgumentException("the forecaster factory returned a model with another shape", nameof(forecasterFactory));
        }

        _calibrated = _model as ICalibrationState;
        _h = Shape.HorizonCount;
        _width = Shape.Width;
        _cohorts = options.CyclesPerStep;
        var horizonSeconds = new int[_h];
        for (var h = 0; h < _h; h++)
        {
            horizonSeconds[h] = Shape.HorizonSeconds(h);
        }

        _feedback = new FeedbackTracker(Shape.HorizonSteps, horizonSeconds, options);
        _solver = new AllocationSolver(
            new InteriorPointOptions
            {
                TimeProvider = _time,
                TimeLimit = TimeSpan.FromMilliseconds(Math.Max(1, options.CycleBudgetMilliseconds * 0.6)),
                MaxIterations = 100,
                Presolve = options.Solver != "ipm-whole",
            },
            lpOptions);
    }

    /// <summary>The forecast shape: the configured horizons at quantiles 0.5, 0.9 and 0.99.</summary>
    public ForecastShape Shape { get; }

    public OrchestratorOptions Options => _options;

    /// <summary>The configured model.</summary>
    public IForecaster Model => _model;

    /// <summary>Series slots the models have room for (they grow by half when a cycle brings more jobs than that).</summary>
    public int SeriesCapacity => (_model as Prescient.Forecasting.Models.ForecasterBase)?.Capacity ?? _model.SeriesCount;

    /// <summary>The model rolled back to while <see cref="Model"/> is degraded.</summary>
    public IForecaster FallbackModel => _fallback;

    /// <summary>Error statistics and model health.</summary>
    public FeedbackTracker Feedback => _feedback;

    /// <summary>Cycles per forecast step: series are observed in this many cohorts, one per cycle.</summary>
    public int Cohorts => _cohorts;

    /// <summary>Cycles run so far.</summary>
    public ulong CycleCount => _cycle;

    /// <summary>Allocation per (job, resource) of the last planned cycle (the LP's repaired solution), jobs of its snapshot.</summary>
    public ReadOnlySpan<double> Allocation => _w.Allocation.AsSpan(0, _w.Pairs);

    /// <summary>Floor per (job, resource) of the last cycle (memory: usage + margin fitted to capacity; CPU: minimum share).</summary>
    public ReadOnlySpan<double> Floor => _w.Floor.AsSpan(0, _w.Pairs);

    /// <summary>Planned demand per (job, resource) of the last cycle at the 0.5, 0.9, 0.99 levels: [pair * 3 + level].</summary>
    public ReadOnlySpan<double> Demand => _w.Demand.AsSpan(0, _w.Pairs * Q);

    /// <summary>
    /// Runs one cycle on <paramref name="snapshot"/>. Returns the (reused) result; invalid input is reported as
    /// <see cref="CycleStatus.InvalidInput"/>, never thrown.
    /// </summary>
    public CycleResult Run(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var started = _time.GetTimestamp();
        StepFineTuning(snapshot.NowSeconds);
        var result = _result;
        result.Cycle = ++_cycle;
        result.ChangeCount = 0;
        result.Error = null;
        result.Repaired = false;
        result.SolverStatus = LpStatus.Optimal;
        result.SolverIterations = 0;
        result.SolverPath = "";
        result.SolveMilliseconds = 0;
        result.ForecastMilliseconds = 0;
        result.SeriesObserved = 0;
        result.SpikeSeries = 0;
        result.ColdSeries = 0;
        result.FailStaticNodes = 0;
        result.DegradationLevel = _degradation;
        var error = snapshot.Validate();
        if (error is not null)
        {
            result.Status = CycleStatus.InvalidInput;
            result.Error = error;
            return Finish(result, started);
        }

        if (snapshot.NodeCount == 0)
        {
            result.Status = CycleStatus.Empty;
            _w.Pairs = 0;
            return Finish(result, started);
        }

        _w.Ensure(snapshot, _width);
        AssignSlots(snapshot);
        var forecastStarted = _time.GetTimestamp();
        StepCohort(snapshot, result);
        result.ForecastMilliseconds = _time.GetElapsedTime(forecastStarted).TotalMilliseconds;
        result.FallbackSeries = _feedback.FallbackCount;
        result.ModelRolledBack = _feedback.ModelDegraded;
        AggregateDemand(snapshot, result);
        FillAndSolve(snapshot, result);
        EmitChanges(snapshot, result);
        result.Status = CycleStatus.Planned;
        return Finish(result, started);
    }

    private CycleResult Finish(CycleResult result, long started)
    {
        var elapsed = _time.GetElapsedTime(started).TotalMilliseconds;
        result.CycleMilliseconds = elapsed;
        result.Overrun = elapsed > _options.CycleBudgetMilliseconds;
        if (result.Overrun)
        {
            // Degrade rather than queue: skip the longest horizon next time (down to the shortest only).
            _degradation = Math.Min(_degradation + 1, _h - 1);
            _calmCycles = 0;
        }
        else if (_degradation > 0 && elapsed < 0.5 * _options.CycleBudgetMilliseconds && ++_calmCycles >= 10)
        {
            _degradation--;
            _calmCycles = 0;
        }

        return result;
    }

    /// <summary>Gives each job its R series (one per resource), reusing the slots of jobs that ended.</summary>
    private void AssignSlots(ClusterSnapshot s)
    {
        var w = _w;
        var stamp = (long)_cycle;
        var added = false;
        // Size the models for every job of the snapshot at once (a cluster's first cycle, or a burst of arrivals)
        // rather than growing them job by job.
        var extra = s.JobCount - _slotOf.Count - _freeSlots.Count;
        if (extra > 0)
        {
            _model.EnsureCapacity(_model.SeriesCount + (extra * R));
            _fallback.EnsureCapacity(_fallback.SeriesCount + (extra * R));
            EnsureCheckpoint(_model.SeriesCount + (extra * R));
        }

        for (var j = 0; j < s.JobCount; j++)
        {
            if (!_slotOf.TryGetValue(s.JobId[j], out var slot))
            {
                slot = NewSlot(s, j);
                added = true;
            }

            w.JobSlot[j] = slot;
            w.SlotSeen[slot / R] = stamp;
        }

        if (added || _slotOf.Count != s.JobCount)
        {
            ReleaseEndedSlots(stamp);
        }
    }

    private int NewSlot(ClusterSnapshot s, int j)
    {
        int slot;
        if (_freeSlots.Count > 0)
        {
            // The lowest free slot, so that the assignment does not depend on the order jobs ended in.
            slot = _freeSlots[0];
            _freeSlots.RemoveAt(0);
            for (var r = 0; r < R; r++)
            {
                _model.ResetSeries(slot + r);
                _fallback.ResetSeries(slot + r);
                _feedback.Reset(slot + r);
                ForgetCheckpoint(slot + r);
            }
        }
        else
        {
            slot = _model.AddSeries(R);
            var other = _fallback.AddSeries(R);
            if (other != slot)
            {
                throw new InvalidOperationException("the model and its fallback disagree on series slots");
            }

            _feedback.EnsureCapacity(slot + R);
            _w.EnsureSlots(slot + R, _width);
            EnsureCheckpoint(slot + R);
        }

        var group = s.JobUser[j] ?? "";
        for (var r = 0; r < R; r++)
        {
            var key = new SeriesKey(EntityKind.Job, s.JobId[j], ToResourceKind((OrchestratedResource)r));
            _model.DescribeSeries(slot + r, key, group);
            _fallback.DescribeSeries(slot + r, key, group);
            _w.SlotForecast.AsSpan((slot + r) * _width, _width).Fill(double.NaN);
            _w.SlotFallbackForecast.AsSpan((slot + r) * _width, _width).Fill(double.NaN);
            _w.AccumulatedSum[slot + r] = 0;
            _w.AccumulatedCount[slot + r] = 0;
            _w.History[slot + r] = 0;
        }

        _w.LastSampleSeconds[slot / R] = long.MinValue;
        _w.CommandCycle[slot / R] = 0;
        _slotOf.Add(s.JobId[j], slot);
        if (_restoredSeries.Count > 0)
        {
            ApplyRestored(s.JobId[j], slot);
        }

        if (_restoredCalibration.Count > 0)
        {
            ApplyRestoredCalibration(s.JobId[j], slot);
        }

        RememberHistory(s, j);
        return slot;
    }

    private void ReleaseEndedSlots(long stamp)
    {
        _expired.Clear();
        foreach (var pair in _slotOf)
        {
            if (_w.SlotSeen[pair.Value / R] != stamp)
            {
                _expired.Add(pair.Key);
            }
        }

        foreach (var id in _expired)
        {
            _freeSlots.Add(_slotOf[id]);
            _slotOf.Remove(id);
        }

        _freeSlots.Sort();
    }

    /// <summary>Accumulates new samples and steps the series of this cycle's cohort (observe, score, forecast, record).</summary>
    private void StepCohort(ClusterSnapshot s, CycleResult result)
    {
        var w = _w;
        var cohort = (int)(_cycle % (ulong)_cohorts);
        var n = 0;
        for (var j = 0; j < s.JobCount; j++)
        {
            var slot = w.JobSlot[j];
            var group = slot / R;
            if (s.JobUsageSeconds[j] != w.LastSampleSeconds[group])
            {
                w.LastSampleSeconds[group] = s.JobUsageSeconds[j];
                for (var r = 0; r < R; r++)
                {
                    var u = s.JobUsage[(j * R) + r];
                    if (double.IsFinite(u) && u >= 0)
                    {
                        w.AccumulatedSum[slot + r] += u;
                        w.AccumulatedCount[slot + r]++;
                    }
                }
            }

            if (group % _cohorts != cohort)
            {
                continue;
            }

            for (var r = 0; r < R; r++)
            {
                var series = slot + r;
                var count = w.AccumulatedCount[series];
                var value = count > 0 ? w.AccumulatedSum[series] / count : double.NaN;
                w.History[series] += count > 0 ? 1 : 0;
                w.AccumulatedSum[series] = 0;
                w.AccumulatedCount[series] = 0;
                w.ObserveSeries[n] = series;
                w.ObserveValues[n] = value;
                n++;
            }
        }

        result.SeriesObserved = n;
        if (n == 0)
        {
            _feedback.EndCycle();
            return;
        }

        var series0 = w.ObserveSeries.AsSpan(0, n);
        var values = w.ObserveValues.AsSpan(0, n);
        var rollbacks = _feedback.Rollbacks;
        var scores = w.ObserveScore.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            scores[i] = _feedback.Score(series0[i], values[i]);
        }

        _feedback.EndCycle();

        // The model's calibration now is the one that made the forecasts just scored: checkpoint the good ones.
        CheckpointCohort(series0, scores);
        _model.Observe(s.NowSeconds, series0, values);
        RestoreCheckpointOnRollback(rollbacks);
        _fallback.Observe(s.NowSeconds, series0, values);
        var output = w.ForecastOutput.AsSpan(0, n * _width);
        _model.Forecast(series0, output);
        for (var i = 0; i < n; i++)
        {
            output.Slice(i * _width, _width).CopyTo(w.SlotForecast.AsSpan(series0[i] * _width, _width));
        }

        _fallback.Forecast(series0, output);
        for (var i = 0; i < n; i++)
        {
            output.Slice(i * _width, _width).CopyTo(w.SlotFallbackForecast.AsSpan(series0[i] * _width, _width));
        }

        for (var i = 0; i < n; i++)
        {
            var series = series0[i];
            _feedback.Record(series, w.SlotForecast.AsSpan(series * _width, _width), w.SlotFallbackForecast[series * _width]);
        }
    }

    private static ResourceKind ToResourceKind(OrchestratedResource r) => r switch
    {
        OrchestratedResource.Cpu => ResourceKind.Cpu,
        OrchestratedResource.Memory => ResourceKind.Memory,
        OrchestratedResource.Network => ResourceKind.NetRx,
        _ => ResourceKind.DiskRead,
    };

    /// <summary>What every series is forecast as: the options' step and horizons, quantiles 0.5, 0.9 and 0.99.</summary>
    private static ForecastShape ShapeFor(OrchestratorOptions options) =>
        ForecastShape.ForStep(options.StepSeconds, options.HorizonsSeconds, [0.5, 0.9, 0.99]);

    private static IForecaster DefaultFactory(string name, ForecastShape shape, OrchestratorOptions options) =>
        Prescient.Forecasting.Models.ForecasterRegistry.Create(name, shape, ensembleOptions: EnsembleOptionsFor(options));

    /// <summary>The ensemble's settings the orchestrator derives from <paramref name="options"/> (memory tiers, pending slots, threads).</summary>
    public static Prescient.Forecasting.Models.EnsembleOptions EnsembleOptionsFor(OrchestratorOptions options) => new()
    {
        SeasonalResolutionSeconds = options.SeasonalResolutionSeconds,
        OlderDaysResolutionSeconds = options.OlderDaysResolutionSeconds,
        Threads = options.ForecastThreads,
        PendingSlotsPerHorizon = options.PendingSlotsPerHorizon,
    };
}
