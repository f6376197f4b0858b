using Prescient.Orchestration.Cycle;

namespace Prescient.Bench;

/// <summary>
/// A synthetic cluster at benchmark scale, seeded: nodes of 32–128 cores and 128–1024 GiB, J jobs per node whose usage
/// follows a daily sine with noise (well inside the node), telemetry every <see cref="TelemetrySeconds"/> per job,
/// staggered. Written straight into a <see cref="ClusterSnapshot"/> the way the engine's adapter does.
/// </summary>
public sealed class SyntheticOrchestratorCluster
{
    private const int R = OrchestratedResources.Count;
    private readonly double[] _base;
    private readonly double[] _phase;
    private readonly Random _rng;

    public SyntheticOrchestratorCluster(int nodes, int jobsPerNode, int seed)
    {
        _rng = new Random(seed);
        Snapshot = new ClusterSnapshot();
        var jobs = nodes * jobsPerNode;
        Snapshot.Resize(nodes, jobs, 0, 0);
        Snapshot.NowSeconds = 1_700_000_000;
        for (var n = 0; n < nodes; n++)
        {
            Snapshot.NodeName[n] = "node-" + n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            Snapshot.NodeCapacity[(n * R) + 0] = 32 << _rng.Next(0, 3);
            Snapshot.NodeCapacity[(n * R) + 1] = 128 << _rng.Next(0, 4);
            Snapshot.NodeCapacity[(n * R) + 2] = 25;
            Snapshot.NodeCapacity[(n * R) + 3] = 4;
            Snapshot.NodeConnected[n] = true;
            Snapshot.NodeSynced[n] = true;
            Snapshot.NodeNumaCount[n] = 2;
        }

        _base = new double[jobs * R];
        _phase = new double[jobs];
        for (var j = 0; j < jobs; j++)
        {
            var n = j / jobsPerNode;
            Snapshot.JobId[j] = "job-" + j.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
            Snapshot.JobProgram[j] = "prog" + (j % 97).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Snapshot.JobUser[j] = "user" + (j % 211).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Snapshot.JobInputPaths[j] = [];
            Snapshot.JobNode[j] = n;
            Snapshot.JobPriority[j] = 1 + (j % 3);
            Snapshot.JobLongRunning[j] = j % 10 == 0;
            Snapshot.JobNumaMask[j] = 1UL << (j % 2);
            _phase[j] = _rng.NextDouble() * Math.PI * 2;
            for (var r = 0; r < R; r++)
            {
                var p = (j * R) + r;
                _base[p] = Snapshot.NodeCapacity[(n * R) + r] / jobsPerNode * (0.1 + (0.4 * _rng.NextDouble()));
                Snapshot.JobCeiling[p] = r == 0 && j % 2 == 0 ? Snapshot.NodeCapacity[n * R] / jobsPerNode * 1.2 : double.PositiveInfinity;
                Snapshot.JobApplied[p] = 0;
            }

            Snapshot.JobUsageSeconds[j] = long.MinValue;
        }
    }

    public ClusterSnapshot Snapshot { get; }

    public int TelemetrySeconds { get; set; } = 5;

    /// <summary>Advances the clock one second; the jobs whose telemetry is due get a new sample. Allocates nothing.</summary>
    public void Advance()
    {
        var s = Snapshot;
        s.NowSeconds++;
        var day = 2 * Math.PI / 86400.0;
        for (var j = 0; j < s.JobCount; j++)
        {
            if ((j + s.NowSeconds) % TelemetrySeconds != 0)
            {
                continue;
            }

            s.JobUsageSeconds[j] = s.NowSeconds;
            var wave = 1 + (0.3 * Math.Sin((s.NowSeconds * day) + _phase[j]));
            for (var r = 0; r < R; r++)
            {
                var p = (j * R) + r;
                s.JobUsage[p] = _base[p] * wave * (0.9 + (0.2 * _rng.NextDouble()));
            }
        }
    }

    /// <summary>Applies the plan as instant agents would.</summary>
    public void Apply(CycleResult result)
    {
        var s = Snapshot;
        foreach (ref readonly var c in result.Changes)
        {
            switch (c.Kind)
            {
                case ChangeKind.SetLimits:
                    s.JobApplied[c.Job * R] = c.CpuQuotaCores;
                    s.JobApplied[(c.Job * R) + 1] = c.MemoryHighGibibytes;
                    break;
                case ChangeKind.ReserveBandwidth:
                    s.JobApplied[(c.Job * R) + 2] = c.BandwidthGigabits;
                    break;
                case ChangeKind.SetCpuset:
                    s.JobNumaMask[c.Job] = c.NumaMask;
                    break;
            }
        }
    }

    /// <summary>Throws when the last plan exceeds a node's capacity or cuts memory below usage.</summary>
    public void Check(Orchestrator orchestrator)
    {
        var s = Snapshot;
        var allocation = orchestrator.Allocation;
        var sums = new double[s.NodeCount * R];
        for (var j = 0; j < s.JobCount; j++)
        {
            for (var r = 0; r < R; r++)
            {
                sums[(s.JobNode[j] * R) + r] += allocation[(j * R) + r];
            }

            if (allocation[(j * R) + 1] < s.JobUsage[(j * R) + 1])
            {
                throw new InvalidOperationException($"job {j}: memory {allocation[(j * R) + 1]} below usage {s.JobUsage[(j * R) + 1]}");
            }
        }

        for (var i = 0; i < sums.Length; i++)
        {
            if (sums[i] > s.NodeCapacity[i] * (1 + 1e-12))
            {
                throw new InvalidOperationException($"node {i / R}: resource {i % R} planned {sums[i]} > capacity {s.NodeCapacity[i]}");
            }
        }
    }
}
