using System.Runtime.CompilerServices;
using Prescient.Abstractions.Forecasting;

namespace Prescient.Forecasting.Series;

/// <summary>
/// Bounded-memory telemetry history: per series, one ring buffer of bucket means per tier (by default 10 s, 1 min,
/// 5 min and 1 h; see <see cref="SeriesStoreOptions"/> for the memory bound). A sample lands in the current bucket
/// of every tier; when a sample opens a new bucket, the finished one's mean is pushed into that tier's ring and
/// buckets skipped over (gaps) are pushed as NaN, so every tier stays a regular grid. NaN, infinite and negative
/// samples, repeated and out-of-order timestamps are dropped and counted; counters become rates and a decrease
/// (a counter reset) yields no rate for that interval. Struct-of-arrays; <see cref="Record"/> allocates nothing.
/// Not thread-safe: one writer (the ingestion loop); readers must not overlap it.
/// </summary>
public sealed class SeriesStore
{
    private readonly SeriesTier[] _tiers;
    private readonly Dictionary<SeriesKey, int> _index = [];
    private readonly long[] _dropped = new long[6];
    private float[][] _rings;
    private int[][] _head;
    private int[][] _count;
    private long[][] _bucket;
    private double[][] _sum;
    private int[][] _n;
    private long[] _lastTime = [];
    private double[] _lastRaw = [];
    private SampleKind[] _kind = [];
    private SeriesKey[] _keys = [];
    private string[] _groups = [];
    private int _capacity;

    /// <summary>Creates an empty store.</summary>
    public SeriesStore(SeriesStoreOptions? options = null)
    {
        options ??= new SeriesStoreOptions();
        options.Validate();
        _tiers = options.Tiers.ToArray();
        _rings = new float[_tiers.Length][];
        _head = new int[_tiers.Length][];
        _count = new int[_tiers.Length][];
        _bucket = new long[_tiers.Length][];
        _sum = new double[_tiers.Length][];
        _n = new int[_tiers.Length][];
        for (var k = 0; k < _tiers.Length; k++)
        {
            _rings[k] = [];
            _head[k] = [];
            _count[k] = [];
            _bucket[k] = [];
            _sum[k] = [];
            _n[k] = [];
        }
    }

    /// <summary>The tiers, finest first.</summary>
    public ReadOnlySpan<SeriesTier> Tiers => _tiers;

    /// <summary>Number of series.</summary>
    public int Count { get; private set; }

    /// <summary>Samples dropped or repaired since creation, by status.</summary>
    public long Dropped(IngestStatus status) => _dropped[(int)status];

    /// <summary>The key of series <paramref name="series"/>.</summary>
    public SeriesKey KeyOf(int series) => _keys[series];

    /// <summary>The group of series <paramref name="series"/>.</summary>
    public string GroupOf(int series) => _groups[series];

    /// <summary>The dense index of <paramref name="key"/>, created on first use (allocates then).</summary>
    public int GetOrAdd(SeriesKey key, string group = "default", SampleKind kind = SampleKind.Gauge)
    {
        if (_index.TryGetValue(key, out var s))
        {
            return s;
        }

        s = Count;
        if (s == _capacity)
        {
            Grow(Math.Max(16, _capacity * 2));
        }

        Count++;
        _index[key] = s;
        _keys[s] = key;
        _groups[s] = group;
        _kind[s] = kind;
        _lastTime[s] = long.MinValue;
        _lastRaw[s] = double.NaN;
        for (var k = 0; k < _tiers.Length; k++)
        {
            _head[k][s] = -1;
            _count[k][s] = 0;
            _bucket[k][s] = long.MinValue;
            _sum[k][s] = 0;
            _n[k][s] = 0;
        }

        return s;
    }

    /// <summary>True and the index when <paramref name="key"/> exists.</summary>
    public bool TryGet(SeriesKey key, out int series) => _index.TryGetValue(key, out series);

