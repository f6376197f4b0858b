namespace Prescient.Forecasting.Numerics;

/// <summary>
/// One exponentially decaying histogram per series with exponential buckets, as in the Kubernetes VPA
/// recommender (<c>pkg/recommender/util/decaying_histogram.go</c>, <c>histogram_options.go</c>): bucket b starts
/// at <c>first · (ratio^b − 1)/(ratio − 1)</c>; a sample at time t adds <c>weight · 2^((t − ref)/halfLife)</c>,
/// so older samples count exponentially less; the reference time moves forward (rescaling every weight) before
/// the factor overflows. <see cref="Percentile"/> returns the end of the bucket where the cumulative weight first
/// reaches the percentile, like VPA. Memory: buckets × 8 bytes per series.
/// </summary>
public sealed class DecayingHistogramSet
{
    private const double MaxDecayExponent = 100;

    private readonly double _first;
    private readonly double _ratio;
    private readonly double _halfLifeSeconds;
    private double[] _weights = [];
    private double[] _total = [];
    private long[] _reference = [];
    private int[] _minBucket = [];
    private int[] _maxBucket = [];

    /// <summary>Creates histograms with <paramref name="firstBucketSize"/>, growth <paramref name="ratio"/> and range up to <paramref name="maxValue"/>.</summary>
    public DecayingHistogramSet(double firstBucketSize, double ratio, double maxValue, double halfLifeSeconds)
    {
        _first = firstBucketSize;
        _ratio = ratio;
        _halfLifeSeconds = halfLifeSeconds;
        Buckets = (int)Math.Ceiling(Math.Log((maxValue * (ratio - 1) / firstBucketSize) + 1) / Math.Log(ratio)) + 1;
    }

    /// <summary>Buckets per histogram.</summary>
    public int Buckets { get; }

    /// <summary>Grows to <paramref name="capacity"/> series.</summary>
    public void Grow(int capacity)
    {
        Array.Resize(ref _weights, checked(capacity * Buckets));
        Array.Resize(ref _total, capacity);
        Array.Resize(ref _reference, capacity);
        Array.Resize(ref _minBucket, capacity);
        Array.Resize(ref _maxBucket, capacity);
    }

    /// <summary>Empties the histogram of series <paramref name="s"/>.</summary>
    public void Reset(int s)
    {
        _weights.AsSpan(s * Buckets, Buckets).Clear();
        _total[s] = 0;
        _reference[s] = long.MinValue;
        _minBucket[s] = Buckets;
        _maxBucket[s] = -1;
    }

    /// <summary>True when series <paramref name="s"/> holds no weight.</summary>
    public bool IsEmpty(int s) => _total[s] <= 0;

    /// <summary>Start of bucket <paramref name="b"/>.</summary>
    public double BucketStart(int b) => _first * (Math.Pow(_ratio, b) - 1) / (_ratio - 1);

    /// <summary>The bucket holding <paramref name="value"/>.</summary>
    public int FindBucket(double value)
    {
        if (value < _first)
        {
            return 0;
        }

        var b = (int)(Math.Log((value * (_ratio - 1) / _first) + 1) / Math.Log(_ratio));
        return Math.Min(b, Buckets - 1);
    }

    /// <summary>Adds <paramref name="value"/> with <paramref name="weight"/> at <paramref name="timeSeconds"/>.</summary>
    public void Add(int s, double value, double weight, long timeSeconds) => Shift(s, FindBucket(value), weight * Factor(s, timeSeconds));

    /// <summary>Removes a sample added earlier with the same value, weight and time (VPA's SubtractSample); weights never go below 0.</summary>
    public void Subtract(int s, double value, double weight, long timeSeconds) => Shift(s, FindBucket(value), -weight * Factor(s, timeSeconds));

    /// <summary>The end of the bucket where the cumulative weight reaches <paramref name="percentile"/> of the total; 0 when empty.</summary>
    public double Percentile(int s, double percentile)
    {
        if (_total[s] <= 0)
        {
            return 0;
        }

        var threshold = percentile * _total[s];
        var sum = 0.0;
        var row = _weights.AsSpan(s * Buckets, Buckets);
        var b = _minBucket[s];
        for (; b < _maxBucket[s]; b++)
        {
            sum += row[b];
            if (sum >= threshold)
            {
                break;
            }
        }

        return b < Buckets - 1 ? BucketStart(b + 1) : BucketStart(b);
    }

    /// <summary>Weighted mean of bucket midpoints (used by the autopilot weighted-average recommender only as a fallback).</summary>
    public double TotalWeight(int s) => _total[s];

    private double Factor(int s, long t)
    {
        if (_reference[s] == long.MinValue)
        {
            _reference[s] = t;
        }

        var exponent = (t - _reference[s]) / _halfLifeSeconds;
        if (exponent > MaxDecayExponent)
        {
            // Move the reference to now: every stored weight shrinks by 2^-exponent (VPA's shiftReferenceTimestamp).
            var scale = Math.Pow(2, -exponent);
            var row = _weights.AsSpan(s * Buckets, Buckets);
            for (var b = 0; b < row.Length; b++)
            {
                row[b] *= scale;
            }

            _total[s] *= scale;
            _reference[s] = t;
            exponent = 0;
        }

        return Math.Pow(2, exponent);
    }

    private void Shift(int s, int bucket, double delta)
    {
        ref var w = ref _weights[(s * Buckets) + bucket];
        var before = w;
        w = Math.Max(0, w + delta);
        _total[s] = Math.Max(0, _total[s] + (w - before));
        if (w > 0)
        {
            _minBucket[s] = Math.Min(_minBucket[s], bucket);
            _maxBucket[s] = Math.Max(_maxBucket[s], bucket);
        }
    }
}
