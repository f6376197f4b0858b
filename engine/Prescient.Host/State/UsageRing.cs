using Prescient.Abstractions.Telemetry;

namespace Prescient.Host.State;

/// <summary>
/// A bounded, time-ordered series of usage samples for one node or job: the newest
/// <see cref="Capacity"/> samples, older ones overwritten. Struct-of-arrays storage (one timestamp and
/// one float per resource per sample) so memory is exactly <see cref="BytesPerSample"/> × capacity,
/// allocated once. Not thread-safe: <see cref="ClusterState"/> guards it.
/// </summary>
public sealed class UsageRing
{
    /// <summary>Bytes one sample occupies: an 8-byte timestamp and a 4-byte float per resource.</summary>
    public const int BytesPerSample = sizeof(long) + ResourceKinds.Count * sizeof(float);

    private readonly long[] _unixMilliseconds;
    private readonly float[] _values;
    private int _next;

    public UsageRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _unixMilliseconds = new long[capacity];
        _values = new float[capacity * ResourceKinds.Count];
    }

    public int Capacity => _unixMilliseconds.Length;

    /// <summary>Samples held, at most <see cref="Capacity"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Samples ever appended, including those since overwritten.</summary>
    public long TotalAppended { get; private set; }

    /// <summary>Timestamp of the newest sample, or <see cref="long.MinValue"/> when empty.</summary>
    public long LatestUnixMilliseconds => Count == 0 ? long.MinValue : _unixMilliseconds[(_next - 1 + Capacity) % Capacity];

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

        _unixMilliseconds[_next] = unixMilliseconds;
        values.CopyTo(_values.AsSpan(_next * ResourceKinds.Count, ResourceKinds.Count));
        _next = (_next + 1) % Capacity;
        if (Count < Capacity)
        {
            Count++;
        }

        TotalAppended++;
        return true;
    }

    /// <summary>The i-th oldest sample held (0 = oldest, <see cref="Count"/>-1 = newest).</summary>
    public long TimeAt(int i) => _unixMilliseconds[PhysicalIndex(i)];

    /// <summary>Value of one resource in the i-th oldest sample.</summary>
    public float ValueAt(int i, ResourceKind resource) => _values[(PhysicalIndex(i) * ResourceKinds.Count) + (int)resource];

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
