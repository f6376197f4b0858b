using Prescient.Agent.Actuators.Policy;
using Prescient.Agent.Collectors;
using Prescient.Agent.Tests.Support;

namespace Prescient.Agent.Tests.Collectors;

public sealed class JobDiscoveryTests
{
    private static List<DiscoveredJob> Discover(string tree, string plain = "prescient")
    {
        var root = Fixture.PathOf(tree);
        var discovery = new JobDiscovery(FileSystemSource.Instance, Fixture.PathOf("proc"), plain);
        return discovery.Discover(CgroupLayout.Detect(FileSystemSource.Instance, root));
    }

    [Fact]
    public void Discover_V1_FindsSlurmAndPlainJobsOnceAcrossControllers()
    {
        var jobs = Discover("cgroup-v1");

        Assert.Equal(["42", "99", "train-7"], jobs.Select(j => j.JobId));
        var slurm = jobs[0];
        Assert.Equal(CgroupVersion.V1, slurm.Version);
        Assert.Equal("slurm_node1/uid_1000/job_42", slurm.RelativePath);
        Assert.Equal(1000U, slurm.Uid);
        Assert.Equal("slurm", slurm.Layout);
        Assert.Equal(["blkio", "cpu", "cpuacct", "cpuset", "freezer", "memory"], slurm.Controllers.Order(StringComparer.Ordinal));
        var plain = jobs[2];
        Assert.Equal("prescient/train-7", plain.RelativePath);
        Assert.Equal("plain", plain.Layout);
        Assert.Equal(["cpuacct", "memory"], plain.Controllers.Order(StringComparer.Ordinal));
        // No uid in the path: the owner of the first process in cgroup.procs (fixture proc/1234/status).
        Assert.Equal(1001U, plain.Uid);
    }

    [Fact]
    public void Discover_V1_IgnoresInvalidIdsNonJobDirsAndBadUidDirs()
    {
        var ids = Discover("cgroup-v1").Select(j => j.JobId).ToList();
        Assert.DoesNotContain("bad id", ids);
        Assert.DoesNotContain("5", ids);      // under uid_x
        Assert.DoesNotContain("6", ids);      // under other/, neither layout
        Assert.DoesNotContain(".hidden", ids);
        Assert.DoesNotContain("system", ids);
    }

    [Fact]
    public void Discover_V2_FindsUidLayoutSlurmstepdScopeAndPlain()
    {
        var jobs = Discover("cgroup-v2");

        Assert.Equal(["43", "44", "web-1"], jobs.Select(j => j.JobId));
        Assert.All(jobs, j => Assert.Equal(CgroupVersion.V2, j.Version));
        Assert.All(jobs, j => Assert.Empty(j.Controllers));
        Assert.Equal(2000U, jobs[0].Uid);
        Assert.Equal("system.slice/slurmstepd.scope/job_44", jobs[1].RelativePath);
        // job_44 has no processes itself; its step_batch child holds pid 1234 (uid 1001).
        Assert.Equal(1001U, jobs[1].Uid);
        Assert.Null(jobs[2].Uid);
    }

    [Fact]
    public void Discover_Hybrid_ReadsCombinedCpuCpuacctMountAndUnifiedRoot()
    {
        var layout = CgroupLayout.Detect(FileSystemSource.Instance, Fixture.PathOf("cgroup-hybrid"));
        Assert.Equal(Fixture.PathOf("cgroup-hybrid/unified"), layout.UnifiedRoot);
        Assert.Equal("cpu,cpuacct", layout.CpuacctController);

        var jobs = Discover("cgroup-hybrid");
        Assert.Equal([("v1job", CgroupVersion.V1), ("v2job", CgroupVersion.V2)], jobs.Select(j => (j.JobId, j.Version)));
    }

    [Fact]
    public void Discover_ConfiguredPlainDirectory_OnlyThatDirectory()
    {
        Assert.Equal(["42", "99"], Discover("cgroup-v1", plain: "elsewhere").Select(j => j.JobId));
    }

    [Fact]
    public void Discover_MissingRoot_NoJobs()
    {
        Assert.Empty(Discover("no-such-tree"));
    }

    [Theory]
    [InlineData("42", true)]
    [InlineData("42_3", true)]
    [InlineData("train-7.b", true)]
    [InlineData("", false)]
    [InlineData(".hidden", false)]
    [InlineData("a b", false)]
    [InlineData("../x", false)]
    public void IsValidJobId_Cases(string id, bool expected)
    {
        Assert.Equal(expected, JobDiscovery.IsValidJobId(id));
    }
}

public sealed class CgroupReaderTests
{
    private static CgroupCounters Read(string tree, string jobId, List<string> problems)
    {
        var layout = CgroupLayout.Detect(FileSystemSource.Instance, Fixture.PathOf(tree));
        var job = new JobDiscovery(FileSystemSource.Instance, Fixture.PathOf("proc"), "prescient").Discover(layout).Single(j => j.JobId == jobId);
        return new CgroupReader(FileSystemSource.Instance).Read(layout, job, problems);
    }

