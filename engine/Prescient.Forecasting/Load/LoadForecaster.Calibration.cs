using System.Globalization;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Load;

/// <content>
/// Calibration of the paths, learned in <see cref="Fit"/>. The paths draw running jobs' ends and queued and new jobs'
/// starts independently, but a busy scheduler refills what ends and cannot start what does not fit, so the load stays
/// nearer its current level than independent paths say (damping, α), and their spread need not be the actual one
/// (spread, c). A path value x is served as L0 + α(m − L0) + c(x − m), with L0 the load now and m the paths' median.
/// </content>
public sealed partial class LoadForecaster
{
    /// <summary>Horizons at which α and c are learned; between them interpolated in log τ, outside them held.</summary>
    private static readonly int[] CalibrationHorizonSeconds = [300, 1800, 3600, 14400];

    private const int DampingGridSteps = 20;
    private const double MinSpread = 0.5;
    private const double SpreadStep = 0.1;
    private const int SpreadGridSteps = 25;
    private const int MaxCalibrationOrigins = 600;
    /// <summary>Origins stop this long before the history's last end plus the longest horizon: a history of finished jobs lacks those still running at its end, so the load it shows near the end is short.</summary>
    private const long CalibrationTailSeconds = 86400;
    private const int MinCalibrationJobs = 100;

    private readonly double[] _damping = [1, 1, 1, 1];
    private readonly double[] _spread = [1, 1, 1, 1];

    /// <summary>
    /// Whether <see cref="Fit"/> learns the calibration (default true). It fits a second model on the jobs of the
    /// history finished by its midpoint, replays the second half with it (hourly origins, at most 600, up to a day
    /// and 4 h before the history's last end) and, per horizon, picks α on a 0.05 grid in [0, 1] for the least mean
    /// absolute error of the damped median, then c on a 0.1 grid in [0.5, 3] for the [0.1, 0.9] interval's coverage
    /// nearest 0.8 (ties toward 1). With fewer than 100 such jobs, too short a second half, or false: α = c = 1.
    /// </summary>
    public bool LearnCalibration { get; set; } = true;

    /// <summary>The damping α(τ) ∈ [0, 1] at <paramref name="horizonSeconds"/>: the median is served as L0 + α(m − L0), L0 the load now, m the paths' median; 1 = undamped.</summary>
    public double DampingAt(int horizonSeconds) => Interpolate(_damping, horizonSeconds);

    /// <summary>The spread c(τ) ∈ [0.5, 3] at <paramref name="horizonSeconds"/>: the paths' distances from their median are scaled by it; 1 = as drawn.</summary>
    public double SpreadAt(int horizonSeconds) => Interpolate(_spread, horizonSeconds);

    private static double Interpolate(double[] values, int horizonSeconds)
    {
        if (horizonSeconds <= CalibrationHorizonSeconds[0])
        {
            return values[0];
        }

        for (var i = 1; i < CalibrationHorizonSeconds.Length; i++)
        {
            if (horizonSeconds <= CalibrationHorizonSeconds[i])
            {
                var x = Math.Log((double)horizonSeconds / CalibrationHorizonSeconds[i - 1]) / Math.Log((double)CalibrationHorizonSeconds[i] / CalibrationHorizonSeconds[i - 1]);
                return values[i - 1] + (x * (values[i] - values[i - 1]));
            }
        }

        return values[^1];
    }

