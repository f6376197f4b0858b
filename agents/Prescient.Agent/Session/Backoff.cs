namespace Prescient.Agent.Session;

/// <summary>Reconnect delays: exponential from an initial delay up to a cap, with "equal jitter".</summary>
public static class Backoff
{
    /// <summary>
    /// Delay before attempt <paramref name="attempt"/> (1 = first retry): d = min(cap, initial·2^(attempt−1)),
    /// then uniformly in [d/2, d], so agents restarted together do not reconnect in lockstep.
    /// </summary>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan cap, Random random)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var seconds = Math.Min(cap.TotalSeconds, initial.TotalSeconds * Math.Pow(2, exponent));
        return TimeSpan.FromSeconds(seconds / 2 + random.NextDouble() * seconds / 2);
    }
}
