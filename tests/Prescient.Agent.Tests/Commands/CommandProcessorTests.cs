using Google.Protobuf.WellKnownTypes;
using Prescient.Agent.Actuators.DryRun;
using Prescient.Agent.Actuators.Policy;
using Prescient.Agent.Collectors;
using Prescient.Agent.Commands;
using Prescient.Agent.Interop.PageCache;
using Prescient.Agent.Tests.Support;
using Prescient.Protos.V1;
using Outcome = Prescient.Protos.V1.CommandResult.Types.Outcome;

namespace Prescient.Agent.Tests.Commands;

public sealed class CommandProcessorTests
{
    private static readonly NodeTopology Node = new([0, 1], [0], "eth0");
    private readonly ManualTimeProvider _time = new();
    private readonly CommandProcessor _processor;
    private readonly List<PresentJob> _jobs =
    [
        new(new DiscoveredJob("42", 1000, CgroupVersion.V1, "slurm_n1/uid_1000/job_42", "slurm", ["cpuacct", "cpu", "memory", "cpuset"]), "alice", ResidentMemoryBytes: 1_000_000),
    ];

    public CommandProcessorTests()
    {
        var layout = CgroupLayout.Detect(FileSystemSource.Instance, Fixture.PathOf("cgroup-v1"));
        _processor = new CommandProcessor(new DryRunActuator(PageCacheProbe.Create(false, out _)), layout, _time, retained: 3);
    }

    private static Command SetLimits(ulong sequence, string job = "42", double cores = 1.0, ulong memoryMax = 0) => new()
    {
        CommandId = $"c{sequence}",
        Sequence = sequence,
        JobId = job,
        Kind = CommandKind.SetLimits,
        Limits = new AppliedLimits { CpuQuotaCores = cores, MemoryMaxBytes = memoryMax },
    };

    [Fact]
    public void Handle_ValidSetLimits_DryRunWithWritesAndAppliedValues()
    {
        var result = _processor.Handle(SetLimits(1, cores: 0.5), _jobs, Node);

        Assert.Equal(Outcome.DryRun, result.Outcome);
        Assert.Equal("c1", result.CommandId);
        Assert.Equal(1UL, result.Sequence);
        Assert.Contains($"write 50000 to {Fixture.PathOf("cgroup-v1")}/cpu/slurm_n1/uid_1000/job_42/cpu.cfs_quota_us", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0.5, result.Applied.CpuQuotaCores);
        Assert.Equal(1UL, _processor.LastSequence);
        Assert.Equal(0.5, _processor.AppliedLimits("42").CpuQuotaCores);
    }

    [Fact]
    public void Handle_RepeatedSequence_SameEarlierResult()
    {
        var first = _processor.Handle(SetLimits(5, cores: 0.5), _jobs, Node);
        _time.Advance(TimeSpan.FromSeconds(10));

        var again = _processor.Handle(SetLimits(5, cores: 1.5), _jobs, Node);

        Assert.Equal(first, again);
        Assert.Equal(0.5, _processor.AppliedLimits("42").CpuQuotaCores);
    }

    [Fact]
    public void Handle_OlderSequenceNoLongerRetained_Refused()
    {
        for (ulong s = 1; s <= 5; s++)
        {
            _processor.Handle(SetLimits(s), _jobs, Node);
        }

        var result = _processor.Handle(SetLimits(1), _jobs, Node);

        Assert.Equal(Outcome.Refused, result.Outcome);
        Assert.Contains("no longer retained", result.Reason, StringComparison.Ordinal);
        Assert.Equal(5UL, _processor.LastSequence);
    }

    [Fact]
    public void Handle_SequenceZero_RefusedAndNotRecorded()
    {
        Assert.Equal(Outcome.Refused, _processor.Handle(SetLimits(0), _jobs, Node).Outcome);
        Assert.Equal(0UL, _processor.LastSequence);
    }

    [Fact]
    public void Handle_UnknownJob_Refused()
    {
        var result = _processor.Handle(SetLimits(1, job: "77"), _jobs, Node);
        Assert.Equal(Outcome.Refused, result.Outcome);
        Assert.Contains("unknown job '77'", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-1)]
    public void Handle_NonFiniteOrNegative_RefusedStateUnchanged(double cores)
    {
        var result = _processor.Handle(SetLimits(1, cores: cores), _jobs, Node);
        Assert.Equal(Outcome.Refused, result.Outcome);
        Assert.Equal(JobLimits.None, _processor.AppliedLimits("42"));
    }

    [Fact]
    public void Handle_MemoryMaxBelowUsage_Refused()
    {
        var result = _processor.Handle(SetLimits(1, memoryMax: 500_000), _jobs, Node);
        Assert.Equal(Outcome.Refused, result.Outcome);
        Assert.Contains("would kill the job", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Handle_DeadlinePassed_RefusedExpired()
    {
        var command = SetLimits(1);
        command.Deadline = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddSeconds(-1));

        var result = _processor.Handle(command, _jobs, Node);

        Assert.Equal(Outcome.Refused, result.Outcome);
        Assert.StartsWith("expired", result.Reason, StringComparison.Ordinal);
        Assert.Equal(1UL, _processor.LastSequence);
    }

    [Fact]
    public void Handle_NotBeforeInFuture_SaysWhenItWouldApply()
    {
        var command = SetLimits(1);
        command.NotBefore = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddMinutes(5));
        command.Deadline = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddMinutes(10));

        var result = _processor.Handle(command, _jobs, Node);

        Assert.Equal(Outcome.DryRun, result.Outcome);
        Assert.StartsWith("scheduled for 2026-01-02T03:09:05", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Handle_NotBeforeAfterDeadline_Refused()
    {
        var command = SetLimits(1);
        command.NotBefore = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddMinutes(10));
        command.Deadline = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddMinutes(5));
        Assert.Contains("after the deadline", _processor.Handle(command, _jobs, Node).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Handle_InvalidTimestamp_RefusedNotThrown()
    {
        var command = SetLimits(1);
        command.Deadline = new Timestamp { Seconds = long.MaxValue };
        Assert.Equal(Outcome.Refused, _processor.Handle(command, _jobs, Node).Outcome);
    }

    [Fact]
    public void Handle_UnspecifiedKind_Refused()
    {
        var command = SetLimits(1);
        command.Kind = CommandKind.Unspecified;
        Assert.Contains("unknown command kind", _processor.Handle(command, _jobs, Node).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Handle_Release_ResetsAppliedState()
    {
        _processor.Handle(SetLimits(1, cores: 0.5), _jobs, Node);
        var release = new Command { CommandId = "r", Sequence = 2, JobId = "42", Kind = CommandKind.ReleaseJob };

        var result = _processor.Handle(release, _jobs, Node);

        Assert.Equal(Outcome.DryRun, result.Outcome);
        Assert.Contains("cpu.cfs_quota_us", result.Reason, StringComparison.Ordinal);
        Assert.Equal(JobLimits.None, _processor.AppliedLimits("42"));
    }

    [Fact]
    public void RetainJobs_ForgetsGoneJobs()
    {
        _processor.Handle(SetLimits(1, cores: 0.5), _jobs, Node);
        _processor.RetainJobs([]);
        Assert.Equal(JobLimits.None, _processor.AppliedLimits("42"));
    }
}
