using Prescient.Orchestration.Cycle;

namespace Prescient.Orchestration.Feedback;

/// <summary>
/// The feedback loop's bookkeeping: what was predicted per series and horizon, scored against what happened.
/// <list type="bullet">
/// <item>Per (series, horizon) one outstanding prediction (median, 0.9, 0.99, and the fallback model's median at the
/// shortest horizon), due a horizon's worth of steps after it was made; a new one is recorded once it is scored, so
/// every horizon is sampled without a ring per horizon (memory: series × horizons × 20 bytes).</item>
/// <item>Per series, an EWMA of the normalized absolute error at the shortest horizon drives the fallback contingency
/// (enter above <see cref="OrchestratorOptions.FallbackErrorThreshold"/>, leave below 0.7 × it).</item>
/// <item>Per model (the configured one and its fallback), a short and a long EWMA of the normalized pinball loss at the
/// shortest horizon drive the rollback contingency (<see cref="OrchestratorOptions.DegradationRatio"/>); the baseline
/// is frozen while the model is degraded. They advance once per forecast step, on the mean loss of every series scored
/// in that step (all cohorts), so that they trail in time whatever the cluster's size: per scored sample, at 10,000
/// nodes the baseline spanned a fraction of one cohort and compared cohorts with each other (three spurious rollbacks in
/// 320 cycles of a stationary synthetic workload).</item>
/// <item>Per horizon, cumulative error statistics for metrics and status.</item>
/// </list>
/// Zero allocations once series slots exist. Not thread-safe (the cycle's thread; readers take copies via the owner).
/// </summary>
public sealed class FeedbackTracker
{
    private const int Q = 3;
    private const double LevelDecay = 0.05;
    private const double ErrorDecay = 0.1;
    private const double ShortDecay = 0.3;
    private const double LongDecay = 0.03;
    private static readonly double[] Levels = [0.5, 0.9, 0.99];

    private readonly int _h;
    private readonly int[] _horizonSteps;
    private readonly int[] _horizonSeconds;
    private readonly double _threshold;
    private readonly double _ratio;
    private readonly int _warmup;
    private int[] _steps = [];
    private int[] _due = [];
    private float[] _pred = [];
    private float[] _fallbackPred = [];
    private double[] _level = [];
    private double[] _error = [];
    private bool[] _inFallback = [];
    private readonly long[] _scored;
    private readonly double[] _absSum;
    private readonly double[] _pinballSum;
    private readonly long[] _within90;
    private readonly long[] _within99;
    private readonly ModelTrack[] _models = [new(), new()];
    private readonly int _cyclesPerStep;
    private readonly double[] _stepLoss = new double[2];
    private readonly long[] _stepScored = new long[2];
    private int _cycleInStep;

    public FeedbackTracker(ReadOnlySpan<int> horizonSteps, ReadOnlySpan<int> horizonSeconds, OrchestratorOptions options)
    {
        _h = horizonSteps.Length;
        _horizonSteps = horizonSteps.ToArray();
        _horizonSeconds = horizonSeconds.ToArray();
        _threshold = options.FallbackErrorThreshold;
        _ratio = options.DegradationRatio;
        _warmup = options.DegradationWarmupSteps;
        _cyclesPerStep = options.CyclesPerStep;
        _scored = new long[_h];
        _absSum = new double[_h];
        _pinballSum = new double[_h];
        _within90 = new long[_h];
        _within99 = new long[_h];
    }

    /// <summary>Series slots tracked.</summary>
    public int Capacity => _steps.Length;

    /// <summary>Series currently in fallback.</summary>
    public int FallbackCount { get; private set; }

    /// <summary>True while the configured model is rolled back to its fallback.</summary>
    public bool ModelDegraded => _models[0].Degraded;

    /// <summary>
    /// True when the configured model is armed (scored at least the warm-up count), not degraded, and its recent pinball
    /// loss within 1.2× its baseline: its calibration may be checkpointed as the last good one.
    /// </summary>
    public bool ModelHealthy => _models[0] is { Degraded: false } m && m.Count >= _warmup && m.Short <= 1.2 * m.Long;

    /// <summary>The configured model's baseline (long-run) normalized pinball loss at the shortest horizon.</summary>
    public double BaselinePinball => _models[0].Long;

    /// <summary>Number of times the model was rolled back since start.</summary>
    public long Rollbacks { get; private set; }

