namespace Prescient.Forecasting.Series;

/// <summary>What <see cref="SeriesStore.Record"/> did with a sample.</summary>
public enum IngestStatus
{
    /// <summary>Stored.</summary>
    Accepted = 0,

    /// <summary>NaN, infinite or negative: dropped.</summary>
    InvalidValue = 1,

    /// <summary>Same timestamp as the previous sample: dropped (the first one wins).</summary>
    DuplicateTimestamp = 2,

    /// <summary>Older than the previous sample: dropped.</summary>
    OutOfOrder = 3,

    /// <summary>A counter went down (restart): no rate for this interval; the new value is the new baseline.</summary>
    CounterReset = 4,

    /// <summary>The first sample of a counter: it only sets the baseline.</summary>
    CounterBaseline = 5,
}
