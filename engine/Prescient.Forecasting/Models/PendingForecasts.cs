using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Prescient.Forecasting.Models;

/// <summary>
/// Remembers, per series and horizon, what a model forecast at earlier steps, so that when step m arrives the
/// forecast made h steps earlier for it can be scored (the out-of-sample error that drives interval widths,
/// ensemble weights and conformal calibration). <c>width</c> numbers per record (e.g. member medians and quantiles).
/// <para>
/// With <c>slotsPerHorizon</c> = 0 every step's forecast is kept: (h + 1) records for horizon h. With a positive
/// value K, horizon h keeps only the forecasts made at every ⌈h ÷ K⌉-th step (its stride), so at most K + 1 records
/// whatever the horizon: an hour ahead at one-minute steps costs 5 records instead of 61, and is scored every 15
/// steps instead of every step. Memory: Σ_h records(h) × width × 4 bytes per series.
/// </para>
/// <para>
/// Compact (for numbers that only weigh models, never what is served): each record is kept as half-precision
/// floats relative to one power-of-two scale of its own (the largest magnitude in the record maps below 2¹⁵):
/// Σ_h records(h) × (width × 2 + 4) bytes per series, a relative rounding of at most 2⁻¹¹ (0.05 %) for every number
/// within 2²⁹ of the record's largest; NaN is kept. Compact records are read and written whole
/// (<see cref="Read"/>, <see cref="Write"/>).
/// </para>
/// </summary>
public sealed class PendingForecasts
{
    private readonly int[] _stride;
    private readonly int[] _ring;
    private readonly int[] _offset;
    private readonly int _width;
    private readonly int _perSeries;
    private readonly int _recordsPerSeries;
    private readonly bool _compact;
    private float[] _values = [];
    private Half[] _halves = [];
    private float[] _scales = [];

    /// <summary>
    /// Creates the store for forecasts at <paramref name="horizonSteps"/>, <paramref name="width"/> numbers per
    /// record, <paramref name="compact"/> ones as half-precision floats.
    /// </summary>
    public PendingForecasts(ReadOnlySpan<int> horizonSteps, int width, int slotsPerHorizon = 0, bool compact = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slotsPerHorizon);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        _width = width;
        _stride = new int[horizonSteps.Length];
        _ring = new int[horizonSteps.Length];
        _offset = new int[horizonSteps.Length];
        var total = 0;
        for (var h = 0; h < horizonSteps.Length; h++)
        {
            var steps = horizonSteps[h];
            var stride = slotsPerHorizon == 0 ? 1 : Math.Max(1, (steps + slotsPerHorizon - 1) / slotsPerHorizon);
            _stride[h] = stride;
            // Records at t, t + stride, …, up to the step being scored (t + steps): ⌊steps ÷ stride⌋ + 1 of them live.
            _ring[h] = (steps / stride) + 1;
            _offset[h] = total;
            total += _ring[h] * width;
        }

        _perSeries = total;
        _recordsPerSeries = total / width;
        _compact = compact;
    }

    /// <summary>Numbers kept per series (floats, or half floats when compact).</summary>
    public int NumbersPerSeries => _perSeries;

    /// <summary>Bytes kept per series.</summary>
    public int BytesPerSeries => _compact ? (_perSeries * 2) + (_recordsPerSeries * sizeof(float)) : _perSeries * sizeof(float);

    /// <summary>Steps between two kept forecasts of horizon <paramref name="h"/> (1 = every step).</summary>
    public int StrideOf(int h) => _stride[h];

    /// <summary>Whether the forecast of horizon <paramref name="h"/> made after <paramref name="step"/> is kept (and so scored later).</summary>
    public bool Records(int h, long step) => step % _stride[h] == 0;

    /// <summary>Grows to <paramref name="capacity"/> series.</summary>
    public void Grow(int capacity)
    {
        if (_compact)
        {
            Array.Resize(ref _halves, checked(capacity * _perSeries));
            Array.Resize(ref _scales, checked(capacity * _recordsPerSeries));
        }
        else
        {
            Array.Resize(ref _values, checked(capacity * _perSeries));
        }
    }

    /// <summary>Forgets series <paramref name="s"/>.</summary>
    public void Reset(int s)
    {
        if (_compact)
        {
            _halves.AsSpan(s * _perSeries, _perSeries).Fill(Half.NaN);
            _scales.AsSpan(s * _recordsPerSeries, _recordsPerSeries).Fill(1f);
        }
        else
        {
            _values.AsSpan(s * _perSeries, _perSeries).Fill(float.NaN);
        }
    }

    /// <summary>
    /// The record of horizon <paramref name="h"/> for the forecast made after <paramref name="step"/> (0-based) of
    /// series <paramref name="s"/>; only meaningful where <see cref="Records"/> is true for that step.
    /// </summary>
    public Span<float> At(int s, int h, long step)
    {
        if (_compact)
        {
            throw new InvalidOperationException("a compact store's records are read and written whole (Read, Write)");
        }

        return _values.AsSpan(Start(s, h, step), _width);
    }

    /// <summary>Copies the record of horizon <paramref name="h"/> made after <paramref name="step"/> into <paramref name="record"/> (width numbers).</summary>
    public void Read(int s, int h, long step, Span<float> record)
    {
        var start = Start(s, h, step);
        if (!_compact)
        {
            _values.AsSpan(start, _width).CopyTo(record);
            return;
        }

        var scale = _scales[start / _width];
        var into = record[.._width];
        TensorPrimitives.ConvertToSingle(_halves.AsSpan(start, _width), into);
        TensorPrimitives.Multiply(into, scale, into);
    }

    /// <summary>Keeps <paramref name="record"/> (width numbers) as the record of horizon <paramref name="h"/> made after <paramref name="step"/>.</summary>
    [SkipLocalsInit]
    public void Write(int s, int h, long step, ReadOnlySpan<float> record)
    {
        var start = Start(s, h, step);
        if (!_compact)
        {
            record[.._width].CopyTo(_values.AsSpan(start, _width));
            return;
        }

        var largest = 0f;
        for (var i = 0; i < _width; i++)
        {
            var a = Math.Abs(record[i]);
            if (float.IsFinite(a) && a > largest)
            {
                largest = a;
            }
        }

        // A power of two, so that dividing by it is exact (and so multiplying by its reciprocal, also a power of
        // two): the largest magnitude lands in [2¹⁴, 2¹⁵).
        var exponent = largest > 0 ? Math.Clamp(MathF.ILogB(largest) - 14, -126, 127) : 0;
        _scales[start / _width] = MathF.ScaleB(1f, exponent);
        Span<float> scaled = stackalloc float[_width];
        TensorPrimitives.Multiply(record[.._width], MathF.ScaleB(1f, -exponent), scaled);
        TensorPrimitives.ConvertToHalf(scaled, _halves.AsSpan(start, _width));
    }

    // Records of one series are contiguous and each starts at a multiple of the width: start ÷ width numbers the record.
    private int Start(int s, int h, long step) =>
        (s * _perSeries) + _offset[h] + ((int)((step / _stride[h]) % _ring[h]) * _width);
}
