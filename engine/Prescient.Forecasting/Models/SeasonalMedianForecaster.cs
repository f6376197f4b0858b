using System.Runtime.CompilerServices;
using Prescient.Abstractions.Forecasting;

namespace Prescient.Forecasting.Models;

/// <summary>
/// <c>seasonal-median</c>: the median of the values at the same time of day over the last <c>days</c> days,
/// ŷ(t+h) = median_k y(t+h−kP), k = 1..days (with k starting at ⌈h/P⌉), the last valid value when none exists.
/// Robust to one-off spikes that make the plain seasonal-naive forecast repeat yesterday's accident.
/// Memory: days × P floats per series (÷ the bucket when bucketed).
/// </summary>
public sealed class SeasonalMedianForecaster : HistoryForecasterBase
{
    private readonly int _period;
    private readonly int _days;

    /// <summary>
    /// Creates the model over <paramref name="days"/> days (default 7); with <paramref name="seasonalResolutionSeconds"/>
    /// coarser than the step, past days are kept as bucket means of that length (see <see cref="SeriesHistory"/>).
    /// With <paramref name="sharedHistory"/> (at least <paramref name="days"/> long) the model reads that history,
    /// which its owner — an ensemble — keeps, instead of keeping its own.
    /// </summary>
    public SeasonalMedianForecaster(ForecastShape shape, int days = 7, int seasonalResolutionSeconds = 0, SeriesHistory? sharedHistory = null)
        : base("seasonal-median", shape, sharedHistory, StepsPerDay(shape) * days, 0,
            () => new SeriesHistory(StepsPerDay(shape) * days, SeriesHistory.BucketSteps(shape.StepSeconds, StepsPerDay(shape), seasonalResolutionSeconds)))
    {
        _period = StepsPerDay(shape);
        _days = days;
    }

    /// <inheritdoc/>
    protected internal override bool SeriesIndependent => true;

    /// <inheritdoc/>
    [SkipLocalsInit]
    protected override void ForecastOne(int series, Span<double> destination)
    {
        var hs = Shape.HorizonSteps;
        Span<double> buffer = stackalloc double[_days];
        for (var h = 0; h < hs.Length; h++)
        {
            var k0 = (hs[h] + _period - 1) / _period;
            var n = 0;
            for (var k = k0; k < k0 + _days; k++)
            {
                var v = History.Lag(series, (k * _period) - hs[h]);
                if (!double.IsNaN(v))
                {
                    buffer[n++] = v;
                }
            }

            double point;
            if (n == 0)
            {
                point = LastValid[series];
            }
            else
            {
                var b = buffer[..n];
                b.Sort();
                point = (n & 1) == 1 ? b[n / 2] : 0.5 * (b[(n / 2) - 1] + b[n / 2]);
            }

            WritePoint(destination, h, point);
        }
    }
}
