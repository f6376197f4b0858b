namespace Prescient.Orchestration.Cycle;

/// <summary>
/// Configuration of the predictive orchestrator (one instance per engine), bound from
/// <c>Prescient:Orchestrator</c>. Every member has a working default; <see cref="Validate"/> throws
/// <see cref="ArgumentException"/> naming the setting when a value is out of range.
/// </summary>
public sealed class OrchestratorOptions
{
    /// <summary>The forecaster used for every (job, resource) series: a name of <c>ForecasterRegistry</c> (default <c>ensemble</c>).</summary>
    public string Model { get; set; } = "ensemble";

    /// <summary>
    /// The last good model the orchestrator rolls back to when <see cref="Model"/> degrades (its pinball loss above
    /// <see cref="DegradationRatio"/> × its trailing baseline). It observes every step alongside, so the switch is instant.
    /// </summary>
    public string FallbackModel { get; set; } = "persistence";

    /// <summary>
    /// Resolution, in seconds, at which the seasonal models remember past days (15-minute bucket means by default,
    /// instead of every one-minute step: a day costs 96 floats per series, not 1,440); 0 keeps every step.
    /// </summary>
    public int SeasonalResolutionSeconds { get; set; } = 900;

    /// <summary>
    /// Resolution, in seconds, of the days before the last in the models' week of history (hourly means by default: what
    /// looks a week back reads them, what looks a day back the 15-minute ones; 266 halves per series instead of 673);
    /// 0 keeps them at <see cref="SeasonalResolutionSeconds"/>.
    /// </summary>
    public int OlderDaysResolutionSeconds { get; set; } = 3600;

    /// <summary>
    /// Threads that step the forecasters over a cycle's cohort of series (default: the processor count, at most 4;
    /// chunks of 1,024 series, so a cohort under 2,048 series stays on the cycle's thread). Forecasts do not depend
    /// on it; a model with the LSTM as a member steps on one thread.
    /// </summary>
    public int ForecastThreads { get; set; } = Math.Min(Environment.ProcessorCount, 4);

    /// <summary>
    /// Forecasts kept per horizon to score the models against what then happened (at most this many + 1; an hour
    /// ahead at one-minute steps is then scored every 15 steps); 0 keeps every step's. Bounds per-series memory.
    /// </summary>
    public int PendingSlotsPerHorizon { get; set; } = 4;

    /// <summary>
    /// How the allocation LP is solved: <c>ipm</c> (the default; <c>auto</c> is the same) — a presolve that solves every
    /// capacity row without a linked column exactly (a continuous knapsack: without linking budgets that is every row),
    /// then the rows with linked columns by pricing the budgets (exact, checked), and the interior-point solver's
    /// structured path, warm started, only when that check fails — or <c>ipm-whole</c>, the interior-point iteration on
    /// the whole LP (no presolve, no pricing; same optimum, slower; for comparison).
    /// </summary>
    public string Solver { get; set; } = "ipm";

    /// <summary>Seconds per forecast step (the grid every series advances on), ≥ 1. Default 60.</summary>
    public int StepSeconds { get; set; } = 60;

    /// <summary>Cycles per forecast step: the series step in this many cohorts, one per cycle (at least 1).</summary>
    public int CyclesPerStep => Math.Max(1, (int)Math.Round(StepSeconds * 1000.0 / CycleMilliseconds));

    /// <summary>
    /// Forecast horizons in seconds, ascending, each ≥ <see cref="StepSeconds"/>. Empty (as initialized) means the
    /// default 1 min, 5 min, 1 h: the configuration binder appends to an array it finds filled, so the defaults of the
    /// array settings are applied by <see cref="Validate"/> instead of by initializers.
    /// </summary>
    public int[] HorizonsSeconds { get; set; } = [];

    /// <summary>The cadence of the cycle in milliseconds; cohorts of series are observed in turn so that each one steps every <see cref="StepSeconds"/>.</summary>
    public int CycleMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Time a cycle may take, in milliseconds (default 80 % of the cadence). An overrun raises the degradation level
    /// (the longest horizon is skipped, the solver gets less time); cycles well inside the budget lower it again.
    /// </summary>
    public int CycleBudgetMilliseconds { get; set; } = 800;

