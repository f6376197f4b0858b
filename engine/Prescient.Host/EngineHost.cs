using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prescient.Host.Agents;
using Prescient.Host.Forecasts;
using Prescient.Host.Planning;
using Prescient.Host.Scheduler;
using Prescient.Host.Services;
using Prescient.Host.State;

namespace Prescient.Host;

/// <summary>
/// Builds the engine daemon: an ASP.NET Core gRPC host serving the v1 API, standard health checking
/// and server reflection, with the live cluster model and the cadence loop as singletons.
/// </summary>
public static class EngineHost
{
    /// <summary>
    /// Creates the application. Configuration sources, lowest precedence first: <c>appsettings.json</c>
    /// in the working directory, <paramref name="configFile"/> (must exist), environment variables
    /// (<c>PRESCIENT__PORT=50052</c>), then <paramref name="overrides"/> (from flags, keys like
    /// <c>Prescient:Port</c>). Throws <see cref="OptionsValidationException"/> or
    /// <see cref="InvalidOperationException"/> naming the setting when the configuration is bad.
    /// </summary>
    public static WebApplication Build(string? configFile, IReadOnlyDictionary<string, string?> overrides, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddJsonFile("appsettings.json", optional: true, reloadOnChange: false);
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new InvalidOperationException($"--config: the file '{configFile}' does not exist.");
            }

            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(overrides);

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        configureLogging?.Invoke(builder.Logging);

        var options = ReadOptions(builder.Configuration);
        ReadPlannerOptions(builder.Configuration);
        builder.Services.AddSingleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>();
        builder.Services.AddOptions<EngineOptions>().Bind(builder.Configuration.GetSection(EngineOptions.SectionName)).ValidateOnStart();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = options.ListenAddress == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.ListenAddress);
            kestrel.Listen(address, options.Port, listen => listen.Protocols = HttpProtocols.Http2);
            if (options.MetricsPort > 0)
            {
                kestrel.Listen(address, options.MetricsPort, listen => listen.Protocols = HttpProtocols.Http1);
            }
            kestrel.AddServerHeader = false;
        });

        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<RejectionCountingInterceptor>();
        });
        builder.Services.AddGrpcHealthChecks().AddCheck("engine", () => HealthCheckResult.Healthy());
        builder.Services.AddGrpcReflection();

        var stateDirectory = options.ResolveStateDirectory();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new ClusterState(sp.GetRequiredService<IOptions<EngineOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new CommandLog(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<AgentSessions>();
        builder.Services.AddSingleton<TelemetryIngest>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TelemetryIngest>());
        builder.Services.AddSingleton<PlanStore>();
        builder.Services.AddSingleton<StoredSeriesForecaster>();
        builder.Services.AddSingleton(sp => new EventStore(stateDirectory, options.MaxEvents, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EventStore>>()));
        builder.Services.AddOptions<PlannerOptions>().Bind(builder.Configuration.GetSection(PlannerOptions.SectionName))
            .Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        builder.Services.AddOptions<Prescient.Orchestration.Cycle.OrchestratorOptions>().Bind(builder.Configuration.GetSection("Prescient:Orchestrator"))
            .Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        builder.Services.AddSingleton<Prescient.Host.Metrics.PlanningMetrics>();
        builder.Services.AddSingleton(sp => new PlanningStateStore(stateDirectory, sp.GetRequiredService<ILogger<PlanningStateStore>>()));
        builder.Services.AddSingleton<PlanningService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PlanningService>());

        builder.Services.AddSingleton<Kernels.KernelDeviceProbe>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Kernels.KernelDeviceProbe>());

        var app = builder.Build();
        app.MapGrpcService<AgentGatewayService>();
        app.MapGrpcService<SchedulerApiService>();
        app.MapGrpcService<AdminService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapGet("/metrics", (Prescient.Host.Metrics.PlanningMetrics metrics) =>
            Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        return app;
    }

    /// <summary>Binds and validates the planner's and the orchestrator's options eagerly, failing like <see cref="ReadOptions"/>.</summary>
    public static void ReadPlannerOptions(IConfiguration configuration)
    {
        try
        {
            var planner = new PlannerOptions();
            configuration.GetSection(PlannerOptions.SectionName).Bind(planner);
            planner.Validate();
            var orchestrator = new Prescient.Orchestration.Cycle.OrchestratorOptions();
            configuration.GetSection("Prescient:Orchestrator").Bind(orchestrator);
            orchestrator.Validate();
            foreach (var (setting, model) in (ReadOnlySpan<(string, string)>)[("Model", orchestrator.Model), ("FallbackModel", orchestrator.FallbackModel)])
            {
                if (setting == "Model" && model == "lstm" && orchestrator.LstmModelPath.Length > 0)
                {
                    continue;
                }

                try
                {
                    _ = Prescient.Forecasting.Models.ForecasterRegistry.Create(model, new Prescient.Abstractions.Forecasting.ForecastShape(60, [1], [0.5]));
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"Prescient:Orchestrator:{setting}: {e.Message}", e);
                }
            }

            if (orchestrator.LstmModelPath.Length > 0)
            {
                Prescient.Orchestration.Cycle.Orchestrator.CheckLstmModel(orchestrator);
            }
        }
        catch (ArgumentException e)
        {
            throw new OptionsValidationException("Prescient:Planner", typeof(PlannerOptions), [e.Message]);
        }
    }

    /// <summary>Binds and validates the options eagerly, so that a bad setting stops the start before anything listens.</summary>
    public static EngineOptions ReadOptions(IConfiguration configuration)
    {
        var options = new EngineOptions();
        configuration.GetSection(EngineOptions.SectionName).Bind(options);
        var result = new EngineOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(EngineOptions.SectionName, typeof(EngineOptions), result.Failures);
        }

        Directory.CreateDirectory(options.ResolveStateDirectory());
        return options;
    }
}