    /// <summary>Grows to at least <paramref name="count"/> series slots (allocates; outside the steady state).</summary>
    public void EnsureCapacity(int count)
    {
        if (count <= _steps.Length)
        {
            return;
        }

        var c = Math.Max(count, _steps.Length * 2);
        Array.Resize(ref _steps, c);
        var oldDue = _due.Length;
        Array.Resize(ref _due, c * _h);
        _due.AsSpan(oldDue).Fill(-1);
        Array.Resize(ref _pred, c * _h * Q);
        Array.Resize(ref _fallbackPred, c);
        Array.Resize(ref _level, c);
        Array.Resize(ref _error, c);
        Array.Resize(ref _inFallback, c);
    }

    /// <summary>Forgets a series (its slot is reused for a new job).</summary>
    public void Reset(int slot)
    {
        if (_inFallback[slot])
        {
            FallbackCount--;
        }

        _steps[slot] = 0;
        _due.AsSpan(slot * _h, _h).Fill(-1);
        _level[slot] = 0;
        _error[slot] = 0;
        _inFallback[slot] = false;
    }

    /// <summary>Whether the series is in the forecast-error fallback.</summary>
    public bool InFallback(int slot) => _inFallback[slot];

    /// <summary>The series' normalized error EWMA at the shortest horizon.</summary>
    public double ErrorOf(int slot) => _error[slot];

    /// <summary>
    /// Scores the outstanding predictions that fall due at this step with <paramref name="actual"/> (the value observed
    /// for the step, NaN when missing: then nothing is scored but the clock advances), and advances the series' step.
    /// Returns the normalized pinball loss scored at the shortest horizon, NaN when none fell due.
    /// </summary>
    public double Score(int slot, double actual)
    {
        var step = ++_steps[slot];
        var scoredFirst = double.NaN;
        if (!double.IsFinite(actual) || actual < 0)
        {
            return scoredFirst;
        }

        var level = _level[slot] = _level[slot] == 0 ? Math.Max(actual, 1e-9) : _level[slot] + (LevelDecay * (actual - _level[slot]));
        var scale = Math.Max(level, 1e-6);
        for (var h = 0; h < _h; h++)
        {
            var k = (slot * _h) + h;
            if (_due[k] != step)
            {
                continue;
            }

            _due[k] = -1;
            var b = k * Q;
            double q50 = _pred[b], q90 = _pred[b + 1], q99 = _pred[b + 2];
            var pinball = (Pinball(actual, q50, Levels[0]) + Pinball(actual, q90, Levels[1]) + Pinball(actual, q99, Levels[2])) / (Q * scale);
            var abs = Math.Abs(actual - q50) / scale;
            _scored[h]++;
            _absSum[h] += abs;
            _pinballSum[h] += pinball;
            _within90[h] += actual <= q90 ? 1 : 0;
            _within99[h] += actual <= q99 ? 1 : 0;
            if (h != 0)
            {
                continue;
            }

            scoredFirst = pinball;
            _error[slot] += ErrorDecay * (Math.Min(abs, 10) - _error[slot]);
            UpdateFallback(slot);
            var f = _fallbackPred[slot];
            var fallbackLoss = Pinball(actual, f, 0.5) * 2 / scale;
            if (double.IsFinite(pinball) && double.IsFinite(fallbackLoss))
            {
                _stepLoss[0] += pinball;
                _stepLoss[1] += fallbackLoss;
                _stepScored[0]++;
                _stepScored[1]++;
            }
        }

        return scoredFirst;
    }

    /// <summary>
    /// Ends a cycle's scoring. After a full forecast step's worth of cycles (every cohort scored once), each model's
    /// EWMAs advance on the step's mean loss, and the degradation check runs (<see cref="Rollbacks"/> counts a new one).
    /// </summary>
    public void EndCycle()
    {
        if (++_cycleInStep < _cyclesPerStep)
        {
            return;
        }

        _cycleInStep = 0;
        for (var m = 0; m < 2; m++)
        {
            if (_stepScored[m] > 0)
            {
                _models[m].Add(_stepLoss[m] / _stepScored[m], _ratio, _warmup);
            }

            _stepLoss[m] = 0;
            _stepScored[m] = 0;
        }

        if (_models[0].JustDegraded)
        {
            Rollbacks++;
            _models[0].JustDegraded = false;
        }
    }

