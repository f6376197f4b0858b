namespace Prescient.Forecasting.Models;

/// <summary>
/// The most recent <see cref="Length"/> steps of each series (float, NaN for missing), struct-of-arrays.
/// <see cref="Lag"/>(s, 0) is the latest value.
/// <para>
/// Exact (bucket = 1): a ring of every value, <see cref="Length"/> × 4 bytes per series. Two-tier (bucket B &gt; 1):
/// the last max(exact, B) values exactly, and older ones as the means of aligned buckets of B steps (NaN where a
/// bucket had no valid value): ⌈Length ÷ B⌉ + 1 buckets, so a day of one-minute steps in 15-minute buckets costs
/// 97 values instead of 1,440. Seasonal models look a day or a week back, where a bucket's mean is as good a guide
/// as the single value and far lighter; lags within the exact tier are unaffected.
/// </para>
/// <para>
/// Bucket means are stored as half-precision floats relative to a per-series power-of-two scale (set by the first
/// non-zero mean, raised — and the stored means rescaled — whenever a mean would pass 16,384 × the scale): 2 bytes
/// each, a relative rounding of at most 2⁻¹¹ (0.05 %), plenty for a seasonal guide; means below 6·10⁻⁵ × the
/// scale lose precision gradually and below 6·10⁻⁸ × it read as 0; a mean above 10³⁰ (or one whose float sum
/// overflowed) is kept as missing rather than let it push the scale to infinity.
/// </para>
/// </summary>
public sealed class SeriesHistory
{
    private readonly int _exact;
    private readonly int _bucket;
    private readonly int _coarse;
    private float[] _values = [];
    private int[] _head = [];
    private int[] _count = [];
    private const float MaxScaled = 16384;
    private const float MaxMean = 1e30f;
    private Half[] _buckets = [];
    private float[] _scale = [];
    private long[] _steps = [];
    private float[] _sum = [];
    private int[] _valid = [];

    /// <summary>
    /// Creates rings of <paramref name="length"/> steps; with <paramref name="bucket"/> &gt; 1 steps older than
    /// max(<paramref name="exact"/>, <paramref name="bucket"/>) are kept as bucket means.
    /// </summary>
    public SeriesHistory(int length, int bucket = 1, int exact = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucket, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(exact);
        Length = length;
        _bucket = bucket;
        _exact = bucket == 1 ? length : Math.Min(length, Math.Max(exact, bucket));
        _coarse = bucket == 1 ? 0 : ((length + bucket - 1) / bucket) + 1;
    }

    /// <summary>Steps covered per series.</summary>
    public int Length { get; }

    /// <summary>Steps per bucket of the older tier (1: every value is kept).</summary>
    public int Bucket => _bucket;

    /// <summary>The most recent steps kept exactly (all of them when not bucketed).</summary>
    public int ExactSteps => _exact;

    /// <summary>
    /// For a model that can read a history kept by its owner: returns false with <paramref name="history"/> =
    /// <paramref name="shared"/> when one is given (checking it covers <paramref name="lengthSteps"/>, exactly over the
    /// last <paramref name="exactSteps"/>), else true with a history of its own from <paramref name="create"/>.
    /// </summary>
    public static bool OwnOrShared(SeriesHistory? shared, int lengthSteps, out SeriesHistory history, Func<SeriesHistory> create, int exactSteps = 0)
    {
        if (shared is null)
        {
            history = create();
            return true;
        }

        if (shared.Length < lengthSteps || shared.ExactSteps < Math.Min(exactSteps, lengthSteps))
        {
            throw new ArgumentException(
                $"a shared history of {shared.Length} steps ({shared.ExactSteps} exact) is shorter than the {lengthSteps} ({exactSteps} exact) this model reads",
                nameof(shared));
        }

        history = shared;
        return false;
    }

    /// <summary>Bytes of values stored per series (the exact tier's floats and the bucket tier's halves).</summary>
    public int BytesPerSeries => (_exact * sizeof(float)) + (_coarse * 2);

    /// <summary>
    /// The bucket, in steps, for a season of <paramref name="periodSteps"/> steps of <paramref name="stepSeconds"/>
    /// kept at <paramref name="resolutionSeconds"/>: the largest divisor of the period not above resolution ÷ step
    /// (so buckets stay aligned with the season); 1 when the resolution is not coarser than the step.
    /// </summary>
    public static int BucketSteps(int stepSeconds, int periodSteps, int resolutionSeconds)
    {
        var want = resolutionSeconds / Math.Max(1, stepSeconds);
        for (var b = Math.Min(want, periodSteps); b > 1; b--)
        {
            if (periodSteps % b == 0)
            {
                return b;
            }
        }

        return 1;
    }

