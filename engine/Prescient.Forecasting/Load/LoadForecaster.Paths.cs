namespace Prescient.Forecasting.Load;

/// <content>The sample paths behind <see cref="Forecast"/>: an event-driven replay of the cluster from now.</content>
public sealed partial class LoadForecaster
{
    private const double ArrivalStepSeconds = 300;

    /// <summary>Part a job's processors count toward at a horizon.</summary>
    private enum Part : byte
    {
        Running,
        Pending,
        Arrival,
    }

    /// <summary>A job holding processors on a path: from its start until <see cref="End"/> (exclusive).</summary>
    private struct Active
    {
        public int Processors;
        public double End;
        public Part Part;
        public int User;
    }

    /// <summary>A job waiting on a path: its wait ends at <see cref="Start"/>; it starts then, or later when it fits.</summary>
    private struct Waiting
    {
        public int Processors;
        public double Start;
        public double RunSeconds;
        public Part Part;
        public int User;
    }

    /// <summary>Runs paths for one forecast and sums what each part holds at each horizon (reused across paths).</summary>
    private sealed class PathSimulator
    {
        private readonly LoadForecaster _model;
        private readonly long _now;
        private readonly int[] _horizons;
        private readonly int[] _horizonOrder;
        private readonly IReadOnlyList<RunningJob> _running;
        private readonly PendingJob[] _queueOrder;
        private readonly int[] _runningUser;
        private readonly int[] _queueUser;
        private readonly int _paths;
        private readonly double _capacity;
        private readonly List<Active> _active = [];
        private readonly List<Waiting> _queue = [];
        private readonly List<Waiting> _timed = [];
        private readonly List<Waiting> _arrivals = [];
        private double _used;

        public PathSimulator(LoadForecaster model, long now, int[] horizons, IReadOnlyList<RunningJob> running, IReadOnlyList<PendingJob> pending, int paths)
        {
            _model = model;
            _now = now;
            _horizons = horizons;
            _horizonOrder = Enumerable.Range(0, horizons.Length).OrderBy(i => horizons[i]).ToArray();
            _running = running;
            _paths = paths;
            _capacity = model.CapacityProcessors;

            // Pending jobs in submit order (ties by job id): the random draws, and so the forecast, do not depend on the
            // order the caller lists them in.
            _queueOrder = pending.OrderBy(j => j.SubmitSeconds).ThenBy(j => j.JobId, StringComparer.Ordinal).ToArray();
            var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            _runningUser = running.Select(j => IndexOf(j.User)).ToArray();
            _queueUser = _queueOrder.Select(j => IndexOf(j.User)).ToArray();
            foreach (var j in running)
            {
                LoadNow += j.Processors;
            }

            RunningSums = new double[horizons.Length];
            PendingSums = new double[horizons.Length];
            ArrivalSums = new double[horizons.Length];
            UserSums = new double[Users.Count * horizons.Length];

            int IndexOf(string user)
            {
                if (!userIndex.TryGetValue(user, out var i))
                {
                    i = Users.Count;
                    userIndex[user] = i;
                    Users.Add(user);
                }

                return i;
            }
        }

        /// <summary>Users of the running and queued jobs, in the order of <see cref="UserSums"/>.</summary>
        public List<string> Users { get; } = [];

        /// <summary>Processors in use now (the running jobs').</summary>
        public double LoadNow { get; }

        /// <summary>Σ over paths of the running jobs' processors still in use, per horizon.</summary>
        public double[] RunningSums { get; }

        /// <summary>Σ over paths of the queued jobs' processors in use, per horizon.</summary>
        public double[] PendingSums { get; }

        /// <summary>Σ over paths of new arrivals' processors in use, per horizon.</summary>
        public double[] ArrivalSums { get; }

        /// <summary>Σ over paths of each user's running and queued processors in use, user-major.</summary>
        public double[] UserSums { get; }