    /// <summary>
    /// How far ahead each resource is provisioned, in seconds (cpu, memory, network, storage): the planned demand is
    /// the envelope of the forecasts at every horizon up to this (at least the shortest). Memory looks further ahead
    /// because shrinking it back is slow; CPU quota takes effect at the next tick. Default 60, 300, 300, 300.
    /// </summary>
    public int[] LookaheadSeconds { get; set; } = [];

    /// <summary>Time an agent needs to apply a change of each resource, in seconds (default 1, 5, 2, 2); a raise for a later horizon is scheduled this long before it.</summary>
    public int[] ActionLeadSeconds { get; set; } = [];

    /// <summary>A series is planned from the reactive path (cold start) until it has this many observed steps, ≥ 1.</summary>
    public int MinimumHistorySteps { get; set; } = 3;

    /// <summary>Relative headroom of the reactive path over observed usage (0.5 = 1.5 × usage), 0..10.</summary>
    public double ReactiveHeadroom { get; set; } = 0.5;

    /// <summary>Relative change below which a limit is left alone (hysteresis), 0..1.</summary>
    public double Hysteresis { get; set; } = 0.1;

    /// <summary>
    /// Slack allowed above the planned level before an allocation is lowered (relative): the allocation's ceiling is
    /// max(floor, q × (1 + this)), q the level of <see cref="SlackBasisQuantile"/> (the 0.99 level by default).
    /// Without it the change cost would keep any idle limit where it is. 0..10.
    /// </summary>
    public double SlackAllowance { get; set; } = 0.5;

    /// <summary>
    /// The forecast level <see cref="SlackAllowance"/> is measured from: 0.5, 0.9 or 0.99 (default). Set it to the
    /// highest level the allocation LP values (its band weights): above that level covering demand is worth nothing, so
    /// only the ceiling keeps the change cost from holding an idle limit up to the 0.99 level.
    /// </summary>
    public double SlackBasisQuantile { get; set; } = 0.99;

    /// <summary>Largest change of one allocation per cycle, as a fraction of its node's capacity (spikes and floors are exempt), (0, 1].</summary>
    public double ChangeLimitFraction { get; set; } = 0.25;

    /// <summary>Memory floor margin over usage, in GiB (the floor is usage + max(this, usage × <see cref="MemoryMarginFraction"/>)).</summary>
    public double MemoryMarginGibibytes { get; set; } = 0.0625;

    /// <summary>Memory floor margin over usage, relative.</summary>
    public double MemoryMarginFraction { get; set; } = 0.05;

    /// <summary>
    /// Memory is not compressible, so its floor holds the peak usage of this trailing window, in seconds (plus the
    /// margin), like the VPA's peak-based memory target: a limit is lowered only once a peak has aged out of the window,
    /// and a recurring peak is provisioned ahead. Above usage the held peak shrinks with the margins when a node cannot
    /// give every job its own. 0 = the floor follows current usage. Not persisted: after a restart the window refills.
    /// Default 86400 (24 h), ≥ 0.
    /// </summary>
    public int MemoryPeakWindowSeconds { get; set; } = 86400;

    /// <summary>
    /// When &gt; 0, the CPU demand's 0.99 level is at least the peak usage of this trailing window, in seconds: spikes
    /// seen within it are provisioned for wherever the allocation LP values the 0.99 band. Default 0 (the forecast
    /// alone), ≥ 0.
    /// </summary>
    public int CpuPeakWindowSeconds { get; set; }

    /// <summary>memory.max sits this far above memory.high (relative), never below usage plus the margin.</summary>
    public double MemoryMaxHeadroom { get; set; } = 0.25;

    /// <summary>CPU never goes below this many cores per job.</summary>
    public double MinimumCpuCores { get; set; } = 0.1;

