using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Series;

namespace Prescient.Forecasting.Tests;

public sealed class SeriesStoreTests
{
    private static readonly SeriesKey Key = new(EntityKind.Node, "n1", ResourceKind.Cpu);

    [Fact]
    public void Record_TwoBuckets_PushesMeanOfFinishedBucket()
    {
        var store = new SeriesStore(new SeriesStoreOptions { Tiers = [new(10, 4), new(60, 4)] });
        var s = store.GetOrAdd(Key);
        store.Record(s, 1000, 1, out _);
        store.Record(s, 1005, 3, out _);
        Assert.Equal(IngestStatus.Accepted, store.Record(s, 1010, 7, out var completed));
        Assert.Equal(1, completed);
        Assert.Equal(2f, store.Latest(s, 0));
        Assert.Equal(0, store.Length(s, 1));
    }

    [Fact]
    public void Record_Gap_FillsNaNAndKeepsGrid()
    {
        var store = new SeriesStore(new SeriesStoreOptions { Tiers = [new(10, 8)] });
        var s = store.GetOrAdd(Key);
        store.Record(s, 0, 1, out _);
        store.Record(s, 40, 2, out _);
        store.Record(s, 50, 3, out _);
        var values = new float[8];
        var n = store.CopyTier(s, 0, values);
        Assert.Equal(5, n);
        Assert.Equal(1f, values[0]);
        Assert.True(float.IsNaN(values[1]) && float.IsNaN(values[2]) && float.IsNaN(values[3]));
        Assert.Equal(2f, values[4]);
    }

    [Fact]
    public void Record_BadSamples_DroppedAndCounted()
    {
        var store = new SeriesStore(new SeriesStoreOptions { Tiers = [new(10, 8)] });
        var s = store.GetOrAdd(Key);
        Assert.Equal(IngestStatus.Accepted, store.Record(s, 100, 1, out _));
        Assert.Equal(IngestStatus.DuplicateTimestamp, store.Record(s, 100, 9, out _));
        Assert.Equal(IngestStatus.OutOfOrder, store.Record(s, 90, 9, out _));
        Assert.Equal(IngestStatus.InvalidValue, store.Record(s, 101, double.NaN, out _));
        Assert.Equal(IngestStatus.InvalidValue, store.Record(s, 102, -1, out _));
        Assert.Equal(IngestStatus.InvalidValue, store.Record(s, 103, double.PositiveInfinity, out _));
        Assert.Equal(1, store.Dropped(IngestStatus.DuplicateTimestamp));
        Assert.Equal(1, store.Dropped(IngestStatus.OutOfOrder));
        Assert.Equal(3, store.Dropped(IngestStatus.InvalidValue));
        store.Record(s, 110, 5, out _);
        Assert.Equal(1f, store.Latest(s, 0));
    }

    [Fact]
    public void Record_CounterWithReset_RatesAndNoNegativeRate()
    {
        var store = new SeriesStore(new SeriesStoreOptions { Tiers = [new(10, 8)] });
        var s = store.GetOrAdd(Key with { Resource = ResourceKind.NetTx }, kind: SampleKind.Counter);
        Assert.Equal(IngestStatus.CounterBaseline, store.Record(s, 0, 1000, out _));
        Assert.Equal(IngestStatus.Accepted, store.Record(s, 10, 2000, out _));
        Assert.Equal(IngestStatus.CounterReset, store.Record(s, 20, 50, out _));
        Assert.Equal(IngestStatus.Accepted, store.Record(s, 30, 150, out _));
        Assert.Equal(IngestStatus.Accepted, store.Record(s, 40, 250, out _));
        var values = new float[8];
        var n = store.CopyTier(s, 0, values);
        // Buckets: [0,10) baseline only, [10,20) 100/s, [20,30) the reset (no rate), [30,40) 10/s.
        Assert.Equal(3, n);
        Assert.Equal(100f, values[0]);
        Assert.True(float.IsNaN(values[1]));
        Assert.Equal(10f, values[2]);
    }

    [Fact]
    public void Record_ManySamples_MemoryBounded()
    {
        var store = new SeriesStore(new SeriesStoreOptions { Tiers = [new(10, 6)] });
        var s = store.GetOrAdd(Key);
        for (var t = 0; t < 1000; t++)
        {
            store.Record(s, t * 10L, t, out _);
        }

        Assert.Equal(6, store.Length(s, 0));
        Assert.Equal(998f, store.Latest(s, 0));
        Assert.Equal(24, new SeriesStoreOptions { Tiers = [new(10, 6)] }.BytesPerSeries);
    }
}