    /// <summary>Grows to <paramref name="capacity"/> series.</summary>
    public void Grow(int capacity)
    {
        Array.Resize(ref _values, checked(capacity * _exact));
        Array.Resize(ref _head, capacity);
        Array.Resize(ref _count, capacity);
        if (_bucket > 1)
        {
            Array.Resize(ref _buckets, checked(capacity * _coarse));
            Array.Resize(ref _scale, capacity);
            Array.Resize(ref _steps, capacity);
            Array.Resize(ref _sum, capacity);
            Array.Resize(ref _valid, capacity);
        }
    }

    /// <summary>Empties series <paramref name="s"/>.</summary>
    public void Reset(int s)
    {
        _head[s] = 0;
        _count[s] = 0;
        _values.AsSpan(s * _exact, _exact).Fill(float.NaN);
        if (_bucket > 1)
        {
            _buckets.AsSpan(s * _coarse, _coarse).Fill(Half.NaN);
            _scale[s] = 0;
            _steps[s] = 0;
            _sum[s] = 0;
            _valid[s] = 0;
        }
    }

    /// <summary>Appends <paramref name="value"/> to series <paramref name="s"/>, overwriting the oldest once full.</summary>
    public void Push(int s, double value)
    {
        var h = _head[s] + 1;
        if (h == _exact)
        {
            h = 0;
        }

        _head[s] = h;
        _values[(s * _exact) + h] = (float)value;
        if (_count[s] < _exact)
        {
            _count[s]++;
        }

        if (_bucket == 1)
        {
            return;
        }

        if (!double.IsNaN(value))
        {
            _sum[s] += (float)value;
            _valid[s]++;
        }

        var steps = ++_steps[s];
        if (steps % _bucket == 0)
        {
            var completed = steps / _bucket;
            _buckets[(s * _coarse) + (int)((completed - 1) % _coarse)] = _valid[s] > 0 ? Scaled(s, _sum[s] / _valid[s]) : Half.NaN;
            _sum[s] = 0;
            _valid[s] = 0;
        }
    }

    /// <summary>Steps stored for series <paramref name="s"/> (at most <see cref="Length"/>).</summary>
    public int Count(int s) => _bucket == 1 ? _count[s] : (int)Math.Min(_steps[s], Length);

    /// <summary>The value <paramref name="lag"/> steps before the latest (a bucket mean beyond the exact tier); NaN when not stored.</summary>
    public double Lag(int s, int lag)
    {
        if ((uint)lag >= (uint)Count(s))
        {
            return double.NaN;
        }

        if (lag < _count[s])
        {
            var i = _head[s] - lag;
            if (i < 0)
            {
                i += _exact;
            }

            return _values[(s * _exact) + i];
        }

        // Older than the exact tier (so in a completed bucket, since the exact tier spans at least one bucket).
        var t = _steps[s] - 1 - lag;
        var b = t / _bucket;
        var completed = _steps[s] / _bucket;
        if (b >= completed || completed - b > _coarse)
        {
            return double.NaN;
        }

        var v = _buckets[(s * _coarse) + (int)(b % _coarse)];
        return Half.IsNaN(v) ? double.NaN : (float)v * _scale[s];
    }

    // The mean as stored: relative to the series' scale, which is set on the first non-zero mean and raised by a power
    // of two (rescaling what is stored) when a mean would leave half precision's comfortable range.
    private Half Scaled(int s, float mean)
    {
        var magnitude = Math.Abs(mean);
        if (magnitude == 0)
        {
            return Half.Zero;
        }

        // A mean no resource reaches (or one that overflowed the bucket's float sum) is kept as missing: it must not
        // drive the series' scale toward infinity and lose everything else stored.
        if (!(magnitude <= MaxMean))
        {
            return Half.NaN;
        }

        ref var scale = ref _scale[s];
        if (scale == 0)
        {
            scale = MathF.Pow(2, MathF.Ceiling(MathF.Log2(magnitude)));
        }
        else if (magnitude > MaxScaled * scale)
        {
            var shift = MathF.Pow(2, MathF.Ceiling(MathF.Log2(magnitude / (MaxScaled * scale))));
            foreach (ref var stored in _buckets.AsSpan(s * _coarse, _coarse))
            {
                stored = (Half)((float)stored / shift);
            }

            scale *= shift;
        }

        return (Half)(mean / scale);
    }
}