    /// <summary>
    /// A series whose observed usage exceeds its forecast's 0.99 quantile by this factor (or reaches its limit) is a
    /// spike: the reactive path sets its demand at once and lifts the change limit.
    /// </summary>
    public double SpikeFactor { get; set; } = 1.1;

    /// <summary>
    /// Normalized error (EWMA of |actual − median| / EWMA of |actual|, at the shortest horizon) above which a series
    /// falls back to the reactive path with widened margins; it recovers below 0.7 × this.
    /// </summary>
    public double FallbackErrorThreshold { get; set; } = 0.5;

    /// <summary>How much the quantiles of a series in fallback are widened (relative).</summary>
    public double FallbackWidening { get; set; } = 0.5;

    /// <summary>The model rolls back when its recent pinball loss exceeds this multiple of its trailing baseline.</summary>
    public double DegradationRatio { get; set; } = 1.5;

    /// <summary>
    /// Forecast steps with scores before the degradation check is armed (the baseline must exist first; default 30, half
    /// an hour at 60 s steps). The check's EWMAs advance once per step (recent: 0.3, about 3 steps; baseline: 0.03, about
    /// 30 steps).
    /// </summary>
    public int DegradationWarmupSteps { get; set; } = 30;

    /// <summary>Priority of the capacity reserved on each node for pending jobs and registered events.</summary>
    public double ReservePriority { get; set; } = 1.0;

    /// <summary>A long-running service is recommended more instances when its predicted 0.9 quantile exceeds this share of its request.</summary>
    public double ScaleOutThreshold { get; set; } = 0.9;

    /// <summary>Target utilization of a service's instances when recommending a count.</summary>
    public double ScaleOutTargetUtilization { get; set; } = 0.7;

    /// <summary>Seconds a new instance of a service needs to start; a scale-out is recommended this long before the load.</summary>
    public int InstanceStartupSeconds { get; set; } = 120;

    /// <summary>A node whose predicted 0.9 total exceeds this share of its capacity gets migration proposals.</summary>
    public double MigrationThreshold { get; set; } = 0.95;

    /// <summary>Recommendations (scale-out, migration, re-plan) emitted per cycle at most.</summary>
    public int MaxRecommendations { get; set; } = 256;

    /// <summary>Pending jobs whose expected start is at most this far ahead get their datasets prefetched, in seconds.</summary>
    public int PrefetchWindowSeconds { get; set; } = 900;

    /// <summary>A prefetch is scheduled this long before the job's expected start, in seconds.</summary>
    public int PrefetchLeadSeconds { get; set; } = 300;

    /// <summary>A job whose predicted network 0.9 quantile is at least this many Gbit/s gets a bandwidth reservation.</summary>
    public double BandwidthReservationMinimumGigabits { get; set; } = 0.1;

    /// <summary>Shared uplink budget over every job's network allocation, in Gbit/s (a global linking row of the LP); 0 = none.</summary>
    public double UplinkBudgetGigabits { get; set; }

    /// <summary>Shared storage bandwidth budget over every job's storage allocation, in GB/s (a linking row); 0 = none.</summary>
    public double StorageBudgetGigabytes { get; set; }

    /// <summary>Seed for any randomized choice; the cycle itself breaks every tie by index, so it is deterministic.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// A model file written by <c>prescient train</c> (trained on this step and these horizons, with the 0.5, 0.9 and
    /// 0.99 quantiles among its own): the global LSTM joins the <c>ensemble</c>'s members; empty (the default) = none.
    /// A file that cannot be read or does not fit is refused at start with the reason.
    /// </summary>
    public string LstmModelPath { get; set; } = "";

    /// <summary>
    /// With <see cref="LstmModelPath"/>: fine-tune the LSTM on live data every this many minutes, in the background
    /// (a round never holds up a cycle; its result is swapped in at the start of a later cycle); 0 = never. Default 60.
    /// </summary>
    public int FineTuneEveryMinutes { get; set; } = 60;

    /// <summary>Series whose recent values the fine-tuning learns from (the first this many series slots), 1..100,000.</summary>
    public int FineTuneSeries { get; set; } = 256;

