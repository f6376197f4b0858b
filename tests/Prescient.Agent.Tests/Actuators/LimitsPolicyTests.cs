using Prescient.Agent.Actuators.Policy;

namespace Prescient.Agent.Tests.Actuators;

public sealed class LimitsPolicyTests
{
    private static readonly NodeTopology Node = new([0, 1], [0], "eth0");
    private static readonly JobTarget Job = new("42", CgroupVersion.V1, "prescient/42", "/sys/fs/cgroup", null, ResidentMemoryBytes: 1_000_000);

    private static string? Check(JobLimits limits, JobTarget? target = null, ActuationKind kind = ActuationKind.SetLimits, NodeTopology? node = null) =>
        LimitsPolicy.Check(new ActuationRequest(kind, "42", limits, []), target ?? Job, node ?? Node);

    [Theory]
    [InlineData(double.NaN, "not a finite number")]
    [InlineData(double.PositiveInfinity, "not a finite number")]
    [InlineData(-0.5, "negative")]
    [InlineData(0.001, "below the smallest quota")]
    [InlineData(3.0, "exceeds the node's 2 CPUs")]
    public void Check_BadCpuQuota_Refused(double cores, string expected)
    {
        Assert.Contains(expected, Check(JobLimits.None with { CpuQuotaCores = cores }), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MemoryMaxBelowCurrentUse_RefusedBecauseItWouldKill()
    {
        var reason = Check(JobLimits.None with { MemoryMaxBytes = 999_999 });
        Assert.Contains("below the job's current use of 1000000 bytes", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MemoryMaxWithUnknownUse_Refused()
    {
        Assert.Contains("current memory use is unknown", Check(JobLimits.None with { MemoryMaxBytes = 5_000_000 }, Job with { ResidentMemoryBytes = null }), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MemoryAtOrAboveUse_Accepted()
    {
        Assert.Null(Check(JobLimits.None with { MemoryMaxBytes = 1_000_000, MemoryHighBytes = 900_000 }));
    }

    [Fact]
    public void Check_HighAboveMax_Refused()
    {
        Assert.Contains("above memory_max_bytes", Check(JobLimits.None with { MemoryMaxBytes = 2_000_000, MemoryHighBytes = 3_000_000 }), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CpuWeightOutOfRange_Refused()
    {
        Assert.Contains("outside 1..10000", Check(JobLimits.None with { CpuWeight = 10001 }), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UnknownJob_Refused()
    {
        var reason = LimitsPolicy.Check(new ActuationRequest(ActuationKind.SetLimits, "77", JobLimits.None, []), null, Node);
        Assert.Contains("unknown job '77'", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0-5", "", "CPU 2")]
    [InlineData("x", "", "malformed")]
    [InlineData("", "1", "NUMA node 1")]
    [InlineData("", "", "needs cpuset_cpus or cpuset_mems")]
    public void Check_BadCpuset_Refused(string cpus, string mems, string expected)
    {
        Assert.Contains(expected, Check(JobLimits.None with { CpusetCpus = cpus, CpusetMems = mems }, kind: ActuationKind.SetCpuset), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BandwidthWithoutInterface_Refused()
    {
        Assert.Contains("no network interface", Check(JobLimits.None, kind: ActuationKind.ReserveBandwidth, node: Node with { NetworkInterface = "" }), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PrefetchRelativePathOrNone_Refused()
    {
        Assert.Contains("not absolute", LimitsPolicy.Check(new ActuationRequest(ActuationKind.Prefetch, "", JobLimits.None, ["data/x"]), null, Node), StringComparison.Ordinal);
        Assert.Contains("at least one path", LimitsPolicy.Check(new ActuationRequest(ActuationKind.Prefetch, "", JobLimits.None, []), null, Node), StringComparison.Ordinal);
        var tooMany = Enumerable.Repeat("/data/x", LimitsPolicy.MaxPrefetchPaths + 1).ToList();
        Assert.Contains("more than 4096", LimitsPolicy.Check(new ActuationRequest(ActuationKind.Prefetch, "", JobLimits.None, tooMany), null, Node), StringComparison.Ordinal);
    }
}
