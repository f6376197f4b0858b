using System.Globalization;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Load;

/// <content>
/// Damping toward the current load, learned in <see cref="Fit"/>. The paths draw running jobs' ends and queued and new
/// jobs' starts independently, but a busy scheduler refills what ends and cannot start what does not fit, so the load
/// stays nearer its current level than independent paths say. Each path is pulled toward the load now by α(τ) ∈ [0, 1].
/// </content>
public sealed partial class LoadForecaster
{
    /// <summary>Horizons at which α is learned; between them it is interpolated in log τ, outside them held.</summary>
    private static readonly int[] DampingHorizonSeconds = [300, 1800, 3600, 14400];

    private const int DampingGridSteps = 20;
    private const int MaxDampingOrigins = 600;
    private const long DampingWarmUpSeconds = 86400;

    private readonly double[] _damping = [1, 1, 1, 1];

    /// <summary>
    /// Whether <see cref="Fit"/> learns the damping (default true): it replays the history it is given (hourly origins,
    /// at most 600, from a day after its first submission to a day before its last end) and, per horizon, picks the α
    /// on a 0.05 grid whose damped median has the least mean absolute error. False keeps α = 1 (undamped paths).
    /// </summary>
    public bool LearnDamping { get; set; } = true;

    /// <summary>The damping α(τ) ∈ [0, 1] at <paramref name="horizonSeconds"/>: a path value x is served as L0 + α(x − L0), L0 the load now; 1 = undamped.</summary>
    public double DampingAt(int horizonSeconds)
    {
        if (horizonSeconds <= DampingHorizonSeconds[0])
        {
            return _damping[0];
        }

        for (var i = 1; i < DampingHorizonSeconds.Length; i++)
        {
            if (horizonSeconds <= DampingHorizonSeconds[i])
            {
                var x = Math.Log((double)horizonSeconds / DampingHorizonSeconds[i - 1]) / Math.Log((double)DampingHorizonSeconds[i] / DampingHorizonSeconds[i - 1]);
                return _damping[i - 1] + (x * (_damping[i] - _damping[i - 1]));
            }
        }

        return _damping[^1];
    }

    private void LearnDampingFrom(IReadOnlyList<JobRecord> jobs)
    {
        Array.Fill(_damping, 1.0);
        if (!LearnDamping)
        {
            return;
        }

        var first = jobs.Min(j => j.SubmitSeconds) + DampingWarmUpSeconds;
        var last = jobs.Max(j => j.StartSeconds + j.RunSeconds) - DampingHorizonSeconds[^1] - DampingWarmUpSeconds;
        if (last <= first)
        {
            return;
        }

        var stride = Math.Max(3600, (last - first) / MaxDampingOrigins);
        var origins = (int)((last - first) / stride) + 1;
        var bySubmit = BySubmit(jobs);
        var (times, loads) = LoadSteps(jobs);
        var h = DampingHorizonSeconds.Length;
        var now0 = new double[origins];
        var median = new double[origins * h];
        var actual = new double[origins * h];
        double[] level = [0.5];
        Parallel.For(0, origins, o =>
        {
            var now = first + (o * stride);
            var (running, pending, inUse) = StateAt(bySubmit, now);
            var f = Forecast(now, DampingHorizonSeconds, level, running, pending);
            now0[o] = inUse;
            for (var k = 0; k < h; k++)
            {
                median[(o * h) + k] = f.TotalQuantiles[k];
                actual[(o * h) + k] = LoadAt(times, loads, now + DampingHorizonSeconds[k]);
            }
        });

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
