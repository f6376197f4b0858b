using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Numerics;

namespace Prescient.Forecasting.Models;

/// <summary>
/// <c>vpa</c>: the Kubernetes Vertical Pod Autoscaler recommender's target, re-implemented as a rival
/// (kubernetes/autoscaler <c>vertical-pod-autoscaler/pkg/recommender</c>, default flags):
/// <list type="bullet">
/// <item>CPU (and, by the same rule, network and disk rates): every sample goes into a decaying histogram
/// (half-life 24 h, exponential buckets from 0.01 cores growing 5 %); target = 90th percentile (bucket end) × 1.15.</item>
/// <item>Memory: one peak per 24 h aggregation interval, the last 8 intervals kept (plus the current one), in a
/// histogram decaying with a 24 h half-life (buckets from 10 MB growing 5 %); target = 90th percentile × 1.15.</item>
/// <item>After an out-of-memory kill (<see cref="ObserveOutOfMemory"/>), the current interval's peak becomes at least
/// max(usage + 100 MiB, usage × 1.2).</item>
/// </list>
/// VPA recommends one value, so the target is written at every horizon and quantile. The sample weight is 1
/// (VPA weighs CPU samples by the container's request, which traces do not carry).
/// </summary>
public sealed class VpaForecaster : ForecasterBase
{
    /// <summary>Histogram half-life: 24 h.</summary>
    public const double HalfLifeSeconds = 86400;

    /// <summary>Target percentile: 0.9.</summary>
    public const double TargetPercentile = 0.9;

    /// <summary>Safety margin: 15 %.</summary>
    public const double SafetyMarginFraction = 0.15;

    /// <summary>Memory aggregation interval: 24 h.</summary>
    public const long MemoryIntervalSeconds = 86400;

    /// <summary>Memory aggregation intervals kept: 8.</summary>
    public const int MemoryIntervals = 8;

    /// <summary>OOM bump: at least usage + 100 MiB.</summary>
    public const double OomMinBumpBytes = 100.0 * 1024 * 1024;

    /// <summary>OOM bump: at least usage × 1.2.</summary>
    public const double OomBumpRatio = 1.2;

    private const int PeakSlots = MemoryIntervals + 1;

    private readonly DecayingHistogramSet _cpu = new(0.01, 1.05, 1e5, HalfLifeSeconds);
    private readonly DecayingHistogramSet _bytes = new(1e7, 1.05, 1e14, HalfLifeSeconds);
    private readonly DecayingHistogramSet _rates = new(1024, 1.05, 1e12, HalfLifeSeconds);
    private double[] _peak = [];
    private long[] _peakStart = [];
    private int[] _peakHead = [];

    /// <summary>Creates the model.</summary>
    public VpaForecaster(ForecastShape shape)
        : base("vpa", shape)
    {
    }

    /// <summary>Records an out-of-memory kill of <paramref name="series"/> (a memory series) at <paramref name="usageBytes"/>.</summary>
    public void ObserveOutOfMemory(int series, long timestampSeconds, double usageBytes)
    {
        var bumped = Math.Max(usageBytes + OomMinBumpBytes, usageBytes * OomBumpRatio);
        AddMemoryPeak(series, timestampSeconds, bumped);
    }

    /// <inheritdoc/>
    protected override void Grow(int capacity)
    {
        _cpu.Grow(capacity);
        _bytes.Grow(capacity);
        _rates.Grow(capacity);
        _peak = Grown(_peak, capacity * PeakSlots);
        _peakStart = Grown(_peakStart, capacity * PeakSlots);
        _peakHead = Grown(_peakHead, capacity);
    }

    /// <inheritdoc/>
    protected override void ResetOne(int series)
    {
        _cpu.Reset(series);
        _bytes.Reset(series);
        _rates.Reset(series);
        _peak.AsSpan(series * PeakSlots, PeakSlots).Fill(double.NaN);
        _peakStart.AsSpan(series * PeakSlots, PeakSlots).Fill(long.MinValue);
        _peakHead[series] = 0;
    }

    /// <inheritdoc/>
    protected override void ObserveOne(int series, long timestampSeconds, double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        switch (Resource[series])
        {
            case ResourceKind.Memory:
                AddMemoryPeak(series, timestampSeconds, value);
                break;
            case ResourceKind.Cpu:
                _cpu.Add(series, value, 1, timestampSeconds);
                break;
            default:
                _rates.Add(series, value, 1, timestampSeconds);
                break;
        }
    }

    /// <inheritdoc/>
    protected override void ForecastOne(int series, Span<double> destination)
    {
        var target = Resource[series] switch
        {
            ResourceKind.Memory => MemoryTarget(series),
            ResourceKind.Cpu => _cpu.Percentile(series, TargetPercentile),
            _ => _rates.Percentile(series, TargetPercentile),
        } * (1 + SafetyMarginFraction);
        destination.Fill(target);
    }

    private void AddMemoryPeak(int series, long t, double value)
    {
        var baseIndex = series * PeakSlots;
        var head = _peakHead[series];
        var start = t - (t % MemoryIntervalSeconds);
        if (_peakStart[baseIndex + head] != start)
        {
            if (_peakStart[baseIndex + head] != long.MinValue)
            {
                head = (head + 1) % PeakSlots;
                _peakHead[series] = head;
            }

            _peakStart[baseIndex + head] = start;
            _peak[baseIndex + head] = value;
            return;
        }

        ref var p = ref _peak[baseIndex + head];
        p = Math.Max(p, value);
    }

    private double MemoryTarget(int series)
    {
        // Rebuild the decayed peak histogram from the 8 kept intervals plus the current one: VPA keeps the same
        // content incrementally (it subtracts the old peak of the current interval before adding the new one).
        var baseIndex = series * PeakSlots;
        _bytes.Reset(series);
        for (var k = 0; k < PeakSlots; k++)
        {
            if (_peakStart[baseIndex + k] != long.MinValue)
            {
                _bytes.Add(series, _peak[baseIndex + k], 1, _peakStart[baseIndex + k]);
            }
        }

        return _bytes.Percentile(series, TargetPercentile);
    }
}
