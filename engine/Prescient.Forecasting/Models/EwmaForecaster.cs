using Prescient.Abstractions.Forecasting;

namespace Prescient.Forecasting.Models;

/// <summary><c>ewma</c>: simple exponential smoothing, level ← α·y + (1−α)·level; the level at every horizon (a point forecast).</summary>
public sealed class EwmaForecaster : ForecasterBase
{
    private readonly double _alpha;
    private double[] _level = [];

    /// <summary>Creates the model with smoothing factor <paramref name="alpha"/> in (0, 1]; default 0.5.</summary>
    public EwmaForecaster(ForecastShape shape, double alpha = 0.5)
        : base("ewma", shape)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alpha);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(alpha, 1.0);
        _alpha = alpha;
    }

    /// <inheritdoc/>
    protected internal override bool SeriesIndependent => true;

    /// <inheritdoc/>
    protected override void Grow(int capacity) => _level = Grown(_level, capacity);

    /// <inheritdoc/>
    protected override void ResetOne(int series) => _level[series] = double.NaN;

    /// <inheritdoc/>
    protected override void ObserveOne(int series, long timestampSeconds, double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        var l = _level[series];
        _level[series] = double.IsNaN(l) ? value : (_alpha * value) + ((1 - _alpha) * l);
    }

    /// <inheritdoc/>
    protected override void ForecastOne(int series, Span<double> destination)
    {
        for (var h = 0; h < Shape.HorizonCount; h++)
        {
            WritePoint(destination, h, _level[series]);
        }
    }
}
