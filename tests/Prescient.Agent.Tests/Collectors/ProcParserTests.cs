using Prescient.Agent.Collectors;
using Prescient.Agent.Tests.Support;

namespace Prescient.Agent.Tests.Collectors;

public sealed class ProcStatParserTests
{
    [Fact]
    public void TryParse_Fixture_SumsFirstEightFieldsAndCountsCpus()
    {
        Assert.True(ProcStatParser.TryParse(Fixture.Text("proc/stat"), out var times, out var error), error);
        // user nice system idle iowait irq softirq steal = 13316 0 4625 51778 1253 0 86 691; guest excluded.
        Assert.Equal(13316UL + 4625 + 51778 + 1253 + 86 + 691, times.TotalTicks);
        Assert.Equal(13316UL + 4625 + 86 + 691, times.BusyTicks);
        Assert.Equal(2, times.CpuCount);
    }

    [Fact]
    public void TryParse_OldKernelFourFields_Accepted()
    {
        Assert.True(ProcStatParser.TryParse("cpu 10 0 5 85\ncpu0 10 0 5 85\n", out var times, out _));
        Assert.Equal(100UL, times.TotalTicks);
        Assert.Equal(15UL, times.BusyTicks);
    }

    [Theory]
    [InlineData("malformed/stat-no-cpu", "no aggregate")]
    [InlineData("malformed/stat-non-numeric", "not an unsigned integer")]
    public void TryParse_Malformed_FailsWithReason(string fixture, string expected)
    {
        Assert.False(ProcStatParser.TryParse(Fixture.Text(fixture), out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Empty_Fails()
    {
        Assert.False(ProcStatParser.TryParse(string.Empty, out _, out var error));
        Assert.NotNull(error);
    }
}

public sealed class MeminfoParserTests
{
    [Fact]
    public void TryParse_Fixture_ReadsTotalAndAvailableInBytes()
    {
        Assert.True(MeminfoParser.TryParse(Fixture.Text("proc/meminfo"), out var info, out var error), error);
        Assert.Equal(24684092UL * 1024, info.TotalBytes);
        Assert.Equal(24335300UL * 1024, info.AvailableBytes);
        Assert.Equal((24684092UL - 24335300UL) * 1024, info.UsedBytes);
    }

    [Fact]
    public void TryParse_NoMemAvailable_FallsBackToFreeBuffersCached()
    {
        Assert.True(MeminfoParser.TryParse("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 40 kB\n", out var info, out _));
        Assert.Equal(150UL * 1024, info.AvailableBytes);
    }

    [Theory]
    [InlineData("malformed/meminfo-no-total", "no MemTotal")]
    [InlineData("malformed/meminfo-non-numeric", "no unsigned value")]
    [InlineData("malformed/meminfo-unit", "unknown unit")]
    public void TryParse_Malformed_FailsWithReason(string fixture, string expected)
    {
        Assert.False(MeminfoParser.TryParse(Fixture.Text(fixture), out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Overflow_FailsInsteadOfThrowing()
    {
        Assert.False(MeminfoParser.TryParse("MemTotal: 18446744073709551615 kB\n", out _, out var error));
        Assert.Contains("overflows", error, StringComparison.Ordinal);
    }
}

public sealed class NetDevParserTests
{
    [Fact]
    public void TryParse_Fixture_ReadsBytesPerInterface()
    {
        Assert.True(NetDevParser.TryParse(Fixture.Text("proc/net/dev"), out var interfaces, out var error), error);
        Assert.Equal(["lo", "ifb0", "eth0"], interfaces.Select(i => i.Name));
        var eth0 = interfaces.Single(i => i.Name == "eth0");
        Assert.Equal(420417186UL, eth0.FirstBytes);
        Assert.Equal(553392UL, eth0.SecondBytes);
    }

    [Fact]
    public void TryParse_TooFewCounters_Fails()
    {
        Assert.False(NetDevParser.TryParse(Fixture.Text("malformed/net-dev-short"), out _, out var error));
        Assert.Contains("eth0", error, StringComparison.Ordinal);
    }
}

public sealed class DiskstatsParserTests
{
    [Fact]
    public void TryParse_Fixture_ConvertsSectorsToBytesForAllFormats()
    {
        Assert.True(DiskstatsParser.TryParse(Fixture.Text("proc/diskstats"), out var devices, out var error), error);
        var vda = devices.Single(d => d.Name == "vda");
        Assert.Equal(874530UL * 512, vda.FirstBytes);
        Assert.Equal(4516744UL * 512, vda.SecondBytes);
        // The 14-field format of old kernels.
        var sdb = devices.Single(d => d.Name == "sdb");
        Assert.Equal(2048UL * 512, sdb.FirstBytes);
        Assert.Equal(4096UL * 512, sdb.SecondBytes);
    }

    [Fact]
    public void TryParse_ShortLine_Fails()
    {
        Assert.False(DiskstatsParser.TryParse(Fixture.Text("malformed/diskstats-short"), out _, out var error));
        Assert.Contains("expected at least 14", error, StringComparison.Ordinal);
    }
}

public sealed class ProcStatusParserTests
{
    [Fact]
    public void TryParseRealUid_Fixture_ReadsFirstUid()
    {
        Assert.True(ProcStatusParser.TryParseRealUid(Fixture.Text("proc/1234/status"), out var uid));
        Assert.Equal(1001U, uid);
    }

    [Fact]
    public void TryParseRealUid_NoUidLine_False()
    {
        Assert.False(ProcStatusParser.TryParseRealUid("Name: x\n", out _));
    }
}

public sealed class PasswdParserTests
{
    [Fact]
    public void Parse_Fixture_MapsUidsSkipsBrokenLinesFirstEntryWins()
    {
        var users = PasswdParser.Parse(Fixture.Text("passwd"));
        Assert.Equal("root", users[0]);
        Assert.Equal("alice", users[1000]);
        Assert.Equal("bob", users[1001]);
        Assert.Equal(3, users.Count);
    }
}
