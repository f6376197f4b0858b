using Prescient.Abstractions.Forecasting;

namespace Prescient.Forecasting.Models;

/// <summary>
/// <c>seasonal-naive</c> (daily) and <c>seasonal-naive-weekly</c>: the value one season before the target time,
/// ŷ(t+h) = y(t+h−kP) with k = ⌈h/P⌉; the last valid value while that one is missing or not yet seen.
/// Memory: P floats per series (P = period ÷ step; 288 for a day of 5-minute steps), P ÷ bucket + bucket + 2 when bucketed.
/// </summary>
public sealed class SeasonalNaiveForecaster : HistoryForecasterBase
{
    private readonly int _period;

    /// <summary>
    /// Creates the model with a season of <paramref name="periodSeconds"/> (86,400 or 604,800). With
    /// <paramref name="seasonalResolutionSeconds"/> coarser than the step, the value a season back is the mean of its
    /// bucket of that length (see <see cref="SeriesHistory"/>): far less memory at fine steps. With
    /// <paramref name="sharedHistory"/> (at least a season long) the model reads that history, which its owner — an
    /// ensemble — keeps, instead of keeping its own.
    /// </summary>
    public SeasonalNaiveForecaster(ForecastShape shape, int periodSeconds = 86400, int seasonalResolutionSeconds = 0, SeriesHistory? sharedHistory = null)
        : base(periodSeconds == 604800 ? "seasonal-naive-weekly" : "seasonal-naive", shape, sharedHistory, Period(shape, periodSeconds), 0,
            () => new SeriesHistory(Period(shape, periodSeconds), SeriesHistory.BucketSteps(shape.StepSeconds, Period(shape, periodSeconds), seasonalResolutionSeconds)))
    {
        _period = Period(shape, periodSeconds);
    }

    /// <summary>The season in steps.</summary>
    public int PeriodSteps => _period;

    /// <inheritdoc/>
    protected internal override bool SeriesIndependent => true;

    /// <inheritdoc/>
    protected override void ForecastOne(int series, Span<double> destination)
    {
        var hs = Shape.HorizonSteps;
        for (var h = 0; h < hs.Length; h++)
        {
            var k = (hs[h] + _period - 1) / _period;
            var v = History.Lag(series, (k * _period) - hs[h]);
            WritePoint(destination, h, double.IsNaN(v) ? LastValid[series] : v);
        }
    }

    private static int Period(ForecastShape shape, int periodSeconds) => Math.Max(1, periodSeconds / shape.StepSeconds);
}
