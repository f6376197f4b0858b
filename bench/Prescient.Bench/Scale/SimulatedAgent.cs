using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Prescient.Protos.V1;

namespace Prescient.Bench.Scale;

/// <summary>
/// One simulated node agent on its own AgentGateway stream: Hello, telemetry for its jobs when asked, and an
/// immediate dry-run answer to every command. Writes to the stream are serialized (gRPC allows one at a time).
/// </summary>
internal sealed class SimulatedAgent(string node, int jobs, AgentGateway.AgentGatewayClient client, int seed) : IDisposable
{
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly Random _random = new(seed);
    private readonly double[] _cpu = Enumerable.Range(0, jobs).Select(j => 0.5 + (j % 4)).ToArray();
    private AsyncDuplexStreamingCall<AgentMessage, EngineMessage>? _call;
    private Task? _reader;

    public long SamplesSent { get; private set; }

    public async Task ConnectAsync(CancellationToken ct)
    {
        _call = client.Connect(cancellationToken: ct);
        var hello = new Hello
        {
            NodeName = node,
            Capacity = new NodeCapacity { CpuCores = 64, MemoryBytes = 256UL << 30, NetworkBitsPerSecond = 25_000_000_000, StorageBytesPerSecond = 2_000_000_000 },
            AgentVersion = "scale-harness",
            EnforcementMode = "dry-run",
            NativeLibrary = "none",
        };
        await _call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, ct).ConfigureAwait(false);
        if (!await _call.ResponseStream.MoveNext(ct).ConfigureAwait(false) || _call.ResponseStream.Current.BodyCase != EngineMessage.BodyOneofCase.Welcome)
        {
            throw new InvalidOperationException($"{node}: the engine did not welcome the agent");
        }

        _reader = AnswerCommandsAsync(ct);
    }

    public async Task ReportAsync(Timestamp now, CancellationToken ct)
    {
        if (_call is null)
        {
            return;
        }

        var batch = new TelemetryBatch { Node = Sample(now, _cpu.Sum(), 8UL << 30) };
        for (var j = 0; j < jobs; j++)
        {
            // A random walk with occasional jumps: enough change for the planner to keep deciding.
            var step = _random.NextDouble() < 0.05 ? 1.0 + _random.NextDouble() : 1.0 + ((_random.NextDouble() - 0.5) * 0.1);
            _cpu[j] = Math.Clamp(_cpu[j] * step, 0.05, 16);
            batch.Jobs.Add(new JobUsage
            {
                Identity = new JobIdentity { JobId = $"{node}-j{j}", User = $"user{j % 7}", Group = "scale", Program = $"prog{j % 3}" },
                Usage = Sample(now, _cpu[j], (ulong)(_cpu[j] * (1 << 30))),
            });
        }

        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _call.RequestStream.WriteAsync(new AgentMessage { Telemetry = batch }, ct).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }

        SamplesSent += 1 + jobs;
    }

    public void Dispose()
    {
        _call?.Dispose();
        _write.Dispose();
    }

    private static UsageSample Sample(Timestamp now, double cpu, ulong memory) => new()
    {
        Time = now,
        CpuCores = cpu,
        MemoryBytes = memory,
        ApiCallsPerSecond = -1,
        FilesRead = -1,
    };

    private async Task AnswerCommandsAsync(CancellationToken ct)
    {
        try
        {
            while (await _call!.ResponseStream.MoveNext(ct).ConfigureAwait(false))
            {
                var command = _call.ResponseStream.Current.Command;
                if (command is null)
                {
                    continue;
                }

                var result = new CommandResult
                {
                    CommandId = command.CommandId,
                    Sequence = command.Sequence,
                    Outcome = CommandResult.Types.Outcome.DryRun,
                    Reason = "scale harness: dry run",
                    Applied = command.Limits,
                    Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                };
                await _write.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    await _call.RequestStream.WriteAsync(new AgentMessage { CommandResult = result }, ct).ConfigureAwait(false);
                }
                finally
                {
                    _write.Release();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException || (e is RpcException r && r.StatusCode == StatusCode.Cancelled))
        {
            // The harness is stopping.
        }
    }
}
