using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prescient.Protos.V1;

namespace Prescient.Agent.Tests.Session;

/// <summary>
/// A minimal AgentGateway on a random loopback port: records every message an agent sends, answers
/// Hello with <see cref="Welcome"/>, then sends whatever the test queues in <see cref="Outgoing"/>.
/// Each stream ends when the test completes <see cref="EndStream"/>.
/// </summary>
internal sealed class FakeEngine : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeEngine(WebApplication app, Gateway gateway)
    {
        _app = app;
        State = gateway;
    }

    public Gateway State { get; }

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static async Task<FakeEngine> StartAsync(Welcome welcome)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        var gateway = new Gateway(welcome);
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(gateway);
        var app = builder.Build();
        app.MapGrpcService<GatewayService>();
        await app.StartAsync();
        return new FakeEngine(app, gateway);
    }

    public async ValueTask DisposeAsync()
    {
        State.EndStream.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed class Gateway(Welcome welcome)
    {
        public Welcome Welcome { get; } = welcome;

        public Channel<AgentMessage> Received { get; } = Channel.CreateUnbounded<AgentMessage>();

        public Channel<EngineMessage> Outgoing { get; } = Channel.CreateUnbounded<EngineMessage>();

        public TaskCompletionSource EndStream { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Streams;
    }

    private sealed class GatewayService(Gateway gateway) : AgentGateway.AgentGatewayBase
    {
        public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<EngineMessage> responseStream, ServerCallContext context)
        {
            Interlocked.Increment(ref gateway.Streams);
            var end = gateway.EndStream.Task;
            var token = context.CancellationToken;
            if (!await requestStream.MoveNext(token))
            {
                return;
            }

            await gateway.Received.Writer.WriteAsync(requestStream.Current, token);
            await responseStream.WriteAsync(new EngineMessage { Welcome = gateway.Welcome }, token);

            var reader = Task.Run(async () =>
            {
                while (await requestStream.MoveNext(token))
                {
                    await gateway.Received.Writer.WriteAsync(requestStream.Current, token);
                }
            }, token);
            var writer = Task.Run(async () =>
            {
                await foreach (var message in gateway.Outgoing.Reader.ReadAllAsync(token))
                {
                    await responseStream.WriteAsync(message, token);
                }
            }, token);

            await Task.WhenAny(end, reader);
            if (end.IsCompleted)
            {
                gateway.EndStream = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
