using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Load;

/// <summary>
/// The Load Forecaster: system-wide processor demand at each horizon τ, as the distribution of seeded Monte Carlo
/// sample paths of the cluster (<see cref="Samples"/> of them) from the state observed now:
/// <list type="bullet">
/// <item>running jobs: each ends after a remaining run time drawn from the learned run-time survival conditional on
/// its age, S(a + t)/S(a), and no later than its time limit (unless it has already run past it). S is that of the jobs
/// in the same time-limit class (half-octaves of the requested time) when the job has a limit and the class ≥ 20
/// jobs, else the user's own with ≥ 20 jobs, else the population's. Every path holds exactly the load in use now at
/// τ = 0;</item>
/// <item>the pending queue: a job's wait ends at the scheduler's expected start, else after a wait drawn from the
/// learned wait survival conditional on the wait so far; it then starts if it fits in what the path has free of
/// <see cref="CapacityProcessors"/>, else queues (first fit, in the order the waits ended) until it does. Run times
/// come from the same survival;</item>
/// <item>new arrivals: a Poisson process with a learned rate per hour of the week (shrunk toward the all-hours mean:
/// λ(how) = (count + m·λ̄)/(weeks + m), m = 2); each arrival is a job of the history (processors, run time and wait
/// together), starting like a queued job when its wait ends;</item>
/// <item>a calibration learned in <see cref="Fit"/>: the median pulled toward the load now and the spread scaled (see
/// <see cref="DampingAt"/> and <see cref="SpreadAt"/>);</item>
/// <item>registered events and scheduled tasks, added as given.</item>
/// </list>
/// The point forecast is the median of the paths (the 0.5 quantile: the best point under absolute error; it keeps a
/// few large jobs' on/off states whole where a mean splits them); quantiles are the paths' empirical ones, clamped to
/// [0, capacity]. <see cref="LoadForecast.Total"/> is the paths' mean, and the parts are the means of each part over
/// the same paths, so they add up to it exactly (see <see cref="LoadForecast"/>). Learned from a job history
/// (<see cref="Fit"/>: SWF logs or Slurm accounting). <see cref="Fit"/> and the settings are not thread-safe; after
/// <see cref="Fit"/>, <see cref="Forecast"/> only reads the fitted state and may run concurrently. Deterministic: the
/// same state, settings and <see cref="Seed"/> give the same forecast.
/// </summary>
public sealed partial class LoadForecaster
{
    private const int RuntimeBins = 64;
    private const double MinRuntime = 1;
    private const double MaxRuntime = 1e8;
    private const int MinJobsForOwnProfile = 20;
    private const double Shrinkage = 2;
    private const int HistorySample = 5000;

    private readonly double[] _populationSurvival = new double[RuntimeBins + 1];
    private readonly double[] _waitSurvival = new double[RuntimeBins + 1];
    private readonly Dictionary<string, double[]> _userSurvival = new(StringComparer.Ordinal);
    private readonly Dictionary<int, double[]> _limitSurvival = [];
    private readonly double[] _arrivalRatePerHour = new double[168];
    private readonly Dictionary<string, double> _userShare = new(StringComparer.Ordinal);
    private HistoryJob[] _sample = [];

    /// <summary>Processors of the cluster: queued jobs start only into it and quantiles are clamped to it; 0 = unknown (queued jobs then start after a learned wait).</summary>
    public double CapacityProcessors { get; set; }

    /// <summary>Sample paths per forecast (default 400; at least 1). More paths give steadier quantiles at a linear cost.</summary>
    public int Samples { get; set; } = 400;

    /// <summary>Seed of the paths' random numbers (default 1).</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Jobs learned from.</summary>
    public int JobsFitted { get; private set; }

