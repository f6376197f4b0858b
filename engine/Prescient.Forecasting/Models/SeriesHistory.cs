namespace Prescient.Forecasting.Models;

/// <summary>
/// A fixed-length ring of the most recent values of each series (float, NaN for missing), struct-of-arrays:
/// <see cref="Length"/> × 4 bytes per series. <see cref="Lag"/>(s, 0) is the latest value.
/// </summary>
public sealed class SeriesHistory
{
    private float[] _values = [];
    private int[] _head = [];
    private int[] _count = [];

    /// <summary>Creates rings of <paramref name="length"/> values.</summary>
    public SeriesHistory(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
    }

    /// <summary>Values kept per series.</summary>
    public int Length { get; }

    /// <summary>Grows to <paramref name="capacity"/> series.</summary>
    public void Grow(int capacity)
    {
        var v = new float[checked(capacity * Length)];
        _values.AsSpan().CopyTo(v);
        _values = v;
        Array.Resize(ref _head, capacity);
        Array.Resize(ref _count, capacity);
    }

    /// <summary>Empties series <paramref name="s"/>.</summary>
    public void Reset(int s)
    {
        _head[s] = 0;
        _count[s] = 0;
        _values.AsSpan(s * Length, Length).Fill(float.NaN);
    }

    /// <summary>Appends <paramref name="value"/> to series <paramref name="s"/>, overwriting the oldest once full.</summary>
    public void Push(int s, double value)
    {
        var h = _head[s] + 1;
        if (h == Length)
        {
            h = 0;
        }

        _head[s] = h;
        _values[(s * Length) + h] = (float)value;
        if (_count[s] < Length)
        {
            _count[s]++;
        }
    }

    /// <summary>Values stored for series <paramref name="s"/> (at most <see cref="Length"/>).</summary>
    public int Count(int s) => _count[s];

    /// <summary>The value <paramref name="lag"/> steps before the latest; NaN when not stored.</summary>
    public double Lag(int s, int lag)
    {
        if ((uint)lag >= (uint)_count[s])
        {
            return double.NaN;
        }

        var i = _head[s] - lag;
        if (i < 0)
        {
            i += Length;
        }

        return _values[(s * Length) + i];
    }
}
