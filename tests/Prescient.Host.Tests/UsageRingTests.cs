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
    public void TryAppend_UnchangingResource_CostsNothingUntilItsFirstChange()
    {
        var ring = new UsageRing(4);
        float[] Reading(float cpu, float rx, float api) => [cpu, 100, rx, 0, 0, 0, api];
        for (var i = 1; i <= 6; i++)
        {
            // CPU changes every sample; memory stays 100, rx 0 until the sixth, the API rate NaN ("not reported").
            Assert.True(ring.TryAppend(i * 1000, Reading(i, i == 6 ? 7.5f : 0, float.NaN)));
        }

        // Timestamps (4-byte offsets), CPU, and (from the sixth sample on) rx: 4 × (4 + 4 + 4) bytes.
        Assert.Equal(4 * (4 + 4 + 4), ring.BytesHeld);
        Assert.Equal([3f, 4f, 5f, 6f], Enumerable.Range(0, 4).Select(i => ring.ValueAt(i, ResourceKind.Cpu)));
        Assert.Equal([100f, 100f, 100f, 100f], Enumerable.Range(0, 4).Select(i => ring.ValueAt(i, ResourceKind.Memory)));
        Assert.Equal([0f, 0f, 0f, 7.5f], Enumerable.Range(0, 4).Select(i => ring.ValueAt(i, ResourceKind.NetRx)));
        Assert.True(float.IsNaN(ring.ValueAt(3, ResourceKind.ApiCalls)));

        // Past the change the column keeps every reading, and wraps like the others.
        for (var i = 7; i <= 9; i++)
        {
            Assert.True(ring.TryAppend(i * 1000, Reading(i, 0, 2)));
        }

        Assert.Equal([7.5f, 0f, 0f, 0f], Enumerable.Range(0, 4).Select(i => ring.ValueAt(i, ResourceKind.NetRx)));
        Assert.Equal(float.NaN, ring.ValueAt(0, ResourceKind.ApiCalls));
        Assert.Equal(2f, ring.ValueAt(3, ResourceKind.ApiCalls));
        Assert.Equal(4 * (4 + 4 + 4 + 4), ring.BytesHeld);
        Assert.True(ring.BytesHeld <= ring.Capacity * UsageRing.BytesPerSample);
    }

    [Fact]
    public void TryAppend_TimestampsBeyondAnIntOfMilliseconds_RebasedThenWidenedAndExact()
    {
        // A full ring of samples a day apart: every 25th day the offsets pass an int's range and the base moves up to
        // the oldest sample held; every time read back is exact.
        const long Day = 86_400_000;
        var start = 1_700_000_000_000L;
        var ring = new UsageRing(3);
        float[] values = [1, 2, 0, 0, 0, 0, float.NaN];
        for (var i = 0; i < 60; i++)
        {
            Assert.True(ring.TryAppend(start + (i * Day), values));
            var held = Math.Min(i + 1, 3);
            Assert.Equal(held, ring.Count);
            for (var k = 0; k < held; k++)
            {
                Assert.Equal(start + ((i - held + 1 + k) * Day), ring.TimeAt(k));
            }

            Assert.Equal(start + (i * Day), ring.LatestUnixMilliseconds);
        }

        // The readings never change: the timestamps are all the ring holds.
        Assert.Equal(3 * 4, ring.BytesHeld);
        Assert.False(ring.TryAppend(start + (59 * Day), values));

        // Samples held that span more than an int's range of milliseconds: 8-byte timestamps from then on, still exact.
        var far = start + (59 * Day) + (30 * Day);
        Assert.True(ring.TryAppend(far, values));
        Assert.Equal(3 * 8, ring.BytesHeld);
        Assert.Equal([start + (58 * Day), start + (59 * Day), far], Enumerable.Range(0, 3).Select(ring.TimeAt));
        Assert.True(ring.TryAppend(far + 1, values));
        Assert.Equal([start + (59 * Day), far, far + 1], Enumerable.Range(0, 3).Select(ring.TimeAt));

        // A ring of one sample moves its base to each new sample, however far.
        var single = new UsageRing(1);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(single.TryAppend(start + (i * 30 * Day), values));
            Assert.Equal(start + (i * 30 * Day), single.TimeAt(0));
        }

        Assert.Equal(4, single.BytesHeld);

        // A ring not yet full whose first and newest samples are too far apart widens at once.
        var young = new UsageRing(5);
        Assert.True(young.TryAppend(start, values));
        Assert.True(young.TryAppend(start + (40 * Day), values));
        Assert.Equal([start, start + (40 * Day)], Enumerable.Range(0, 2).Select(young.TimeAt));
        Assert.Equal(5 * 8, young.BytesHeld);
    }

    [Fact]
    public void BytesPerSample_MatchesDocumentedLayout()
    {
        Assert.Equal(8 + (7 * 4), UsageRing.BytesPerSample);
    }
}
