using System.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prescient.Agent.Actuators.Policy;
using Prescient.Agent.Collectors;
using Prescient.Agent.Commands;
using Prescient.Agent.Configuration;
using Prescient.Protos.V1;

namespace Prescient.Agent.Session;

/// <summary>
/// The agent's life: connect to the engine's AgentGateway.Connect stream, send Hello, wait for
/// Welcome, then send a TelemetryBatch every interval and answer every Command; on any failure log
/// it and reconnect with exponential backoff and jitter. Collector and command state survive
/// reconnects, so rates stay continuous and repeated sequence numbers keep their answers.
/// </summary>
public sealed class AgentSession : BackgroundService
{
    private static readonly TimeSpan WelcomeTimeout = TimeSpan.FromSeconds(30);

    private readonly AgentOptions _options;
    private readonly TelemetryCollector _collector;
    private readonly CommandProcessor _processor;
    private readonly NodeTopology _topology;
    private readonly string _nodeName;
    private readonly string _nativeLibrary;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentSession> _logger;
    private readonly Random _jitter = new();
    private readonly object _jobsGate = new();
    private IReadOnlyList<PresentJob> _jobs = [];

    /// <summary>Creates the session.</summary>
    public AgentSession(
        AgentOptions options,
        TelemetryCollector collector,
        CommandProcessor processor,
        NodeTopology topology,
        AgentIdentity identity,
        TimeProvider time,
        ILogger<AgentSession> logger)
    {
        _options = options;
        _collector = collector;
        _processor = processor;
        _topology = topology;
        _nodeName = identity.NodeName;
        _nativeLibrary = identity.NativeLibrary;
        _time = time;
        _logger = logger;
    }

