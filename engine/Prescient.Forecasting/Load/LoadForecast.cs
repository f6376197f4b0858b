namespace Prescient.Forecasting.Load;

/// <summary>
/// The system-wide processor demand forecast at each horizon, from the <see cref="LoadForecaster"/>'s sample paths. The
/// parts are means over the paths and reconcile exactly: <see cref="Total"/>[h] = running + pending + arrivals +
/// calibration + events + scheduled. <see cref="TotalQuantiles"/> are the calibrated paths' empirical quantiles (the
/// 0.5 quantile is the point forecast). Per-user expected demand (running + pending + the user's share of arrivals)
/// is in <see cref="ByUser"/>; users' sums plus the calibration, events and scheduled tasks equal the total.
/// </summary>
public sealed class LoadForecast
{
    /// <summary>Creates an empty forecast for <paramref name="horizonSeconds"/> and <paramref name="quantiles"/>.</summary>
    public LoadForecast(int[] horizonSeconds, double[] quantiles)
    {
        HorizonSeconds = horizonSeconds;
        Quantiles = quantiles;
        var n = horizonSeconds.Length;
        Running = new double[n];
        Pending = new double[n];
        Arrivals = new double[n];
        Events = new double[n];
        Scheduled = new double[n];
        Calibration = new double[n];
        Total = new double[n];
        Variance = new double[n];
        TotalQuantiles = new double[n * quantiles.Length];
    }

    /// <summary>Horizons in seconds.</summary>
    public int[] HorizonSeconds { get; }

    /// <summary>Quantile levels of <see cref="TotalQuantiles"/>.</summary>
    public double[] Quantiles { get; }

    /// <summary>Expected processors of jobs running now still running at each horizon.</summary>
    public double[] Running { get; }

    /// <summary>Expected processors of queued jobs running at each horizon.</summary>
    public double[] Pending { get; }

    /// <summary>Expected processors of jobs not yet submitted running at each horizon.</summary>
    public double[] Arrivals { get; }

    /// <summary>Registered events' extra processors at each horizon.</summary>
    public double[] Events { get; }

    /// <summary>Scheduled tasks' processors at each horizon.</summary>
    public double[] Scheduled { get; }

    /// <summary>
    /// What the calibration adds to the paths' mean: each path value x is served as L0 + α(m − L0) + c(x − m), with L0
    /// the processors in use now, m the paths' median, α and c the learned damping and spread (see
    /// <see cref="LoadForecaster.DampingAt"/>, <see cref="LoadForecaster.SpreadAt"/>); 0 when α = c = 1.
    /// </summary>
    public double[] Calibration { get; }

    /// <summary>Expected total = the sum of the parts (running + pending + arrivals + calibration + events + scheduled).</summary>
    public double[] Total { get; }

    /// <summary>Variance of the total over the calibrated paths (events and scheduled tasks add none).</summary>
    public double[] Variance { get; }

    /// <summary>Quantiles of the total, horizon-major, clamped to [0, capacity].</summary>
    public double[] TotalQuantiles { get; }

    /// <summary>Expected processors per user at each horizon (running + pending + arrivals of that user).</summary>
    public Dictionary<string, double[]> ByUser { get; } = new(StringComparer.Ordinal);
}
