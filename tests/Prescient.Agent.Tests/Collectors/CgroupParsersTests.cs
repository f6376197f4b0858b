using Prescient.Agent.Collectors;
using Prescient.Agent.Tests.Support;

namespace Prescient.Agent.Tests.Collectors;

public sealed class CgroupParsersTests
{
    private const string SlurmJob = "cgroup-v1/{0}/slurm_node1/uid_1000/job_42/{1}";

    [Fact]
    public void TryParseSingleValue_CpuacctUsage_ReadsNanoseconds()
    {
        Assert.True(CgroupParsers.TryParseSingleValue(Fixture.Text(string.Format(SlurmJob, "cpuacct", "cpuacct.usage")), out var ns, out _));
        Assert.Equal(2_500_000_000UL, ns);
    }

    [Fact]
    public void TryParseSingleValue_Garbage_FailsWithReason()
    {
        Assert.False(CgroupParsers.TryParseSingleValue(Fixture.Text("malformed/cpuacct-usage-garbage"), out _, out var error));
        Assert.Contains("garbage", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseKeyed_V1MemoryStat_ReadsHierarchicalInactiveFile()
    {
        Assert.True(CgroupParsers.TryParseKeyed(Fixture.Text(string.Format(SlurmJob, "memory", "memory.stat")), out var stat, out _));
        Assert.Equal(268435456UL, stat["total_inactive_file"]);
        Assert.Equal(0UL, stat["inactive_file"]);
    }

    [Fact]
    public void TryParseKeyed_ThreeFields_Fails()
    {
        Assert.False(CgroupParsers.TryParseKeyed(Fixture.Text("malformed/memory-stat-three-fields"), out _, out var error));
        Assert.Contains("not 'key value'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseBlkioServiceBytes_Recursive_SumsReadAndWriteOverDevices()
    {
        var text = Fixture.Text(string.Format(SlurmJob, "blkio", "blkio.throttle.io_service_bytes_recursive"));
        Assert.True(CgroupParsers.TryParseBlkioServiceBytes(text, out var read, out var write, out var error), error);
        Assert.Equal(4096000UL + 1000, read);
        Assert.Equal(8192000UL, write);
    }

    [Fact]
    public void TryParseBlkioServiceBytes_OnlyTotal_Zero()
    {
        Assert.True(CgroupParsers.TryParseBlkioServiceBytes("Total 0\n", out var read, out var write, out _));
        Assert.Equal(0UL, read);
        Assert.Equal(0UL, write);
    }

    [Fact]
    public void TryParseBlkioServiceBytes_NonNumeric_Fails()
    {
        Assert.False(CgroupParsers.TryParseBlkioServiceBytes(Fixture.Text("malformed/blkio-non-numeric"), out _, out _, out var error));
        Assert.Contains("MAJ:MIN", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseCpuStatUsage_V2_ConvertsMicrosecondsToNanoseconds()
    {
        Assert.True(CgroupParsers.TryParseCpuStatUsage(Fixture.Text("cgroup-v2/slurm_node1/uid_2000/job_43/cpu.stat"), out var ns, out _));
        Assert.Equal(3_000_000_000UL, ns);
    }

    [Fact]
    public void TryParseCpuStatUsage_NoUsage_Fails()
    {
        Assert.False(CgroupParsers.TryParseCpuStatUsage(Fixture.Text("malformed/cpu-stat-no-usage"), out _, out var error));
        Assert.Equal("no usage_usec", error);
    }

    [Fact]
    public void TryParseIoStat_V2_SumsBytesOverDevices()
    {
        Assert.True(CgroupParsers.TryParseIoStat(Fixture.Text("cgroup-v2/slurm_node1/uid_2000/job_43/io.stat"), out var read, out var write, out _));
        Assert.Equal(1048576UL + 1024, read);
        Assert.Equal(2097152UL, write);
    }

    [Fact]
    public void TryParseIoStat_BadField_Fails()
    {
        Assert.False(CgroupParsers.TryParseIoStat(Fixture.Text("malformed/io-stat-bad-field"), out _, out _, out var error));
        Assert.Contains("wbytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseProcs_SkipsJunk()
    {
        Assert.Equal([12, 34], CgroupParsers.ParseProcs("12\nx\n-5\n34\n"));
    }

    [Fact]
    public void ResidentMemoryBytes_UsageMinusInactiveFile_NeverNegative()
    {
        Assert.Equal(700UL, new CgroupCounters(null, 1000, 300, null, null).ResidentMemoryBytes);
        Assert.Equal(0UL, new CgroupCounters(null, 100, 300, null, null).ResidentMemoryBytes);
        Assert.Null(new CgroupCounters(null, null, 300, null, null).ResidentMemoryBytes);
    }
}