    /// <summary>This assembly's informational version.</summary>
    public static string AgentVersion { get; } =
        typeof(AgentSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Prime the counters so the first batch after the first interval already carries rates.
        Collect();
        using var channel = GrpcChannel.ForAddress(_options.EngineUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingDelay = TimeSpan.FromSeconds(20),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
            },
            MaxReceiveMessageSize = MessageSizeCap.DefaultMaxMessageBytes,
        });
        var client = new AgentGateway.AgentGatewayClient(channel);

        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            _logger.LogInformation("Connecting to engine {EngineUrl} as node {NodeName} (attempt {Attempt})", _options.EngineUrl, _nodeName, attempt + 1);
            try
            {
                await RunOnceAsync(client, () => attempt = 0, stoppingToken).ConfigureAwait(false);
                if (!stoppingToken.IsCancellationRequested)
                {
                    _logger.LogWarning("Engine closed the stream");
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException ex)
            {
                _logger.LogWarning("Engine stream failed: {StatusCode} {Detail}", ex.StatusCode, ex.Status.Detail);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidOperationException or TimeoutException)
            {
                _logger.LogWarning("Engine stream failed: {Error}", ex.Message);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A bug, not an expected failure: say so loudly, but keep the node reporting.
                _logger.LogError(ex, "Session failed unexpectedly");
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            attempt++;
            var delay = Backoff.Delay(attempt, TimeSpan.FromSeconds(_options.InitialBackoffSeconds), TimeSpan.FromSeconds(_options.MaxBackoffSeconds), _jitter);
            _logger.LogInformation("Reconnecting in {DelaySeconds:F1} s", delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _logger.LogInformation("Agent stopped");
    }

    private async Task RunOnceAsync(AgentGateway.AgentGatewayClient client, Action connected, CancellationToken stoppingToken)
    {
        using var sessionCts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var call = client.Connect(cancellationToken: sessionCts.Token);
        using var writeLock = new SemaphoreSlim(1, 1);

        async Task WriteAsync(AgentMessage message)
        {
            await writeLock.WaitAsync(sessionCts.Token).ConfigureAwait(false);
            try
            {
                await call.RequestStream.WriteAsync(message, sessionCts.Token).ConfigureAwait(false);
            }
            finally
            {
                writeLock.Release();
            }
        }

        var hello = BuildHello();
        var droppedFromHello = MessageSizeCap.Trim(hello, MessageSizeCap.DefaultMaxMessageBytes);
        if (droppedFromHello > 0)
        {
            _logger.LogWarning("Hello lists {Dropped} fewer jobs to stay under {MaxBytes} bytes", droppedFromHello, MessageSizeCap.DefaultMaxMessageBytes);
        }

        await WriteAsync(new AgentMessage { Hello = hello }).ConfigureAwait(false);

        var welcome = new TaskCompletionSource<Welcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = ReadAsync(call.ResponseStream, welcome, WriteAsync, sessionCts.Token);
        var first = await Task.WhenAny(welcome.Task, reader, Task.Delay(WelcomeTimeout, _time, sessionCts.Token)).ConfigureAwait(false);
        if (first != welcome.Task)
        {
            await sessionCts.CancelAsync().ConfigureAwait(false);
            await Observe(reader).ConfigureAwait(false);
            if (first == reader)
            {
                await reader.ConfigureAwait(false); // surfaces the RpcException with the engine's status
                throw new InvalidOperationException("the engine closed the stream before sending Welcome");
            }

            throw new TimeoutException($"no Welcome within {WelcomeTimeout.TotalSeconds:F0} s");
        }

        var w = await welcome.Task.ConfigureAwait(false);
        connected();
        var interval = TimeSpan.FromSeconds(Math.Max(_options.IntervalSeconds, w.TelemetryIntervalSeconds));
        var maxBytes = w.MaxMessageBytes > 0 ? (int)Math.Min(w.MaxMessageBytes, int.MaxValue) : MessageSizeCap.DefaultMaxMessageBytes;
        _logger.LogInformation(
            "Connected: engine {EngineVersion}, telemetry every {IntervalSeconds:F1} s, messages up to {MaxBytes} bytes",
            w.EngineVersion, interval.TotalSeconds, maxBytes);

        var sender = SendTelemetryAsync(WriteAsync, interval, maxBytes, w.AcceptsJobRefs, sessionCts.Token);
        var done = await Task.WhenAny(reader, sender).ConfigureAwait(false);
        await sessionCts.CancelAsync().ConfigureAwait(false);
        await Observe(done == reader ? sender : reader).ConfigureAwait(false);
        await done.ConfigureAwait(false);
    }

    private async Task ReadAsync(
        IAsyncStreamReader<EngineMessage> responses,
        TaskCompletionSource<Welcome> welcome,
        Func<AgentMessage, Task> write,
        CancellationToken cancellationToken)
    {
        while (await responses.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var message = responses.Current;
            switch (message.BodyCase)
            {
                case EngineMessage.BodyOneofCase.Welcome:
                    welcome.TrySetResult(message.Welcome);
                    break;
                case EngineMessage.BodyOneofCase.Command:
                    var command = message.Command;
                    var result = _processor.Handle(command, CurrentJobs(), _topology);
                    _logger.LogInformation(
                        "Command {CommandId} seq {Sequence} {Kind} job {JobId}: {Outcome}: {Reason}",
                        command.CommandId, command.Sequence, command.Kind, command.JobId, result.Outcome, result.Reason);
                    await write(new AgentMessage { CommandResult = result }).ConfigureAwait(false);
                    break;
                default:
                    _logger.LogWarning("Ignoring an engine message with no known body ({BodyCase})", message.BodyCase);
                    break;
            }
        }
    }

    private async Task SendTelemetryAsync(Func<AgentMessage, Task> write, TimeSpan interval, int maxBytes, bool jobReferences, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _time);
        var references = new JobReferenceTable();
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var reading = Collect();
            var batch = new TelemetryBatch { Node = ProtoMapping.ToProto(reading.Node) };
            foreach (var job in reading.JobUsages)
            {
                var usage = ProtoMapping.ToProto(job.Usage);
                if (!jobReferences)
                {
                    // An engine that does not pair references gets every identity and time, as agents sent before.
                    batch.Jobs.Add(new JobUsage { Identity = ProtoMapping.ToIdentity(job.Job, job.User), Usage = usage });
                    continue;
                }

                if (usage.Time.Equals(batch.Node.Time))
                {
                    usage.Time = null; // the node's time stands for it
                }

                var reference = references.Reference(ProtoMapping.ToIdentity(job.Job, job.User), out var identity);
                batch.Jobs.Add(new JobUsage { JobRef = reference, Identity = identity, Usage = usage });
            }

            var dropped = MessageSizeCap.Trim(batch, maxBytes);
            if (dropped > 0)
            {
                _logger.LogWarning("Telemetry batch left out {Dropped} of {Jobs} jobs to stay under {MaxBytes} bytes", dropped, reading.JobUsages.Count, maxBytes);
            }

            references.MarkSent(batch);
            references.Retain(reading.JobUsages.Select(j => j.Job.JobId).ToHashSet(StringComparer.Ordinal));
            await write(new AgentMessage { Telemetry = batch }).ConfigureAwait(false);
            _logger.LogDebug("Sent telemetry: node {CpuCores:F2} cores, {MemoryBytes} bytes; {Jobs} jobs", batch.Node.CpuCores, batch.Node.MemoryBytes, batch.Jobs.Count);
        }
    }

    private TelemetryReading Collect()
    {
        var reading = _collector.Collect();
        lock (_jobsGate)
        {
            _jobs = reading.Jobs;
        }

        _processor.RetainJobs(reading.Jobs);
        return reading;
    }

    private IReadOnlyList<PresentJob> CurrentJobs()
    {
        lock (_jobsGate)
        {
            return _jobs;
        }
    }

    private Hello BuildHello()
    {
        var inventory = _collector.Inventory;
        var hello = new Hello
        {
            NodeName = _nodeName,
            Capacity = new NodeCapacity
            {
                CpuCores = inventory.CpuIds.Count,
                MemoryBytes = inventory.MemoryBytes,
                NetworkBitsPerSecond = inventory.NetworkBitsPerSecond,
                StorageBytesPerSecond = inventory.StorageBytesPerSecond,
            },
            AgentVersion = AgentVersion,
            EnforcementMode = "dry-run",
            NativeLibrary = _nativeLibrary,
            LastCommandSequence = _processor.LastSequence,
        };
        foreach (var numa in inventory.NumaNodes)
        {
            var node = new NumaNode { Id = (uint)numa.Id, MemoryBytes = numa.MemoryBytes };
            node.CpuIds.AddRange(numa.CpuIds.Select(c => (uint)c));
            hello.NumaNodes.Add(node);
        }

        foreach (var job in CurrentJobs())
        {
            hello.Jobs.Add(new ManagedJob
            {
                Identity = ProtoMapping.ToIdentity(job.Job, job.User),
                Applied = ProtoMapping.ToProto(_processor.AppliedLimits(job.Job.JobId)),
                CgroupPath = job.Job.RelativePath,
            });
        }

        return hello;
    }

    private static async Task Observe(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or IOException or InvalidOperationException)
        {
            // The other half of the session ended first; its outcome is the one reported.
        }
    }
}
