using Prescient.Orchestration.Cycle;

namespace Prescient.Orchestration.Tests;

/// <summary>The actions of issue 6 §3: lead times, NUMA, bandwidth, prefetch, scale-out, migration, reserve for pending jobs and events.</summary>
public sealed class ActionTests
{
    private const int R = OrchestratedResources.Count;

    private static Orchestrator Scripted(OrchestratorOptions options, Action<ScriptedForecaster>? configure = null) =>
        new(options, forecasterFactory: (name, shape) =>
        {
            var f = new ScriptedForecaster(name, shape);
            configure?.Invoke(f);
            return f;
        });

    private static CycleResult Step(Orchestrator orchestrator, TestCluster cluster, ClusterSnapshot snapshot)
    {
        cluster.Fill(snapshot);
        var result = orchestrator.Run(snapshot);
        cluster.Apply(result);
        cluster.NowSeconds += 60;
        return result;
    }

    [Fact]
    public void Run_ForecastRaiseAtALaterHorizon_IsScheduledAheadOfItWithItsReason()
    {
        var options = TestCluster.Options("bayes-dlm");
        options.LookaheadSeconds = [300, 300, 300, 300];
        options.MinimumHistorySteps = 1;
        var orchestrator = new Orchestrator(options, forecasterFactory: (name, shape) => new RampForecaster(shape));
        var cluster = new TestCluster(1, 1);
        cluster.Usage[0] = 2;
        cluster.Usage[1] = 4;
        cluster.Applied[0] = 2.5;
        cluster.Applied[1] = 8;
        var snapshot = new ClusterSnapshot();
        var result = Step(orchestrator, cluster, snapshot);
        var limits = Assert.Single(result.Changes.ToArray(), c => c.Kind == ChangeKind.SetLimits);
        Assert.Equal(ChangeReason.ForecastRaise, limits.Reason);
        Assert.Equal((sbyte)OrchestratedResource.Cpu, limits.Resource);

        // The ramp forecaster predicts 2x at 5 min but only 1x at 1 min: the raise waits for the 1-minute horizon, minus the lead.
        Assert.Equal(1, limits.Horizon);
        Assert.Equal(60 - options.ActionLeadSeconds[0], limits.NotBeforeSeconds);
        Assert.True(limits.CpuQuotaCores >= 4 * 1.1 - 1e-6, $"planned {limits.CpuQuotaCores}");
    }

    [Fact]
    public void Run_FootprintCrossesNumaNode_WidensTheCpusetOntoTheLeastLoadedNode()
    {
        var orchestrator = Scripted(TestCluster.Options());
        var cluster = new TestCluster(1, 3, cpuCores: 32, memoryGib: 128);
        cluster.NumaCount[0] = 4;
        cluster.NumaMask[0] = 0b0001;
        cluster.NumaMask[1] = 0b0010;
        cluster.NumaMask[2] = 0b0100;
        cluster.Usage[0] = 12;
        cluster.Usage[1] = 4;
        cluster.Usage[R] = 6;
        cluster.Usage[2 * R] = 2;
        var snapshot = new ClusterSnapshot();
        var result = Step(orchestrator, cluster, snapshot);
        var cpuset = Assert.Single(result.Changes.ToArray(), c => c.Kind == ChangeKind.SetCpuset);
        Assert.Equal(0, cpuset.Job);

        // 12 cores × 1.1 at the 0.9 level needs 2 NUMA nodes of 8 cores; node 3 carries nothing, so it is added.
        Assert.Equal(0b1001UL, cpuset.NumaMask);
        Assert.Equal(ChangeReason.NumaFootprint, cpuset.Reason);
        Assert.DoesNotContain(Step(orchestrator, cluster, snapshot).Changes.ToArray(), c => c.Kind == ChangeKind.SetCpuset);
    }

