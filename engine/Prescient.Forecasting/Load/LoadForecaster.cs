using Prescient.Forecasting.Numerics;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Load;

/// <summary>
/// The Load Forecaster: system-wide processor demand at each horizon τ as the sum of
/// <list type="bullet">
/// <item>bottom-up running jobs: Σ processors × P(still running at now+τ | running for a so far), from the
/// learned runtime survival S (the user's own when it has ≥ 20 jobs, else the population's), zero past the job's
/// time limit;</item>
/// <item>the pending queue: each queued job counts from its expected start (the scheduler's, else submit + the
/// learned median wait) with the same survival;</item>
/// <item>new arrivals: a Poisson regression of submissions on calendar features (one rate per hour of the week,
/// shrunk toward the all-hours mean: λ(how) = (count + m·λ̄)/(weeks + m), m = 2) split between users by their
/// share of recent submissions, convolved with g(x) = E[processors in use x seconds after a submission];</item>
/// <item>registered events and scheduled tasks, added as given.</item>
/// </list>
/// The parts add up to the total and the users' parts to the users' total (see <see cref="LoadForecast"/>).
/// Learned from a job history (<see cref="Fit"/>: SWF logs or Slurm accounting). Not thread-safe.
/// </summary>
public sealed class LoadForecaster
{
    private const int RuntimeBins = 64;
    private const double MinRuntime = 1;
    private const double MaxRuntime = 1e8;
    private const int MinJobsForOwnProfile = 20;
    private const double Shrinkage = 2;

    private readonly double[] _populationSurvival = new double[RuntimeBins + 1];
    private readonly double[] _waitSurvival = new double[RuntimeBins + 1];
    private readonly Dictionary<string, double[]> _userSurvival = new(StringComparer.Ordinal);
    private readonly double[] _arrivalRatePerHour = new double[168];
    private readonly Dictionary<string, double> _userShare = new(StringComparer.Ordinal);
    private (long Wait, long Run, int Processors)[] _sample = [];
    private double _medianWaitSeconds;

    /// <summary>Processors of the cluster (forecast quantiles are clamped to it); 0 = unknown.</summary>
    public double CapacityProcessors { get; set; }

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
        foreach (var g in jobs.GroupBy(j => j.User))
        {
            if (g.Count() >= MinJobsForOwnProfile)
            {
                var s = new double[RuntimeBins + 1];
                BuildSurvival(g.Select(j => j.RunSeconds), s);
                _userSurvival[g.Key] = s;
            }
        }

