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
/// </summary>
public sealed class PendingForecasts
{
    private readonly int[] _stride;
    private readonly int[] _ring;
    private readonly int[] _offset;
    private readonly int _width;
    private readonly int _perSeries;
    private float[] _values = [];

    /// <summary>Creates the store for forecasts at <paramref name="horizonSteps"/>, <paramref name="width"/> numbers per record.</summary>
    public PendingForecasts(ReadOnlySpan<int> horizonSteps, int width, int slotsPerHorizon = 0)
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
    }

    /// <summary>Floats kept per series.</summary>
    public int FloatsPerSeries => _perSeries;

    /// <summary>Steps between two kept forecasts of horizon <paramref name="h"/> (1 = every step).</summary>
    public int StrideOf(int h) => _stride[h];

    /// <summary>Whether the forecast of horizon <paramref name="h"/> made after <paramref name="step"/> is kept (and so scored later).</summary>
    public bool Records(int h, long step) => step % _stride[h] == 0;

    /// <summary>Grows to <paramref name="capacity"/> series.</summary>
    public void Grow(int capacity)
    {
        Array.Resize(ref _values, checked(capacity * _perSeries));
    }

    /// <summary>Forgets series <paramref name="s"/>.</summary>
    public void Reset(int s) => _values.AsSpan(s * _perSeries, _perSeries).Fill(float.NaN);

    /// <summary>
    /// The record of horizon <paramref name="h"/> for the forecast made after <paramref name="step"/> (0-based) of
    /// series <paramref name="s"/>; only meaningful where <see cref="Records"/> is true for that step.
    /// </summary>
    public Span<float> At(int s, int h, long step) =>
        _values.AsSpan((s * _perSeries) + _offset[h] + ((int)((step / _stride[h]) % _ring[h]) * _width), _width);
}
