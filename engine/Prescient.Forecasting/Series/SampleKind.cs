namespace Prescient.Forecasting.Series;

/// <summary>How raw samples of a series are to be read.</summary>
public enum SampleKind
{
    /// <summary>Each sample is the current value (usage in cores, bytes, bytes/s).</summary>
    Gauge = 0,

    /// <summary>Each sample is a cumulative counter (bytes sent, CPU-seconds); the store keeps its rate per second. A decrease is a counter reset.</summary>
    Counter = 1,
}
