using Prescient.Agent.Actuators.DryRun;
using Prescient.Agent.Actuators.Policy;
using Prescient.Agent.Interop.PageCache;

namespace Prescient.Agent.Tests.Actuators;

public sealed class DryRunActuatorTests
{
    private static readonly NodeTopology Node = new([0, 1, 2, 3], [0, 1], "eth0");
    private static readonly JobTarget V1Job = new("42", CgroupVersion.V1, "slurm_n1/uid_0/job_42", "/sys/fs/cgroup", "/sys/fs/cgroup/unified", 1_000_000);
    private static readonly JobTarget V2Job = new("43", CgroupVersion.V2, "prescient/43", "/sys/fs/cgroup", "/sys/fs/cgroup", 1_000_000);
    private readonly DryRunActuator _actuator = new(PageCacheProbe.Create(preferNative: false, out _));

    private static ActuationRequest Limits(JobLimits limits, string job = "42") => new(ActuationKind.SetLimits, job, limits, []);

    [Fact]
    public void Plan_SetLimitsV1_CgroupV1FilesAndValues()
    {
        var plan = _actuator.Plan(Limits(new JobLimits(1.5, 200, 2_000_000, 4_000_000, "", "", 0)), V1Job, JobLimits.None, Node);

        Assert.False(plan.Refused, plan.Reason);
        Assert.Equal(
            [
                new PlannedWrite("/sys/fs/cgroup/cpu/slurm_n1/uid_0/job_42/cpu.cfs_period_us", "100000"),
                new PlannedWrite("/sys/fs/cgroup/cpu/slurm_n1/uid_0/job_42/cpu.cfs_quota_us", "150000"),
                new PlannedWrite("/sys/fs/cgroup/cpu/slurm_n1/uid_0/job_42/cpu.shares", "2048"),
                new PlannedWrite("/sys/fs/cgroup/memory/slurm_n1/uid_0/job_42/memory.soft_limit_in_bytes", "2000000"),
                new PlannedWrite("/sys/fs/cgroup/memory/slurm_n1/uid_0/job_42/memory.limit_in_bytes", "4000000"),
            ],
            plan.Writes);
        Assert.Contains("write 150000 to /sys/fs/cgroup/cpu/slurm_n1/uid_0/job_42/cpu.cfs_quota_us", plan.Reason, StringComparison.Ordinal);
        Assert.Equal(1.5, plan.Resulting.CpuQuotaCores);
        Assert.Equal(4_000_000UL, plan.Resulting.MemoryMaxBytes);
    }

