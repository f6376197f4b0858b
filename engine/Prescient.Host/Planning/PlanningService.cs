using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prescient.Abstractions.Telemetry;
using Prescient.Host.Agents;
using Prescient.Host.Metrics;
using Prescient.Host.Scheduler;
using Prescient.Host.State;
using Prescient.Optimization.Ipm;
using Prescient.Orchestration.Cycle;
using Prescient.Orchestration.Feedback;

namespace Prescient.Host.Planning;

/// <summary>
/// The engine's cadence loop: every <see cref="EngineOptions.CycleMilliseconds"/> it plans, sends the commands that
/// change something (with their lead times and reasons) and publishes the plan. With
/// <see cref="PlannerOptions.Mode"/> <c>predictive</c> (the default) the plan comes from the orchestrator; the
/// reactive policy stays as the per-series fallback inside it, and as the whole plan when the orchestrator has
/// nothing it can plan from (an empty cluster or a refused snapshot). A cycle never overlaps the next: the timer's
/// ticks are skipped, not queued, while one runs, and <see cref="RunCycle"/> holds a lock.
/// </summary>
public sealed partial class PlanningService : BackgroundService
{
    /// <summary>How long after issue a command may still be applied.</summary>
    public static readonly TimeSpan CommandValidity = TimeSpan.FromSeconds(30);

    private readonly ClusterState _state;
    private readonly AgentSessions _sessions;
    private readonly CommandLog _commands;
    private readonly PlanStore _plans;
    private readonly EventStore _events;
    private readonly PlanningMetrics _metrics;
    private readonly PlanningStateStore _store;
    private readonly int _calibrationRestoredJobs;
    private readonly EngineOptions _options;
    private readonly PlannerOptions _planner;
    private readonly TimeProvider _time;
    private readonly ILogger<PlanningService> _logger;
    private readonly Lock _cycleLock = new();
    private readonly Orchestrator? _orchestrator;
    private readonly ClusterSnapshot _snapshot = new();
    private int _seriesCapacity;
    private readonly List<JobSnapshotRef> _jobs = [];
    private readonly Dictionary<string, double> _priorityCache = new(StringComparer.Ordinal);
    private readonly Func<JobIdentityInfo, double> _priorityOf;
    private readonly HorizonErrorStatistics[] _horizonStatistics;
    private readonly ModelHealthStatus[] _modelHealth = new ModelHealthStatus[2];
    private ulong _cycle;
    private bool _rolledBack;

    public PlanningService(
        ClusterState state,
        AgentSessions sessions,
        CommandLog commands,
        PlanStore plans,
        EventStore events,
        PlanningMetrics metrics,
        PlanningStateStore store,
        IOptions<EngineOptions> options,
        IOptions<PlannerOptions> planner,
        IOptions<OrchestratorOptions> orchestrator,
        TimeProvider time,
        ILogger<PlanningService> logger)
    {
        _state = state;
        _sessions = sessions;
        _commands = commands;
        _plans = plans;
        _events = events;
        _metrics = metrics;
        _store = store;
        _options = options.Value;
        _planner = planner.Value;
        _planner.Validate();
        _time = time;
        _logger = logger;
        _priorityOf = PriorityOf;
        if (_planner.Mode == "predictive")
        {
            var o = orchestrator.Value;
            o.CycleMilliseconds = _options.CycleMilliseconds;
            o.CycleBudgetMilliseconds = Math.Min(o.CycleBudgetMilliseconds, Math.Max(1, (int)(0.8 * _options.CycleMilliseconds)));
            o.LstmModelPath = store.ChooseLstmModel(o.LstmModelPath);
            _orchestrator = new Orchestrator(o, time);
            _orchestrator.ModelFineTuned += SaveTunedModel;
        }

        _horizonStatistics = new HorizonErrorStatistics[_orchestrator?.Shape.HorizonCount ?? 0];
        var (restored, plan) = store.Load();
        if (restored is not null && _orchestrator is not null)
        {
            try
            {
                _orchestrator.ImportState(restored);
            }
            catch (InvalidDataException e)
            {
                LogStateRefused(e.Message);
            }
        }

        if (_orchestrator is not null)
        {
            _calibrationRestoredJobs = store.LoadCalibration(_orchestrator);
        }

        if (plan is not null)
        {
            _cycle = plan.Cycle;
            plans.Publish(plan);
            LogRestored(plan.Cycle, plan.Actions.Count);
        }
    }

