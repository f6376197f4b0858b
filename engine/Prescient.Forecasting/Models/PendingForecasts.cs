namespace Prescient.Forecasting.Models;

/// <summary>
/// Remembers, per series, the values a model forecast after each of its last <c>maxHorizon + 1</c> steps, so that
/// when step m arrives the forecast made h steps earlier for it can be scored (the out-of-sample error that
/// drives interval widths, ensemble weights and conformal calibration). <c>width</c> numbers per step
/// (e.g. one per horizon, or horizons × quantiles). Memory: (maxHorizon + 1) × width × 4 bytes per series.
/// </summary>
public sealed class PendingForecasts
{
    private readonly int _ring;
    private readonly int _width;
    private float[] _values = [];

    /// <summary>Creates the store.</summary>
    public PendingForecasts(int maxHorizonSteps, int width)
    {
        _ring = maxHorizonSteps + 1;
        _width = width;
    }

    /// <summary>Grows to <paramref name="capacity"/> series.</summary>
    public void Grow(int capacity)
    {
        var v = new float[checked(capacity * _ring * _width)];
        _values.AsSpan().CopyTo(v);
        _values = v;
    }

    /// <summary>Forgets series <paramref name="s"/>.</summary>
    public void Reset(int s) => _values.AsSpan(s * _ring * _width, _ring * _width).Fill(float.NaN);

    /// <summary>The slot for the forecast made after step <paramref name="step"/> (0-based) of series <paramref name="s"/>.</summary>
    public Span<float> At(int s, long step) => _values.AsSpan((s * _ring * _width) + ((int)(step % _ring) * _width), _width);
}
