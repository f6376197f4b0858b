namespace Prescient.Agent.Configuration;

/// <summary>Maps prescient-agent's flags onto "Agent:Name" configuration keys. Unknown flags are errors.</summary>
public static class AgentCommandLine
{
    /// <summary>Usage text for --help and after a command-line error.</summary>
    public const string Usage = """
        usage: prescient-agent [--engine URL] [--dry-run] [--interval SECONDS] [--node-name NAME]
                               [--cgroup-root PATH] [--plain-job-dir NAME] [--proc-root PATH] [--sys-root PATH]
                               [--storage-bytes-per-second N] [--network-interface IFACE] [--no-native]
                               [--json-log] [--help] [--version]
        Settings also come from appsettings.json (section "Agent") and PRESCIENT_AGENT__<Name> variables.
        """;

    private static readonly Dictionary<string, string> ValueFlags = new(StringComparer.Ordinal)
    {
        ["--engine"] = "EngineUrl",
        ["--interval"] = "IntervalSeconds",
        ["--node-name"] = "NodeName",
        ["--cgroup-root"] = "CgroupRoot",
        ["--plain-job-dir"] = "PlainJobDirectory",
        ["--proc-root"] = "ProcRoot",
        ["--sys-root"] = "SysRoot",
        ["--storage-bytes-per-second"] = "StorageBytesPerSecond",
        ["--network-interface"] = "NetworkInterface",
    };

    private static readonly Dictionary<string, (string Key, string Value)> SwitchFlags = new(StringComparer.Ordinal)
    {
        ["--dry-run"] = ("DryRun", "true"),
        ["--json-log"] = ("JsonLog", "true"),
        ["--no-native"] = ("UseNativeLibrary", "false"),
    };

    /// <summary>What the command line asked for.</summary>
    public enum Action
    {
        /// <summary>Run the agent with <c>settings</c>.</summary>
        Run,

        /// <summary>Print usage and exit 0.</summary>
        Help,

        /// <summary>Print the version and exit 0.</summary>
        Version,
    }

    /// <summary>Parses <paramref name="args"/>; false with <paramref name="error"/> on a bad command line.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out Dictionary<string, string?> settings, out Action action, out string? error)
    {
        settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        action = Action.Run;
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            if (arg is "--help" or "-h")
            {
                action = Action.Help;
                continue;
            }

            if (arg == "--version")
            {
                action = Action.Version;
                continue;
            }

            if (SwitchFlags.TryGetValue(arg, out var sw))
            {
                if (inlineValue is not null)
                {
                    error = $"{arg} takes no value";
                    return false;
                }

                settings[$"{AgentOptions.SectionName}:{sw.Key}"] = sw.Value;
                continue;
            }

            if (ValueFlags.TryGetValue(arg, out var key))
            {
                var value = inlineValue;
                if (value is null)
                {
                    if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        error = $"{arg} needs a value";
                        return false;
                    }

                    value = args[++i];
                }

                settings[$"{AgentOptions.SectionName}:{key}"] = value;
                continue;
            }

            error = $"unknown argument '{args[i]}'";
            return false;
        }

        return true;
    }
}
