using Prescient.Orchestration.Cycle;

namespace Prescient.Orchestration.Tests;

/// <summary>A small mutable cluster for tests: nodes, jobs with a usage each step, written into a <see cref="ClusterSnapshot"/>.</summary>
internal sealed class TestCluster
{
    public const int R = OrchestratedResources.Count;

    public TestCluster(int nodes, int jobsPerNode, double cpuCores = 32, double memoryGib = 128)
    {
        NodeCapacity = new double[nodes * R];
        for (var n = 0; n < nodes; n++)
        {
            NodeCapacity[(n * R) + 0] = cpuCores;
            NodeCapacity[(n * R) + 1] = memoryGib;
            NodeCapacity[(n * R) + 2] = 10;
            NodeCapacity[(n * R) + 3] = 2;
        }

        Connected = Enumerable.Repeat(true, nodes).ToArray();
        Synced = Enumerable.Repeat(true, nodes).ToArray();
        NumaCount = new int[nodes];
        var jobs = nodes * jobsPerNode;
        JobNode = new int[jobs];
        Usage = new double[jobs * R];
        Applied = new double[jobs * R];
        Ceiling = Enumerable.Repeat(double.PositiveInfinity, jobs * R).ToArray();
        Priority = Enumerable.Repeat(1.0, jobs).ToArray();
        LongRunning = new bool[jobs];
        NumaMask = new ulong[jobs];
        InputPaths = Enumerable.Repeat<IReadOnlyList<string>>([], jobs).ToArray();
        Program = Enumerable.Repeat("", jobs).ToArray();
        for (var j = 0; j < jobs; j++)
        {
            JobNode[j] = j / jobsPerNode;
        }
    }

    public long NowSeconds { get; set; } = 1_700_000_000;

    public double[] NodeCapacity { get; }

    public bool[] Connected { get; }

    public bool[] Synced { get; }

    public int[] NumaCount { get; }

    public int[] JobNode { get; }

    public double[] Usage { get; }

    public double[] Applied { get; }

    public double[] Ceiling { get; }

    public double[] Priority { get; }

    public bool[] LongRunning { get; }

    public ulong[] NumaMask { get; }

    public IReadOnlyList<string>[] InputPaths { get; }

    public string[] Program { get; }

    public List<(string Id, string User, string Program, long Start, double[] Request, int Node, IReadOnlyList<string> Paths)> Pending { get; } = [];

    public List<(int Node, long Start, long End, double[] Extra)> Events { get; } = [];

    public int Nodes => Connected.Length;

    public int Jobs => JobNode.Length;

    /// <summary>Applies a plan's SetLimits changes as a perfect agent would (cpu and memory become the applied values).</summary>
    public void Apply(CycleResult result)
    {
        foreach (var c in result.Changes)
        {
            if (c.Kind == ChangeKind.SetLimits)
            {
                Applied[(c.Job * R) + 0] = c.CpuQuotaCores;
                Applied[(c.Job * R) + 1] = c.MemoryHighGibibytes;
            }
            else if (c.Kind == ChangeKind.ReserveBandwidth)
            {
                Applied[(c.Job * R) + 2] = c.BandwidthGigabits;
            }
            else if (c.Kind == ChangeKind.SetCpuset)
            {
                NumaMask[c.Job] = c.NumaMask;
            }
        }
    }

