using Prescient.Abstractions.Forecasting;

namespace Prescient.Forecasting.Models;

/// <summary>
/// A forecaster whose whole state is a look-back history: its own, or one kept by its owner (an ensemble feeds a
/// shared <see cref="SeriesHistory"/> before its members observe, and grows and resets it itself).
/// </summary>
public abstract class HistoryForecasterBase : ForecasterBase
{
    private readonly bool _owned;

    /// <summary>
    /// Creates the model over <paramref name="shared"/> when given (checked to cover <paramref name="lengthSteps"/>,
    /// exactly over the last <paramref name="exactSteps"/>), else over a history of its own from <paramref name="create"/>.
    /// </summary>
    protected HistoryForecasterBase(string name, ForecastShape shape, SeriesHistory? shared, int lengthSteps, int exactSteps, Func<SeriesHistory> create)
        : base(name, shape)
    {
        _owned = SeriesHistory.OwnOrShared(shared, lengthSteps, out var history, create, exactSteps);
        History = history;
    }

    /// <summary>The history the model reads.</summary>
    protected SeriesHistory History { get; }

    /// <inheritdoc/>
    protected override void Grow(int capacity)
    {
        if (_owned)
        {
            History.Grow(capacity);
        }
    }

    /// <inheritdoc/>
    protected override void ResetOne(int series)
    {
        if (_owned)
        {
            History.Reset(series);
        }
    }

    /// <inheritdoc/>
    protected override void ObserveOne(int series, long timestampSeconds, double value)
    {
        if (_owned)
        {
            History.Push(series, value);
        }
    }
}