    private void LearnCalibrationFrom(IReadOnlyList<JobRecord> jobs)
    {
        Array.Fill(_damping, 1.0);
        Array.Fill(_spread, 1.0);
        if (!LearnCalibration)
        {
            return;
        }

        // Cross-fitted: a model fitted on the jobs finished by the middle of the history forecasts origins in its
        // second half, which that model has not seen (a model scored on its own jobs looks better than it is).
        var start = jobs.Min(j => j.SubmitSeconds);
        var end = jobs.Max(j => j.StartSeconds + j.RunSeconds);
        var first = start + ((end - start) / 2);
        var last = end - CalibrationHorizonSeconds[^1] - CalibrationTailSeconds;
        var early = jobs.Where(j => j.StartSeconds + j.RunSeconds <= first).ToList();
        if (last <= first || early.Count < MinCalibrationJobs)
        {
            return;
        }

        var model = new LoadForecaster { CapacityProcessors = CapacityProcessors, Samples = Samples, Seed = Seed, LearnCalibration = false };
        model.Fit(early);

        var stride = Math.Max(3600, (last - first) / MaxCalibrationOrigins);
        var origins = (int)((last - first) / stride) + 1;
        var bySubmit = BySubmit(jobs);
        var (times, loads) = LoadSteps(jobs);
        var h = CalibrationHorizonSeconds.Length;
        var now0 = new double[origins];
        var low = new double[origins * h];
        var median = new double[origins * h];
        var high = new double[origins * h];
        var actual = new double[origins * h];
        double[] levels = [0.1, 0.5, 0.9];
        Parallel.For(0, origins, o =>
        {
            var now = first + (o * stride);
            var (running, pending, inUse) = StateAt(bySubmit, now);
            var f = model.Forecast(now, CalibrationHorizonSeconds, levels, running, pending);
            now0[o] = inUse;
            for (var k = 0; k < h; k++)
            {
                low[(o * h) + k] = f.TotalQuantiles[k * 3];
                median[(o * h) + k] = f.TotalQuantiles[(k * 3) + 1];
                high[(o * h) + k] = f.TotalQuantiles[(k * 3) + 2];
                actual[(o * h) + k] = LoadAt(times, loads, now + CalibrationHorizonSeconds[k]);
            }
        });

        var cap = CapacityProcessors > 0 ? CapacityProcessors : double.PositiveInfinity;
        for (var k = 0; k < h; k++)
        {
            var best = double.PositiveInfinity;
            for (var g = DampingGridSteps; g >= 0; g--)
            {
                // From α = 1 down, so a tie keeps the larger α (the less damped model).
                var alpha = (double)g / DampingGridSteps;
                double error = 0;
                for (var o = 0; o < origins; o++)
                {
                    error += Math.Abs(actual[(o * h) + k] - (now0[o] + (alpha * (median[(o * h) + k] - now0[o]))));
                }

                if (error < best - 1e-9)
                {
                    best = error;
                    _damping[k] = alpha;
                }
            }

            var bestGap = double.PositiveInfinity;
            for (var g = 0; g <= SpreadGridSteps; g++)
            {
                var c = MinSpread + (g * SpreadStep);
                var covered = 0;
                for (var o = 0; o < origins; o++)
                {
                    var i = (o * h) + k;
                    var centre = now0[o] + (_damping[k] * (median[i] - now0[o]));
                    var lo = Math.Clamp(centre + (c * (low[i] - median[i])), 0, cap);
                    var hi = Math.Clamp(centre + (c * (high[i] - median[i])), 0, cap);
                    covered += actual[i] >= lo && actual[i] <= hi ? 1 : 0;
                }

                var gap = Math.Abs(((double)covered / origins) - 0.8) + (1e-9 * Math.Abs(c - 1));
                if (gap < bestGap)
                {
                    bestGap = gap;
                    _spread[k] = c;
                }
            }
        }
    }

    private static JobRecord[] BySubmit(IReadOnlyList<JobRecord> jobs) => jobs.OrderBy(j => j.SubmitSeconds).ThenBy(j => j.JobId).ToArray();

    /// <summary>
    /// What the scheduler knew at <paramref name="now"/>: jobs submitted by then and started (still running: start ≤
    /// now &lt; end) or not yet started (pending), with their time limits but not their ends; and the processors in
    /// use, counted from the same running set.
    /// </summary>
    private static (List<RunningJob> Running, List<PendingJob> Pending, double InUse) StateAt(JobRecord[] bySubmit, long now)
    {
        var running = new List<RunningJob>();
        var pending = new List<PendingJob>();
        double inUse = 0;
        foreach (var j in bySubmit)
        {
            if (j.SubmitSeconds > now)
            {
                break;
            }

            var id = j.JobId.ToString(CultureInfo.InvariantCulture);
            if (j.StartSeconds > now)
            {
                pending.Add(new PendingJob(id, j.User, j.Group, j.Processors, j.SubmitSeconds, null, j.RequestedSeconds));
            }
            else if (j.StartSeconds + j.RunSeconds > now)
            {
                running.Add(new RunningJob(id, j.User, j.Group, j.Processors, j.StartSeconds, j.RequestedSeconds));
                inUse += j.Processors;
            }
        }

        return (running, pending, inUse);
    }
}
