namespace Prescient.Host;

/// <summary>
/// Configuration of the engine daemon, bound from the <c>Prescient</c> section of <c>appsettings.json</c>,
/// environment variables <c>PRESCIENT__&lt;Name&gt;</c> and command-line flags (in increasing precedence).
/// Every member has a working default, so <c>prescient serve</c> starts with no configuration at all.
/// Validated at start-up by <see cref="EngineOptionsValidator"/>; a bad value stops the start with a
/// message that names the setting.
/// </summary>
public sealed class EngineOptions
{
    public const string SectionName = "Prescient";

    /// <summary>Address to listen on. Default loopback: an engine is exposed on purpose, never by accident.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>TCP port of the gRPC endpoint (HTTP/2 without TLS), 1..65535. 0 picks a free port.</summary>
    public int Port { get; set; } = 50051;

    /// <summary>
    /// TCP port of a second, HTTP/1.1 listener that serves only <c>GET /metrics</c> (Prometheus text), on
    /// <see cref="ListenAddress"/>; 0 (the default) = none. <c>/metrics</c> is also served on the gRPC port for h2c clients.
    /// </summary>
    public int MetricsPort { get; set; }

    /// <summary>Where state is kept. Empty: <c>$PRESCIENT_STATE_DIR</c>, else <c>./.prescient</c>.</summary>
    public string StateDirectory { get; set; } = "";

    /// <summary>Telemetry period the engine asks agents for, in seconds (1..3600).</summary>
    public int TelemetryIntervalSeconds { get; set; } = 5;

    /// <summary>Largest gRPC message accepted, in bytes (4 KiB..64 MiB). Larger messages are refused and counted.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Samples kept per series (ring buffer), 16..1,000,000. Default: one hour at a 5 s period.</summary>
    public int SamplesPerSeries { get; set; } = 720;

    /// <summary>Most series (nodes + jobs) stored; telemetry for new series past it is refused and counted.</summary>
    public int MaxSeries { get; set; } = 20_000;

    /// <summary>Samples stamped this far in the future of the engine's clock are refused (clock skew), in seconds.</summary>
    public int MaxClockSkewSeconds { get; set; } = 60;

    /// <summary>Samples older than this are refused (a replayed or stuck agent), in seconds.</summary>
    public int MaxSampleAgeSeconds { get; set; } = 600;

    /// <summary>Cadence of the planning cycle, in milliseconds (100..3,600,000).</summary>
    public int CycleMilliseconds { get; set; } = 1000;

    /// <summary>An agent that has sent nothing for this long is reported as disconnected, in seconds.</summary>
    public int AgentSilenceSeconds { get; set; } = 30;

    /// <summary>Forecast horizons served by default, in seconds, ascending.</summary>
    public int[] HorizonsSeconds { get; set; } = [60, 300, 3600];

    /// <summary>Forecast quantiles served by default, each in (0, 1), ascending.</summary>
    public double[] Quantiles { get; set; } = [0.5, 0.8, 0.9, 0.95, 0.99];

    /// <summary>
    /// Headroom of the reactive planner over observed usage (0.5 = limits at 1.5 × usage), 0..10.
    /// The predictive orchestrator replaces this path; it stays as the fallback.
    /// </summary>
    public double ReactiveHeadroom { get; set; } = 0.5;

    /// <summary>Relative change below which the reactive planner leaves a limit alone (hysteresis), 0..1.</summary>
    public double ReactiveHysteresis { get; set; } = 0.2;

    /// <summary>Jobs the engine tracks at most (agents' and scheduler's together).</summary>
    public int MaxJobs { get; set; } = 200_000;

    /// <summary>Pending jobs accepted in one queue snapshot.</summary>
    public int MaxPendingJobs { get; set; } = 100_000;

    /// <summary>Anticipated events kept at most.</summary>
    public int MaxEvents { get; set; } = 10_000;

    /// <summary>Inference device of the recurrent models: <c>auto</c> (CUDA, then OpenCL, else the SIMD CPU path), <c>cpu</c> or <c>gpu</c>.</summary>
    public string KernelDevice { get; set; } = "auto";

    /// <summary>The directory actually used: <see cref="StateDirectory"/>, <c>$PRESCIENT_STATE_DIR</c> or <c>./.prescient</c>.</summary>
    public string ResolveStateDirectory()
    {
        if (!string.IsNullOrWhiteSpace(StateDirectory))
        {
            return Path.GetFullPath(StateDirectory);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("PRESCIENT_STATE_DIR");
        return Path.GetFullPath(string.IsNullOrWhiteSpace(fromEnvironment) ? ".prescient" : fromEnvironment);
    }

    /// <summary>Upper bound of the telemetry store's memory, in bytes: series × samples × bytes per sample.</summary>
    public long TelemetryMemoryBudgetBytes => (long)MaxSeries * SamplesPerSeries * State.UsageRing.BytesPerSample;
}
