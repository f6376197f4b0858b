using Prescient.Abstractions.Telemetry;

namespace Prescient.Host.State;

/// <summary>
/// A bounded, time-ordered series of usage samples for one node or job: the newest
/// <see cref="Capacity"/> samples, older ones overwritten. Struct-of-arrays storage: one timestamp per sample (4 bytes:
/// milliseconds after a base that moves up with the samples; 8 once the samples held span over 24 days) and one column
/// of floats per resource, so memory is at most <see cref="BytesPerSample"/> × capacity. A resource
/// whose readings have not changed since the ring began (one an agent does not measure: always 0, or -1 for
/// "not reported") is kept as that one number; its column is allocated, once, at its first different reading.
/// Not thread-safe: <see cref="ClusterState"/> guards it.
/// </summary>
public sealed class UsageRing
{
    /// <summary>Bytes one sample occupies at most: an 8-byte timestamp and a 4-byte float per resource.</summary>
    public const int BytesPerSample = sizeof(long) + ResourceKinds.Count * sizeof(float);

    // Timestamps as milliseconds after _base in 4 bytes each (24.8 days of range); the base moves up to the oldest sample
    // held when a new one is out of range, and a ring whose held samples span more than that keeps 8-byte timestamps.
    private int[]? _offsets;
    private long[]? _wide;
    private long _base;
    private readonly float[]?[] _columns = new float[ResourceKinds.Count][];
    private readonly float[] _constant = new float[ResourceKinds.Count];
    private int _next;

    public UsageRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _offsets = new int[capacity];
    }

    /// <summary>Bytes held for samples now: the timestamps (4 bytes each, 8 once they span over 24 days) and the columns allocated so far.</summary>
    public long BytesHeld
    {
        get
        {
            var columns = 0;
            foreach (var c in _columns)
            {
                columns += c is null ? 0 : 1;
            }

            return (long)Capacity * ((_wide is null ? sizeof(int) : sizeof(long)) + (columns * sizeof(float)));
        }
    }

    public int Capacity { get; }

    /// <summary>Samples held, at most <see cref="Capacity"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Samples ever appended, including those since overwritten.</summary>
    public long TotalAppended { get; private set; }

    /// <summary>Timestamp of the newest sample, or <see cref="long.MinValue"/> when empty.</summary>
    public long LatestUnixMilliseconds => Count == 0 ? long.MinValue : Stamp((_next - 1 + Capacity) % Capacity);

    /// <summary>
    /// Appends a sample whose timestamp is strictly after the newest one; returns false (and stores
    /// nothing) otherwise, so duplicates and reordered samples never corrupt the series.
    /// </summary>
    public bool TryAppend(long unixMilliseconds, ReadOnlySpan<float> values)
    {
        if (values.Length != ResourceKinds.Count)
        {
            throw new ArgumentException($"Expected {ResourceKinds.Count} values, got {values.Length}.", nameof(values));
        }

        if (Count > 0 && unixMilliseconds <= LatestUnixMilliseconds)
        {
            return false;
        }

        SetStamp(_next, unixMilliseconds);
        for (var r = 0; r < values.Length; r++)
        {
            var column = _columns[r];
            if (column is not null)
            {
                column[_next] = values[r];
            }
            else if (Count == 0)
            {
                _constant[r] = values[r];
            }
            else if (!values[r].Equals(_constant[r]))
            {
                // The first change: every sample held so far had the constant.
                column = new float[Capacity];
                column.AsSpan().Fill(_constant[r]);
                column[_next] = values[r];
                _columns[r] = column;
            }
        }

        _next = (_next + 1) % Capacity;
        if (Count < Capacity)
        {
            Count++;
        }

        TotalAppended++;
        return true;
    }

    /// <summary>The i-th oldest sample held (0 = oldest, <see cref="Count"/>-1 = newest).</summary>
    public long TimeAt(int i) => Stamp(PhysicalIndex(i));

    /// <summary>Value of one resource in the i-th oldest sample.</summary>
    public float ValueAt(int i, ResourceKind resource)
    {
        var physical = PhysicalIndex(i);
        return _columns[(int)resource] is { } column ? column[physical] : _constant[(int)resource];
    }

    /// <summary>Copies the series of one resource, oldest first, into caller-owned spans; returns the count written.</summary>
    public int CopySeries(ResourceKind resource, Span<long> unixMilliseconds, Span<float> values)
    {
        var n = Math.Min(Count, Math.Min(unixMilliseconds.Length, values.Length));
        var skip = Count - n;
        for (var i = 0; i < n; i++)
        {
            unixMilliseconds[i] = TimeAt(skip + i);
            values[i] = ValueAt(skip + i, resource);
        }

        return n;
    }

    private long Stamp(int physical) => _wide is { } wide ? wide[physical] : _base + _offsets![physical];

    private void SetStamp(int physical, long unixMilliseconds)
    {
        if (_wide is { } wide)
        {
            wide[physical] = unixMilliseconds;
            return;
        }

        if (Count == 0)
        {
            _base = unixMilliseconds;
        }

        var offsets = _offsets!;
        var offset = unixMilliseconds - _base;
        if (offset > int.MaxValue)
        {
            // Move the base up to the oldest sample still held after this one is stored (times only grow, so every
            // held offset stays ≥ 0), or keep 8-byte timestamps if the held samples span more than an int's range.
            var oldest = Count < Capacity ? 0 : (_next + 1) % Capacity;
            var shift = oldest == physical ? offset : (long)offsets[oldest];
            if (unixMilliseconds - (_base + shift) > int.MaxValue)
            {
                wide = new long[Capacity];
                for (var k = 0; k < Capacity; k++)
                {
                    wide[k] = _base + offsets[k];
                }

                wide[physical] = unixMilliseconds;
                _wide = wide;
                _offsets = null;
                return;
            }

            for (var k = 0; k < Capacity; k++)
            {
                offsets[k] = (int)(offsets[k] - shift);
            }

            _base += shift;
            offset = unixMilliseconds - _base;
        }

        offsets[physical] = (int)offset;
    }

    private int PhysicalIndex(int i)
    {
        if ((uint)i >= (uint)Count)
        {
            ThrowIndex(i);
        }

        var oldest = Count < Capacity ? 0 : _next;
        return (oldest + i) % Capacity;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void ThrowIndex(int i) => throw new ArgumentOutOfRangeException(nameof(i), i, $"Index must be in [0, {Count}).");
}