    [Fact]
    public void Read_V1SlurmJob_AllCounters()
    {
        var problems = new List<string>();
        var counters = Read("cgroup-v1", "42", problems);

        Assert.Empty(problems);
        Assert.Equal(2_500_000_000UL, counters.CpuUsageNanoseconds);
        Assert.Equal(1073741824UL, counters.MemoryUsageBytes);
        Assert.Equal(268435456UL, counters.InactiveFileBytes);
        Assert.Equal(1073741824UL - 268435456UL, counters.ResidentMemoryBytes);
        // The recursive file (tasks live in step_0), not the job's own "Total 0".
        Assert.Equal(4097000UL, counters.IoReadBytes);
        Assert.Equal(8192000UL, counters.IoWriteBytes);
    }

    [Fact]
    public void Read_V1MalformedCpuacct_ReportsProblemKeepsOtherValues()
    {
        var problems = new List<string>();
        var counters = Read("cgroup-v1", "99", problems);

        Assert.Null(counters.CpuUsageNanoseconds);
        Assert.Equal(4096UL, counters.MemoryUsageBytes);
        Assert.Single(problems);
        Assert.Contains("cpuacct.usage", problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Read_V2SlurmJob_AllCounters()
    {
        var problems = new List<string>();
        var counters = Read("cgroup-v2", "43", problems);

        Assert.Empty(problems);
        Assert.Equal(3_000_000_000UL, counters.CpuUsageNanoseconds);
        Assert.Equal(536870912UL - 67108864UL, counters.ResidentMemoryBytes);
        Assert.Equal(1049600UL, counters.IoReadBytes);
        Assert.Equal(2097152UL, counters.IoWriteBytes);
    }

    [Fact]
    public void Read_V2PlainJobWithoutIoOrStat_NullsWhereFilesAreMissing()
    {
        var counters = Read("cgroup-v2", "web-1", []);
        Assert.Equal(42_000UL, counters.CpuUsageNanoseconds);
        Assert.Equal(4096UL, counters.ResidentMemoryBytes);
        Assert.Null(counters.IoReadBytes);
    }

    [Fact]
    public void Read_HybridCombinedMount_ReadsCpuacctFromCpuCommaCpuacct()
    {
        Assert.Equal(7_000_000_000UL, Read("cgroup-hybrid", "v1job", []).CpuUsageNanoseconds);
    }
}

public sealed class NodeInventoryTests
{
    private static NodeInventory ReadFixture() => NodeInventory.Read(
        FileSystemSource.Instance,
        new CollectorPaths(Fixture.PathOf("proc"), Fixture.PathOf("sys"), Fixture.PathOf("cgroup-v1"), "prescient", Fixture.PathOf("passwd")),
        storageBytesPerSecond: 500_000_000);

    [Fact]
    public void Read_Fixture_CapacityFromSysAndProc()
    {
        var inventory = ReadFixture();

        Assert.Equal([0, 1, 2, 3], inventory.CpuIds);
        Assert.Equal(24684092UL * 1024, inventory.MemoryBytes);
        // eth0 10000 Mbit/s; eth1 reports -1 (unknown) and adds nothing.
        Assert.Equal(10_000_000_000UL, inventory.NetworkBitsPerSecond);
        Assert.Equal(500_000_000UL, inventory.StorageBytesPerSecond);
    }

    [Fact]
    public void Read_Fixture_PhysicalDevicesOnly()
    {
        var inventory = ReadFixture();
        Assert.Equal(["eth0", "eth1"], inventory.PhysicalInterfaces.Order());
        Assert.Equal(["vda"], inventory.PhysicalDisks);
        Assert.Equal("eth0", inventory.PrimaryInterface);
    }

    [Fact]
    public void Read_Fixture_NumaNodesWithCpusAndMemory()
    {
        var numa = ReadFixture().NumaNodes;
        Assert.Equal(2, numa.Count);
        Assert.Equal([0, 1], numa[0].CpuIds);
        Assert.Equal(8388608UL * 1024, numa[0].MemoryBytes);
        Assert.Equal([2, 3], numa[1].CpuIds);
        Assert.Equal(4194304UL * 1024, numa[1].MemoryBytes);
    }

    [Fact]
    public void Read_NoSysfs_OneNumaNodeWithCpusFromProcStat()
    {
        var inventory = NodeInventory.Read(
            FileSystemSource.Instance,
            new CollectorPaths(Fixture.PathOf("proc"), Fixture.PathOf("no-sys"), Fixture.PathOf("cgroup-v1"), "prescient", Fixture.PathOf("passwd")),
            0);
        Assert.Equal([0, 1], inventory.CpuIds);
        var only = Assert.Single(inventory.NumaNodes);
        Assert.Equal(inventory.MemoryBytes, only.MemoryBytes);
        Assert.Equal(0UL, inventory.NetworkBitsPerSecond);
        Assert.Equal(string.Empty, inventory.PrimaryInterface);
    }
}
