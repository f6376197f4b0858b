using Microsoft.Extensions.Time.Testing;
using Prescient.Host.State;

namespace Prescient.Host.Tests;

public sealed class CommandLogTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    [Fact]
    public void Unanswered_PastTheTimeout_ExpiredAndNoLongerPending()
    {
        var log = new CommandLog(_time, pendingTimeout: TimeSpan.FromMinutes(2));
        log.Sent("c1", "n1", "j1", CommandKindInfo.SetLimits, "r");
        _time.Advance(TimeSpan.FromSeconds(119));
        log.ExpireStale();
        Assert.True(log.HasPending("j1", CommandKindInfo.SetLimits));
        _time.Advance(TimeSpan.FromSeconds(2));
        log.ExpireStale();
        Assert.False(log.HasPending("j1", CommandKindInfo.SetLimits));
        Assert.Equal(0, log.PendingCount);
        Assert.Equal(1UL, log.Counters().Expired);

        // A late answer is refused as unknown and counts nothing.
        Assert.False(log.Completed("c1", "n1", CommandOutcome.Applied, ""));
        Assert.Equal(0UL, log.Counters().Applied);
    }

    [Fact]
    public void OneLostAnswer_DoesNotHoldBackTheQueue_LaterAnswersStillCount()
    {
        var log = new CommandLog(_time, pendingTimeout: TimeSpan.FromMinutes(2));
        log.Sent("lost", "n1", "j0", CommandKindInfo.SetLimits, "r");
        for (var i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            log.Sent("c" + i, "n1", "j" + (i + 1), CommandKindInfo.SetLimits, "r");
            Assert.True(log.Completed("c" + i, "n1", CommandOutcome.Applied, ""));
        }

        Assert.Equal(0, log.PendingCount);
        var counters = log.Counters();
        Assert.Equal(1001UL, counters.Sent);
        Assert.Equal(1000UL, counters.Applied);
        Assert.Equal(1UL, counters.Expired);
        Assert.Equal(1000, log.RoundTrip(false).Count);
    }

    [Fact]
    public void Answered_BeforeTheTimeout_NeverExpires()
    {
        var log = new CommandLog(_time, pendingTimeout: TimeSpan.FromMinutes(2));
        log.Sent("c1", "n1", "j1", CommandKindInfo.SetLimits, "r");
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(log.Completed("c1", "n1", CommandOutcome.DryRun, ""));
        _time.Advance(TimeSpan.FromMinutes(5));
        log.ExpireStale();
        Assert.Equal(0UL, log.Counters().Expired);
        Assert.Equal(1UL, log.Counters().DryRun);
    }
}