    /// <summary>Hours of each such series kept for fine-tuning (on the model's step), 1..168. Default 6.</summary>
    public int FineTuneHours { get; set; } = 6;

    /// <summary>Adam iterations per round, 1..100,000, and the round's wall-clock cap in seconds, 1..86,400 (one gradient thread).</summary>
    public int FineTuneIterations { get; set; } = 300;

    /// <inheritdoc cref="FineTuneIterations"/>
    public int FineTuneSeconds { get; set; } = 120;

    /// <summary>Fills the array settings left empty with their defaults, then throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (HorizonsSeconds is null or { Length: 0 })
        {
            HorizonsSeconds = [60, 300, 3600];
        }

        if (LookaheadSeconds is null or { Length: 0 })
        {
            LookaheadSeconds = [60, 300, 300, 300];
        }

        if (ActionLeadSeconds is null or { Length: 0 })
        {
            ActionLeadSeconds = [1, 5, 2, 2];
        }

        static void Check(bool ok, string name, string message)
        {
            if (!ok)
            {
                throw new ArgumentException($"Prescient:Orchestrator:{name} {message}", name);
            }
        }

        Check(!string.IsNullOrWhiteSpace(Model), nameof(Model), "must name a forecaster");
        Check(LstmModelPath is not null, nameof(LstmModelPath), "must be a path or empty");
        Check(FineTuneEveryMinutes is >= 0 and <= 100_000, nameof(FineTuneEveryMinutes), "must be between 0 (never) and 100000");
        Check(FineTuneSeries is >= 1 and <= 100_000, nameof(FineTuneSeries), "must be between 1 and 100000");
        Check(FineTuneHours is >= 1 and <= 168, nameof(FineTuneHours), "must be between 1 and 168");
        Check(FineTuneIterations is >= 1 and <= 100_000, nameof(FineTuneIterations), "must be between 1 and 100000");
        Check(FineTuneSeconds is >= 1 and <= 86_400, nameof(FineTuneSeconds), "must be between 1 and 86400");
        Check(!string.IsNullOrWhiteSpace(FallbackModel), nameof(FallbackModel), "must name a forecaster");
        Check(Solver is "auto" or "ipm" or "ipm-whole", nameof(Solver),
            "must be 'ipm' (or 'auto', the same) or 'ipm-whole' ('decomposed' is now the ipm path's presolve, which solves the rows without linked columns exactly)");
        Check(StepSeconds >= 1, nameof(StepSeconds), "must be ≥ 1");
        Check(SeasonalResolutionSeconds is >= 0 and <= 86400, nameof(SeasonalResolutionSeconds), "must be in [0, 86400]");
        Check(OlderDaysResolutionSeconds is >= 0 and <= 86400, nameof(OlderDaysResolutionSeconds), "must be in [0, 86400]");
        Check(ForecastThreads is >= 1 and <= 256, nameof(ForecastThreads), "must be in [1, 256]");
        Check(PendingSlotsPerHorizon is >= 0 and <= 100_000, nameof(PendingSlotsPerHorizon), "must be in [0, 100000]");
        Check(HorizonsSeconds is { Length: > 0 }, nameof(HorizonsSeconds), "needs at least one horizon");
        for (var i = 0; i < HorizonsSeconds.Length; i++)
        {
            Check(HorizonsSeconds[i] >= StepSeconds && (i == 0 || HorizonsSeconds[i] > HorizonsSeconds[i - 1]), nameof(HorizonsSeconds), "must be ascending and each ≥ StepSeconds");
        }

        Check(CycleMilliseconds >= 1, nameof(CycleMilliseconds), "must be ≥ 1");
        Check(CycleBudgetMilliseconds >= 1, nameof(CycleBudgetMilliseconds), "must be ≥ 1");
        Check(LookaheadSeconds is { Length: OrchestratedResources.Count }, nameof(LookaheadSeconds), "needs one value per resource (cpu, memory, network, storage)");
        Check(ActionLeadSeconds is { Length: OrchestratedResources.Count }, nameof(ActionLeadSeconds), "needs one value per resource (cpu, memory, network, storage)");
        foreach (var v in LookaheadSeconds)
        {
            Check(v >= 0, nameof(LookaheadSeconds), "must be ≥ 0");
        }