    /// <summary>Keeps a fine-tuned LSTM (atomically) so that a restart continues from it.</summary>
    private void SaveTunedModel(Prescient.Forecasting.Training.LstmModel model)
    {
        try
        {
            model.Save(_store.TunedLstmPath);
            LogFineTuned(model.TrainingSummary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogFineTuneNotSaved(_store.TunedLstmPath, e.Message);
        }
    }

    /// <summary>The orchestrator, or null in reactive mode.</summary>
    public Orchestrator? Orchestrator => _orchestrator;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.CycleMilliseconds), _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            RunCycle();
        }
    }

    /// <summary>Snapshots the calibration once more on a graceful stop (a kill -9 keeps the last periodic one).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        lock (_cycleLock)
        {
            if (_orchestrator is not null)
            {
                try
                {
                    _store.SnapshotCalibration(_orchestrator);
                }
                catch (IOException e)
                {
                    LogPersistenceFailed(e.Message);
                }
            }
        }
    }

    /// <summary>One planning cycle; public so tests drive it without waiting for the timer.</summary>
    public PlanInfo RunCycle()
    {
        lock (_cycleLock)
        {
            _commands.ExpireStale();
            var plan = _orchestrator is null ? RunReactive() : RunPredictive(_orchestrator);

            // Durable before visible: a plan anyone has seen survives a kill -9.
            try
            {
                if (plan.Cycle % (ulong)_planner.SnapshotEveryCycles == 0)
                {
                    _store.Snapshot(_orchestrator?.ExportState(), plan);
                }
                else
                {
                    _store.Append(plan);
                }

                if (_orchestrator is not null && plan.Cycle % (ulong)_planner.CalibrationSnapshotEveryCycles == 0
                    && _store.SnapshotCalibrationInBackground(_orchestrator) < 0)
                {
                    LogCalibrationSnapshotSkipped(plan.Cycle);
                }
            }
            catch (IOException e)
            {
                _metrics.Degraded("persistence-failed");
                LogPersistenceFailed(e.Message);
            }

            _plans.Publish(plan);
            return plan;
        }
    }

    /// <summary>Model health for <c>Admin.GetStatus</c>: name, state (<c>ready</c>, <c>degraded</c>, <c>fallback</c>) and detail.</summary>
    public IReadOnlyList<(string Name, string State, string Detail)> ModelHealth()
    {
        if (_orchestrator is null)
        {
            return [("reactive", "ready", string.Create(CultureInfo.InvariantCulture, $"planner: limits at usage x {1 + _options.ReactiveHeadroom:0.##}, hysteresis {_options.ReactiveHysteresis:P0}"))];
        }

        lock (_cycleLock)
        {
            var o = _orchestrator;
            var f = o.Feedback;
            var list = new List<(string, string, string)>();
            var main = f.Health(0, o.Model.Name, !f.ModelDegraded);
            var fallback = f.Health(1, o.FallbackModel.Name, f.ModelDegraded);
            list.Add((main.Name, main.Degraded ? "degraded" : "ready", string.Create(CultureInfo.InvariantCulture,
                $"planner model; pinball recent {main.RecentPinball:0.####} vs baseline {main.BaselinePinball:0.####} over {main.Scored} steps; rollbacks {f.Rollbacks}; {f.FallbackCount} series on the reactive fallback")));
            list.Add((fallback.Name, fallback.Active ? "fallback" : "ready", string.Create(CultureInfo.InvariantCulture,
                $"fallback model (serves while {main.Name} is degraded and gets its last good calibration back); pinball recent {fallback.RecentPinball:0.####}")));
            if (o.Model is Prescient.Abstractions.Forecasting.ICalibrationState)
            {
                list.Add(("calibration", "ready", string.Create(CultureInfo.InvariantCulture,
                    $"{_calibrationRestoredJobs} jobs restored at start ({o.CalibrationRefused} refused); last good calibration kept for {o.CheckpointedSeries} series, restored {o.CheckpointRestores} times ({o.SeriesRestored} series); snapshot every {_planner.CalibrationSnapshotEveryCycles} cycles")));
            }
            if (o.Lstm is { } lstm)
            {
                var last = o.LastFineTuning;
                var every = o.Options.FineTuneEveryMinutes;
                list.Add(("fine-tuning", every == 0 ? "off" : last is null ? "waiting" : last.Model is not null ? "accepted" : "kept",
                    string.Create(CultureInfo.InvariantCulture, $"lstm {lstm.Model.Spec.HiddenSize} hidden ({lstm.Backend}); every {every} min on {o.Options.FineTuneSeries} series; {o.FineTuningRounds} rounds, {o.FineTuningAccepted} accepted")
                    + (last is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; last: {last.Outcome}, held-out pinball {last.LossBefore:0.####} → {last.LossAfter:0.####}, {last.Iterations} iterations on {last.Series} series in {last.Seconds:0.#} s"))));
            }

            f.CopyHorizonStatistics(_horizonStatistics);
            var sb = new StringBuilder("forecast error by horizon:");
            foreach (var h in _horizonStatistics)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {Prescient.Abstractions.Forecasting.ForecastShape.FormatDuration(h.HorizonSeconds)} mae/level {h.MeanNormalizedAbsoluteError:0.###} cov90 {h.CoverageP90:0.###} n {h.Scored};");
            }

            list.Add(("feedback", "ready", sb.ToString()));
            list.Add(("reactive", "ready", "per-series fallback and spike path inside the orchestrator"));
            return list;
        }
    }

    private PlanInfo RunPredictive(Orchestrator orchestrator)
    {
        var started = Stopwatch.GetTimestamp();
        _state.FillPlanningSnapshot(_snapshot, _events.List(includePast: false), _priorityOf, _jobs);
        var result = orchestrator.Run(_snapshot);
        if (orchestrator.SeriesCapacity > _seriesCapacity)
        {
            // The models grew (the cluster's first cycles, or a burst of arrivals): their old arrays — up to
            // gigabytes at 10,000 nodes — sit in the large object heap, which only a full collection frees, and
            // nothing may trigger one for a long time. Start one now, in the background (no pause beyond a
            // concurrent collection's short ones).
            if (_seriesCapacity > 0)
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: false);
            }

            _seriesCapacity = orchestrator.SeriesCapacity;
        }

        if (orchestrator.Lstm is not null)
        {
            // Fine-tuning rounds go on whatever the cycle's outcome (Run collects and starts them first).
            var last = orchestrator.LastFineTuning;
            _metrics.SetFineTuning(orchestrator.FineTuningRounds, orchestrator.FineTuningAccepted, last?.LossBefore ?? double.NaN, last?.LossAfter ?? double.NaN);
        }

        if (result.Status != CycleStatus.Planned)
        {
            if (result.Status == CycleStatus.InvalidInput)
            {
                _metrics.Degraded("reactive-fallback");
                LogInvalidSnapshot(result.Error ?? "");
            }

            return RunReactive();
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var actions = new List<PlannedActionInfo>();
        var changes = result.Changes;
        var unsent = 0;
        var recommendations = 0;
        var model = result.ModelRolledBack ? orchestrator.FallbackModel.Name : orchestrator.Model.Name;
        for (var i = 0; i < changes.Length; i++)
        {
            ref readonly var c = ref changes[i];
            var node = _snapshot.NodeName[c.Node];
            var target = c.TargetNode >= 0 ? _snapshot.NodeName[c.TargetNode] : null;
            var reason = PlanExplanation.Explain(c, model, orchestrator, target);
            var lead = TimeSpan.FromSeconds(c.NotBeforeSeconds);
            OutgoingCommand? sent;
            switch (c.Kind)
            {
                case ChangeKind.SetLimits:
                {
                    var limits = LimitsInfo.None with
                    {
                        CpuQuotaCores = Math.Round(c.CpuQuotaCores, 4),
                        CpuWeight = c.CpuWeight,
                        MemoryHighBytes = RoundUpMiB(c.MemoryHighGibibytes * OrchestratedResources.BytesPerGibibyte),
                        MemoryMaxBytes = RoundUpMiB(c.MemoryMaxGibibytes * OrchestratedResources.BytesPerGibibyte),
                    };
                    sent = Send(node, _jobs[c.Job].JobId, CommandKindInfo.SetLimits, limits, [], lead, reason, actions, "set-limits");
                    break;
                }

                case ChangeKind.SetCpuset:
                {
                    var (cpus, mems) = Cpuset(node, c.NumaMask);
                    sent = Send(node, _jobs[c.Job].JobId, CommandKindInfo.SetCpuset, LimitsInfo.None with { CpusetCpus = cpus, CpusetMems = mems }, [], lead, reason, actions, "set-cpuset");
                    break;
                }

                case ChangeKind.ReserveBandwidth:
                    sent = Send(node, _jobs[c.Job].JobId, CommandKindInfo.ReserveBandwidth,
                        LimitsInfo.None with { BandwidthBitsPerSecond = (ulong)Math.Ceiling(c.BandwidthGigabits * OrchestratedResources.BitsPerGigabit) }, [], lead, reason, actions, "reserve-bandwidth");
                    break;
                case ChangeKind.Prefetch:
                    sent = Send(node, _snapshot.PendingId[c.Job], CommandKindInfo.Prefetch, LimitsInfo.None, result.PathsOf(i), lead, reason, actions, "prefetch");
                    break;
                default:
                    // Recommendations go to the scheduler through the plan (GetPlan/WatchPlan); nothing is sent to agents.
                    var kind = c.Kind switch { ChangeKind.ScaleOut => "scale-out", ChangeKind.Migrate => "migrate", _ => "re-plan" };
                    actions.Add(new PlannedActionInfo(node, _jobs[c.Job].JobId, kind, LimitsInfo.None, now + (c.NotBeforeSeconds * 1000L), reason, ""));
                    recommendations++;
                    continue;
            }

            if (sent is null)
            {
                orchestrator.Unsent(c, _snapshot);
                unsent++;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var status = StatusName(result.SolverStatus);
        var plan = new PlanInfo(++_cycle, now, actions, status, elapsed);
        _metrics.RecordCycle(elapsed, result.SolveMilliseconds, result.ForecastMilliseconds, status, result.Overrun, result.DegradationLevel,
            result.ChangeCount, recommendations, result.FallbackSeries, result.FailStaticNodes);
        _metrics.Unsent(unsent);
        _metrics.SolverPath(result.SolverPath);
        if (result.FallbackSeries > 0)
        {
            _metrics.Degraded("series-fallback", (ulong)result.FallbackSeries);
        }

        if (result.SpikeSeries > 0)
        {
            _metrics.Degraded("spike-reactive", (ulong)result.SpikeSeries);
        }

        if (result.DegradationLevel > 0)
        {
            _metrics.Degraded("horizon-skipped");
        }

        if (result.ModelRolledBack != _rolledBack)
        {
            _rolledBack = result.ModelRolledBack;
            LogRollback(orchestrator.Model.Name, _rolledBack ? "rolled back to" : "recovered from", orchestrator.FallbackModel.Name);
        }

        if (result.ModelRolledBack)
        {
            _metrics.Degraded("model-rollback");
        }

        orchestrator.Feedback.CopyHorizonStatistics(_horizonStatistics);
        _modelHealth[0] = orchestrator.Feedback.Health(0, orchestrator.Model.Name, !result.ModelRolledBack);
        _modelHealth[1] = orchestrator.Feedback.Health(1, orchestrator.FallbackModel.Name, result.ModelRolledBack);
        _metrics.SetFeedback(_horizonStatistics, _modelHealth);

        if (result.Overrun)
        {
            LogOverrun(plan.Cycle, elapsed, result.SolveMilliseconds, result.DegradationLevel);
        }
        else if (actions.Count > 0)
        {
            LogCycle(plan.Cycle, actions.Count, elapsed);
        }

        return plan;
    }

    private OutgoingCommand? Send(string node, string jobId, CommandKindInfo kind, LimitsInfo limits, IReadOnlyList<string> paths, TimeSpan lead, string reason, List<PlannedActionInfo> actions, string kindName)
    {
        var sent = _sessions.TrySend(node, jobId, kind, limits, paths, lead, CommandValidity, reason);
        if (sent is not null)
        {
            actions.Add(new PlannedActionInfo(node, jobId, kindName, limits, sent.NotBeforeUnixMilliseconds, reason, sent.CommandId));
        }

        return sent;
    }

    private (string Cpus, string Mems) Cpuset(string node, ulong mask)
    {
        var numa = _state.NumaNodesOf(node);
        var cpus = new List<uint>();
        var mems = new List<uint>();
        for (var k = 0; k < numa.Count && k < 64; k++)
        {
            if ((mask & (1UL << k)) != 0)
            {
                mems.Add(numa[k].Id);
                cpus.AddRange(numa[k].CpuIds);
            }
        }

        cpus.Sort();
        return (Ranges(cpus), Ranges(mems));
    }

    /// <summary>Formats sorted ids as a cpuset list: 0-3,8,10-11.</summary>
    internal static string Ranges(List<uint> ids)
    {
        var b = new StringBuilder();
        for (var i = 0; i < ids.Count;)
        {
            var start = ids[i];
            var end = start;
            while (i + 1 < ids.Count && ids[i + 1] <= end + 1)
            {
                end = Math.Max(end, ids[++i]);
            }

            i++;
            b.Append(b.Length > 0 ? "," : "").Append(start.ToString(CultureInfo.InvariantCulture));
            if (end != start)
            {
                b.Append('-').Append(end.ToString(CultureInfo.InvariantCulture));
            }
        }

        return b.ToString();
    }

    private PlanInfo RunReactive()
    {
        var started = Stopwatch.GetTimestamp();
        var o = _options;
        var actions = new List<PlannedActionInfo>();
        foreach (var job in _state.AgentJobs())
        {
            var usage = job.Latest!;
            var target = ReactiveLimitPolicy.Target(usage, _state.CapacityOf(job.NodeName), o.ReactiveHeadroom);
            if (!ReactiveLimitPolicy.NeedsChange(job.Applied, target, usage, o.ReactiveHysteresis)
                || _commands.HasPending(job.Identity.JobId, CommandKindInfo.SetLimits))
            {
                continue;
            }

            var reason = string.Create(CultureInfo.InvariantCulture,
                $"reactive: cpu {usage.Values[(int)ResourceKind.Cpu]:0.###} cores and memory {usage.Values[(int)ResourceKind.Memory] / (1 << 20):0.#} MiB in use; headroom {o.ReactiveHeadroom:P0}");
            var sent = _sessions.TrySend(job.NodeName, job.Identity.JobId, CommandKindInfo.SetLimits, target, [], TimeSpan.Zero, CommandValidity, reason);
            if (sent is not null)
            {
                actions.Add(new PlannedActionInfo(job.NodeName, job.Identity.JobId, "set-limits", target, sent.NotBeforeUnixMilliseconds, reason, sent.CommandId));
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var plan = new PlanInfo(++_cycle, _time.GetUtcNow().ToUnixTimeMilliseconds(), actions, "reactive", elapsed);
        _metrics.RecordCycle(elapsed, 0, 0, "reactive", false, 0, actions.Count, 0, 0, 0);
        if (actions.Count > 0)
        {
            LogCycle(plan.Cycle, actions.Count, elapsed);
        }

        return plan;
    }

    private double PriorityOf(JobIdentityInfo identity)
    {
        if (_planner.Priorities.Count == 0)
        {
            return 1;
        }

        if (_priorityCache.TryGetValue(identity.JobId, out var cached))
        {
            return cached;
        }

        var weight = 0.0;
        foreach (var key in (ReadOnlySpan<string>)["job:" + identity.JobId, "qos:" + identity.Qos, "partition:" + identity.Partition, "user:" + identity.User])
        {
            if (_planner.Priorities.TryGetValue(key, out var w))
            {
                weight = Math.Max(weight, w);
            }
        }

        weight = weight > 0 ? weight : 1;
        if (_priorityCache.Count > _options.MaxJobs)
        {
            _priorityCache.Clear();
        }

        _priorityCache[identity.JobId] = weight;
        return weight;
    }

    private static string StatusName(LpStatus status) => status switch
    {
        LpStatus.Optimal => "optimal",
        LpStatus.Infeasible => "infeasible",
        LpStatus.Unbounded => "unbounded",
        LpStatus.IterationLimit => "iteration_limit",
        LpStatus.TimeLimit => "time_limit",
        _ => "numerical_error",
    };

    private static ulong RoundUpMiB(double bytes) => (ulong)Math.Ceiling(bytes / (1 << 20)) << 20;

    [LoggerMessage(Level = LogLevel.Information, Message = "Cycle {Cycle}: {Actions} actions planned in {Milliseconds:0.00} ms")]
    private partial void LogCycle(ulong cycle, int actions, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cycle {Cycle} overran its budget: {Milliseconds:0.0} ms (solve {SolveMilliseconds:0.0} ms); degradation level now {Level}")]
    private partial void LogOverrun(ulong cycle, double milliseconds, double solveMilliseconds, int level);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Planning snapshot refused ({Error}); this cycle ran the reactive path")]
    private partial void LogInvalidSnapshot(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} {Change} {Fallback}")]
    private partial void LogRollback(string model, string change, string fallback);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Planner state refused: {Reason}; starting fresh")]
    private partial void LogStateRefused(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored plan of cycle {Cycle} ({Actions} actions) from the state directory")]
    private partial void LogRestored(ulong cycle, int actions);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not persist the plan: {Error}")]
    private partial void LogPersistenceFailed(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "LSTM fine-tuned and swapped in: {Summary}")]
    private partial void LogFineTuned(string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fine-tuned LSTM not saved to {Path}: {Reason} (it serves until the engine stops)")]
    private partial void LogFineTuneNotSaved(string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cycle {Cycle}: calibration snapshot skipped, the previous one is still being written")]
    private partial void LogCalibrationSnapshotSkipped(ulong cycle);
}
