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
/// <para>
/// Three-tier (older bucket O, a multiple of B, and a recent span): buckets of B steps only over the recent span
/// (at least O ÷ B of them), and older steps as means of aligned buckets of O steps, each the mean of its O ÷ B
/// B-buckets that had a valid value, read interpolated linearly between the centres of neighbouring buckets. A week
/// of one-minute steps with the last day in 15-minute buckets and the days before in hourly ones costs 97 + 169
/// halves instead of 673: what looks a day back reads 15-minute means, what looks a week back hourly ones.
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
    private readonly int _group;   // B-buckets per oldest-tier bucket (0: two tiers)
    private readonly int _oldest;  // oldest-tier buckets kept
    private Half[] _buckets = [];
    private Half[] _older = [];
    private float[] _scale = [];
    private long[] _steps = [];
    private float[] _sum = [];
    private int[] _valid = [];

    /// <summary>
    /// Creates rings of <paramref name="length"/> steps; with <paramref name="bucket"/> &gt; 1 steps older than
    /// max(<paramref name="exact"/>, <paramref name="bucket"/>) are kept as bucket means; with
    /// <paramref name="olderBucket"/> a multiple of at least twice <paramref name="bucket"/>, those means only over the
    /// last <paramref name="recent"/> steps and older steps as means of <paramref name="olderBucket"/> steps.
    /// </summary>
    public SeriesHistory(int length, int bucket = 1, int exact = 0, int olderBucket = 0, int recent = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucket, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(exact);
        ArgumentOutOfRangeException.ThrowIfNegative(olderBucket);
        ArgumentOutOfRangeException.ThrowIfNegative(recent);
        if (olderBucket != 0 && (bucket == 1 || olderBucket < 2 * bucket || olderBucket % bucket != 0))
        {
            throw new ArgumentException($"the older bucket ({olderBucket} steps) must be a multiple of at least twice the bucket ({bucket} steps, > 1)", nameof(olderBucket));
        }

        Length = length;
        _bucket = bucket;
        _exact = bucket == 1 ? length : Math.Min(length, Math.Max(exact, bucket));
        _coarse = bucket == 1 ? 0 : ((length + bucket - 1) / bucket) + 1;
        if (olderBucket != 0 && recent < length)
        {
            // The B-buckets cover the recent span and always the olderBucket's worth the next older mean is made of.
            _group = olderBucket / bucket;
            _coarse = Math.Min(_coarse, Math.Max(((recent + bucket - 1) / bucket) + 1, _group));
            _oldest = ((length + olderBucket - 1) / olderBucket) + 1;
        }
    }

    /// <summary>Steps per bucket of the oldest tier (0 when there are two tiers or one).</summary>
    public int OlderBucket => _group * _bucket;

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
    public int BytesPerSeries => (_exact * sizeof(float)) + ((_coarse + _oldest) * 2);

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
            Array.Resize(ref _older, checked(capacity * _oldest));
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
            _older.AsSpan(s * _oldest, _oldest).Fill(Half.NaN);
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
            if (_group > 0 && completed % _group == 0)
            {
                KeepOlder(s, completed);
            }
        }
    }

    // The oldest tier's mean of the B-buckets just completed (still in their ring), relative to the same scale.
    private void KeepOlder(int s, long completed)
    {
        var sum = 0f;
        var valid = 0;
        for (var k = completed - _group; k < completed; k++)
        {
            var v = _buckets[(s * _coarse) + (int)(k % _coarse)];
            if (!Half.IsNaN(v))
            {
                sum += (float)v;
                valid++;
            }
        }

        _older[(s * _oldest) + (int)(((completed / _group) - 1) % _oldest)] = valid > 0 ? (Half)(sum / valid) : Half.NaN;
    }

    /// <summary>Steps stored for series <paramref name="s"/> (at most <see cref="Length"/>).</summary>
    public int Count(int s) => _bucket == 1 ? _count[s] : (int)Math.Min(_steps[s], Length);

    /// <summary>
    /// Copies the latest values of series <paramref name="s"/>, newest first (lag 0, 1, …), into
    /// <paramref name="destination"/> (at most <see cref="ExactSteps"/> long, or <see cref="Length"/> without buckets):
    /// the same values as <see cref="Lag"/>, missing ones NaN; returns how many are stored (the rest is left as is).
    /// </summary>
    public int CopyLatest(int s, Span<double> destination)
    {
        if (destination.Length > _exact)
        {
            throw new ArgumentException($"at most {_exact} values are kept exactly", nameof(destination));
        }

        var n = Math.Min(destination.Length, _count[s]);
        var row = _values.AsSpan(s * _exact, _exact);
        var i = _head[s];
        for (var k = 0; k < n; k++)
        {
            destination[k] = row[i];
            i = i == 0 ? _exact - 1 : i - 1;
        }

        return n;
    }

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
        if (b >= completed || (_group == 0 && completed - b > _coarse))
        {
            return double.NaN;
        }

        Half v;
        if (completed - b <= _coarse)
        {
            v = _buckets[(s * _coarse) + (int)(b % _coarse)];
        }
        else
        {
            // Beyond the B-buckets kept: the oldest tier's bucket holding step t (complete, since the B-buckets kept
            // span the current incomplete one), interpolated toward the neighbouring bucket on t's side of its centre
            // where that one is kept and valid (an hour's mean read at its edge is half an hour off the season).
            var o = b / _group;
            var completedOlder = completed / _group;
            if (completedOlder - o > _oldest)
            {
                return double.NaN;
            }

            v = _older[(s * _oldest) + (int)(o % _oldest)];
            if (Half.IsNaN(v))
            {
                return double.NaN;
            }

            var width = (double)_group * _bucket;
            var offset = (t - (o * width) - ((width - 1) / 2)) / width;
            var neighbour = offset < 0 ? o - 1 : o + 1;
            if (offset != 0 && neighbour >= 0 && neighbour < completedOlder && completedOlder - neighbour <= _oldest)
            {
                var n = _older[(s * _oldest) + (int)(neighbour % _oldest)];
                if (!Half.IsNaN(n))
                {
                    return ((float)v + (((float)n - (float)v) * Math.Abs(offset))) * _scale[s];
                }
            }
        }

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

            foreach (ref var stored in _older.AsSpan(s * _oldest, _oldest))
            {
                stored = (Half)((float)stored / shift);
            }

            scale *= shift;
        }

        return (Half)(mean / scale);
    }
}
