namespace Prescient.Forecasting.Models;

/// <summary>Tuning of <see cref="EnsembleForecaster"/>; defaults were tuned on Bitbrains 2013-7 only.</summary>
public sealed class EnsembleOptions
{
    /// <summary>Per-step decay of each member's exponentially weighted absolute error (0.02 ≈ a 50-step memory).</summary>
    public double LossDecay { get; set; } = 0.02;

    /// <summary>Softmax sharpness over relative losses: w_m ∝ exp(−Sharpness · (L_m / L_best − 1)).</summary>
    public double Sharpness { get; set; } = 8;

    /// <summary>Per-step decay of the local residual scale σ (mean absolute residual of the combined median).</summary>
    public double ScaleDecay { get; set; } = 0.05;

    /// <summary>Step size of the conformal quantile trackers, in units of σ.</summary>
    public double ConformalStep { get; set; } = 0.5;

    /// <summary>Step of the median's tracker as a fraction of <see cref="ConformalStep"/>.</summary>
    public double MedianStepFraction { get; set; } = 0.04;

    /// <summary>
    /// Per-step decay of each source's exponentially weighted pinball loss per quantile level; a series' first 1/decay
    /// scores are averaged plainly (step 1/(k + 1) at the k-th), so a young series ranks its sources on all of them.
    /// </summary>
    /// <remarks>
    /// 0.0025 (a memory of 400 scores) since 2026-11-28, with <see cref="QuantileSharpness"/> 32, chosen on Bitbrains
    /// 2013-7 (0.01 and 8 before; docs/models/forecasting.md, "Sharper, longer-remembered second stage").
    /// </remarks>
    public double QuantileLossDecay { get; set; } = 0.0025;

    /// <summary>
    /// Softmax sharpness of the per-quantile combination once a series' losses span their memory; a series with fewer
    /// scores ranks with less, from a quarter of it at its first score.
    /// </summary>
    public double QuantileSharpness { get; set; } = 32;

    /// <summary>
    /// Step of a mature series' second-stage (served) trackers as a fraction of <see cref="ConformalStep"/>. 0.25 since
    /// 2026-11-28 (0.5 before), with <see cref="SecondStageYoungBoost"/> 3 (1 before): the same step as before at a
    /// series' first score, half of it once mature, so that the trackers disturb the pinball-weighted mix less where
    /// coverage has settled (chosen on Bitbrains 2013-7; docs/models/forecasting.md).
    /// </summary>
    public double SecondStageStepFraction { get; set; } = 0.25;

    /// <summary>
    /// A young series' second-stage step is 1 + boost · PriorSteps / (PriorSteps + n) times the mature one after n scores
    /// (≥ 0; 0 = no boost).
    /// </summary>
    public double SecondStageYoungBoost { get; set; } = 3;

    /// <summary>Pseudo-count of the hierarchical prior: a series' own calibration weighs n/(n + PriorSteps) (72 = 6 h of 5-min steps).</summary>
    public double PriorSteps { get; set; } = 72;

    /// <summary>
    /// Forecasts kept per horizon for scoring: 0 keeps every step's (h + 1 records for horizon h); K &gt; 0 keeps every
    /// ⌈h ÷ K⌉-th, at most K + 1 records, and scores that horizon that often (its averages step correspondingly
    /// faster). The orchestrator, at one-minute steps over a cluster's worth of series, uses 4.
    /// </summary>
    public int PendingSlotsPerHorizon { get; set; }

    /// <summary>
    /// Resolution of the seasonal members' memory of past days, in seconds: 0 (or the step) keeps every step; coarser
    /// keeps bucket means (see <see cref="SeriesHistory"/>). The orchestrator uses 900 (15-minute buckets).
    /// </summary>
    public int SeasonalResolutionSeconds { get; set; }

    /// <summary>
    /// Resolution of the shared history beyond its last day, in seconds: 0 keeps those days at
    /// <see cref="SeasonalResolutionSeconds"/>; a multiple of at least twice that keeps them as bucket means of this
    /// length (what looks a week back reads them; a day back still reads the finer buckets). The orchestrator uses 3600.
    /// </summary>
    public int OlderDaysResolutionSeconds { get; set; }

    /// <summary>
    /// Threads that step a batch of series: the caller and up to Threads − 1 thread-pool threads take chunks of
    /// <c>1,024</c> series in turn (<see cref="Prescient.Abstractions.Threading.ChunkRunner"/>; a batch of one chunk runs
    /// on the caller's thread). Forecasts do not depend on the count: series read the group and population trackers as they stood at
    /// the start of the batch, and the batch's updates of those are applied in batch order afterwards. Only members
    /// that step series independently allow it (not the LSTM, whose batched kernel keeps one scratch).
    /// </summary>
    public int Threads { get; set; } = 1;

    /// <summary>
    /// A member's forecast (or the first stage's quantile) above this many times the largest value the series has
    /// shown is left out of the combination at that step, its weight going to the others: a member that is right most
    /// of the time keeps a real weight, and one absurd forecast of it would otherwise move the mean (bayes-dlm on a
    /// young spiky series). 0 turns it off. 3 (chosen on Bitbrains 2013-7).
    /// </summary>
    public double MemberCeiling { get; set; } = 3;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> on a value out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LossDecay);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LossDecay, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegative(Sharpness);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ScaleDecay);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ScaleDecay, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ConformalStep);
        ArgumentOutOfRangeException.ThrowIfNegative(PriorSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(PendingSlotsPerHorizon);
        ArgumentOutOfRangeException.ThrowIfNegative(SeasonalResolutionSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(OlderDaysResolutionSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MemberCeiling);
        if (!(SecondStageYoungBoost >= 0) || !double.IsFinite(SecondStageYoungBoost))
        {
            throw new ArgumentOutOfRangeException(nameof(SecondStageYoungBoost), SecondStageYoungBoost, "must be a finite number ≥ 0");
        }
    }
}
