using Microsoft.Extensions.Time.Testing;
using Prescient.Abstractions.Telemetry;
using Prescient.Host.State;

namespace Prescient.Host.Tests;

public sealed class ClusterStateTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private readonly EngineOptions _options = new() { SamplesPerSeries = 16, MaxSeries = 10 };

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private (ClusterState State, long Session) Registered(string node = "n1")
    {
        var state = new ClusterState(_options, _time);
        var registration = state.RegisterAgent(TestData.Hello(node));
        Assert.Null(registration.Error);
        return (state, registration.SessionId);
    }

    private static ulong Rejections(ClusterState state, string reason) =>
        state.Snapshot(false, new CommandLog(TimeProvider.System)).Rejections.FirstOrDefault(r => r.Key == reason).Value;

    [Fact]
    public void IngestTelemetry_ValidBatch_StoresNodeAndJobs()
    {
        var (state, session) = Registered();
        var result = state.IngestTelemetry("n1", session, TestData.Reading(Now), [(TestData.Job("7"), TestData.Reading(Now, cpu: 1.5))]);
        Assert.Equal(new IngestResult(2, 0), result);

        var snapshot = state.Snapshot(true, new CommandLog(_time));
        Assert.Equal(1.5, snapshot.Jobs.Single().Latest!.Values[(int)ResourceKind.Cpu]);
        Assert.Equal("n1", snapshot.Jobs.Single().NodeName);
        Assert.Equal(2UL, snapshot.TelemetrySamplesAccepted);
    }

    [Theory]
    [InlineData(double.NaN, RejectionReasons.NonFiniteValue)]
    [InlineData(double.PositiveInfinity, RejectionReasons.NonFiniteValue)]
    [InlineData(-0.5, RejectionReasons.NegativeValue)]
    [InlineData(1e300, RejectionReasons.NonFiniteValue)]
    public void IngestTelemetry_BadValue_DroppedCountedAndOthersKept(double cpu, string reason)
    {
        var (state, session) = Registered();
        state.IngestTelemetry("n1", session, null, [(TestData.Job("1"), TestData.Reading(Now - 1000, cpu: 2))]);

        var result = state.IngestTelemetry("n1", session, null,
            [(TestData.Job("1"), TestData.Reading(Now, cpu: cpu)), (TestData.Job("2"), TestData.Reading(Now, cpu: 1))]);

        Assert.Equal(new IngestResult(1, 1), result);
        Assert.Equal(1UL, Rejections(state, reason));
        var jobs = state.Snapshot(true, new CommandLog(_time)).Jobs;
        Assert.Equal(2, jobs.Single(j => j.Identity.JobId == "1").Latest!.Values[(int)ResourceKind.Cpu]);
        Assert.Equal(1, jobs.Single(j => j.Identity.JobId == "2").Latest!.Values[(int)ResourceKind.Cpu]);
    }

    [Fact]
    public void IngestTelemetry_ApiCallsMinusOne_MeansNotReportedAndIsAccepted()
    {
        var (state, session) = Registered();
        Assert.Equal(new IngestResult(1, 0), state.IngestTelemetry("n1", session, TestData.Reading(Now, apiCalls: -1), []));
        Assert.Equal(new IngestResult(0, 1), state.IngestTelemetry("n1", session, TestData.Reading(Now + 1, apiCalls: -2), []));
    }

    [Fact]
    public void IngestTelemetry_TimestampsOutsideWindow_AreRefused()
    {
        var (state, session) = Registered();
        var future = TestData.Reading(Now + ((_options.MaxClockSkewSeconds + 5) * 1000L));
        var past = TestData.Reading(Now - ((_options.MaxSampleAgeSeconds + 5) * 1000L));
        var missing = TestData.Reading(0);

        Assert.Equal(new IngestResult(0, 3), state.IngestTelemetry("n1", session, future, [(TestData.Job("a"), past), (TestData.Job("b"), missing)]));
        Assert.Equal(1UL, Rejections(state, RejectionReasons.TimestampInFuture));
        Assert.Equal(1UL, Rejections(state, RejectionReasons.TimestampTooOld));
        Assert.Equal(1UL, Rejections(state, RejectionReasons.MissingTimestamp));
    }

    [Fact]
    public void IngestTelemetry_DuplicateTimestamp_IsCountedNotStored()
    {
        var (state, session) = Registered();
        state.IngestTelemetry("n1", session, TestData.Reading(Now, cpu: 1), []);
        var result = state.IngestTelemetry("n1", session, TestData.Reading(Now, cpu: 7), []);
        Assert.Equal(new IngestResult(0, 1), result);
        Assert.Equal(1UL, Rejections(state, RejectionReasons.DuplicateOrOutOfOrder));
        Assert.Equal(1, state.Snapshot(false, new CommandLog(_time)).Nodes.Single().Latest!.Values[0]);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("job 1")]
    [InlineData("")]
    [InlineData("-rf")]
    [InlineData("job\u0000x")]
    public void IngestTelemetry_HostileJobName_IsRefused(string jobId)
    {
        var (state, session) = Registered();
        var result = state.IngestTelemetry("n1", session, null, [(TestData.Job(jobId), TestData.Reading(Now))]);
        Assert.Equal(new IngestResult(0, 1), result);
        Assert.Empty(state.Snapshot(true, new CommandLog(_time)).Jobs);
    }

    [Fact]
    public void IngestTelemetry_WrongSession_IsRefusedAsMissingHello()
    {
        var (state, session) = Registered();
        Assert.Equal(new IngestResult(0, 1), state.IngestTelemetry("n1", session + 1, TestData.Reading(Now), []));
        Assert.Equal(new IngestResult(0, 1), state.IngestTelemetry("ghost", 1, TestData.Reading(Now), []));
        Assert.Equal(2UL, Rejections(state, RejectionReasons.MissingHello));
    }

    [Fact]
    public void IngestTelemetry_PastSeriesLimit_RefusesNewSeriesKeepsOld()
    {
        var (state, session) = Registered();
        var jobs = Enumerable.Range(0, 20).Select(i => (TestData.Job($"j{i}"), TestData.Reading(Now))).ToList();
        var result = state.IngestTelemetry("n1", session, null, jobs);
        Assert.Equal(_options.MaxSeries - 1, result.Accepted);
        Assert.Equal(20 - (_options.MaxSeries - 1), (int)Rejections(state, RejectionReasons.SeriesLimit));
    }

    [Fact]
    public void RegisterAgent_DuplicateLiveNodeName_IsRefused()
    {
        var (state, _) = Registered();
        var second = state.RegisterAgent(TestData.Hello("n1"));
        Assert.NotNull(second.Error);
        Assert.Contains("already held", second.Error);
        Assert.Equal(1UL, Rejections(state, RejectionReasons.DuplicateNodeName));
    }

    [Fact]
    public void RegisterAgent_AfterSilenceOrDisconnect_TakesOver()
    {
        var (state, session) = Registered();
        state.DisconnectAgent("n1", session);
        var again = state.RegisterAgent(TestData.Hello("n1"));
        Assert.Null(again.Error);

        _time.Advance(TimeSpan.FromSeconds(_options.AgentSilenceSeconds + 1));
        Assert.Null(state.RegisterAgent(TestData.Hello("n1")).Error);
    }

    [Fact]
    public void RegisterAgent_ReportedAppliedLimits_AreResyncedAndSequenceKept()
    {
        var state = new ClusterState(_options, _time);
        var limits = LimitsInfo.None with { CpuQuotaCores = 2, MemoryMaxBytes = 1 << 30 };
        var hello = TestData.Hello("n1", new ManagedJobInfo(TestData.Job("42"), limits, "slurm_n1/uid_0/job_42")) with { LastCommandSequence = 17 };
        var registration = state.RegisterAgent(hello);
        Assert.Equal(17UL, registration.LastCommandSequence);
        Assert.Equal(18UL, state.NextCommandSequence("n1"));
        Assert.Equal(limits, state.Snapshot(true, new CommandLog(_time)).Jobs.Single().Applied);
    }

    [Fact]
    public void JobEnded_UnknownJob_ReturnsFalseAndCounts()
    {
        var state = new ClusterState(_options, _time);
        Assert.False(state.JobEnded("nope"));
        Assert.Equal(1UL, Rejections(state, RejectionReasons.UnknownJob));
    }

    [Fact]
    public void JobStarted_Repeat_IsIdempotentAndRemovesFromQueue()
    {
        var state = new ClusterState(_options, _time);
        var request = new ResourceRequestInfo(4, 1 << 30, 0, 1, 3600);
        state.ReplaceQueue([new PendingJobInfo(TestData.Job("5"), request, Now, 0, [])]);
        Assert.False(state.JobStarted(TestData.Job("5"), ["n1"], request, Now, []));
        Assert.True(state.JobStarted(TestData.Job("5"), ["n1"], request, Now, []));
        Assert.Empty(state.PendingJobs());
        Assert.Equal("scheduler", state.Snapshot(true, new CommandLog(_time)).Jobs.Single().Source);
    }

    [Fact]
    public void MembersOf_User_ListsThatUsersJobsOnly()
    {
        var (state, session) = Registered();
        state.IngestTelemetry("n1", session, null,
            [(TestData.Job("1", user: "alice"), TestData.Reading(Now)), (TestData.Job("2", user: "bob"), TestData.Reading(Now)), (TestData.Job("3", user: "alice"), TestData.Reading(Now))]);
        Assert.Equal(["1", "3"], state.MembersOf(EntityKind.User, "alice").Select(m => m.Name));
        Assert.Equal(["n1"], state.MembersOf(EntityKind.System, "").Select(m => m.Name));
    }
}
