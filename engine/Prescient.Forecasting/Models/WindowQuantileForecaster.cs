using System.Runtime.CompilerServices;
using Prescient.Abstractions.Forecasting;

namespace Prescient.Forecasting.Models;

/// <summary>
/// <c>window-quantile</c>: the empirical quantiles of the last <c>window</c> valid values, the same at every
/// horizon; its median is a robust level that shrugs off isolated spikes (an ensemble member).
/// Memory: window floats per series.
/// </summary>
public sealed class WindowQuantileForecaster : HistoryForecasterBase
{
    private readonly int _window;

    /// <summary>
    /// Creates the model over the last <paramref name="window"/> steps (default 6). With <paramref name="sharedHistory"/>
    /// (exact over at least the window) the model reads that history, which its owner — an ensemble — keeps.
    /// </summary>
    public WindowQuantileForecaster(ForecastShape shape, int window = 6, string? name = null, SeriesHistory? sharedHistory = null)
        : base(name ?? "window-quantile", shape, sharedHistory, window, window, () => new SeriesHistory(window))
    {
        _window = window;
    }

    /// <inheritdoc/>
    protected internal override bool SeriesIndependent => true;

    /// <inheritdoc/>
    [SkipLocalsInit]
    protected override void ForecastOne(int series, Span<double> destination)
    {
        // The window's valid values, then sorted.
        Span<double> window = stackalloc double[_window];
        var latest = History.CopyLatest(series, window);
        var n = 0;
        for (var k = 0; k < latest; k++)
        {
            if (!double.IsNaN(window[k]))
            {
                window[n++] = window[k];
            }
        }

        if (n == 0)
        {
            destination.Fill(LastValid[series]);
            return;
        }

        var sorted = window[..n];
        sorted.Sort();
        var qn = Shape.QuantileCount;
        for (var q = 0; q < qn; q++)
        {
            // Linear interpolation between order statistics (type 7).
            var pos = Shape.Quantiles[q] * (n - 1);
            var lo = (int)pos;
            var hi = Math.Min(lo + 1, n - 1);
            var value = sorted[lo] + ((pos - lo) * (sorted[hi] - sorted[lo]));
            for (var h = 0; h < Shape.HorizonCount; h++)
            {
                destination[(h * qn) + q] = value;
            }
        }
    }
}