    /// <summary>
    /// Records the series' new forecast (3 levels × horizons, horizon-major: median, 0.9, 0.99) for every horizon
    /// with no outstanding prediction, and the fallback model's median at the shortest horizon.
    /// </summary>
    public void Record(int slot, ReadOnlySpan<double> forecast, double fallbackMedian)
    {
        var step = _steps[slot];
        for (var h = 0; h < _h; h++)
        {
            var k = (slot * _h) + h;
            if (_due[k] >= 0)
            {
                continue;
            }

            double q50 = forecast[h * Q], q90 = forecast[(h * Q) + 1], q99 = forecast[(h * Q) + 2];
            if (!double.IsFinite(q50) || !double.IsFinite(q90) || !double.IsFinite(q99))
            {
                continue;
            }

            _due[k] = step + _horizonSteps[h];
            var b = k * Q;
            _pred[b] = (float)q50;
            _pred[b + 1] = (float)q90;
            _pred[b + 2] = (float)q99;
            if (h == 0)
            {
                _fallbackPred[slot] = double.IsFinite(fallbackMedian) ? (float)fallbackMedian : (float)q50;
            }
        }
    }

    /// <summary>Statistics per horizon, written into <paramref name="output"/> (length ≥ horizons).</summary>
    public void CopyHorizonStatistics(Span<HorizonErrorStatistics> output)
    {
        for (var h = 0; h < _h; h++)
        {
            var n = _scored[h];
            output[h] = n == 0
                ? new HorizonErrorStatistics(_horizonSeconds[h], 0, double.NaN, double.NaN, double.NaN, double.NaN)
                : new HorizonErrorStatistics(_horizonSeconds[h], n, _absSum[h] / n, _pinballSum[h] / n, _within90[h] / (double)n, _within99[h] / (double)n);
        }
    }

    /// <summary>Health of the configured model (index 0) or its fallback (index 1).</summary>
    public ModelHealthStatus Health(int model, string name, bool active) =>
        new(name, active, _models[model].Degraded, _models[model].Count, _models[model].Short, _models[model].Long);

    /// <summary>Forces the fallback state of a series (restoring persisted state).</summary>
    internal void Restore(int slot, double error, double level, bool fallback)
    {
        _error[slot] = error;
        _level[slot] = level;
        if (fallback != _inFallback[slot])
        {
            _inFallback[slot] = fallback;
            FallbackCount += fallback ? 1 : -1;
        }
    }

    internal double LevelOf(int slot) => _level[slot];

    internal (long Count, double Short, double Long, bool Degraded) ModelState(int model) => (_models[model].Count, _models[model].Short, _models[model].Long, _models[model].Degraded);

    internal void RestoreModel(int model, long count, double recent, double baseline, bool degraded)
    {
        _models[model].Count = count;
        _models[model].Short = recent;
        _models[model].Long = baseline;
        _models[model].Degraded = degraded;
    }

    internal (long Scored, double Abs, double Pinball, long Within90, long Within99) HorizonState(int h) => (_scored[h], _absSum[h], _pinballSum[h], _within90[h], _within99[h]);

    internal void RestoreHorizon(int h, long scored, double abs, double pinball, long within90, long within99)
    {
        _scored[h] = scored;
        _absSum[h] = abs;
        _pinballSum[h] = pinball;
        _within90[h] = within90;
        _within99[h] = within99;
    }

    internal void RestoreRollbacks(long rollbacks) => Rollbacks = rollbacks;

    private void UpdateFallback(int slot)
    {
        var e = _error[slot];
        if (!_inFallback[slot] && e > _threshold)
        {
            _inFallback[slot] = true;
            FallbackCount++;
        }
        else if (_inFallback[slot] && e < 0.7 * _threshold)
        {
            _inFallback[slot] = false;
            FallbackCount--;
        }
    }

    private static double Pinball(double actual, double predicted, double tau)
    {
        var d = actual - predicted;
        return d >= 0 ? tau * d : (tau - 1) * d;
    }

    /// <summary>Short and long EWMAs of one model's pinball loss; the long one is its trailing baseline.</summary>
    private sealed class ModelTrack
    {
        public long Count;
        public double Short;
        public double Long;
        public bool Degraded;
        public bool JustDegraded;

        public void Add(double loss, double ratio, int warmup)
        {
            if (!double.IsFinite(loss))
            {
                return;
            }

            Count++;
            if (Count == 1)
            {
                Short = Long = loss;
                return;
            }

            Short += ShortDecay * (loss - Short);
            if (!Degraded)
            {
                // The baseline is frozen while degraded: a bad model must not lower the bar it is judged by.
                Long += LongDecay * (loss - Long);
            }

            if (Count < warmup)
            {
                return;
            }

            if (!Degraded && Short > ratio * Long)
            {
                Degraded = true;
                JustDegraded = true;
            }
            else if (Degraded && Short <= 1.1 * Long)
            {
                Degraded = false;
            }
        }
    }
}