    [Fact]
    public void Run_PendingJobExpectedSoon_PrefetchesItsDatasetOnceBeforeItsStart()
    {
        var orchestrator = Scripted(TestCluster.Options());
        var cluster = new TestCluster(2, 1);
        cluster.Usage[0] = 1;
        cluster.Usage[1] = 2;
        cluster.Usage[R] = 1;
        cluster.Usage[R + 1] = 100;
        cluster.Program[0] = "train";
        cluster.InputPaths[0] = ["/data/imagenet/train"];
        var snapshot = new ClusterSnapshot();
        Step(orchestrator, cluster, snapshot);
        cluster.Pending.Add(("p1", "u", "other", cluster.NowSeconds + 600, [1, 1, 0, 0], -1, ["/data/a", "/data/b"]));
        cluster.Pending.Add(("p2", "u", "train", cluster.NowSeconds + 400, [1, 1, 0, 0], -1, []));
        cluster.Pending.Add(("p3", "u", "train", cluster.NowSeconds + 7200, [1, 1, 0, 0], -1, ["/x"]));
        cluster.Fill(snapshot);
        var result = orchestrator.Run(snapshot);
        var prefetches = result.Changes.ToArray().Select((c, i) => (c, i)).Where(x => x.c.Kind == ChangeKind.Prefetch).ToList();
        Assert.Equal(2, prefetches.Count);
        var p1 = prefetches.Single(x => x.c.Job == 0);
        Assert.Equal(["/data/a", "/data/b"], result.PathsOf(p1.i));
        Assert.Equal(600 - 300, p1.c.NotBeforeSeconds);
        Assert.Equal(0, p1.c.Node);

        // No paths in the queue: the program's history gives the dataset and the node it ran on.
        var p2 = prefetches.Single(x => x.c.Job == 1);
        Assert.Equal(["/data/imagenet/train"], result.PathsOf(p2.i));
        Assert.Equal(0, p2.c.Node);
        Assert.Equal(100, p2.c.NotBeforeSeconds);

        Assert.DoesNotContain(orchestrator.Run(snapshot).Changes.ToArray(), c => c.Kind == ChangeKind.Prefetch);
    }

    [Fact]
    public void Run_PendingJobAndEventOnNode_ReserveCapacityFromGrowth()
    {
        var orchestrator = Scripted(TestCluster.Options());
        var cluster = new TestCluster(1, 1, cpuCores: 16, memoryGib: 64);
        cluster.Usage[0] = 8;
        cluster.Usage[1] = 8;
        var snapshot = new ClusterSnapshot();
        Step(orchestrator, cluster, snapshot);
        var free = orchestrator.Allocation[0];
        cluster.Pending.Add(("p", "u", "x", cluster.NowSeconds + 30, [6, 0, 0, 0], 0, []));
        cluster.Events.Add((0, cluster.NowSeconds, cluster.NowSeconds + 600, [0, 40, 0, 0]));
        Step(orchestrator, cluster, snapshot);
        Assert.True(orchestrator.Allocation[0] <= 16 - 6 + 1e-6, $"cpu {orchestrator.Allocation[0]} leaves no room for the pending job (was {free})");
        Assert.True(orchestrator.Allocation[1] <= 64 - 40 + 1e-6, $"memory {orchestrator.Allocation[1]} leaves no room for the event");
        Assert.True(orchestrator.Allocation[0] >= 8, "the running job keeps its usage");
    }

    [Fact]
    public void Run_LongRunningServicePredictedOverItsRequest_RecommendsMoreInstances()
    {
        var orchestrator = Scripted(TestCluster.Options());
        var cluster = new TestCluster(2, 1);
        cluster.LongRunning[0] = true;
        cluster.Ceiling[0] = 4;
        cluster.Usage[0] = 5;
        cluster.Usage[1] = 2;
        var snapshot = new ClusterSnapshot();
        Step(orchestrator, cluster, snapshot);
        var result = Step(orchestrator, cluster, snapshot);
        var scale = Assert.Single(result.Changes.ToArray(), c => c.Kind == ChangeKind.ScaleOut);
        Assert.Equal(0, scale.Job);
        Assert.True(scale.Forecast >= 5 * 1.1 - 1e-9, $"forecast {scale.Forecast}");
        Assert.Equal((int)Math.Ceiling(scale.Forecast / (4 * 0.7)), scale.Instances);
        Assert.Equal(ChangeReason.PredictedLoad, scale.Reason);
    }

    [Fact]
    public void Run_NodePredictedOverCapacity_ProposesMigrationOfItsLargestJobToTheNodeWithMostHeadroom()
    {
        var orchestrator = Scripted(TestCluster.Options());
        var cluster = new TestCluster(3, 3, cpuCores: 16, memoryGib: 64);
        double[] cpu = [7, 5, 3, 1, 1, 1, 4, 4, 4];
        for (var j = 0; j < 9; j++)
        {
            cluster.Usage[j * R] = cpu[j];
            cluster.Usage[(j * R) + 1] = 2;
        }

        var snapshot = new ClusterSnapshot();
        Step(orchestrator, cluster, snapshot);
        var result = Step(orchestrator, cluster, snapshot);
        var migrations = result.Changes.ToArray().Where(c => c.Kind == ChangeKind.Migrate).ToList();
        var move = Assert.Single(migrations);
        Assert.Equal(0, move.Job);
        Assert.Equal(0, move.Node);
        Assert.Equal(1, move.TargetNode);
        Assert.Equal(ChangeReason.NodeOvercommit, move.Reason);
    }

