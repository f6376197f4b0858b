using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Prescient.Host.Tests;

/// <summary>A real engine host on a free loopback port, with its own state directory; a real gRPC client to it.</summary>
internal sealed class EngineServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _stateDirectory;

    private EngineServer(WebApplication app, string stateDirectory, Uri address)
    {
        _app = app;
        _stateDirectory = stateDirectory;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<EngineServer> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var stateDirectory = Directory.CreateTempSubdirectory("prescient-host-test-").FullName;
        var overrides = new Dictionary<string, string?>
        {
            ["Prescient:Port"] = "0",
            ["Prescient:StateDirectory"] = stateDirectory,
            ["Prescient:CycleMilliseconds"] = "3600000",
        };
        foreach (var (key, value) in settings ?? [])
        {
            overrides[key] = value;
        }

        var app = EngineHost.Build(null, overrides, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EngineServer(app, stateDirectory, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_stateDirectory, recursive: true);
    }
}
