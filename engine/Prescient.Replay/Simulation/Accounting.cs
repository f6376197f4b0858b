using Prescient.Replay.Workloads;

namespace Prescient.Replay.Simulation;

/// <summary>
/// The one accounting every policy goes through, per resource:
/// <list type="bullet">
/// <item>shortfall = Σ max(0, demand − allocation) / Σ demand, and each (job, step) with demand above allocation is
/// a shortfall event;</item>
/// <item>slack = Σ max(0, allocation − demand) / Σ allocation;</item>
/// <item>OOM-equivalents: (job, step)s whose memory demand exceeded the memory limit;</item>
/// <item>throttled CPU-seconds: Σ max(0, CPU demand − quota) × step;</item>
/// <item>changes: allocations changed by the policy;</item>
/// <item>spikes: a step whose demand exceeds 1.5 × the mean of the 12 steps before and by at least 10 % of the
/// series' peak. A spike is provisioned ahead when the allocation in force at its first step, decided a step
/// before, already covers it; its reaction time is the time until the allocation covers 95 % of the spike's
/// demand (0 for one provisioned ahead; unanswered if never), averaged over the spikes answered.</item>
/// </list>
/// </summary>
public sealed class Accounting
{
    /// <summary>Steps before a spike whose mean it is compared with.</summary>
    public const int SpikeWindow = 12;

    private const int R = ReplayResources.Count;
    private readonly ReplayWorkload _workload;
    private readonly double[] _shortfall = new double[R], _demand = new double[R], _slack = new double[R], _allocated = new double[R], _throttled = new double[R];
    private readonly long[] _events = new long[R], _oom = new long[R], _changes = new long[R], _spikes = new long[R], _ahead = new long[R], _unanswered = new long[R];
    private readonly double[] _reactionSum = new double[R];
    private readonly long[] _reacted = new long[R];
    private readonly double[] _peak;
    private readonly List<(int Pair, int Start, double Level)> _open = [];

    public Accounting(ReplayWorkload workload)
    {
        _workload = workload;
        _peak = new double[workload.Demand.Length];
        for (var i = 0; i < _peak.Length; i++)
        {
            foreach (var v in workload.Demand[i])
            {
                _peak[i] = Math.Max(_peak[i], v);
            }
        }
    }

    /// <summary>Accounts step <paramref name="step"/> with the allocation in force during it; flags the jobs that ran out of memory.</summary>
    public void Account(int step, ReadOnlySpan<double> allocation, Span<bool> outOfMemory)
    {
        outOfMemory.Clear();
        for (var i = 0; i < allocation.Length; i++)
        {
            var r = i % R;
            double d = _workload.Demand[i][step];
            var a = allocation[i];
            _demand[r] += d;
            _allocated[r] += a;
            if (d > a)
            {
                _shortfall[r] += d - a;
                if (d - a > 1e-9 * Math.Max(1, d))
                {
                    _events[r]++;
                    if (r == (int)ReplayResource.Memory)
                    {
                        _oom[r]++;
                        outOfMemory[i / R] = true;
                    }

                    if (r == (int)ReplayResource.Cpu)
                    {
                        _throttled[r] += (d - a) * _workload.StepSeconds;
                    }
                }
            }
            else
            {
                _slack[r] += a - d;
            }

            if (IsSpike(i, step))
            {
                _spikes[r]++;
                if (a >= d)
                {
                    _ahead[r]++;
                    _reacted[r]++;
                }
                else
                {
                    _open.Add((i, step, d));
                }
            }
        }

        for (var k = _open.Count - 1; k >= 0; k--)
        {
            var (pair, start, level) = _open[k];
            if (step > start && allocation[pair] >= 0.95 * level)
            {
                var r = pair % R;
                _reactionSum[r] += (step - start) * (double)_workload.StepSeconds;
                _reacted[r]++;
                _open.RemoveAt(k);
            }
        }
    }

    /// <summary>Counts the allocations that differ between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public void CountChanges(ReadOnlySpan<double> before, ReadOnlySpan<double> after)
    {
        for (var i = 0; i < before.Length; i++)
        {
            if (Math.Abs(after[i] - before[i]) > 1e-9 * Math.Max(1, Math.Abs(before[i])))
            {
                _changes[i % R]++;
            }
        }
    }

    public ResourceOutcome Outcome(ReplayResource resource)
    {
        var r = (int)resource;
        var unanswered = _unanswered[r] + _open.Count(o => o.Pair % R == r);
        var reactedLate = _reacted[r] - _ahead[r];
        return new ResourceOutcome(
            _demand[r] > 0 ? _shortfall[r] / _demand[r] : 0,
            _allocated[r] > 0 ? _slack[r] / _allocated[r] : 0,
            _events[r],
            _oom[r],
            _throttled[r],
            _changes[r],
            _spikes[r],
            _spikes[r] > 0 ? _ahead[r] / (double)_spikes[r] : 1,
            _reacted[r] > 0 ? _reactionSum[r] / _reacted[r] : 0,
            unanswered);
    }

    private bool IsSpike(int pair, int step)
    {
        if (step < SpikeWindow)
        {
            return false;
        }

        var series = _workload.Demand[pair];
        double mean = 0;
        for (var k = step - SpikeWindow; k < step; k++)
        {
            mean += series[k];
        }

        mean /= SpikeWindow;
        return series[step] > 1.5 * mean && series[step] - mean >= 0.1 * _peak[pair] && _peak[pair] > 0;
    }
}