    public void Fill(ClusterSnapshot s)
    {
        s.Resize(Nodes, Jobs, Pending.Count, Events.Count);
        s.NowSeconds = NowSeconds;
        for (var n = 0; n < Nodes; n++)
        {
            s.NodeName[n] = "node-" + n.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
            s.NodeConnected[n] = Connected[n];
            s.NodeSynced[n] = Synced[n];
            s.NodeNumaCount[n] = NumaCount[n];
        }

        NodeCapacity.CopyTo(s.NodeCapacity, 0);
        for (var j = 0; j < Jobs; j++)
        {
            s.JobId[j] = "job-" + j.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
            s.JobProgram[j] = Program[j];
            s.JobUser[j] = "user" + (j % 7).ToString(System.Globalization.CultureInfo.InvariantCulture);
            s.JobInputPaths[j] = InputPaths[j];
            s.JobNode[j] = JobNode[j];
            s.JobPriority[j] = Priority[j];
            s.JobLongRunning[j] = LongRunning[j];
            s.JobUsageSeconds[j] = NowSeconds;
            s.JobNumaMask[j] = NumaMask[j];
        }

        Usage.CopyTo(s.JobUsage, 0);
        Applied.CopyTo(s.JobApplied, 0);
        Ceiling.CopyTo(s.JobCeiling, 0);
        for (var p = 0; p < Pending.Count; p++)
        {
            var q = Pending[p];
            s.PendingId[p] = q.Id;
            s.PendingUser[p] = q.User;
            s.PendingProgram[p] = q.Program;
            s.PendingStartSeconds[p] = q.Start;
            q.Request.CopyTo(s.PendingRequest, p * R);
            s.PendingNode[p] = q.Node;
            s.PendingInputPaths[p] = q.Paths;
        }

        for (var e = 0; e < Events.Count; e++)
        {
            var v = Events[e];
            s.EventNode[e] = v.Node;
            s.EventStartSeconds[e] = v.Start;
            s.EventEndSeconds[e] = v.End;
            v.Extra.CopyTo(s.EventExtra, e * R);
        }
    }

    /// <summary>A random cluster: usage per job well inside its node, seeded.</summary>
    public static TestCluster Random(int seed, int nodes, int jobsPerNode)
    {
        var rng = new Random(seed);
        var c = new TestCluster(nodes, jobsPerNode, cpuCores: 8 + rng.Next(0, 57), memoryGib: 16 + rng.Next(0, 241));
        for (var j = 0; j < c.Jobs; j++)
        {
            var n = c.JobNode[j];
            var share = 1.0 / jobsPerNode;
            c.Usage[(j * R) + 0] = c.NodeCapacity[(n * R) + 0] * share * rng.NextDouble() * 0.8;
            c.Usage[(j * R) + 1] = c.NodeCapacity[(n * R) + 1] * share * rng.NextDouble() * 0.8;
            c.Usage[(j * R) + 2] = c.NodeCapacity[(n * R) + 2] * share * rng.NextDouble() * 0.5;
            c.Usage[(j * R) + 3] = c.NodeCapacity[(n * R) + 3] * share * rng.NextDouble() * 0.5;
            if (rng.NextDouble() < 0.5)
            {
                c.Ceiling[(j * R) + 0] = c.NodeCapacity[(n * R) + 0] * share * 1.5;
            }
        }

        return c;
    }

    /// <summary>Random walk of usage, kept within physical bounds (usage of a node's jobs never exceeds its capacity).</summary>
    public void Walk(Random rng)
    {
        for (var j = 0; j < Jobs; j++)
        {
            for (var r = 0; r < R; r++)
            {
                var p = (j * R) + r;
                Usage[p] = Math.Max(0, Usage[p] * (1 + (0.2 * (rng.NextDouble() - 0.5))));
            }
        }

        Bound();
    }

    /// <summary>Scales usage down where a node's jobs together use more than 90 % of a resource.</summary>
    public void Bound()
    {
        for (var n = 0; n < Nodes; n++)
        {
            for (var r = 0; r < R; r++)
            {
                var sum = 0.0;
                for (var j = 0; j < Jobs; j++)
                {
                    sum += JobNode[j] == n ? Usage[(j * R) + r] : 0;
                }

                var cap = NodeCapacity[(n * R) + r] * 0.9;
                if (sum > cap)
                {
                    for (var j = 0; j < Jobs; j++)
                    {
                        if (JobNode[j] == n)
                        {
                            Usage[(j * R) + r] *= cap / sum;
                        }
                    }
                }
            }
        }
    }

    public static OrchestratorOptions Options(string model = "bayes-dlm") => new()
    {
        Model = model,
        StepSeconds = 60,
        CycleMilliseconds = 60_000,
        CycleBudgetMilliseconds = 60_000,
        HorizonsSeconds = [60, 300, 3600],
    };
}
