using Prescient.Abstractions.Forecasting;
using Prescient.Forecasting.Models;

namespace Prescient.Forecasting.Tests;

public sealed class BayesDlmTests
{
    [Fact]
    public void Observe_IdleThenBurst_ForecastsStayWithinReachOfTheData()
    {
        // Six idle hours, then a disk burst of about a million (a Bitbrains VM of 2013-8 that way made a 0.9 quantile
        // of 4e10 when the scale had been fixed at 1 on the zeros); then idle and another burst.
        var shape = ForecastShape.ForStep(300, [300, 3600], ForecastShape.DefaultQuantiles);
        var f = new BayesDlmForecaster(shape);
        f.AddSeries(1);
        var values = Enumerable.Repeat(0.0, 72).Concat([697_200, 1_325_000, 0, 0, 0, 0, 0, 12_000, 0, 0, 850_000, 910_000]).Concat(Enumerable.Repeat(0.0, 40)).ToArray();
        var output = new double[shape.Width];
        var largest = 0.0;
        for (var t = 0; t < values.Length; t++)
        {
            f.Observe(1_700_000_000 + (t * 300L), [0], [values[t]]);
            largest = Math.Max(largest, values[t]);
            f.Forecast([0], output);
            Assert.All(output, x => Assert.True(double.IsFinite(x) && x >= 0 && x <= 10 * Math.Max(largest, 1), $"step {t}: {string.Join(", ", output)}"));
        }
    }
}
