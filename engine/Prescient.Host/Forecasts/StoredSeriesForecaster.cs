using Prescient.Abstractions.Telemetry;
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
            result[i] = new QuantileValueInfo(quantiles[i], Math.Max(0, point + (sigma * NormalQuantile(quantiles[i]))));
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

    /// <summary>Inverse standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((((c[0] * q) + c[1]) * q) + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((((d[0] * q) + d[1]) * q) + d[2]) * q + d[3]) * q + 1);
        }

        if (p > 1 - low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((((c[0] * q) + c[1]) * q) + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((((d[0] * q) + d[1]) * q) + d[2]) * q + d[3]) * q + 1);
        }

        var r = p - 0.5;
        var s = r * r;
        return (((((((a[0] * s) + a[1]) * s) + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((((b[0] * s) + b[1]) * s) + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}

public sealed record QuantileValueInfo(double Quantile, double Value);

public sealed record HorizonForecastInfo(int HorizonSeconds, long TargetUnixMilliseconds, IReadOnlyList<QuantileValueInfo> Quantiles);

public sealed record ResourceForecastInfo(ResourceKind Resource, string Model, int HistoryPoints, IReadOnlyList<HorizonForecastInfo> Horizons);

public sealed record ScopeForecast(long IssuedUnixMilliseconds, IReadOnlyList<ResourceForecastInfo> Resources, bool Found);
