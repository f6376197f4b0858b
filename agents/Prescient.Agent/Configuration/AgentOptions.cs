namespace Prescient.Agent.Configuration;

/// <summary>
/// Settings of prescient-agent, bound from the "Agent" section of appsettings.json, then
/// environment variables PRESCIENT_AGENT__&lt;Name&gt;, then command-line flags (last wins).
/// Validated at start by <see cref="AgentOptionsValidator"/>; a bad value stops the agent with
/// exit code 2 and a message naming the setting.
/// </summary>
public sealed class AgentOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Agent";

    /// <summary>Engine address, http:// (plaintext HTTP/2) or https://. Flag --engine.</summary>
    public string EngineUrl { get; set; } = "http://127.0.0.1:50051";

    /// <summary>Only report what would be done. Must be true until enforcement lands. Flag --dry-run.</summary>
    public bool DryRun { get; set; } = true;

    /// <summary>Seconds between telemetry batches, 1..3600; the engine's Welcome may ask for slower. Flag --interval.</summary>
    public double IntervalSeconds { get; set; } = 5;

    /// <summary>Node name sent in Hello; empty = the short host name (hostname -s). Flag --node-name.</summary>
    public string NodeName { get; set; } = string.Empty;

    /// <summary>cgroupfs root holding the v1 controller mounts and/or the v2 hierarchy. Flag --cgroup-root.</summary>
    public string CgroupRoot { get; set; } = "/sys/fs/cgroup";

    /// <summary>Directory of the plain per-job layout under each hierarchy: &lt;hierarchy&gt;/&lt;this&gt;/&lt;job-id&gt;. Flag --plain-job-dir.</summary>
    public string PlainJobDirectory { get; set; } = "prescient";

    /// <summary>procfs mount. Flag --proc-root.</summary>
    public string ProcRoot { get; set; } = "/proc";

    /// <summary>sysfs mount. Flag --sys-root.</summary>
    public string SysRoot { get; set; } = "/sys";

    /// <summary>User database for uid → name.</summary>
    public string PasswdFile { get; set; } = "/etc/passwd";

    /// <summary>Sustained block-device bandwidth to report as capacity; 0 = unknown. Flag --storage-bytes-per-second.</summary>
    public ulong StorageBytesPerSecond { get; set; }

    /// <summary>Interface for per-job tc classes; empty = the first physical interface. Flag --network-interface.</summary>
    public string NetworkInterface { get; set; } = string.Empty;

    /// <summary>Load libprescient_native when present; false forces the managed fallback. Flag --no-native sets false.</summary>
    public bool UseNativeLibrary { get; set; } = true;

    /// <summary>First reconnect delay in seconds (doubles per failed attempt, with jitter).</summary>
    public double InitialBackoffSeconds { get; set; } = 0.5;

    /// <summary>Cap of the reconnect delay in seconds.</summary>
    public double MaxBackoffSeconds { get; set; } = 30;

    /// <summary>How many command results are kept to answer repeated sequence numbers.</summary>
    public int RetainedCommandResults { get; set; } = 1024;

    /// <summary>Logs as JSON lines on stderr instead of text. Flag --json-log.</summary>
    public bool JsonLog { get; set; }
}