    [Fact]
    public void Plan_SetLimitsV1JobWithoutCpuGroup_SaysTheGroupWouldBeCreated()
    {
        // What Slurm's task/cgroup leaves: job groups in cpuacct, cpuset, memory, freezer, none under cpu.
        var slurm = V1Job with { V1Controllers = ["cpuacct", "cpuset", "memory", "freezer"] };

        var plan = _actuator.Plan(Limits(new JobLimits(1, 0, 0, 0, "", "", 0)), slurm, JobLimits.None, Node);

        Assert.False(plan.Refused, plan.Reason);
        Assert.Contains("/sys/fs/cgroup/cpu/slurm_n1/uid_0/job_42 does not exist yet", plan.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("/sys/fs/cgroup/memory/slurm_n1/uid_0/job_42 does not exist", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SetLimitsV2ZeroFields_WritesMaxAndDefaults()
    {
        var plan = _actuator.Plan(Limits(new JobLimits(0.25, 0, 0, 0, "", "", 0), "43"), V2Job, JobLimits.None, Node);

        Assert.Equal(
            [
                new PlannedWrite("/sys/fs/cgroup/prescient/43/cpu.max", "25000 100000"),
                new PlannedWrite("/sys/fs/cgroup/prescient/43/cpu.weight", "100"),
                new PlannedWrite("/sys/fs/cgroup/prescient/43/memory.high", "max"),
                new PlannedWrite("/sys/fs/cgroup/prescient/43/memory.max", "max"),
            ],
            plan.Writes);
    }

    [Fact]
    public void Plan_SetCpuset_MemsBeforeCpusCanonicalForm()
    {
        var plan = _actuator.Plan(new ActuationRequest(ActuationKind.SetCpuset, "42", JobLimits.None with { CpusetCpus = "3,2,0-1", CpusetMems = "1" }, []), V1Job, JobLimits.None, Node);

        Assert.Equal(
            [
                new PlannedWrite("/sys/fs/cgroup/cpuset/slurm_n1/uid_0/job_42/cpuset.mems", "1"),
                new PlannedWrite("/sys/fs/cgroup/cpuset/slurm_n1/uid_0/job_42/cpuset.cpus", "0-3"),
            ],
            plan.Writes);
        Assert.Equal("0-3", plan.Resulting.CpusetCpus);
    }

    [Fact]
    public void Plan_ReserveBandwidth_TcClassArgumentList()
    {
        var plan = _actuator.Plan(new ActuationRequest(ActuationKind.ReserveBandwidth, "42", JobLimits.None with { BandwidthBitsPerSecond = 50_000_000 }, []), V1Job, JobLimits.None, Node);

        var command = Assert.Single(plan.Commands);
        Assert.Equal("tc", command.Program);
        Assert.Equal(["class", "replace", "dev", "eth0", "parent", "1:", "classid", "1:2b", "htb", "rate", "50000000bit", "ceil", "50000000bit"], command.Arguments);
        Assert.Equal(50_000_000UL, plan.Resulting.BandwidthBitsPerSecond);
    }

    [Fact]
    public void ClassMinor_NumericAndNamedIds_StableAndInRange()
    {
        Assert.Equal((ushort)43, DryRunActuator.ClassMinor("42"));
        Assert.Equal(DryRunActuator.ClassMinor("train-7"), DryRunActuator.ClassMinor("train-7"));
        Assert.InRange(DryRunActuator.ClassMinor("train-7"), (ushort)1, (ushort)0xfffe);
        Assert.InRange(DryRunActuator.ClassMinor("65534"), (ushort)1, (ushort)0xfffe);
    }

    [Fact]
    public void Plan_Release_UndoesWhatWasSet()
    {
        var current = new JobLimits(1, 0, 0, 5_000_000, "0-1", "0", 10_000_000);
        var plan = _actuator.Plan(new ActuationRequest(ActuationKind.ReleaseJob, "42", JobLimits.None, []), V1Job, current, Node);

        Assert.Contains(new PlannedWrite("/sys/fs/cgroup/cpu/slurm_n1/uid_0/job_42/cpu.cfs_quota_us", "-1"), plan.Writes);
        Assert.Contains(new PlannedWrite("/sys/fs/cgroup/memory/slurm_n1/uid_0/job_42/memory.limit_in_bytes", "-1"), plan.Writes);
        Assert.Contains(new PlannedWrite("/sys/fs/cgroup/cpuset/slurm_n1/uid_0/job_42/cpuset.cpus", "0-3"), plan.Writes);
        Assert.Equal(["class", "del", "dev", "eth0", "classid", "1:2b"], Assert.Single(plan.Commands).Arguments);
        Assert.Equal(JobLimits.None, plan.Resulting);
    }

    [Fact]
    public void Plan_ReleaseWithNothingSet_SaysNothingToDo()
    {
        var plan = _actuator.Plan(new ActuationRequest(ActuationKind.ReleaseJob, "42", JobLimits.None, []), V1Job, JobLimits.None, Node);
        Assert.False(plan.Refused);
        Assert.Empty(plan.Writes);
        Assert.Contains("change nothing", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Prefetch_ReportsBytesItWouldReadAndSkipsMissingFiles()
    {
        var file = Path.Combine(Path.GetTempPath(), $"prescient-test-{Guid.NewGuid():N}");
        File.WriteAllBytes(file, new byte[10_000]);
        try
        {
            var plan = _actuator.Plan(new ActuationRequest(ActuationKind.Prefetch, "", JobLimits.None, [file, "/nonexistent/prescient/file"]), null, JobLimits.None, Node);

            Assert.False(plan.Refused, plan.Reason);
            Assert.Equal(10_000UL, plan.Prefetches[0].BytesToReadBytes);
            Assert.NotNull(plan.Prefetches[1].Error);
            Assert.Contains($"read all 10000 bytes of {file}", plan.Reason, StringComparison.Ordinal);
            Assert.Contains("skip /nonexistent/prescient/file", plan.Reason, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Plan_PrefetchOnlyMissingFiles_Refused()
    {
        var plan = _actuator.Plan(new ActuationRequest(ActuationKind.Prefetch, "", JobLimits.None, ["/nonexistent/a"]), null, JobLimits.None, Node);
        Assert.True(plan.Refused);
        Assert.Contains("no file can be prefetched", plan.Reason, StringComparison.Ordinal);
    }
}