    /// <summary>Learns runtime survival, waits, arrival rates and user shares from <paramref name="jobs"/> (submitted before any origin forecast later).</summary>
    public void Fit(IReadOnlyList<JobRecord> jobs)
    {
        if (jobs.Count == 0)
        {
            throw new ArgumentException("no jobs to learn from", nameof(jobs));
        }

        JobsFitted = jobs.Count;
        BuildSurvival(jobs.Select(j => j.RunSeconds), _populationSurvival);
        _userSurvival.Clear();
        foreach (var g in jobs.GroupBy(j => j.User))
        {
            if (g.Count() >= MinJobsForOwnProfile)
            {
                var s = new double[RuntimeBins + 1];
                BuildSurvival(g.Select(j => j.RunSeconds), s);
                _userSurvival[g.Key] = s;
            }
        }

        _limitSurvival.Clear();
        foreach (var g in jobs.Where(j => j.RequestedSeconds > 0).GroupBy(j => LimitClass(j.RequestedSeconds)))
        {
            if (g.Count() >= MinJobsForOwnProfile)
            {
                var s = new double[RuntimeBins + 1];
                BuildSurvival(g.Select(j => j.RunSeconds), s);
                _limitSurvival[g.Key] = s;
            }
        }

        BuildSurvival(jobs.Select(j => Math.Max(0, j.StartSeconds - j.SubmitSeconds)), _waitSurvival);

        var t0 = jobs.Min(j => j.SubmitSeconds);
        var t1 = jobs.Max(j => j.SubmitSeconds);
        var weeks = Math.Max(1.0 / 168, (t1 - t0) / (7.0 * 86400));
        var counts = new double[168];
        foreach (var j in jobs)
        {
            counts[HourOfWeek(j.SubmitSeconds)]++;
        }

        // counts[h] / weeks is the hour's own rate; λ̄ the all-hours rate; m = Shrinkage pseudo-weeks of λ̄.
        var overall = counts.Sum() / (168 * weeks);
        for (var h = 0; h < 168; h++)
        {
            _arrivalRatePerHour[h] = (counts[h] + (Shrinkage * overall)) / (weeks + Shrinkage);
        }

        // Users' shares weigh recent submissions more (half-life 30 days before the end of the history).
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        var total = 0.0;
        foreach (var j in jobs)
        {
            var w = Math.Pow(2, -(t1 - j.SubmitSeconds) / (30.0 * 86400));
            weights[j.User] = weights.GetValueOrDefault(j.User) + w;
            total += w;
        }

        _userShare.Clear();
        foreach (var (u, w) in weights)
        {
            _userShare[u] = w / total;
        }

        var rng = new Random(1);
        _sample = jobs.OrderBy(_ => rng.Next())
            .Take(HistorySample)
            .Select(j => new HistoryJob(Math.Max(0, j.StartSeconds - j.SubmitSeconds), Math.Max(0, j.RunSeconds), Math.Max(1, j.Processors), j.RequestedSeconds))
            .ToArray();
        LearnCalibrationFrom(jobs);
    }

    /// <summary>
    /// Forecasts demand after <paramref name="nowSeconds"/> at <paramref name="horizonSeconds"/> (each ≥ 0) from the
    /// current running jobs, queue, events and scheduled tasks; <paramref name="quantiles"/> in (0, 1), the median
    /// (0.5) being the point forecast.
    /// </summary>
    public LoadForecast Forecast(long nowSeconds, int[] horizonSeconds, double[] quantiles, IReadOnlyList<RunningJob> running, IReadOnlyList<PendingJob> pending,
        IReadOnlyList<RegisteredEvent>? events = null, IReadOnlyList<ScheduledTask>? scheduled = null)
    {
        if (JobsFitted == 0)
        {
            throw new InvalidOperationException("Fit must run before Forecast");
        }

        var f = new LoadForecast(horizonSeconds, quantiles);
        var h = horizonSeconds.Length;
        for (var k = 0; k < h; k++)
        {
            if (horizonSeconds[k] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(horizonSeconds), "horizons must be ≥ 0 seconds");
            }

            var at = nowSeconds + horizonSeconds[k];
            foreach (var e in events ?? [])
            {
                if (at >= e.StartSeconds && at < e.EndSeconds)
                {
                    f.Events[k] += e.ExtraProcessors;
                }
            }

            foreach (var s in scheduled ?? [])
            {
                if (at < s.FirstStartSeconds)
                {
                    continue;
                }

                var since = at - s.FirstStartSeconds;
                var phase = s.RepeatEverySeconds > 0 ? since % s.RepeatEverySeconds : since;
                if (phase < s.DurationSeconds)
                {
                    f.Scheduled[k] += s.Processors;
                }
            }
        }

        var paths = Math.Max(1, Samples);
        var sim = new PathSimulator(this, nowSeconds, horizonSeconds, running, pending, paths);
        var totals = new double[h * paths];
        var rng = new Random(Seed);
        for (var p = 0; p < paths; p++)
        {
            sim.Run(rng, p, totals);
        }