        BuildSurvival(jobs.Select(j => j.StartSeconds - j.SubmitSeconds), _waitSurvival);
        var waits = jobs.Select(j => j.StartSeconds - j.SubmitSeconds).Order().ToArray();
        _medianWaitSeconds = waits[waits.Length / 2];

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
        _sample = jobs.OrderBy(_ => rng.Next()).Take(5000).Select(j => (j.StartSeconds - j.SubmitSeconds, j.RunSeconds, j.Processors)).ToArray();
    }

    /// <summary>
    /// Forecasts demand after <paramref name="nowSeconds"/> at <paramref name="horizonSeconds"/> from the current
    /// running jobs, queue, events and scheduled tasks.
    /// </summary>
    public LoadForecast Forecast(long nowSeconds, int[] horizonSeconds, double[] quantiles, IReadOnlyList<RunningJob> running, IReadOnlyList<PendingJob> pending,
        IReadOnlyList<RegisteredEvent>? events = null, IReadOnlyList<ScheduledTask>? scheduled = null)
    {
        if (JobsFitted == 0)
        {
            throw new InvalidOperationException("Fit must run before Forecast");
        }

        var f = new LoadForecast(horizonSeconds, quantiles);
        for (var h = 0; h < horizonSeconds.Length; h++)
        {
            var tau = horizonSeconds[h];
            var at = nowSeconds + tau;
            foreach (var j in running)
            {
                var age = Math.Max(0, nowSeconds - j.StartSeconds);
                var p = StillRunning(j.User, age, tau, j.RequestedSeconds);
                f.Running[h] += p * j.Processors;
                f.Variance[h] += p * (1 - p) * j.Processors * j.Processors;
                AddUser(f, j.User, h, p * j.Processors);
            }

            // Queued jobs start in order of expected start, and only into capacity the running jobs free up.
            var free = CapacityProcessors > 0 ? Math.Max(0, CapacityProcessors - f.Running[h]) : double.PositiveInfinity;
            foreach (var j in OrderedByStart(pending, nowSeconds))
            {
                double p;
                if (j.ExpectedStartSeconds is { } expectedStart)
                {
                    var start = Math.Max(nowSeconds, expectedStart);
                    if (start > at || free <= 0)
                    {
                        continue;
                    }

                    p = StillRunning(j.User, 0, at - start, j.RequestedSeconds);
                }
                else
                {
                    // No expected start from the scheduler: the chance it starts within τ given it has waited w so
                    // far, from the learned wait survival, times the chance it is still running at the horizon
                    // (evaluated at mid-window).
                    var waited = Math.Max(0, nowSeconds - j.SubmitSeconds);
                    var sw = Survival(_waitSurvival, waited);
                    var started = sw <= 0 ? 1 : Math.Clamp(1 - (Survival(_waitSurvival, waited + tau) / sw), 0, 1);
                    p = started * StillRunning(j.User, 0, tau / 2, j.RequestedSeconds);
                    if (free <= 0)
                    {
                        continue;
                    }
                }

                var take = Math.Min(p * j.Processors, free);
                free -= take;
                f.Pending[h] += take;
                f.Variance[h] += p * (1 - p) * j.Processors * j.Processors;
                AddUser(f, j.User, h, take);
            }

            // Arrivals in (now, now+τ], in sub-steps of at most 5 minutes: E = Σ λ(t_k)Δt · g(τ − t_k).
            var steps = Math.Max(1, (int)Math.Ceiling(tau / 300.0));
            var dt = tau / (double)steps;
            double expected = 0, second = 0;
            for (var k = 0; k < steps; k++)
            {
                var t = (k + 0.5) * dt;
                var lambda = _arrivalRatePerHour[HourOfWeek(nowSeconds + (long)t)] / 3600.0 * dt;
                var (g1, g2) = InUseAfter(tau - t);
                expected += lambda * g1;
                second += lambda * g2;
            }

            f.Arrivals[h] = Math.Min(expected, free);
            if (expected > 0)
            {
                second *= f.Arrivals[h] / expected;
                expected = f.Arrivals[h];
            }

            f.Variance[h] += second;
            foreach (var (u, share) in _userShare)
            {
                AddUser(f, u, h, share * expected);
            }

            foreach (var e in events ?? [])
            {
                if (at >= e.StartSeconds && at < e.EndSeconds)
                {
                    f.Events[h] += e.ExtraProcessors;
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
                    f.Scheduled[h] += s.Processors;
                }
            }

            f.Total[h] = f.Running[h] + f.Pending[h] + f.Arrivals[h] + f.Events[h] + f.Scheduled[h];
            var sd = Math.Sqrt(Math.Max(0, f.Variance[h]));
            for (var q = 0; q < quantiles.Length; q++)
            {
                var v = Math.Max(0, f.Total[h] + (Distributions.NormalQuantile(quantiles[q]) * sd));
                f.TotalQuantiles[(h * quantiles.Length) + q] = CapacityProcessors > 0 ? Math.Min(v, CapacityProcessors) : v;
            }
        }

        return f;
    }

    /// <summary>Result of <see cref="Backtest"/>: mean absolute error of the expected total and of persistence, per horizon.</summary>
    public sealed record BacktestResult(int[] HorizonSeconds, double[] ForecastMae, double[] PersistenceMae, double[] Coverage80, int Origins);

    /// <summary>
    /// Rolling-origin backtest on a job log: fits on the jobs submitted before <paramref name="trainFraction"/> of the
    /// log's span, then every <paramref name="originStrideSeconds"/> rebuilds the running set and queue from what was
    /// known at that moment (start, time limit — not the end), forecasts, and compares with the processors actually in
    /// use at each horizon; persistence (in use now) is the baseline.
    /// </summary>
    public static BacktestResult Backtest(IReadOnlyList<JobRecord> jobs, int[] horizonSeconds, double trainFraction = 0.3, long originStrideSeconds = 3600)
    {
        var t0 = jobs.Min(j => j.SubmitSeconds);
        var t1 = jobs.Max(j => j.StartSeconds + j.RunSeconds);
        var split = t0 + (long)((t1 - t0) * trainFraction);
        var train = jobs.Where(j => j.SubmitSeconds < split).ToList();
        var forecaster = new LoadForecaster { CapacityProcessors = PeakConcurrency(train) };
        forecaster.Fit(train);
        var byStart = jobs.OrderBy(j => j.SubmitSeconds).ToArray();
        var mae = new double[horizonSeconds.Length];
        var pmae = new double[horizonSeconds.Length];
        var cov = new double[horizonSeconds.Length];
        var origins = 0;
        double[] q = [0.1, 0.9];
        for (var now = split; now + horizonSeconds[^1] < t1; now += originStrideSeconds)
        {
            var running = new List<RunningJob>();
            var pending = new List<PendingJob>();
            double inUse = 0;
            foreach (var j in byStart)
            {
                if (j.SubmitSeconds > now)
                {
                    break;
                }

                if (j.StartSeconds > now)
                {
                    pending.Add(new PendingJob(j.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture), j.User, j.Group, j.Processors, j.SubmitSeconds, null, j.RequestedSeconds));
                }
                else if (j.StartSeconds + j.RunSeconds > now)
                {
                    running.Add(new RunningJob(j.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture), j.User, j.Group, j.Processors, j.StartSeconds, j.RequestedSeconds));
                    inUse += j.Processors;
                }
            }

            var f = forecaster.Forecast(now, horizonSeconds, q, running, pending);
            for (var h = 0; h < horizonSeconds.Length; h++)
            {
                var at = now + horizonSeconds[h];
                double actual = 0;
                foreach (var j in byStart)
                {
                    if (j.SubmitSeconds > at)
                    {
                        break;
                    }

                    if (j.StartSeconds <= at && j.StartSeconds + j.RunSeconds > at)
                    {
                        actual += j.Processors;
                    }
                }

                mae[h] += Math.Abs(actual - f.Total[h]);
                pmae[h] += Math.Abs(actual - inUse);
                cov[h] += actual >= f.TotalQuantiles[h * 2] && actual <= f.TotalQuantiles[(h * 2) + 1] ? 1 : 0;
            }

            origins++;
        }

        for (var h = 0; h < horizonSeconds.Length; h++)
        {
            mae[h] /= Math.Max(1, origins);
            pmae[h] /= Math.Max(1, origins);
            cov[h] /= Math.Max(1, origins);
        }

        return new BacktestResult(horizonSeconds, mae, pmae, cov, origins);
    }

    private IEnumerable<PendingJob> OrderedByStart(IReadOnlyList<PendingJob> pending, long now) =>
        pending.OrderBy(j => j.ExpectedStartSeconds ?? (j.SubmitSeconds + (long)_medianWaitSeconds)).ThenBy(j => j.SubmitSeconds).ThenBy(j => j.JobId, StringComparer.Ordinal);

    private double StillRunning(string user, long age, long tau, long requested)
    {
        if (requested > 0 && age + tau >= requested)
        {
            return 0;
        }

        var s = _userSurvival.TryGetValue(user, out var own) ? own : _populationSurvival;
        var sa = Survival(s, age);
        return sa <= 0 ? 0 : Math.Clamp(Survival(s, age + tau) / sa, 0, 1);
    }

    private (double Mean, double Second) InUseAfter(double seconds)
    {
        // g(x) = E[processors · 1{wait ≤ x < wait + run}] over the sampled history, and E[processors² · …].
        double g1 = 0, g2 = 0;
        foreach (var (wait, run, procs) in _sample)
        {
            if (wait <= seconds && seconds < wait + run)
            {
                g1 += procs;
                g2 += (double)procs * procs;
            }
        }

        var n = Math.Max(1, _sample.Length);
        return (g1 / n, g2 / n);
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

    private static void AddUser(LoadForecast f, string user, int h, double value)
    {
        if (!f.ByUser.TryGetValue(user, out var row))
        {
            row = new double[f.HorizonSeconds.Length];
            f.ByUser[user] = row;
        }

        row[h] += value;
    }

    private static int Bin(double seconds)
    {
        var x = Math.Log(Math.Max(seconds, MinRuntime) / MinRuntime) / Math.Log(MaxRuntime / MinRuntime);
        return Math.Clamp((int)(x * RuntimeBins), 0, RuntimeBins);
    }

    private static void BuildSurvival(IEnumerable<long> runtimes, double[] survival)
    {
        // survival[b] = P(R ≥ start of bin b), log-spaced bins; interpolated in Survival().
        var counts = new double[RuntimeBins + 1];
        var n = 0;
        foreach (var r in runtimes)
        {
            counts[Bin(r)]++;
            n++;
        }

        var above = (double)n;
        for (var b = 0; b <= RuntimeBins; b++)
        {
            survival[b] = above / Math.Max(1, n);
            above -= counts[b];
        }
    }

    private static double Survival(double[] s, double seconds)
    {
        var x = Math.Log(Math.Max(seconds, MinRuntime) / MinRuntime) / Math.Log(MaxRuntime / MinRuntime) * RuntimeBins;
        var b = Math.Clamp((int)x, 0, RuntimeBins - 1);
        var frac = Math.Clamp(x - b, 0, 1);
        return (s[b] * (1 - frac)) + (s[b + 1] * frac);
    }

    private static int HourOfWeek(long unixSeconds) => (int)((((unixSeconds / 3600) + (4 * 24)) % 168 + 168) % 168);
}
