using Prescient.Abstractions.Forecasting;

namespace Prescient.Forecasting.Models;

/// <summary><c>persistence</c>: the last valid value at every horizon (a point forecast).</summary>
public sealed class PersistenceForecaster : ForecasterBase
{
    /// <summary>Creates the model.</summary>
    public PersistenceForecaster(ForecastShape shape)
        : base("persistence", shape)
    {
    }

    /// <inheritdoc/>
    protected internal override bool SeriesIndependent => true;

    /// <inheritdoc/>
    protected override void Grow(int capacity)
    {
    }

    /// <inheritdoc/>
    protected override void ResetOne(int series)
    {
    }

    /// <inheritdoc/>
    protected override void ObserveOne(int series, long timestampSeconds, double value)
    {
    }

    /// <inheritdoc/>
    protected override void ForecastOne(int series, Span<double> destination)
    {
        for (var h = 0; h < Shape.HorizonCount; h++)
        {
            WritePoint(destination, h, LastValid[series]);
        }
    }
}
