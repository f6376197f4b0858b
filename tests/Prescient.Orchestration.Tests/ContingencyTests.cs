using Prescient.Abstractions.Forecasting;
using Prescient.Orchestration.Cycle;

namespace Prescient.Orchestration.Tests;

/// <summary>The contingency plans of issue 6 §4, one test each.</summary>
public sealed class ContingencyTests
{
    private const int R = OrchestratedResources.Count;

    private static (Orchestrator Orchestrator, ScriptedForecaster Model, ScriptedForecaster Fallback) Scripted(OrchestratorOptions options)
    {
        ScriptedForecaster? model = null, fallback = null;
        var orchestrator = new Orchestrator(options, forecasterFactory: (name, shape) =>
        {
            var f = new ScriptedForecaster(name, shape);
            if (model is null)
            {
                model = f;
            }
            else
            {
                fallback = f;
            }

            return f;
        });
        return (orchestrator, model!, fallback!);
    }

    private static CycleResult Step(Orchestrator orchestrator, TestCluster cluster, ClusterSnapshot snapshot)
    {
        cluster.Fill(snapshot);
        var result = orchestrator.Run(snapshot);
        cluster.Apply(result);
        cluster.NowSeconds += 60;
        return result;
    }

    [Fact]
    public void Run_UnpredictedSpike_ReactivePathRaisesTheLimitWithinOneCycle()
    {
        var (orchestrator, _, _) = Scripted(TestCluster.Options());
        var cluster = new TestCluster(1, 2);
        cluster.Usage[0] = 2;
        cluster.Usage[1] = 8;
        var snapshot = new ClusterSnapshot();
        for (var i = 0; i < 5; i++)
        {
            Step(orchestrator, cluster, snapshot);
        }

        var before = cluster.Applied[0];
        Assert.InRange(before, 2, 3);
        cluster.Usage[0] = 10;
        var result = Step(orchestrator, cluster, snapshot);
        Assert.True(cluster.Applied[0] >= 10 * 1.5 * (1 - 1e-6), $"cpu limit {cluster.Applied[0]} after a spike to 10 cores");
        var change = Assert.Single(result.Changes.ToArray(), c => c.Kind == ChangeKind.SetLimits && c.Job == 0);
        Assert.Equal(ChangeReason.Spike, change.Reason);
        Assert.Equal(0, change.NotBeforeSeconds);
        Assert.Equal(1, result.SpikeSeries);
    }

    [Fact]
    public void Run_ForecastErrorOverThreshold_FallsBackWithWiderMarginsUntilItRecovers()
    {
        var (orchestrator, model, _) = Scripted(TestCluster.Options());
        var cluster = new TestCluster(1, 1);
        cluster.Usage[0] = 4;
        cluster.Usage[1] = 8;
        var snapshot = new ClusterSnapshot();
        for (var i = 0; i < 5; i++)
        {
            Step(orchestrator, cluster, snapshot);
        }

        Assert.Equal(0, orchestrator.Feedback.FallbackCount);

        // The model now predicts a third of what happens: its error climbs over the threshold.
        model.Bias = 0.3;
        CycleResult result = null!;
        for (var i = 0; i < 30 && orchestrator.Feedback.FallbackCount == 0; i++)
        {
            result = Step(orchestrator, cluster, snapshot);
        }

        Assert.True(orchestrator.Feedback.FallbackCount > 0, "no series fell back");
        result = Step(orchestrator, cluster, snapshot);
        Assert.True(result.FallbackSeries > 0);

        // In fallback the demand is the reactive level with widened margins, not the biased forecast.
        var demand90 = orchestrator.Demand[(0 * 3) + 1];
        Assert.True(demand90 >= 4 * 1.25 - 1e-9, $"fallback demand {demand90}");

        model.Bias = 1;
        for (var i = 0; i < 60 && orchestrator.Feedback.FallbackCount > 0; i++)
        {
            Step(orchestrator, cluster, snapshot);
        }

        Assert.Equal(0, orchestrator.Feedback.FallbackCount);
    }