    [Fact]
    public void Run_PredictedTransfer_ReservesBandwidth()
    {
        var orchestrator = Scripted(TestCluster.Options());
        var cluster = new TestCluster(1, 2);
        cluster.Usage[0] = 1;
        cluster.Usage[1] = 1;
        cluster.Usage[2] = 2;
        cluster.Usage[R] = 1;
        cluster.Usage[R + 1] = 1;
        cluster.Usage[R + 2] = 0.01;
        var snapshot = new ClusterSnapshot();
        var result = Step(orchestrator, cluster, snapshot);
        var reservation = Assert.Single(result.Changes.ToArray(), c => c.Kind == ChangeKind.ReserveBandwidth);
        Assert.Equal(0, reservation.Job);
        Assert.True(reservation.BandwidthGigabits >= 2 * 1.1 - 1e-6);

        // Once reserved, a steady forecast asks for nothing more (hysteresis).
        Assert.DoesNotContain(Step(orchestrator, cluster, snapshot).Changes.ToArray(), c => c.Kind == ChangeKind.ReserveBandwidth);
    }

    [Fact]
    public void Run_UplinkTooSmallForEveryTransfer_NoZeroReservationResent()
    {
        // Three transfers of 2 Gbit/s under a 1 Gbit/s uplink: the plan gives the uplink to the first job and exactly 0
        // to the others. A job with nothing in force and nothing reserved gets no command (a zero reservation had been
        // re-sent every cycle).
        var options = TestCluster.Options();
        options.UplinkBudgetGigabits = 1;
        var orchestrator = Scripted(options);
        var cluster = new TestCluster(1, 3);
        cluster.Priority[0] = 4;
        for (var j = 0; j < 3; j++)
        {
            cluster.Usage[(j * R) + 2] = 2;
        }

        var snapshot = new ClusterSnapshot();
        var reservations = new List<PlannedChange>();
        for (var cycle = 0; cycle < 3; cycle++)
        {
            var result = Step(orchestrator, cluster, snapshot);
            Assert.Equal("linked", result.SolverPath);
            reservations.AddRange(result.Changes.ToArray().Where(c => c.Kind == ChangeKind.ReserveBandwidth));
        }

        var first = Assert.Single(reservations);
        Assert.Equal(0, first.Job);
        Assert.True(first.BandwidthGigabits is > 0 and <= 1 + 1e-9, $"{first.BandwidthGigabits}");
        Assert.Equal(0, orchestrator.Allocation[(1 * R) + 2], 1e-9);
        Assert.Equal(0, orchestrator.Allocation[(2 * R) + 2], 1e-9);
    }

    /// <summary>Predicts usage × (1, 2, 2) at the three horizons: demand rises after the first horizon.</summary>
    private sealed class RampForecaster(Prescient.Abstractions.Forecasting.ForecastShape shape) : Prescient.Abstractions.Forecasting.IForecaster
    {
        private readonly ScriptedForecaster _inner = new("ramp", shape);

        public string Name => "ramp";

        public Prescient.Abstractions.Forecasting.ForecastShape Shape => shape;

        public int SeriesCount => _inner.SeriesCount;

        public int AddSeries(int count) => _inner.AddSeries(count);

        public void EnsureCapacity(int capacity) => _inner.EnsureCapacity(capacity);

        public void DescribeSeries(int series, Prescient.Abstractions.Forecasting.SeriesKey key, string group)
        {
        }

        public void ResetSeries(int series) => _inner.ResetSeries(series);

        public void Observe(long timestampSeconds, ReadOnlySpan<int> series, ReadOnlySpan<double> values) => _inner.Observe(timestampSeconds, series, values);

        public void Forecast(ReadOnlySpan<int> series, Span<double> output)
        {
            _inner.Forecast(series, output);
            for (var i = 0; i < series.Length; i++)
            {
                for (var h = 1; h < shape.HorizonCount; h++)
                {
                    for (var q = 0; q < 3; q++)
                    {
                        output[(i * shape.Width) + (h * 3) + q] *= 2;
                    }
                }
            }
        }
    }
}