        /// <summary>Runs path <paramref name="path"/> and writes its total at horizon k to totals[k · paths + path].</summary>
        public void Run(Random rng, int path, double[] totals)
        {
            _active.Clear();
            _queue.Clear();
            _timed.Clear();
            _arrivals.Clear();
            _used = 0;
            for (var i = 0; i < _running.Count; i++)
            {
                var j = _running[i];
                var age = Math.Max(0, _now - j.StartSeconds);
                var remaining = SampleRemaining(_model.SurvivalOf(j.User, j.RequestedSeconds), age, 1 - rng.NextDouble());

                // A time limit ends the job unless it has already run past it (limits are not always enforced).
                var limited = j.RequestedSeconds > 0 && age < j.RequestedSeconds;
                if (limited)
                {
                    remaining = Math.Min(remaining, j.RequestedSeconds - age);
                }

                // Strictly after now, so every path holds exactly the load in use now at τ = 0.
                var end = _now + Math.Max(remaining, 1e-3);
                StartJob(new Active { Processors = j.Processors, End = end, Part = Part.Running, User = _runningUser[i] });
            }

            for (var i = 0; i < _queueOrder.Length; i++)
            {
                var j = _queueOrder[i];
                var run = SampleRemaining(_model.SurvivalOf(j.User, j.RequestedSeconds), 0, 1 - rng.NextDouble());
                if (j.RequestedSeconds > 0)
                {
                    run = Math.Min(run, j.RequestedSeconds);
                }

                var w = new Waiting
                {
                    Processors = j.Processors,
                    Start = double.NaN,
                    RunSeconds = Math.Max(run, 1e-3),
                    Part = Part.Pending,
                    User = _queueUser[i],
                };
                if (j.ExpectedStartSeconds is { } expected)
                {
                    w.Start = Math.Max(_now, expected);
                }
                else
                {
                    var waited = Math.Max(0, _now - j.SubmitSeconds);
                    w.Start = _now + SampleRemaining(_model._waitSurvival, waited, 1 - rng.NextDouble());
                }

                _timed.Add(w);
            }

            SampleArrivals(rng);
            _timed.Sort(static (a, b) => a.Start.CompareTo(b.Start));

            var nextTimed = 0;
            var nextArrival = 0;
            var c = 0;
            while (c < _horizonOrder.Length)
            {
                var k = _horizonOrder[c];
                var checkpoint = (double)(_now + _horizons[k]);
                var t = double.PositiveInfinity;
                foreach (var a in _active)
                {
                    t = Math.Min(t, a.End);
                }

                if (nextTimed < _timed.Count)
                {
                    t = Math.Min(t, _timed[nextTimed].Start);
                }

                if (nextArrival < _arrivals.Count)
                {
                    t = Math.Min(t, _arrivals[nextArrival].Start);
                }

                if (t > checkpoint)
                {
                    Record(k, path, totals);
                    c++;
                    continue;
                }

                // Ends first (their processors are free for what starts at t), then the jobs whose wait ends at t
                // start or queue, then the queue gets what is free.
                for (var i = _active.Count - 1; i >= 0; i--)
                {
                    if (_active[i].End <= t)
                    {
                        _used -= _active[i].Processors;
                        _active[i] = _active[^1];
                        _active.RemoveAt(_active.Count - 1);
                    }
                }

                while (nextArrival < _arrivals.Count && _arrivals[nextArrival].Start <= t)
                {
                    Ready(_arrivals[nextArrival++], t);
                }

                while (nextTimed < _timed.Count && _timed[nextTimed].Start <= t)
                {
                    Ready(_timed[nextTimed++], t);
                }

                if (_queue.Count > 0)
                {
                    Schedule(t);
                }
            }
        }

        /// <summary>A job whose wait is over starts now when no capacity is known; else it joins the queue, from which <see cref="Schedule"/> starts what fits.</summary>
        private void Ready(in Waiting w, double t)
        {
            if (_capacity <= 0)
            {
                StartWaiting(w, t);
            }
            else
            {
                _queue.Add(w);
            }
        }

        private void SampleArrivals(Random rng)
        {
            var last = 0;
            foreach (var h in _horizons)
            {
                last = Math.Max(last, h);
            }

            if (last <= 0 || _model._sample.Length == 0)
            {
                return;
            }

            // Poisson counts per sub-step of at most ArrivalStepSeconds at that hour of the week's rate; each arrival
            // a job of the history, ready after its own recorded wait.
            var steps = (int)Math.Ceiling(last / ArrivalStepSeconds);
            var dt = last / (double)steps;
            var first = _arrivals.Count;
            for (var s = 0; s < steps; s++)
            {
                var from = _now + (s * dt);
                var mean = _model._arrivalRatePerHour[HourOfWeek((long)(from + (dt / 2)))] / 3600.0 * dt;
                var n = Poisson(rng, mean);
                for (var i = 0; i < n; i++)
                {
                    var job = _model._sample[rng.Next(_model._sample.Length)];
                    var submit = from + (rng.NextDouble() * dt);
                    _arrivals.Add(new Waiting
                    {
                        Processors = job.Processors,
                        Start = submit + job.WaitSeconds,
                        RunSeconds = Math.Max(job.RunSeconds, 1e-3),
                        Part = Part.Arrival,
                        User = -1,
                    });
                }
            }

            _arrivals.Sort(first, _arrivals.Count - first, Comparer<Waiting>.Create(static (a, b) => a.Start.CompareTo(b.Start)));
        }

        private static int Poisson(Random rng, double mean)
        {
            if (mean <= 0)
            {
                return 0;
            }

            if (mean > 30)
            {
                // Normal approximation (Box–Muller) where Knuth's product would take too many draws.
                var z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                return (int)Math.Max(0, Math.Round(mean + (Math.Sqrt(mean) * z)));
            }

            var limit = Math.Exp(-mean);
            var k = 0;
            var p = rng.NextDouble();
            while (p > limit)
            {
                k++;
                p *= rng.NextDouble();
            }

            return k;
        }

        private void StartWaiting(in Waiting w, double t) =>
            StartJob(new Active { Processors = w.Processors, End = t + w.RunSeconds, Part = w.Part, User = w.User });

        private void StartJob(in Active a)
        {
            _active.Add(a);
            _used += a.Processors;
        }

        /// <summary>
        /// Starts the queued jobs that fit in what is free at t, in the order their waits ended (first fit: a job that
        /// does not fit does not hold up smaller ones behind it).
        /// </summary>
        private void Schedule(double t)
        {
            var free = _capacity - _used;
            for (var i = 0; i < _queue.Count && free > 0; i++)
            {
                var w = _queue[i];
                if (w.Processors <= free)
                {
                    free -= w.Processors;
                    _queue.RemoveAt(i--);
                    StartWaiting(w, t);
                }
            }
        }

        private void Record(int k, int path, double[] totals)
        {
            double total = 0;
            var h = _horizons.Length;
            foreach (var a in _active)
            {
                total += a.Processors;
                switch (a.Part)
                {
                    case Part.Running:
                        RunningSums[k] += a.Processors;
                        break;
                    case Part.Pending:
                        PendingSums[k] += a.Processors;
                        break;
                    default:
                        ArrivalSums[k] += a.Processors;
                        break;
                }

                if (a.User >= 0)
                {
                    UserSums[(a.User * h) + k] += a.Processors;
                }
            }

            totals[(k * _paths) + path] = total;
        }
    }
}
