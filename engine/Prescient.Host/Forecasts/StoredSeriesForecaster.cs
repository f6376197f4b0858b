using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Numerics;
using Prescient.Host.State;

namespace Prescient.Host.Forecasts;

/// <summary>
/// Forecasts served by <c>GetForecast</c> from the telemetry the engine stores: the scope's member
/// series are put on a common grid (one step = the telemetry period) and summed; the point forecast is
/// the daily seasonal-naive one, y(t+h) = y(t+h-1 day), where a day of history exists, and persistence,
/// y(t+h) = y(t), where it does not (the model name says which). Quantiles come from the empirical
/// distribution of the same rule's h-step errors over the stored history, or, with too few of those,
/// from a random-walk spread sigma·sqrt(k) of the one-step changes. Forecasts are never negative.
/// </summary>
public sealed class StoredSeriesForecaster(ClusterState state, TimeProvider time)
{
    /// <summary>Errors needed before their empirical quantiles are trusted over the random-walk spread.</summary>
    public const int MinimumErrors = 8;

    private const long DayMilliseconds = 86_400_000;

    public ScopeForecast Forecast(EntityKind scope, string name, IReadOnlyList<ResourceKind> resources, IReadOnlyList<int> horizonsSeconds, IReadOnlyList<double> quantiles, int stepSeconds)
    {
        var members = state.MembersOf(scope, name);
        var issued = time.GetUtcNow().ToUnixTimeMilliseconds();
        var results = new List<ResourceForecastInfo>();
        if (members.Count == 0)
        {
            return new ScopeForecast(issued, results, Found: false);
        }

        var stepMilliseconds = stepSeconds * 1000L;
        var times = new List<long>();
        var values = new List<float>();
        foreach (var resource in resources)
        {
            var grid = BuildGrid(members, resource, stepMilliseconds, times, values, out var gridEnd);
            if (grid.Length == 0)
            {
                continue;
            }

            var seasonLag = (int)(DayMilliseconds / stepMilliseconds);
            var horizons = new List<HorizonForecastInfo>(horizonsSeconds.Count);
            var model = "persistence";
            foreach (var horizon in horizonsSeconds)
            {
                var k = Math.Max(1, (int)Math.Round(horizon * 1000.0 / stepMilliseconds));
                var seasonal = grid.Length >= seasonLag + 1 && k <= seasonLag;
                model = seasonal ? "seasonal-naive" : "persistence";
                var lag = seasonal ? seasonLag : k;
                var point = grid[grid.Length - 1 - (lag - k)];
                var q = Quantiles(grid, k, lag, quantiles, point);
                horizons.Add(new HorizonForecastInfo(horizon, gridEnd + (horizon * 1000L), q));
            }

            results.Add(new ResourceForecastInfo(resource, model, grid.Length, horizons));
        }

        return new ScopeForecast(issued, results, Found: true);
    }

    private double[] BuildGrid(IReadOnlyList<(EntityKind Kind, string Name)> members, ResourceKind resource, long step, List<long> times, List<float> values, out long gridEnd)
    {
        // Each member contributes its latest sample at or before a grid point, if that sample is at most
        // three steps old; older means the member was absent (a job not yet started, or gone).
        var series = new List<(long[] T, float[] V)>(members.Count);
        long latest = long.MinValue, earliest = long.MaxValue;
        foreach (var (kind, member) in members)
        {
            times.Clear();
            values.Clear();
            if (state.TryCopySeries(kind, member, resource, times, values) && times.Count > 0)
            {
                series.Add((times.ToArray(), values.ToArray()));
                latest = Math.Max(latest, times[^1]);
                earliest = Math.Min(earliest, times[0]);
            }
        }

        gridEnd = latest;
        if (series.Count == 0)
        {
            return [];
        }

        var points = (int)Math.Min(((latest - earliest) / step) + 1, 1_000_000);
        var grid = new double[points];
        foreach (var (t, v) in series)
        {
            var j = 0;
            for (var i = 0; i < points; i++)
            {
                var at = latest - ((long)(points - 1 - i) * step);
                while (j + 1 < t.Length && t[j + 1] <= at)
                {
                    j++;
                }

                if (t[j] <= at && at - t[j] <= 3 * step)
                {
                    grid[i] += v[j];
                }
            }
        }

        return grid;
    }

    private static QuantileValueInfo[] Quantiles(double[] grid, int k, int lag, IReadOnlyList<double> quantiles, double point)
    {
        // Errors of the same rule at every past origin: e = y(t+k) - y(t+k-lag).
        var errors = new List<double>();
        for (var target = lag; target < grid.Length; target++)
        {
            errors.Add(grid[target] - grid[target - lag]);
        }

        var result = new QuantileValueInfo[quantiles.Count];
        if (errors.Count >= MinimumErrors)
        {
            errors.Sort();
            for (var i = 0; i < quantiles.Count; i++)
            {
                result[i] = new QuantileValueInfo(quantiles[i], Math.Max(0, point + EmpiricalQuantile(errors, quantiles[i])));
            }

            return result;
        }

        var sigma = OneStepSigma(grid) * Math.Sqrt(k);
        for (var i = 0; i < quantiles.Count; i++)
        {
            result[i] = new QuantileValueInfo(quantiles[i], Math.Max(0, point + (sigma * Distributions.NormalQuantile(quantiles[i]))));
        }

        return result;
    }

    private static double EmpiricalQuantile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    private static double OneStepSigma(double[] grid)
    {
        if (grid.Length < 3)
        {
            return 0;
        }

        double sum = 0, sumSquares = 0;
        for (var i = 1; i < grid.Length; i++)
        {
            var d = grid[i] - grid[i - 1];
            sum += d;
            sumSquares += d * d;
        }

        var n = grid.Length - 1;
        var mean = sum / n;
        return Math.Sqrt(Math.Max(0, (sumSquares / n) - (mean * mean)));
    }
}

public sealed record QuantileValueInfo(double Quantile, double Value);

public sealed record HorizonForecastInfo(int HorizonSeconds, long TargetUnixMilliseconds, IReadOnlyList<QuantileValueInfo> Quantiles);

public sealed record ResourceForecastInfo(ResourceKind Resource, string Model, int HistoryPoints, IReadOnlyList<HorizonForecastInfo> Horizons);

public sealed record ScopeForecast(long IssuedUnixMilliseconds, IReadOnlyList<ResourceForecastInfo> Resources, bool Found);