        var now0 = sim.LoadNow;
        var users = sim.Users;
        for (var k = 0; k < h; k++)
        {
            f.Running[k] = sim.RunningSums[k] / paths;
            f.Pending[k] = sim.PendingSums[k] / paths;
            f.Arrivals[k] = sim.ArrivalSums[k] / paths;

            var column = totals.AsSpan(k * paths, paths);
            column.Sort();

            // Calibration: x → L0 + α(m − L0) + c(x − m) is increasing (c > 0), so the served quantiles are the
            // calibrated paths' quantiles; the part it adds is the change of the paths' mean.
            var m = EmpiricalQuantile(column, 0.5);
            var centre = now0 + (DampingAt(horizonSeconds[k]) * (m - now0));
            var c = SpreadAt(horizonSeconds[k]);
            double raw = 0, sum = 0, sq = 0;
            for (var p = 0; p < paths; p++)
            {
                raw += column[p];
                var v = centre + (c * (column[p] - m));
                column[p] = v;
                sum += v;
                sq += v * v;
            }

            var mean = sum / paths;
            f.Calibration[k] = mean - (raw / paths);
            f.Total[k] = f.Running[k] + f.Pending[k] + f.Arrivals[k] + f.Calibration[k] + f.Events[k] + f.Scheduled[k];
            f.Variance[k] = paths > 1 ? Math.Max(0, (sq - (paths * mean * mean)) / (paths - 1)) : 0;
            var fixedPart = f.Events[k] + f.Scheduled[k];
            for (var q = 0; q < quantiles.Length; q++)
            {
                var v = Math.Max(0, EmpiricalQuantile(column, quantiles[q]) + fixedPart);
                f.TotalQuantiles[(k * quantiles.Length) + q] = CapacityProcessors > 0 ? Math.Min(v, CapacityProcessors) : v;
            }

            for (var u = 0; u < users.Count; u++)
            {
                AddUser(f, users[u], k, sim.UserSums[(u * h) + k] / paths);
            }

            foreach (var (u, share) in _userShare)
            {
                AddUser(f, u, k, share * f.Arrivals[k]);
            }
        }

        return f;
    }

    /// <summary>The most processors ever in use at once in <paramref name="jobs"/> (a capacity estimate when the log gives none).</summary>
    public static double PeakConcurrency(IReadOnlyList<JobRecord> jobs)
    {
        var edges = new List<(long T, int D)>(jobs.Count * 2);
        foreach (var j in jobs)
        {
            edges.Add((j.StartSeconds, j.Processors));
            edges.Add((j.StartSeconds + j.RunSeconds, -j.Processors));
        }

        edges.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.D.CompareTo(b.D));
        double cur = 0, peak = 0;
        foreach (var (_, d) in edges)
        {
            cur += d;
            peak = Math.Max(peak, cur);
        }

        return peak;
    }

    private static double EmpiricalQuantile(ReadOnlySpan<double> sorted, double q)
    {
        // The lower empirical quantile: the smallest path value with at least a fraction q of the paths at or below
        // it (for q = 0.5 and an odd count, the middle path).
        var i = (int)Math.Ceiling((q * sorted.Length) - 1e-9) - 1;
        return sorted[Math.Clamp(i, 0, sorted.Length - 1)];
    }

    private static void AddUser(LoadForecast f, string user, int h, double value)
    {
        if (!f.ByUser.TryGetValue(user, out var row))
        {
            row = new double[f.HorizonSeconds.Length];
            f.ByUser[user] = row;
        }

        row[h] += value;
    }

    private static int HourOfWeek(long unixSeconds) => (int)((((unixSeconds / 3600) + (4 * 24)) % 168 + 168) % 168);

    /// <summary>Time-limit class: half-octaves of the requested seconds.</summary>
    private static int LimitClass(long requestedSeconds) => (int)Math.Floor(Math.Log2(requestedSeconds) * 2);

    private double[] SurvivalOf(string user, long requestedSeconds)
    {
        // The time limit says more about a run time than who asked for it: jobs of the same limit class first, then
        // the user's, then everyone's.
        if (requestedSeconds > 0 && _limitSurvival.TryGetValue(LimitClass(requestedSeconds), out var byLimit))
        {
            return byLimit;
        }

        return _userSurvival.TryGetValue(user, out var own) ? own : _populationSurvival;
    }

    /// <summary>A job of the history: wait, run time, processors and time limit (0 or less when unknown), drawn for new arrivals.</summary>
    private readonly record struct HistoryJob(long WaitSeconds, long RunSeconds, int Processors, long RequestedSeconds);
}
