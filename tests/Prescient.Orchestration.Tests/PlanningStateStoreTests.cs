using Microsoft.Extensions.Logging.Abstractions;
using Prescient.Host.Planning;
using Prescient.Host.State;
using Prescient.Orchestration.Cycle;

namespace Prescient.Orchestration.Tests;

public sealed class PlanningStateStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("prescient-planner-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static PlanInfo Plan(ulong cycle, string job) =>
        new(cycle, 1000 + (long)cycle, [new PlannedActionInfo("n1", job, "set-limits", LimitsInfo.None with { CpuQuotaCores = 1.5, MemoryHighBytes = 1UL << 30 }, 5, "why " + job, "c" + cycle)], "optimal", 1.25);

    [Fact]
    public void Load_SnapshotThenJournal_NewestPlanAndStateWin()
    {
        var store = new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance);
        var orchestrator = new Orchestrator(TestCluster.Options("ewma"));
        var cluster = new TestCluster(1, 2);
        var snapshot = new ClusterSnapshot();
        cluster.Program[0] = "etl";
        cluster.InputPaths[0] = ["/data/in"];
        for (var i = 0; i < 3; i++)
        {
            cluster.Fill(snapshot);
            orchestrator.Run(snapshot);
            cluster.NowSeconds += 60;
        }

        store.Snapshot(orchestrator.ExportState(), Plan(3, "a"));
        store.Append(Plan(4, "b"));
        store.Append(Plan(5, "c"));

        var (state, plan) = new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance).Load();
        Assert.NotNull(plan);
        Assert.Equal(5UL, plan.Cycle);
        Assert.Equal("c", plan.Actions.Single().JobId);
        Assert.Equal(1.5, plan.Actions.Single().Target.CpuQuotaCores);
        Assert.NotNull(state);
        Assert.Equal(3UL, state.Cycle);
        Assert.Equal(["/data/in"], state.ProgramHistory.Single(h => h.Key == "etl").Paths);

        var restored = new Orchestrator(TestCluster.Options("ewma"));
        restored.ImportState(state);
        Assert.Equal(3UL, restored.CycleCount);
        Assert.Equal(orchestrator.Feedback.Health(0, "m", true), restored.Feedback.Health(0, "m", true));
    }

    [Fact]
    public void Load_TornJournalTail_KeepsEveryCompleteRecord()
    {
        var store = new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance);
        store.Append(Plan(1, "a"));
        store.Append(Plan(2, "b"));
        var journal = Path.Combine(_directory, "planner", "plan.journal");
        var length = new FileInfo(journal).Length;

        // A crash in the middle of the third record: its header and half its payload reached the disk.
        store.Append(Plan(3, "c"));
        var bytes = File.ReadAllBytes(journal);
        File.WriteAllBytes(journal, bytes[..(int)(length + ((bytes.Length - length) / 2))]);

        var (_, plan) = new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance).Load();
        Assert.Equal(2UL, plan!.Cycle);

        // A flipped bit in a complete record fails its CRC: that record and what follows are dropped.
        bytes = File.ReadAllBytes(journal);
        bytes[12] ^= 0x40;
        File.WriteAllBytes(journal, bytes);
        Assert.Null(new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance).Load().Plan);
    }

    [Fact]
    public void Load_SnapshotOfAnotherVersion_IsRefusedNotCrashed()
    {
        var store = new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance);
        store.Snapshot(null, Plan(9, "x"));
        var path = Path.Combine(_directory, "planner", "state.msgpack");
        File.WriteAllBytes(path, [0x93, 0x02, 0xc0, 0xc0]);
        Assert.Null(new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance).Load().Plan);
        File.WriteAllBytes(path, [0xff, 0x00, 0x13]);
        Assert.Null(new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance).Load().Plan);
    }

    [Fact]
    public void ImportState_OtherFormatVersion_Throws()
    {
        var orchestrator = new Orchestrator(TestCluster.Options("ewma"));
        var state = orchestrator.ExportState();
        state.FormatVersion = 99;
        Assert.Throws<InvalidDataException>(() => new Orchestrator(TestCluster.Options("ewma")).ImportState(state));
    }
}
