using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Prescient.Protos.V1;

namespace Prescient.Bench.Scale;

/// <summary>
/// One simulated node agent on its own AgentGateway stream: Hello, telemetry for its jobs when asked, and an
/// immediate dry-run answer to every command. Usage moves as <see cref="ScaleLoad"/> says. Writes to the stream are serialized (gRPC allows one at a time).
/// Like the node agent, it sends each job's identity once with its reference (<c>job_ref</c>) and then the reference
/// alone, and leaves a job sample's time to the node's; with <c>identityEveryReport</c> every report carries every
/// identity and time (what agents before job references sent, kept for comparison).
/// </summary>
internal sealed class SimulatedAgent : IDisposable
{
    private readonly string _node;
    private readonly int _jobs;
    private readonly AgentGateway.AgentGatewayClient _client;
    private readonly ScaleLoad _load;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly Random _random;
    private readonly JobLoad[] _usage;
    private readonly AgentMessage _report;
    private bool _identityEveryReport;
    private bool _identified;
    private AsyncDuplexStreamingCall<AgentMessage, EngineMessage>? _call;
    private Task? _reader;

    public SimulatedAgent(string node, int jobs, AgentGateway.AgentGatewayClient client, ScaleLoad load, int seed, bool identityEveryReport = false)
    {
        _identityEveryReport = identityEveryReport;
        _node = node;
        _jobs = jobs;
        _client = client;
        _load = load;
        _random = new Random(seed);
        _usage = new JobLoad[jobs];
        for (var j = 0; j < jobs; j++)
        {
            _usage[j] = new JobLoad(0.5 + (j % 4), _random);
        }

        _report = NewReport(node, jobs);
    }

    public async Task ConnectAsync(CancellationToken ct)
    {
        _call = _client.Connect(cancellationToken: ct);
        var hello = new Hello
        {
            NodeName = _node,
            Capacity = new NodeCapacity { CpuCores = 64, MemoryBytes = 256UL << 30, NetworkBitsPerSecond = 25_000_000_000, StorageBytesPerSecond = 2_000_000_000 },
            AgentVersion = "scale-harness",
            EnforcementMode = "dry-run",
            NativeLibrary = "none",
        };
        await _call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, ct).ConfigureAwait(false);
        if (!await _call.ResponseStream.MoveNext(ct).ConfigureAwait(false) || _call.ResponseStream.Current.BodyCase != EngineMessage.BodyOneofCase.Welcome)
        {
            throw new InvalidOperationException($"{_node}: the engine did not welcome the agent");
        }

        if (!_call.ResponseStream.Current.Welcome.AcceptsJobRefs)
        {
            // An engine that does not pair job references gets every identity and time in every report.
            _identityEveryReport = true;
            foreach (var job in _report.Telemetry.Jobs)
            {
                job.JobRef = 0;
            }
        }

        _reader = AnswerCommandsAsync(ct);
    }

    public async Task ReportAsync(Timestamp now, CancellationToken ct)
    {
        if (_call is null)
        {
            return;
        }

        // One message per agent, refilled each second: it is serialized by the write below, which completes before the
        // next report, so the load process spends its two cores' share on the stream rather than on the collector.
        var batch = _report.Telemetry;
        batch.Node.Time = now;
        batch.Node.CpuCores = 0;
        for (var j = 0; j < _jobs; j++)
        {
            _usage[j].Step(_load, _random);
            var cores = _usage[j].Cores;
            var usage = batch.Jobs[j].Usage;
            usage.Time = _identityEveryReport ? now : null;
            usage.CpuCores = cores;
            usage.MemoryBytes = (ulong)(cores * (1 << 30));
            batch.Node.CpuCores += cores;
        }

        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _call.RequestStream.WriteAsync(_report, ct).ConfigureAwait(false);
            if (!_identified && !_identityEveryReport)
            {
                // The engine has the identities with their references now: the reference alone from here on.
                foreach (var job in batch.Jobs)
                {
                    job.Identity = null;
                }
            }

            _identified = true;
        }
        finally
        {
            _write.Release();
        }
    }

    public void Dispose()
    {
        _call?.Dispose();
        _write.Dispose();
    }

    private static AgentMessage NewReport(string node, int jobs)
    {
        var batch = new TelemetryBatch { Node = Sample(8UL << 30) };
        for (var j = 0; j < jobs; j++)
        {
            batch.Jobs.Add(new JobUsage
            {
                JobRef = (uint)(j + 1),
                Identity = new JobIdentity { JobId = $"{node}-j{j}", User = $"user{j % 7}", Group = "scale", Program = $"prog{j % 3}" },
                Usage = Sample(0),
            });
        }

        return new AgentMessage { Telemetry = batch };
    }

    private static UsageSample Sample(ulong memory) => new()
    {
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