    /// <summary>
    /// Records a raw sample of <paramref name="series"/> taken at <paramref name="timestampSeconds"/>. Returns what
    /// happened; <paramref name="completedTiers"/> gets bit k set when tier k finished a bucket (its newest value,
    /// <see cref="Latest"/>, is then new — the moment to feed a forecaster running on that tier).
    /// </summary>
    public IngestStatus Record(int series, long timestampSeconds, double value, out int completedTiers)
    {
        completedTiers = 0;
        if (!double.IsFinite(value) || value < 0)
        {
            return Drop(IngestStatus.InvalidValue);
        }

        var last = _lastTime[series];
        if (timestampSeconds == last)
        {
            return Drop(IngestStatus.DuplicateTimestamp);
        }

        if (timestampSeconds < last)
        {
            return Drop(IngestStatus.OutOfOrder);
        }

        var sample = value;
        if (_kind[series] == SampleKind.Counter)
        {
            var prev = _lastRaw[series];
            _lastRaw[series] = value;
            _lastTime[series] = timestampSeconds;
            if (double.IsNaN(prev))
            {
                return Drop(IngestStatus.CounterBaseline);
            }

            if (value < prev)
            {
                return Drop(IngestStatus.CounterReset);
            }

            sample = (value - prev) / (timestampSeconds - last);
        }

        _lastTime[series] = timestampSeconds;
        for (var k = 0; k < _tiers.Length; k++)
        {
            var step = _tiers[k].StepSeconds;
            var bucket = Math.DivRem(timestampSeconds, step, out var rem) - (rem < 0 ? 1 : 0);
            ref var current = ref _bucket[k][series];
            if (bucket != current)
            {
                if (current != long.MinValue)
                {
                    var n = _n[k][series];
                    Push(k, series, n > 0 ? (float)(_sum[k][series] / n) : float.NaN);
                    var gap = Math.Min(bucket - current - 1, _tiers[k].Points);
                    for (var g = 0; g < gap; g++)
                    {
                        Push(k, series, float.NaN);
                    }

                    completedTiers |= 1 << k;
                }

                current = bucket;
                _sum[k][series] = 0;
                _n[k][series] = 0;
            }

            _sum[k][series] += sample;
            _n[k][series]++;
        }

        return IngestStatus.Accepted;
    }

    /// <summary>Values stored in tier <paramref name="tier"/> of <paramref name="series"/>.</summary>
    public int Length(int series, int tier) => _count[tier][series];

    /// <summary>The newest finished bucket mean of tier <paramref name="tier"/> (NaN for a gap or when empty).</summary>
    public float Latest(int series, int tier) => Lag(series, tier, 0);

    /// <summary>The finished bucket <paramref name="lag"/> buckets before the newest; NaN when not stored.</summary>
    public float Lag(int series, int tier, int lag)
    {
        if ((uint)lag >= (uint)_count[tier][series])
        {
            return float.NaN;
        }

        var points = _tiers[tier].Points;
        var i = _head[tier][series] - lag;
        if (i < 0)
        {
            i += points;
        }

        return _rings[tier][(series * points) + i];
    }

    /// <summary>Start time (Unix seconds) of the newest finished bucket of the tier; long.MinValue when none.</summary>
    public long LatestBucketStartSeconds(int series, int tier) =>
        _count[tier][series] == 0 ? long.MinValue : (_bucket[tier][series] - 1) * _tiers[tier].StepSeconds;

    /// <summary>Copies the stored buckets of a tier, oldest first, into <paramref name="destination"/>; returns how many.</summary>
    public int CopyTier(int series, int tier, Span<float> destination)
    {
        var n = Math.Min(_count[tier][series], destination.Length);
        for (var i = 0; i < n; i++)
        {
            destination[i] = Lag(series, tier, n - 1 - i);
        }

        return n;
    }

    private void Push(int tier, int series, float value)
    {
        var points = _tiers[tier].Points;
        var h = _head[tier][series] + 1;
        if (h == points)
        {
            h = 0;
        }

        _head[tier][series] = h;
        _rings[tier][(series * points) + h] = value;
        if (_count[tier][series] < points)
        {
            _count[tier][series]++;
        }
    }

    private IngestStatus Drop(IngestStatus status)
    {
        _dropped[(int)status]++;
        return status;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int capacity)
    {
        for (var k = 0; k < _tiers.Length; k++)
        {
            Array.Resize(ref _rings[k], checked(capacity * _tiers[k].Points));
            Array.Resize(ref _head[k], capacity);
            Array.Resize(ref _count[k], capacity);
            Array.Resize(ref _bucket[k], capacity);
            Array.Resize(ref _sum[k], capacity);
            Array.Resize(ref _n[k], capacity);
        }

        Array.Resize(ref _lastTime, capacity);
        Array.Resize(ref _lastRaw, capacity);
        Array.Resize(ref _kind, capacity);
        Array.Resize(ref _keys, capacity);
        Array.Resize(ref _groups, capacity);
        _capacity = capacity;
    }
}
