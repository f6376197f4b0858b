using System.Globalization;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Models;

namespace Prescient.Bench.Forecasting;

/// <summary>
/// <c>memory [N]</c>: managed bytes per series of every model, at the orchestrator's shape (one-minute steps; 1 min,
/// 5 min and 1 h ahead; quantiles 0.5, 0.9, 0.99), exact and with the orchestrator's memory settings (15-minute
/// seasonal buckets over the last day and hourly ones before it, 4 pending records per horizon). Measured as the growth of the collected heap when N series are
/// added (sized at once) and stepped through a day, divided by N.
/// </summary>
internal static class MemoryProbe
{
    private static readonly ForecastShape Shape = ForecastShape.ForStep(60, [60, 300, 3600], [0.5, 0.9, 0.99]);

    public static int Run(int n)
    {
        Console.WriteLine($"{"model",-16} {"exact B/series",15} {"lean B/series",14}");
        foreach (var model in new[] { "persistence", "seasonal-naive", "holt-winters", "bayes-dlm", "seasonal-median", "window-quantile", "ensemble" })
        {
            var exact = Measure(model, n, new EnsembleOptions());
            var lean = Measure(model, n, new EnsembleOptions { SeasonalResolutionSeconds = 900, PendingSlotsPerHorizon = 4, OlderDaysResolutionSeconds = 3600 });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model,-16} {exact,15:F0} {lean,14:F0}"));
        }

        return 0;
    }

    private static double Measure(string model, int n, EnsembleOptions options)
    {
        var before = GC.GetTotalMemory(true);
        var f = ForecasterRegistry.Create(model, Shape, ensembleOptions: options);
        f.EnsureCapacity(n);
        f.AddSeries(n);
        var slots = Enumerable.Range(0, n).ToArray();
        for (var s = 0; s < n; s++)
        {
            f.DescribeSeries(s, new SeriesKey(EntityKind.Job, "j" + (s / 4), (ResourceKind)(s % 4)), "g" + (s % 16));
        }

        // Ninety steps: every pending ring and tier is written (the arrays are allocated up front anyway).
        var values = new double[n];
        for (var t = 0; t < 90; t++)
        {
            for (var s = 0; s < n; s++)
            {
                values[s] = 1 + (s % 7) + ((t % 13) / 13.0);
            }

            f.Observe(1_700_000_000 + (t * 60L), slots, values);
        }

        var bytes = GC.GetTotalMemory(true) - before - (n * sizeof(int)) - (n * sizeof(double));
        GC.KeepAlive(f);
        GC.KeepAlive(slots);
        GC.KeepAlive(values);
        return bytes / (double)n;
    }
}