        foreach (var v in ActionLeadSeconds)
        {
            Check(v >= 0, nameof(ActionLeadSeconds), "must be ≥ 0");
        }

        Check(MinimumHistorySteps >= 1, nameof(MinimumHistorySteps), "must be ≥ 1");
        Check(ReactiveHeadroom is >= 0 and <= 10, nameof(ReactiveHeadroom), "must be in [0, 10]");
        Check(Hysteresis is >= 0 and <= 1, nameof(Hysteresis), "must be in [0, 1]");
        Check(SlackAllowance is >= 0 and <= 10, nameof(SlackAllowance), "must be in [0, 10]");
        Check(SlackBasisQuantile is 0.5 or 0.9 or 0.99, nameof(SlackBasisQuantile), "must be 0.5, 0.9 or 0.99");
        Check(ChangeLimitFraction is > 0 and <= 1, nameof(ChangeLimitFraction), "must be in (0, 1]");
        Check(MemoryMarginGibibytes is >= 0 and < 1024, nameof(MemoryMarginGibibytes), "must be in [0, 1024)");
        Check(MemoryMarginFraction is >= 0 and <= 1, nameof(MemoryMarginFraction), "must be in [0, 1]");
        Check(MemoryPeakWindowSeconds >= 0, nameof(MemoryPeakWindowSeconds), "must be ≥ 0");
        Check(CpuPeakWindowSeconds >= 0, nameof(CpuPeakWindowSeconds), "must be ≥ 0");
        Check(MemoryMaxHeadroom is >= 0 and <= 10, nameof(MemoryMaxHeadroom), "must be in [0, 10]");
        Check(MinimumCpuCores is >= 0 and < 1024, nameof(MinimumCpuCores), "must be in [0, 1024)");
        Check(SpikeFactor is >= 1 and <= 100, nameof(SpikeFactor), "must be in [1, 100]");
        Check(FallbackErrorThreshold is > 0 and <= 100, nameof(FallbackErrorThreshold), "must be in (0, 100]");
        Check(FallbackWidening is >= 0 and <= 10, nameof(FallbackWidening), "must be in [0, 10]");
        Check(DegradationRatio is > 1 and <= 100, nameof(DegradationRatio), "must be in (1, 100]");
        Check(DegradationWarmupSteps >= 1, nameof(DegradationWarmupSteps), "must be ≥ 1");
        Check(ReservePriority is > 0 and <= 1000, nameof(ReservePriority), "must be in (0, 1000]");
        Check(ScaleOutThreshold is > 0 and <= 10, nameof(ScaleOutThreshold), "must be in (0, 10]");
        Check(ScaleOutTargetUtilization is > 0 and <= 1, nameof(ScaleOutTargetUtilization), "must be in (0, 1]");
        Check(InstanceStartupSeconds >= 0, nameof(InstanceStartupSeconds), "must be ≥ 0");
        Check(MigrationThreshold is > 0 and <= 10, nameof(MigrationThreshold), "must be in (0, 10]");
        Check(MaxRecommendations is >= 0 and <= 1_000_000, nameof(MaxRecommendations), "must be in [0, 1000000]");
        Check(PrefetchWindowSeconds >= 0, nameof(PrefetchWindowSeconds), "must be ≥ 0");
        Check(PrefetchLeadSeconds >= 0, nameof(PrefetchLeadSeconds), "must be ≥ 0");
        Check(UplinkBudgetGigabits >= 0 && double.IsFinite(UplinkBudgetGigabits), nameof(UplinkBudgetGigabits), "must be finite and ≥ 0");
        Check(StorageBudgetGigabytes >= 0 && double.IsFinite(StorageBudgetGigabytes), nameof(StorageBudgetGigabytes), "must be finite and ≥ 0");
        Check(BandwidthReservationMinimumGigabits >= 0, nameof(BandwidthReservationMinimumGigabits), "must be ≥ 0");
    }
}
