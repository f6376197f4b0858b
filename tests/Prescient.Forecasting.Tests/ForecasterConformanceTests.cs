using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Models;

namespace Prescient.Forecasting.Tests;

/// <summary>The forecaster contract: every model in the registry passes these.</summary>
public sealed class ForecasterConformanceTests
{
    private static readonly ForecastShape Shape = ForecastShape.ForStep(300, [300, 3600], ForecastShape.EvaluationQuantiles);

    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (var n in ForecasterRegistry.Names)
        {
            data.Add(n);
        }

        return data;
    }

    private static IForecaster Warm(string name, int series, int steps, int seed)
    {
        var f = ForecasterRegistry.Create(name, Shape);
        f.AddSeries(series);
        var slots = Enumerable.Range(0, series).ToArray();
        for (var s = 0; s < series; s++)
        {
            f.DescribeSeries(s, new SeriesKey(EntityKind.Node, "n" + s, (ResourceKind)(s % 6)), "g");
        }

        var signals = Enumerable.Range(0, series).Select(s => Signals.Diurnal(steps, 10 + s, 3, 1, seed + s).Select(v => v * Unit(s)).ToArray()).ToArray();
        var values = new double[series];
        for (var t = 0; t < steps; t++)
        {
            for (var s = 0; s < series; s++)
            {
                values[s] = signals[s][t];
            }

            f.Observe(1_700_000_000 + (t * 300L), slots, values);
        }

        return f;
    }

    /// <summary>A realistic magnitude for series s's resource: cores, GB of memory, MB/s of I/O.</summary>
    private static double Unit(int s) => (ResourceKind)(s % 6) switch
    {
        ResourceKind.Cpu => 1,
        ResourceKind.Memory => 1e9,
        _ => 1e6,
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Forecast_AfterHistory_FiniteNonNegativeAndMonotone(string name)
    {
        var f = Warm(name, 4, 600, 1);
        var output = new double[4 * Shape.Width];
        f.Forecast([0, 1, 2, 3], output);
        for (var s = 0; s < 4; s++)
        {
            for (var h = 0; h < Shape.HorizonCount; h++)
            {
                for (var q = 0; q < Shape.QuantileCount; q++)
                {
                    var v = output[(s * Shape.Width) + (h * Shape.QuantileCount) + q];
                    Assert.True(double.IsFinite(v) && v >= 0, $"{name}: s{s} h{h} q{q} = {v}");
                    if (q > 0)
                    {
                        Assert.True(v >= output[(s * Shape.Width) + (h * Shape.QuantileCount) + q - 1]);
                    }
                }

                // Sane: within a generous band around the signal's range (≈ 10..20 ± 3 ± noise).
                var median = output[(s * Shape.Width) + (h * Shape.QuantileCount) + Shape.IndexOfQuantile(0.5)];
                Assert.InRange(median, 0, 60 * Unit(s));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Forecast_NoHistory_NaNOrPrior(string name)
    {
        var f = ForecasterRegistry.Create(name, Shape);
        f.AddSeries(1);
        var output = new double[Shape.Width];
        f.Forecast([0], output);
        Assert.All(output, v => Assert.True(double.IsNaN(v)));
        Assert.Equal(name, f.Name);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Observe_SameInput_SameForecast(string name)
    {
        var a = Warm(name, 3, 400, 7);
        var b = Warm(name, 3, 400, 7);
        var oa = new double[3 * Shape.Width];
        var ob = new double[3 * Shape.Width];
        a.Forecast([0, 1, 2], oa);
        b.Forecast([0, 1, 2], ob);
        Assert.Equal(oa, ob);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Observe_GarbageInput_ForecastsStayFiniteAndSane(string name)
    {
        var f = Warm(name, 2, 400, 3);
        var rng = new Random(11);
        double[] garbage = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -5, -1e300, double.NaN];
        for (var t = 0; t < 300; t++)
        {
            var v0 = garbage[rng.Next(garbage.Length)];
            var v1 = rng.NextDouble() < 0.5 ? garbage[rng.Next(garbage.Length)] : (12 + rng.NextDouble()) * Unit(1);
            f.Observe(1_800_000_000 + (t * 300L), [0, 1], [v0, v1]);
        }

        var output = new double[2 * Shape.Width];
        f.Forecast([0, 1], output);
        for (var i = 0; i < output.Length; i++)
        {
            var v = output[i];
            var bound = 100 * Unit(i / Shape.Width);
            Assert.True(double.IsFinite(v) && v >= 0 && v < bound, $"{name}: {v}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ObserveAndForecast_SteadyState_AllocateNothing(string name)
    {
        var f = Warm(name, 8, 400, 5);
        int[] slots = [0, 1, 2, 3, 4, 5, 6, 7];
        var values = new double[8];
        var output = new double[8 * Shape.Width];
        for (var t = 0; t < 50; t++)
        {
            Array.Fill(values, 10 + (t % 3));
            f.Observe(1_900_000_000 + (t * 300L), slots, values);
            f.Forecast(slots, output);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var t = 50; t < 150; t++)
        {
            Array.Fill(values, 10 + (t % 3));
            f.Observe(1_900_000_000 + (t * 300L), slots, values);
            f.Forecast(slots, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ResetSeries_AfterHistory_ForgetsIt(string name)
    {
        var f = Warm(name, 2, 300, 9);
        f.ResetSeries(1);
        var output = new double[Shape.Width];
        f.Forecast([1], output);
        if (name != "ensemble")
        {
            Assert.All(output, v => Assert.True(double.IsNaN(v)));
        }
        else
        {
            // The ensemble falls back to its group's prior: near the group's level, not NaN.
            Assert.All(output, v => Assert.True(double.IsFinite(v)));
        }
    }
}
