using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Prescient.Agent.Actuators.DryRun;
using Prescient.Agent.Actuators.Policy;
using Prescient.Agent.Collectors;
using Prescient.Agent.Commands;
using Prescient.Agent.Configuration;
using Prescient.Agent.Interop.PageCache;
using Prescient.Agent.Session;

namespace Prescient.Agent;

/// <summary>Start-up of prescient-agent: configuration, validation, probes, the host.</summary>
public static class AgentProgram
{
    /// <summary>Exit code for a bad command line or configuration.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>Runs the agent until SIGINT/SIGTERM; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (!AgentCommandLine.TryParse(args, out var flags, out var action, out var argError))
        {
            await Console.Error.WriteLineAsync($"prescient-agent: {argError}\n{AgentCommandLine.Usage}").ConfigureAwait(false);
            return ConfigurationErrorExitCode;
        }

        switch (action)
        {
            case AgentCommandLine.Action.Help:
                await Console.Out.WriteLineAsync(AgentCommandLine.Usage).ConfigureAwait(false);
                return 0;
            case AgentCommandLine.Action.Version:
                await Console.Out.WriteLineAsync($"prescient-agent {AgentSession.AgentVersion}").ConfigureAwait(false);
                return 0;
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables("PRESCIENT_")
            .AddInMemoryCollection(flags)
            .Build();

        if (!TryBind(configuration, out var options, out var bindError))
        {
            await Console.Error.WriteLineAsync($"prescient-agent: invalid configuration: {bindError}").ConfigureAwait(false);
            return ConfigurationErrorExitCode;
        }

        var problems = AgentOptionsValidator.Check(options);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync($"prescient-agent: invalid configuration: {problem}").ConfigureAwait(false);
            }

            return ConfigurationErrorExitCode;
        }

        using var host = BuildHost(configuration, options);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Prescient.Agent");
        var identity = host.Services.GetRequiredService<AgentIdentity>();
        var collector = host.Services.GetRequiredService<TelemetryCollector>();
        var topology = host.Services.GetRequiredService<NodeTopology>();
        var pageCache = host.Services.GetRequiredService<IPageCache>();
        var fallbackReason = host.Services.GetRequiredService<NativeProbeOutcome>().FallbackReason;
        if (fallbackReason is null)
        {
            logger.LogInformation("Native library libprescient_native.so loaded: page-cache residency is measured with mincore");
        }
        else
        {
            logger.LogWarning("Using the managed fallback ({NativeLibrary}): {Reason}; prefetch plans cannot tell what is already cached", pageCache.Name, fallbackReason);
        }

        logger.LogInformation(
            "prescient-agent {Version} on node {NodeName}: mode dry-run, engine {EngineUrl}, interval {IntervalSeconds} s, cgroups {Layout}, {Cpus} CPUs, {MemoryBytes} bytes, tc interface '{Interface}'",
            AgentSession.AgentVersion, identity.NodeName, options.EngineUrl, options.IntervalSeconds, collector.Layout, topology.CpuIds.Count,
            collector.Inventory.MemoryBytes, topology.NetworkInterface);

        await host.RunAsync().ConfigureAwait(false);
        return Environment.ExitCode;
    }

    /// <summary>Binds the "Agent" section; false with the binder's message (which names the key) on a bad value or unknown key.</summary>
    public static bool TryBind(IConfiguration configuration, out AgentOptions options, out string? error)
    {
        options = new AgentOptions();
        try
        {
            configuration.GetSection(AgentOptions.SectionName).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
            error = null;
            return true;
        }
        catch (InvalidOperationException ex)
        {
            error = ex.InnerException is null ? ex.Message : $"{ex.Message} {ex.InnerException.Message}";
            return false;
        }
    }

    /// <summary>The short host name, as hostname -s prints it.</summary>
    public static string ShortHostName()
    {
        var name = Environment.MachineName;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? name[..dot] : name;
    }

    private static IHost BuildHost(IConfiguration configuration, AgentOptions options)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        if (options.JsonLog)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        // Logs go to stderr, whatever their level; stdout stays free for --help/--version.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IFileSource>(FileSystemSource.Instance);
        builder.Services.AddSingleton(new CollectorPaths(options.ProcRoot, options.SysRoot, options.CgroupRoot, options.PlainJobDirectory, options.PasswdFile));
        builder.Services.AddSingleton(sp => NodeInventory.Read(sp.GetRequiredService<IFileSource>(), sp.GetRequiredService<CollectorPaths>(), options.StorageBytesPerSecond));
        builder.Services.AddSingleton(sp =>
        {
            var inventory = sp.GetRequiredService<NodeInventory>();
            var iface = options.NetworkInterface.Length != 0 ? options.NetworkInterface : inventory.PrimaryInterface;
            return new NodeTopology(inventory.CpuIds, inventory.NumaNodes.Select(n => n.Id).ToList(), iface);
        });
        var pageCache = PageCacheProbe.Create(options.UseNativeLibrary, out var fallbackReason);
        builder.Services.AddSingleton(pageCache);
        builder.Services.AddSingleton(new NativeProbeOutcome(fallbackReason));
        builder.Services.AddSingleton(new AgentIdentity(options.NodeName.Length != 0 ? options.NodeName : ShortHostName(), pageCache.Name));
        builder.Services.AddSingleton(sp => new TelemetryCollector(
            sp.GetRequiredService<IFileSource>(), sp.GetRequiredService<CollectorPaths>(), sp.GetRequiredService<NodeInventory>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<TelemetryCollector>()));
        builder.Services.AddSingleton(new DryRunActuator(pageCache));
        builder.Services.AddSingleton(sp => new CommandProcessor(
            sp.GetRequiredService<DryRunActuator>(), sp.GetRequiredService<TelemetryCollector>().Layout, sp.GetRequiredService<TimeProvider>(), options.RetainedCommandResults));
        builder.Services.AddHostedService<AgentSession>();
        return builder.Build();
    }

    private sealed record NativeProbeOutcome(string? FallbackReason);
}
