namespace Prescient.Abstractions.Forecasting;

/// <summary>
/// A reusable buffer of forecasts for up to <see cref="Capacity"/> series in one <see cref="ForecastShape"/>,
/// the value the orchestrator consumes each cycle. Row <c>i</c> holds the forecast of the i-th series passed to
/// <see cref="IForecaster.Forecast"/>. Allocated once, reused every cycle; not thread-safe.
/// </summary>
public sealed class ForecastBatch
{
    private double[] _values;

    /// <summary>Creates a buffer for <paramref name="capacity"/> series.</summary>
    public ForecastBatch(ForecastShape shape, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Shape = shape;
        _values = new double[checked(capacity * shape.Width)];
    }

    /// <summary>The shape of every row.</summary>
    public ForecastShape Shape { get; }

    /// <summary>How many series the buffer holds.</summary>
    public int Capacity => _values.Length / Shape.Width;

    /// <summary>The whole buffer, for <see cref="IForecaster.Forecast"/>.</summary>
    public Span<double> Values => _values;

    /// <summary>Grows the buffer to at least <paramref name="capacity"/> series (allocates; not for the hot path).</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > Capacity)
        {
            Array.Resize(ref _values, checked(Math.Max(capacity, Capacity * 2) * Shape.Width));
        }
    }

    /// <summary>The row of series <paramref name="row"/>: <see cref="ForecastShape.Width"/> numbers, horizon-major.</summary>
    public Span<double> Row(int row) => _values.AsSpan(row * Shape.Width, Shape.Width);

    /// <summary>The value of row <paramref name="row"/> at horizon index <paramref name="h"/> and quantile index <paramref name="q"/>.</summary>
    public double this[int row, int h, int q] => _values[(row * Shape.Width) + (h * Shape.QuantileCount) + q];
}
