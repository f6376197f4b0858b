using Microsoft.Extensions.Time.Testing;
using Prescient.Host.Planning;
using Prescient.Host.Scheduler;
using Prescient.Host.State;
using Prescient.Orchestration.Cycle;

namespace Prescient.Host.Tests;

/// <summary>
/// The planning snapshot re-collects the tables only when their membership changed; these check that whatever changes
/// between two cycles — a new job, an ended one, a job that moved, a new sample, a first sample — is in the next snapshot.
/// </summary>
public sealed class PlanningSnapshotTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private readonly ClusterState _state;
    private readonly ClusterSnapshot _snapshot = new();
    private readonly List<JobSnapshotRef> _jobs = [];
    private readonly Dictionary<string, long> _sessions = [];

    public PlanningSnapshotTests()
    {
        _state = new ClusterState(new EngineOptions { SamplesPerSeries = 16, MaxSeries = 100 }, _time);
        foreach (var node in new[] { "n2", "n1" })
        {
            _sessions[node] = _state.RegisterAgent(TestData.Hello(node)).SessionId;
        }
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Report(string node, string job, double cpu) =>
        Assert.Equal(0, _state.IngestTelemetry(node, _sessions[node], null, [(TestData.Job(job), TestData.Reading(Now, cpu: cpu))]).Rejected);

    private Dictionary<string, (string Node, double Cpu)> Plan()
    {
        _state.FillPlanningSnapshot(_snapshot, Array.Empty<AnticipatedEventInfo>(), _ => 1, _jobs);
        Assert.Equal(_snapshot.JobCount, _jobs.Count);
        var planned = new Dictionary<string, (string, double)>();
        for (var j = 0; j < _snapshot.JobCount; j++)
        {
            Assert.Equal(_jobs[j].JobId, _snapshot.JobId[j]);
            planned[_snapshot.JobId[j]] = (_snapshot.NodeName[_snapshot.JobNode[j]], _snapshot.JobUsage[j * OrchestratedResources.Count]);
        }

        return planned;
    }

    [Fact]
    public void FillPlanningSnapshot_BetweenCycles_SeesEveryChange()
    {
        Report("n1", "b", 1);
        Report("n2", "a", 2);
        var first = Plan();
        Assert.Equal(["n1", "n2"], _snapshot.NodeName.Take(_snapshot.NodeCount));
        Assert.Equal(["a", "b"], _snapshot.JobId.Take(_snapshot.JobCount));
        Assert.Equal(("n2", 2.0), first["a"]);

        // New samples only: the same tables, the new values.
        _time.Advance(TimeSpan.FromSeconds(1));
        Report("n1", "b", 3);
        Assert.Equal(("n1", 3.0), Plan()["b"]);

        // A new job, an ended job, and a job that moved to another node.
        _time.Advance(TimeSpan.FromSeconds(1));
        Report("n1", "c", 4);
        Assert.True(_state.JobEnded("b"));
        Report("n1", "a", 5);
        var third = Plan();
        Assert.Equal(["a", "c"], _snapshot.JobId.Take(_snapshot.JobCount));
        Assert.Equal(("n1", 5.0), third["a"]);
        Assert.Equal(("n1", 4.0), third["c"]);
    }

    [Fact]
    public void FillPlanningSnapshot_JobKnownFromSchedulerFirst_IsPlannedOnceAnAgentReportsIt()
    {
        Assert.NotNull(_state.JobStarted(TestData.Job("s"), ["n1"], new ResourceRequestInfo(2, 1 << 30, 0, 0, 3600), 0, []));
        Assert.Empty(Plan());

        Report("n1", "s", 1.5);
        Assert.Equal(("n1", 1.5), Assert.Single(Plan()).Value);
    }
}
