using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prescient.Host.Agents;
using Prescient.Host.State;
using Prescient.Protos.V1;

namespace Prescient.Host.Services;

/// <summary>
/// The agents' stream (<c>AgentGateway.Connect</c>): Hello first, then telemetry and command results
/// up, commands down. Thin: validation and storage live in <see cref="ClusterState"/>, queues in
/// <see cref="AgentSessions"/>. A malformed message ends only that agent's stream, with a status that
/// says what was wrong; nothing stored is touched.
/// </summary>
public sealed partial class AgentGatewayService(
    ClusterState state,
    AgentSessions sessions,
    CommandLog commands,
    TelemetryIngest ingest,
    IOptions<EngineOptions> options,
    ILogger<AgentGatewayService> logger) : AgentGateway.AgentGatewayBase
{
    /// <summary>How long a closing stream waits for its queued telemetry to be stored.</summary>
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<EngineMessage> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        AgentMessage first;
        try
        {
            if (!await requestStream.MoveNext(ct).ConfigureAwait(false))
            {
                return;
            }

            first = requestStream.Current;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            state.CountRejection(RejectionReasons.MessageTooLarge);
            throw;
        }

        if (first.BodyCase != AgentMessage.BodyOneofCase.Hello)
        {
            state.CountRejection(RejectionReasons.MissingHello);
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message on AgentGateway.Connect must be a Hello"));
        }

        var helloError = HelloValidator.Validate(first.Hello);
        if (helloError is not null)
        {
            state.CountRejection(RejectionReasons.InvalidHello);
            throw new RpcException(new Status(StatusCode.InvalidArgument, "invalid Hello: " + helloError));
        }

        var hello = HelloValidator.ToInfo(first.Hello);
        var registration = state.RegisterAgent(hello);
        if (registration.Error is not null)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, registration.Error));
        }

        var node = hello.NodeName;
        var sessionId = registration.SessionId;
        LogConnected(node, hello.AgentVersion, hello.EnforcementMode, hello.Jobs.Count);
        await responseStream.WriteAsync(new EngineMessage
        {
            Welcome = new Welcome
            {
                EngineVersion = EngineInfo.Version,
                TelemetryIntervalSeconds = (uint)options.Value.TelemetryIntervalSeconds,
                MaxMessageBytes = (uint)options.Value.MaxMessageBytes,
                AcceptsJobRefs = true,
            },
        }, ct).ConfigureAwait(false);

        var outbound = sessions.Attach(node, sessionId);
        using var writerStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writer = PumpCommandsAsync(outbound, responseStream, writerStop.Token);
        var references = new JobReferences();
        try
        {
            while (await requestStream.MoveNext(ct).ConfigureAwait(false))
            {
                var message = requestStream.Current;
                switch (message.BodyCase)
                {
                    case AgentMessage.BodyOneofCase.Telemetry:
                        await IngestAsync(node, sessionId, message.Telemetry, references, ct).ConfigureAwait(false);
                        break;
                    case AgentMessage.BodyOneofCase.CommandResult:
                        Complete(node, message.CommandResult);
                        break;
                    case AgentMessage.BodyOneofCase.Hello:
                        state.CountRejection(RejectionReasons.InvalidHello);
                        throw new RpcException(new Status(StatusCode.InvalidArgument, "Hello may be sent only once per stream"));
                    default:
                        state.CountRejection(RejectionReasons.InvalidRequest);
                        break;
                }
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            state.CountRejection(RejectionReasons.MessageTooLarge);
            LogOversized(node, options.Value.MaxMessageBytes);
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The agent went away or the engine is stopping: an ordinary end of the stream.
        }
        finally
        {
            await ingest.FlushAsync(FlushTimeout).ConfigureAwait(false);
            sessions.Detach(node, sessionId);
            state.DisconnectAgent(node, sessionId);
            commands.AbandonNode(node);
            await writerStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
            {
                // The response stream is gone with the call; nothing left to send.
            }

            LogDisconnected(node);
        }
    }

    private ValueTask IngestAsync(string node, long sessionId, TelemetryBatch batch, JobReferences references, CancellationToken ct)
    {
        var jobs = new List<(JobIdentityInfo, UsageReading)>(batch.Jobs.Count);
        var nodeTime = batch.Node?.Time;
        foreach (var job in batch.Jobs)
        {
            if (job.Usage is null)
            {
                state.CountRejection(RejectionReasons.InvalidRequest);
                continue;
            }

            var identity = references.Resolve(job.JobRef, job.Identity, out var problem);
            if (identity is null)
            {
                state.CountRejection(problem!);
                continue;
            }

            jobs.Add((identity, ProtoMapping.ToReading(job.Usage, nodeTime)));
        }

        return ingest.EnqueueAsync(state.CheckTelemetry(node, sessionId, batch.Node is null ? null : ProtoMapping.ToReading(batch.Node), jobs), ct);
    }

    private void Complete(string node, CommandResult result)
    {
        var outcome = ProtoMapping.ToInfo(result.Outcome);
        var job = outcome == CommandOutcome.Pending ? null : commands.PendingJob(result.CommandId, node);
        if (job is null)
        {
            state.CountRejection(RejectionReasons.UnknownCommand);
            return;
        }

        // The limits first, then the outcome: whoever sees the command answered also sees what it applied.
        if (outcome != CommandOutcome.Refused && result.Applied is not null)
        {
            state.RecordApplied(node, job, ProtoMapping.ToInfo(result.Applied));
        }

        if (commands.CompleteAndGetJob(result.CommandId, node, outcome, result.Reason) is null)
        {
            state.CountRejection(RejectionReasons.UnknownCommand);
        }
    }

    private static async Task PumpCommandsAsync(System.Threading.Channels.ChannelReader<OutgoingCommand> outbound, IServerStreamWriter<EngineMessage> responseStream, CancellationToken ct)
    {
        await foreach (var command in outbound.ReadAllAsync(ct).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(new EngineMessage { Command = ProtoMapping.ToProto(command) }, ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent connected: node {Node}, version {Version}, mode {Mode}, {Jobs} managed jobs")]
    private partial void LogConnected(string node, string version, string mode, int jobs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent disconnected: node {Node}")]
    private partial void LogDisconnected(string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node}: message over the {Limit}-byte limit (Prescient:MaxMessageBytes); stream closed")]
    private partial void LogOversized(string node, int limit);
}
