using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using Prescient.Host;

namespace Prescient.Cli.Commands;

/// <summary><c>prescient serve [--port N] [--config FILE] [--state-dir DIR]</c>: runs the engine daemon until Ctrl-C or SIGTERM.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int?>("--port") { Description = "TCP port of the gRPC endpoint (default 50051; 0 picks a free port)" };
        var config = new Option<string?>("--config") { Description = "JSON configuration file (the 'Prescient' section), on top of ./appsettings.json" };
        var stateDir = new Option<string?>("--state-dir") { Description = "Directory for persisted state (default $PRESCIENT_STATE_DIR or ./.prescient)" };
        var listen = new Option<string?>("--listen") { Description = "Address to listen on (default 127.0.0.1)" };
        var device = new Option<string?>("--device") { Description = "Inference device of the recurrent models: auto (default), cpu or gpu" };
        var command = new Command("serve", "Run the Prescient engine: the gRPC API for agents, schedulers and operators, and the planning cycle.")
        {
            port, config, stateDir, listen, device,
        };
        command.SetAction(async (parse, ct) =>
        {
            var overrides = new Dictionary<string, string?>();
            if (parse.GetValue(port) is { } p)
            {
                overrides[$"{EngineOptions.SectionName}:{nameof(EngineOptions.Port)}"] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (parse.GetValue(stateDir) is { } s)
            {
                overrides[$"{EngineOptions.SectionName}:{nameof(EngineOptions.StateDirectory)}"] = s;
            }

            if (parse.GetValue(listen) is { } l)
            {
                overrides[$"{EngineOptions.SectionName}:{nameof(EngineOptions.ListenAddress)}"] = l;
            }

            if (parse.GetValue(device) is { } d)
            {
                overrides[$"{EngineOptions.SectionName}:{nameof(EngineOptions.KernelDevice)}"] = d;
            }

            WebApplication app;
            try
            {
                app = EngineHost.Build(parse.GetValue(config), overrides);
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync("prescient serve: invalid configuration:\n  " + string.Join("\n  ", e.Failures)).ConfigureAwait(false);
                return 2;
            }
            catch (InvalidOperationException e)
            {
                // Binding errors ("Failed to convert configuration value at 'Prescient:Port'") and a missing --config file.
                await Console.Error.WriteLineAsync("prescient serve: invalid configuration: " + e.Message).ConfigureAwait(false);
                return 2;
            }

            await using (app.ConfigureAwait(false))
            {
                try
                {
                    using var stop = ct.Register(() => app.Lifetime.StopApplication());
                    await app.RunAsync().ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    await Console.Error.WriteLineAsync("prescient serve: cannot listen: " + e.Message).ConfigureAwait(false);
                    return 1;
                }
            }

            return 0;
        });
        return command;
    }
}
