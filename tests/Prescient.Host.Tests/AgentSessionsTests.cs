using Microsoft.Extensions.Time.Testing;
using Prescient.Host.Agents;
using Prescient.Host.State;

namespace Prescient.Host.Tests;

public sealed class AgentSessionsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    [Fact]
    public void TrySend_AnsweredAsSoonAsQueued_KnownToTheLog()
    {
        // The command is in the log when it reaches the queue: an agent that answers before TrySend returns finds it.
        var (sessions, log, reader) = Attached();
        var command = sessions.TrySend("n1", "j1", CommandKindInfo.SetLimits, Limits(), [], TimeSpan.Zero, TimeSpan.FromMinutes(1), "test");
        Assert.NotNull(command);
        Assert.True(reader.TryRead(out var queued));
        Assert.Equal(command.CommandId, queued.CommandId);
        Assert.True(log.Completed(queued.CommandId, "n1", CommandOutcome.Applied, ""));
        Assert.Equal(1UL, log.Counters().Sent);
    }

    [Fact]
    public void TrySend_QueueFull_NotSentAndNotPending()
    {
        var (sessions, log, _) = Attached();
        for (var i = 0; i < AgentSessions.QueueCapacity; i++)
        {
            Assert.NotNull(sessions.TrySend("n1", "j" + i, CommandKindInfo.SetLimits, Limits(), [], TimeSpan.Zero, TimeSpan.FromMinutes(1), "test"));
        }

        Assert.Null(sessions.TrySend("n1", "late", CommandKindInfo.SetLimits, Limits(), [], TimeSpan.Zero, TimeSpan.FromMinutes(1), "test"));
        Assert.False(log.HasPending("late", CommandKindInfo.SetLimits));
        Assert.Equal((ulong)AgentSessions.QueueCapacity, log.Counters().Sent);
        Assert.Equal(AgentSessions.QueueCapacity, log.PendingCount);
    }

    [Fact]
    public void Withdraw_SentCommand_NoLongerPendingNorCounted()
    {
        var log = new CommandLog(_time);
        log.Sent("c1", "n1", "j1", CommandKindInfo.SetLimits, "r");
        log.Withdraw("c1");
        Assert.False(log.HasPending("j1", CommandKindInfo.SetLimits));
        Assert.Equal(0, log.PendingCount);
        Assert.Equal(0UL, log.Counters().Sent);
        Assert.False(log.Completed("c1", "n1", CommandOutcome.Applied, ""));
        log.Withdraw("never-sent");
        Assert.Equal(0UL, log.Counters().Sent);
    }

    private (AgentSessions Sessions, CommandLog Log, System.Threading.Channels.ChannelReader<OutgoingCommand> Reader) Attached()
    {
        var state = new ClusterState(new EngineOptions(), _time);
        var registration = state.RegisterAgent(TestData.Hello("n1"));
        Assert.Null(registration.Error);
        var log = new CommandLog(_time);
        var sessions = new AgentSessions(state, log, _time);
        var reader = sessions.Attach("n1", registration.SessionId);
        return (sessions, log, reader);
    }

    private static LimitsInfo Limits() => LimitsInfo.None;
}
