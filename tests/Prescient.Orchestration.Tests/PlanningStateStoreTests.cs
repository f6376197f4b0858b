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

    [Fact]
    public void SnapshotCalibrationInBackground_WritesWhatTheCycleHadAndARestartReadsIt()
    {
        var store = new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance);
        var orchestrator = new Orchestrator(TestCluster.Options("ensemble"));
        var cluster = new TestCluster(2, 3);
        var snapshot = new ClusterSnapshot();
        for (var i = 0; i < 20; i++)
        {
            cluster.Fill(snapshot);
            orchestrator.Run(snapshot);
            cluster.NowSeconds += 60;
        }

        using var expected = new MemoryStream();
        orchestrator.WriteCalibration(expected);
        Assert.Equal(cluster.Jobs, store.SnapshotCalibrationInBackground(orchestrator));

        // The cycle goes on while the file is written: what is on disk is the copy taken under the cycle's lock.
        cluster.Fill(snapshot);
        orchestrator.Run(snapshot);
        store.WaitForCalibrationWrite();
        Assert.Equal(expected.ToArray(), File.ReadAllBytes(Path.Combine(_directory, "planner", "calibration.bin")));
        var restarted = new Orchestrator(TestCluster.Options("ensemble"));
        Assert.Equal(cluster.Jobs, new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance).LoadCalibration(restarted));
    }

    [Fact]
    public void SnapshotCalibration_LoadedAtStart_EachJobGetsItsCalibrationBack()
    {
        var store = new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance);
        var orchestrator = new Orchestrator(TestCluster.Options("ensemble"));
        var cluster = new TestCluster(2, 2);
        var snapshot = new ClusterSnapshot();
        for (var i = 0; i < 30; i++)
        {
            cluster.Fill(snapshot);
            orchestrator.Run(snapshot);
            cluster.NowSeconds += 60;
        }

        Assert.Equal(cluster.Jobs, store.SnapshotCalibration(orchestrator));
        var calibrated = (Prescient.Abstractions.Forecasting.ICalibrationState)orchestrator.Model;
        var length = calibrated.CalibrationLength;

        // A restarted engine: the file is read before the first cycle, and the jobs get it back when they appear.
        var restarted = new Orchestrator(TestCluster.Options("ensemble"));
        Assert.Equal(cluster.Jobs, new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance).LoadCalibration(restarted));
        using (var written = new MemoryStream())
        using (var rewritten = new MemoryStream())
        {
            orchestrator.WriteCalibration(written);
            restarted.WriteCalibration(rewritten);
            Assert.Equal(written.ToArray(), rewritten.ToArray());
        }

        cluster.Fill(snapshot);
        restarted.Run(snapshot);
        Assert.Equal(0, restarted.CalibrationRefused);
        var before = new float[length];
        var after = new float[length];
        for (var series = 0; series < cluster.Jobs * TestCluster.R; series++)
        {
            // The last values are the scored counts (one per horizon) and the largest value seen: they go on from
            // where the first engine left them instead of starting again from zero.
            calibrated.ExportCalibration(series, before);
            ((Prescient.Abstractions.Forecasting.ICalibrationState)restarted.Model).ExportCalibration(series, after);
            var scored = length - 1 - orchestrator.Shape.HorizonCount;
            Assert.True(after[scored] >= before[scored], $"series {series}: {after[scored]} scored after the restart, {before[scored]} before");
            Assert.True(before[scored] > 0);
        }

        // A file for another configuration (two horizons, not three) is refused with a log line, and nothing is applied.
        var options = TestCluster.Options("ensemble");
        options.HorizonsSeconds = [60, 300];
        var other = new Orchestrator(options);
        using (var file = File.OpenRead(Path.Combine(_directory, "planner", "calibration.bin")))
        {
            var refused = Assert.Throws<InvalidDataException>(() => other.ReadCalibration(file));
            Assert.Contains("values per series", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance).LoadCalibration(other));

        // A truncated file is refused the same way.
        var path = Path.Combine(_directory, "planner", "calibration.bin");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        Assert.Equal(0, new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance).LoadCalibration(new Orchestrator(TestCluster.Options("ensemble"))));
    }
}
