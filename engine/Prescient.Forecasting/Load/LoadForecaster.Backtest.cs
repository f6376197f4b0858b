using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Load;

/// <content>Rolling-origin backtest on a job log.</content>
public sealed partial class LoadForecaster
{
    /// <summary>Result of <see cref="Backtest"/>, per horizon, in processors.</summary>
    /// <param name="HorizonSeconds">Horizons.</param>
    /// <param name="MedianMae">Mean absolute error of the point forecast (the median, the 0.5 quantile).</param>
    /// <param name="MeanMae">Mean absolute error of the expected total (<see cref="LoadForecast.Total"/>).</param>
    /// <param name="PersistenceMae">Mean absolute error of persistence (the processors in use at the origin).</param>
    /// <param name="Coverage80">Share of origins whose actual load lies in the forecast's [0.1, 0.9] quantile interval (nominal 0.8).</param>
    /// <param name="Origins">Forecast origins.</param>
    public sealed record BacktestResult(int[] HorizonSeconds, double[] MedianMae, double[] MeanMae, double[] PersistenceMae, double[] Coverage80, int Origins);

    /// <summary>
    /// Rolling-origin backtest on a job log: fits on the jobs submitted before <paramref name="trainFraction"/> of the
    /// log's span (capacity = their peak concurrency), then every <paramref name="originStrideSeconds"/> rebuilds the
    /// running set and queue from what was known at that moment (start, time limit, submit — not the end), forecasts
    /// with <paramref name="samples"/> paths, and compares with the processors actually in use at each horizon.
    /// Persistence is the processors in use at the origin, counted from the same running set the forecast starts
    /// from. Origins run in parallel; the result does not depend on their order.
    /// </summary>
    public static BacktestResult Backtest(IReadOnlyList<JobRecord> jobs, int[] horizonSeconds, double trainFraction = 0.3, long originStrideSeconds = 3600, int samples = 400)
    {
        var t0 = jobs.Min(j => j.SubmitSeconds);
        var t1 = jobs.Max(j => j.StartSeconds + j.RunSeconds);
        var split = t0 + (long)((t1 - t0) * trainFraction);
        // Only jobs finished by the split: a job still running or queued then has no known run time yet.
        var train = jobs.Where(j => j.StartSeconds + j.RunSeconds <= split).ToList();
        var forecaster = new LoadForecaster { CapacityProcessors = PeakConcurrency(train), Samples = samples };
        forecaster.Fit(train);
        var bySubmit = BySubmit(jobs);
        var (edgeTimes, edgeLoads) = LoadSteps(jobs);
        var last = horizonSeconds.Max();
        var origins = (int)Math.Max(0, ((t1 - last - split - 1) / originStrideSeconds) + 1);
        var h = horizonSeconds.Length;
        var medianError = new double[origins * h];
        var meanError = new double[origins * h];
        var persistenceError = new double[origins * h];
        var covered = new double[origins * h];
        double[] levels = [0.1, 0.5, 0.9];
        Parallel.For(0, origins, o =>
        {
            var now = split + (o * originStrideSeconds);
            var (running, pending, inUse) = StateAt(bySubmit, now);
            var f = forecaster.Forecast(now, horizonSeconds, levels, running, pending);
            for (var k = 0; k < h; k++)
            {
                var actual = LoadAt(edgeTimes, edgeLoads, now + horizonSeconds[k]);
                var i = (o * h) + k;
                medianError[i] = Math.Abs(actual - f.TotalQuantiles[(k * 3) + 1]);
                meanError[i] = Math.Abs(actual - f.Total[k]);
                persistenceError[i] = Math.Abs(actual - inUse);
                covered[i] = actual >= f.TotalQuantiles[k * 3] && actual <= f.TotalQuantiles[(k * 3) + 2] ? 1 : 0;
            }
        });

        return new BacktestResult(horizonSeconds, MeanOverOrigins(medianError, h), MeanOverOrigins(meanError, h), MeanOverOrigins(persistenceError, h), MeanOverOrigins(covered, h), origins);
    }

    private static double[] MeanOverOrigins(double[] values, int horizons)
    {
        var mean = new double[horizons];
        var origins = values.Length / horizons;
        for (var o = 0; o < origins; o++)
        {
            for (var k = 0; k < horizons; k++)
            {
                mean[k] += values[(o * horizons) + k];
            }
        }

        for (var k = 0; k < horizons; k++)
        {
            mean[k] /= Math.Max(1, origins);
        }

        return mean;
    }

    /// <summary>The log's load as a step function: at <c>times[i]</c> (ascending, distinct) the load becomes <c>loads[i]</c>.</summary>
    private static (long[] Times, double[] Loads) LoadSteps(IReadOnlyList<JobRecord> jobs)
    {
        var edges = new List<(long T, int D)>(jobs.Count * 2);
        foreach (var j in jobs)
        {
            if (j.RunSeconds > 0)
            {
                edges.Add((j.StartSeconds, j.Processors));
                edges.Add((j.StartSeconds + j.RunSeconds, -j.Processors));
            }
        }

        edges.Sort((a, b) => a.T.CompareTo(b.T));
        var times = new List<long>();
        var loads = new List<double>();
        double load = 0;
        for (var i = 0; i < edges.Count; i++)
        {
            load += edges[i].D;
            if (i + 1 == edges.Count || edges[i + 1].T != edges[i].T)
            {
                times.Add(edges[i].T);
                loads.Add(load);
            }
        }

        return (times.ToArray(), loads.ToArray());
    }

    /// <summary>Processors in use at <paramref name="at"/>: jobs with start ≤ at &lt; end.</summary>
    private static double LoadAt(long[] times, double[] loads, long at)
    {
        var i = Array.BinarySearch(times, at);
        if (i < 0)
        {
            i = ~i - 1;
        }

        return i < 0 ? 0 : loads[i];
    }
}
