namespace Prescient.Forecasting.Load;

/// <summary>
/// The system-wide processor demand forecast at each horizon, as the sum of its parts (which reconcile to it
/// exactly: <see cref="Total"/>[h] = running + pending + arrivals + events + scheduled), with quantiles from a
/// normal approximation whose variance adds the parts' (Bernoulli survival of each job, Poisson arrivals).
/// Per-user expected demand (running + pending + that user's arrivals) is in <see cref="ByUser"/>; users' sums
/// plus the population's unattributed arrivals, events and scheduled tasks equal the total.
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
        Damping = new double[n];
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
    /// The pull toward the load now added to every sample path: (1 − α)(L0 − m), with L0 the processors in use now, m
    /// the paths' median and α the learned damping (see <see cref="LoadForecaster.DampingAt"/>); 0 when undamped.
    /// </summary>
    public double[] Damping { get; }

    /// <summary>Expected total = the sum of the parts (running + pending + arrivals + damping + events + scheduled).</summary>
    public double[] Total { get; }

    /// <summary>Variance of the total.</summary>
    public double[] Variance { get; }

    /// <summary>Quantiles of the total, horizon-major, clamped to [0, capacity].</summary>
    public double[] TotalQuantiles { get; }

    /// <summary>Expected processors per user at each horizon (running + pending + arrivals of that user).</summary>
    public Dictionary<string, double[]> ByUser { get; } = new(StringComparer.Ordinal);
}