    [Fact]
    public void Run_AgentSilent_KeepsLimitsAndRecommendsReplanElsewhere()
    {
        var (orchestrator, _, _) = Scripted(TestCluster.Options());
        var cluster = new TestCluster(3, 2);
        for (var j = 0; j < cluster.Jobs; j++)
        {
            cluster.Usage[(j * R) + 0] = 2;
            cluster.Usage[(j * R) + 1] = 6;
        }

        var snapshot = new ClusterSnapshot();
        for (var i = 0; i < 4; i++)
        {
            Step(orchestrator, cluster, snapshot);
        }

        var kept = cluster.Applied.ToArray();
        cluster.Connected[1] = false;
        cluster.Usage[(2 * R) + 0] = 12;
        var result = Step(orchestrator, cluster, snapshot);
        Assert.Equal(1, result.FailStaticNodes);
        foreach (var c in result.Changes)
        {
            Assert.False(c.Kind is ChangeKind.SetLimits or ChangeKind.SetCpuset or ChangeKind.ReserveBandwidth or ChangeKind.Prefetch && c.Node == 1, $"command {c.Kind} for the silent node");
        }

        for (var j = 2; j < 4; j++)
        {
            Assert.Equal(kept[(j * R) + 0], orchestrator.Allocation[(j * R) + 0]);
            Assert.Equal(kept[(j * R) + 1], orchestrator.Allocation[(j * R) + 1]);
        }

        var replans = result.Changes.ToArray().Where(c => c.Kind == ChangeKind.Replan).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("; ", result.Changes.ToArray().Select(c => $"{c.Kind} j{c.Job} n{c.Node}->{c.TargetNode} f{c.Forecast}")));
        Assert.Equal([2, 3], replans.Select(c => c.Job).Order());
        Assert.All(replans, c => Assert.True(c.TargetNode is 0 or 2));
        Assert.All(replans, c => Assert.Equal(ChangeReason.NodeLost, c.Reason));
    }

    [Fact]
    public void Run_AfterEngineRestart_IssuesNothingUntilTheAgentResyncsThenPlansFromItsAppliedState()
    {
        var (orchestrator, _, _) = Scripted(TestCluster.Options());
        var cluster = new TestCluster(2, 1);
        cluster.Usage[0] = 3;
        cluster.Usage[1] = 10;
        cluster.Usage[R + 0] = 3;
        cluster.Usage[R + 1] = 10;
        cluster.Synced[0] = false;
        cluster.Synced[1] = false;
        var snapshot = new ClusterSnapshot();
        var result = Step(orchestrator, cluster, snapshot);
        Assert.Equal(0, result.ChangeCount);
        Assert.Equal(2, result.FailStaticNodes);

        // Node 0's agent says what it has applied (its Hello); only then is it planned, against those values.
        cluster.Synced[0] = true;
        cluster.Applied[0] = 9;
        cluster.Applied[1] = 12;
        result = Step(orchestrator, cluster, snapshot);
        Assert.All(result.Changes.ToArray(), c => Assert.Equal(0, c.Node));
        // The change is planned from what the agent reported (CPU 9, memory 12), not from nothing: CPU comes down
        // toward usage 3, memory stays at or above usage. Which resource the change is filed under (the one whose
        // move drove it) depends on the solver's choice among equally good allocations.
        var limits = Assert.Single(result.Changes.ToArray(), c => c.Kind == ChangeKind.SetLimits);
        Assert.Equal(limits.Resource == (sbyte)OrchestratedResource.Cpu ? 9 : 12, limits.Previous);
        Assert.True(limits.CpuQuotaCores < 9, $"cpu {limits.CpuQuotaCores}");
        Assert.True(limits.MemoryHighGibibytes >= 10, $"memory.high {limits.MemoryHighGibibytes}");
    }

    [Fact]
    public void Run_ModelPinballOverRatioTimesBaseline_RollsBackToTheLastGoodModel()
    {
        var options = TestCluster.Options();
        var (orchestrator, model, fallback, cluster, rng, snapshot) = HealthyScripted(options, seed: 5);

        Assert.False(orchestrator.Feedback.ModelDegraded);
        model.Bias = 3;
        CycleResult result = null!;
        for (var i = 0; i < 40 && !orchestrator.Feedback.ModelDegraded; i++)
        {
            cluster.Walk(rng);
            result = Step(orchestrator, cluster, snapshot);
        }

        Assert.True(orchestrator.Feedback.ModelDegraded, "the model was not rolled back");
        Assert.Equal(1, orchestrator.Feedback.Rollbacks);
        result = Step(orchestrator, cluster, snapshot);
        Assert.True(result.ModelRolledBack);

        // Demand now comes from the fallback (unbiased) model, not the degraded one.
        var usage = cluster.Usage[0];
        Assert.InRange(orchestrator.Demand[0], 0, usage * 1.5);
        Assert.Equal(1.0, fallback.Bias);
        var health = orchestrator.Feedback.Health(0, "scripted", active: false);
        Assert.True(health.Degraded);
        Assert.True(health.RecentPinball > options.DegradationRatio * health.BaselinePinball);
    }

    [Fact]
    public void Run_ModelDegrades_RestoresTheLastGoodCalibrationAndRecovers()
    {
        var (orchestrator, model, _, cluster, rng, snapshot) = HealthyScripted(TestCluster.Options(), seed: 6);

        // Healthy: every series' calibration (bias 1) is checkpointed.
        Assert.Equal(cluster.Jobs * R, orchestrator.CheckpointedSeries);

        // A bad update of the model's calibration as it learns: every series' bias goes to 3.
        model.BiasAtNextObserve = 3;
        for (var i = 0; i < 40 && orchestrator.CheckpointRestores == 0; i++)
        {
            cluster.Walk(rng);
            Step(orchestrator, cluster, snapshot);
        }

        Assert.Equal(1, orchestrator.CheckpointRestores);
        Assert.True(orchestrator.Feedback.ModelDegraded);

        // Each series gets its last good calibration back when it next steps (here every cycle steps every series).
        cluster.Walk(rng);
        Step(orchestrator, cluster, snapshot);
        Assert.Equal(cluster.Jobs * R, orchestrator.SeriesRestored);
        for (var s = 0; s < cluster.Jobs * R; s++)
        {
            Assert.Equal(1.0, model.BiasOf(s));
        }

        // The restored model is good again: its recent loss falls back to its baseline and it serves once more.
        for (var i = 0; i < 400 && orchestrator.Feedback.ModelDegraded; i++)
        {
            cluster.Walk(rng);
            Step(orchestrator, cluster, snapshot);
        }

        Assert.False(orchestrator.Feedback.ModelDegraded, "the restored model never recovered");
        Assert.Equal(1, orchestrator.Feedback.Rollbacks);
    }

    /// <summary>A scripted model on 2 nodes × 4 jobs, armed after 20 steps and run healthy for 40 cycles.</summary>
    private static (Orchestrator Orchestrator, ScriptedForecaster Model, ScriptedForecaster Fallback, TestCluster Cluster, Random Rng, ClusterSnapshot Snapshot) HealthyScripted(
        OrchestratorOptions options, int seed)
    {
        options.DegradationWarmupSteps = 20;
        var (orchestrator, model, fallback) = Scripted(options);
        var cluster = new TestCluster(2, 4);
        var rng = new Random(seed);
        for (var j = 0; j < cluster.Jobs; j++)
        {
            cluster.Usage[(j * R) + 0] = 1 + j;
            cluster.Usage[(j * R) + 1] = 2 + j;
        }

        var snapshot = new ClusterSnapshot();
        for (var i = 0; i < 40; i++)
        {
            cluster.Walk(rng);
            Step(orchestrator, cluster, snapshot);
        }

        return (orchestrator, model, fallback, cluster, rng, snapshot);
    }
}
