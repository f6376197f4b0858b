using Prescient.Replay.Policies;
using Prescient.Replay.Simulation;
using Prescient.Replay.Workloads;

namespace Prescient.Replay.Tests;

public sealed class PolicyTests
{
    private static readonly ReplayWorkload Small = WorkloadBuilder.Synthetic(jobs: 6, hours: 24, seed: 3);

    [Fact]
    public void Static_PeakRequests_NeverFallShort()
    {
        var run = ReplayRunner.Run(new SimulatedCluster(Small, 2), new StaticPolicy(), []);
        Assert.Equal(0, run.Outcomes[ReplayResource.Cpu].Shortfall);
        Assert.Equal(0, run.Outcomes[ReplayResource.Memory].OomEvents);
        Assert.Equal(0, run.Outcomes[ReplayResource.Cpu].Changes);
        Assert.True(run.Outcomes[ReplayResource.Cpu].Slack > 0.3);
    }

    [Fact]
    public void Run_ReportsNetworkAndStorage_OnlyWhereTheWorkloadCarriesThem()
    {
        var run = ReplayRunner.Run(new SimulatedCluster(Small, 2), new ReactivePolicy(), []);
        Assert.Equal([ReplayResource.Cpu, ReplayResource.Memory, ReplayResource.Network, ReplayResource.Storage], run.Outcomes.Keys.Order());
        Assert.True(run.Outcomes[ReplayResource.Network].Changes > 0, "the reactive rule scales network as it scales CPU");

        // An SWF log has CPU and memory only: its network and storage are zeros and are not reported.
        var steps = Small.Steps;
        float[] Constant(float v) => Enumerable.Repeat(v, steps).ToArray();
        var demand = new[] { Small.Demand[0], Small.Demand[1], Constant(0), Constant(0) };
        var cpuOnly = new ReplayWorkload("swf", Small.StepSeconds, Small.StartSeconds, ["j"], ["g"], demand, WorkloadBuilder.PeakRequests(demand), [true, true, false, false]);
        var partial = ReplayRunner.Run(new SimulatedCluster(cpuOnly, 1), new StaticPolicy(), []);
        Assert.Equal([ReplayResource.Cpu, ReplayResource.Memory], partial.Outcomes.Keys.Order());
    }

    [Fact]
    public void Reactive_RaisesAtOnce_LowersOnlyAfterStabilizationWindow()
    {
        var cpu = new float[] { 1, 1, 1, 3, 3, 0.5f, 0.5f, 0.5f, 0.5f };
        var w = AccountingTests.OneJob(cpu);
        var cluster = new SimulatedCluster(w, 1);
        var policy = new ReactivePolicy(targetUtilization: 0.5, tolerance: 0.1, stabilizationSeconds: 600, syncSeconds: 15);
        policy.Start(cluster);
        var allocation = w.Request.ToArray();
        var seen = new List<double>();
        for (var t = 0; t < cpu.Length; t++)
        {
            var observed = new double[] { cpu[t], 1, 0.01, 0.01 };
            policy.Decide(t, w.StartSeconds + (t * 300), observed, new bool[1], allocation);
            seen.Add(allocation[0]);
        }

        Assert.Equal(2, seen[0], 9);
        Assert.Equal(Math.Min(6, cluster.NodeCapacityOf(0)), seen[3], 9);
        Assert.Equal(seen[3], seen[5], 9);
        Assert.Equal(1, seen[7], 9);
    }

    [Fact]
    public void Runner_PolicyNeverSeesAFutureStep()
    {
        var spy = new SpyPolicy(Small);
        ReplayRunner.Run(new SimulatedCluster(Small, 2), spy, []);
        Assert.Equal(Small.Steps - 1, spy.Calls);
    }

    [Theory]
    [InlineData("vpa")]
    [InlineData("autopilot")]
    public void Recommenders_RunAndStayFinite(string name)
    {
        var run = ReplayRunner.Run(new SimulatedCluster(Small, 2), new ForecasterPolicy(name), [0]);
        foreach (var o in run.Outcomes.Values)
        {
            Assert.InRange(o.Shortfall, 0, 1);
            Assert.InRange(o.Slack, 0, 1);
        }

        Assert.True(run.Outcomes[ReplayResource.Cpu].Changes > 0, "a recommender changes allocations over a day");
    }

    [Fact]
    public void Predictive_RunsTheOrchestrator_RespectsNodeCapacityAndIsDeterministic()
    {
        var cluster = new SimulatedCluster(Small, 2);
        var first = ReplayRunner.Run(cluster, new PredictivePolicy(0.99), [0]);
        var second = ReplayRunner.Run(cluster, new PredictivePolicy(0.99), [0]);
        Assert.Equal(first.Outcomes[ReplayResource.Cpu], second.Outcomes[ReplayResource.Cpu]);
        Assert.Equal(first.Outcomes[ReplayResource.Memory], second.Outcomes[ReplayResource.Memory]);
        Assert.True(first.Outcomes[ReplayResource.Cpu].Changes > 0);
        Assert.InRange(first.Outcomes[ReplayResource.Cpu].Shortfall, 0, 1);
        Assert.NotNull(first.Traced[0].Median);
    }

    [Fact]
    public void Predictive_DefaultRisk_HoldsAMemoryPeakWhileTheSettingWithoutAWindowLetsItGo()
    {
        // Memory at 1 GiB with one 3 GiB step: at 0.99 (24 h window) the limit stays at or above the peak for the rest
        // of the day; at 0.5 (no window) it comes back down.
        var steps = 48;
        var memory = Enumerable.Repeat(1f, steps).ToArray();
        memory[20] = 3;
        var cpu = Enumerable.Repeat(1f, steps).ToArray();
        var demand = new[] { cpu, memory, Enumerable.Repeat(0.01f, steps).ToArray(), Enumerable.Repeat(0.01f, steps).ToArray() };
        var w = new ReplayWorkload("test", 300, 1_700_000_000, ["j"], ["g"], demand, WorkloadBuilder.PeakRequests(demand), [true, true, true, true]);
        var cluster = new SimulatedCluster(w, 1);
        var held = ReplayRunner.Run(cluster, new PredictivePolicy(0.99), [0]);
        var released = ReplayRunner.Run(cluster, new PredictivePolicy(0.5), [0]);
        var heldMemory = held.Traced.Single(t => t.Resource == ReplayResource.Memory).Allocation;
        var releasedMemory = released.Traced.Single(t => t.Resource == ReplayResource.Memory).Allocation;
        for (var t = 22; t < steps; t++)
        {
            Assert.True(heldMemory[t] >= 3, $"step {t}: memory limit {heldMemory[t]} below the day's 3 GiB peak at 0.99");
        }

        Assert.True(releasedMemory[^1] < 3, $"memory limit {releasedMemory[^1]} still at the peak with no window");
    }

    private sealed class SpyPolicy(ReplayWorkload workload) : IReplayPolicy
    {
        public int Calls { get; private set; }

        public string Name => "spy";

        public void Start(SimulatedCluster cluster)
        {
        }

        public void Decide(int step, long nowSeconds, ReadOnlySpan<double> observed, ReadOnlySpan<bool> outOfMemory, Span<double> allocation)
        {
            Calls++;
            Assert.Equal(workload.StartSeconds + (step * workload.StepSeconds), nowSeconds);
            for (var i = 0; i < observed.Length; i++)
            {
                Assert.Equal(workload.Demand[i][step], observed[i], 6);
            }
        }
    }
}
