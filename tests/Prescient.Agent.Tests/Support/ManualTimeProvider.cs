namespace Prescient.Agent.Tests.Support;

/// <summary>Time that moves only when a test advances it; timestamps in ticks of 1 ns.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private long _timestamp = 1_000_000_000;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _timestamp;

    public override long TimestampFrequency => 1_000_000_000;

    public void Advance(TimeSpan by)
    {
        _now += by;
        _timestamp += (long)(by.TotalSeconds * 1_000_000_000);
    }
}
