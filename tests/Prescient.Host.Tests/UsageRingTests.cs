using Prescient.Abstractions.Telemetry;
using Prescient.Host.State;

namespace Prescient.Host.Tests;

public sealed class UsageRingTests
{
    private static float[] Values(float cpu) => [cpu, 100, 0, 0, 0, 0, -1];

    [Fact]
    public void TryAppend_PastCapacity_KeepsNewestInOrder()
    {
        var ring = new UsageRing(3);
        for (var i = 1; i <= 5; i++)
        {
            Assert.True(ring.TryAppend(i * 1000, Values(i)));
        }

        Assert.Equal(3, ring.Count);
        Assert.Equal(5, ring.TotalAppended);
        Assert.Equal([3000L, 4000L, 5000L], Enumerable.Range(0, 3).Select(ring.TimeAt));
        Assert.Equal([3f, 4f, 5f], Enumerable.Range(0, 3).Select(i => ring.ValueAt(i, ResourceKind.Cpu)));
        Assert.Equal(5000, ring.LatestUnixMilliseconds);
    }

    [Fact]
    public void TryAppend_DuplicateOrOlderTimestamp_IsRefusedAndStoresNothing()
    {
        var ring = new UsageRing(4);
        Assert.True(ring.TryAppend(2000, Values(1)));
        Assert.False(ring.TryAppend(2000, Values(9)));
        Assert.False(ring.TryAppend(1000, Values(9)));
        Assert.Equal(1, ring.Count);
        Assert.Equal(1f, ring.ValueAt(0, ResourceKind.Cpu));
    }

    [Fact]
    public void CopySeries_ShortDestination_CopiesNewest()
    {
        var ring = new UsageRing(8);
        for (var i = 1; i <= 6; i++)
        {
            ring.TryAppend(i, Values(i * 10));
        }

        Span<long> t = stackalloc long[2];
        Span<float> v = stackalloc float[2];
        Assert.Equal(2, ring.CopySeries(ResourceKind.Cpu, t, v));
        Assert.Equal(5, t[0]);
        Assert.Equal(60f, v[1]);
    }

    [Fact]
    public void ValueAt_OutOfRange_Throws()
    {
        var ring = new UsageRing(2);
        ring.TryAppend(1, Values(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.ValueAt(1, ResourceKind.Cpu));
    }

    [Fact]
    public void BytesPerSample_MatchesDocumentedLayout()
    {
        Assert.Equal(8 + (7 * 4), UsageRing.BytesPerSample);
    }
}
