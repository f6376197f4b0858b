using Prescient.Agent.Session;

namespace Prescient.Agent.Tests.Session;

public sealed class BackoffTests
{
    [Fact]
    public void Delay_GrowsExponentiallyWithinJitterBoundsAndCaps()
    {
        var random = new Random(7);
        var initial = TimeSpan.FromSeconds(0.5);
        var cap = TimeSpan.FromSeconds(30);
        for (var attempt = 1; attempt <= 40; attempt++)
        {
            var nominal = Math.Min(30, 0.5 * Math.Pow(2, attempt - 1));
            var delay = Backoff.Delay(attempt, initial, cap, random).TotalSeconds;
            Assert.InRange(delay, nominal / 2, nominal);
        }
    }

    [Fact]
    public void Delay_SameSeed_SameSequence()
    {
        var a = Enumerable.Range(1, 5).Select(i => Backoff.Delay(i, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(3))).ToList();
        var b = Enumerable.Range(1, 5).Select(i => Backoff.Delay(i, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(3))).ToList();
        Assert.Equal(a, b);
    }
}
