using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.DependencyInjection;
using Prescient.Host.Planning;
using Prescient.Protos.V1;

namespace Prescient.Host.Tests;

/// <summary>The v1 API over real gRPC on loopback, including everything a hostile or broken client can send.</summary>
public sealed class GrpcApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Hello ValidHello(string node) => new()
    {
        NodeName = node,
        Capacity = new NodeCapacity { CpuCores = 4, MemoryBytes = 8UL << 30 },
        AgentVersion = "test",
        EnforcementMode = "dry-run",
        NativeLibrary = "managed-fallback",
    };

    private static UsageSample Sample(DateTimeOffset at, double cpu = 0.5, ulong memory = 256UL << 20) => new()
    {
        Time = Timestamp.FromDateTimeOffset(at),
        CpuCores = cpu,
        MemoryBytes = memory,
        ApiCallsPerSecond = -1,
        FilesRead = -1,
    };

    private static async Task<AsyncDuplexStreamingCall<AgentMessage, EngineMessage>> ConnectAsync(EngineServer server, Hello hello)
    {
        var call = new AgentGateway.AgentGatewayClient(server.Channel).Connect(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(EngineMessage.BodyOneofCase.Welcome, call.ResponseStream.Current.BodyCase);
        Assert.True(call.ResponseStream.Current.Welcome.AcceptsJobRefs);
        return call;
    }

    private static async Task<EngineStatus> StatusAsync(EngineServer server) =>
        await new Admin.AdminClient(server.Channel).GetStatusAsync(new GetStatusRequest { IncludeJobs = true }, cancellationToken: Ct);

    private static ulong Rejected(EngineStatus status, string reason) => status.Rejections.FirstOrDefault(r => r.Reason == reason)?.Count ?? 0;

    private static async Task<EngineStatus> WaitForAsync(EngineServer server, Func<EngineStatus, bool> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            var status = await StatusAsync(server);
            if (condition(status))
            {
                return status;
            }

            await Task.Delay(25, Ct);
        }

        return await StatusAsync(server);
    }

    [Fact]
    public async Task Connect_TelemetryWithGarbage_StoresTheGoodKeepsRunningCountsTheBad()
    {
        await using var server = await EngineServer.StartAsync();
        using var call = await ConnectAsync(server, ValidHello("node-a"));
        var now = DateTimeOffset.UtcNow;
        var good = new TelemetryBatch { Node = Sample(now) };
        good.Jobs.Add(new JobUsage { Identity = new JobIdentity { JobId = "101", User = "alice" }, Usage = Sample(now, cpu: 1.25) });
        await call.RequestStream.WriteAsync(new AgentMessage { Telemetry = good }, Ct);

        var bad = new TelemetryBatch { Node = Sample(now.AddSeconds(1), cpu: double.NaN) };
        bad.Jobs.Add(new JobUsage { Identity = new JobIdentity { JobId = "101" }, Usage = Sample(now.AddSeconds(1), cpu: -3) });
        bad.Jobs.Add(new JobUsage { Identity = new JobIdentity { JobId = "../etc" }, Usage = Sample(now.AddSeconds(1)) });
        bad.Jobs.Add(new JobUsage { Identity = new JobIdentity { JobId = "102" }, Usage = Sample(now.AddYears(5)) });
        bad.Jobs.Add(new JobUsage { Identity = new JobIdentity { JobId = "103" }, Usage = Sample(now.AddDays(-3)) });
        await call.RequestStream.WriteAsync(new AgentMessage { Telemetry = bad }, Ct);

        var status = await WaitForAsync(server, s => s.Rejections.Sum(r => (long)r.Count) >= 5);
        Assert.Equal(1UL, Rejected(status, "non-finite-value"));
        Assert.Equal(1UL, Rejected(status, "negative-value"));
        Assert.Equal(1UL, Rejected(status, "invalid-name"));
        Assert.Equal(1UL, Rejected(status, "timestamp-in-future"));
        Assert.Equal(1UL, Rejected(status, "timestamp-too-old"));
        var node = Assert.Single(status.Nodes);
        Assert.True(node.AgentConnected);
        Assert.Equal(0.5, node.Latest.CpuCores);
        Assert.Equal(1.25, status.Jobs.Single(j => j.Identity.JobId == "101").Latest.CpuCores);
        Assert.Equal(2UL, status.TelemetrySamplesAccepted);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Connect_JobReferences_IdentityOnceThenReferenceAloneWithTheNodesTime()
    {
        await using var server = await EngineServer.StartAsync();
        using var call = await ConnectAsync(server, ValidHello("node-r"));
        var now = DateTimeOffset.UtcNow;
        var first = new TelemetryBatch { Node = Sample(now) };
        first.Jobs.Add(new JobUsage { JobRef = 7, Identity = new JobIdentity { JobId = "201", User = "alice", Program = "sim" }, Usage = Sample(now, cpu: 1.0) });
        await call.RequestStream.WriteAsync(new AgentMessage { Telemetry = first }, Ct);

        // The reference alone, and a job sample without a time of its own: the node's time stands for it.
        var second = new TelemetryBatch { Node = Sample(now.AddSeconds(1)) };
        var untimed = Sample(now, cpu: 2.0);
        untimed.Time = null;
        second.Jobs.Add(new JobUsage { JobRef = 7, Usage = untimed });
        second.Jobs.Add(new JobUsage { JobRef = 8, Usage = Sample(now.AddSeconds(1)) });   // never paired
        second.Jobs.Add(new JobUsage { Usage = Sample(now.AddSeconds(1)) });               // neither identity nor reference
        await call.RequestStream.WriteAsync(new AgentMessage { Telemetry = second }, Ct);

        var status = await WaitForAsync(server, s => s.TelemetrySamplesAccepted >= 4 && s.Rejections.Sum(r => (long)r.Count) >= 2);
        Assert.Equal(1UL, Rejected(status, "unknown-job-ref"));
        Assert.Equal(1UL, Rejected(status, "invalid-request"));
        var job = status.Jobs.Single(j => j.Identity.JobId == "201");
        Assert.Equal(2.0, job.Latest.CpuCores);
        Assert.Equal("sim", job.Identity.Program);
        Assert.Equal(now.AddSeconds(1).ToUnixTimeMilliseconds(), job.Latest.Time.ToDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(4UL, status.TelemetrySamplesAccepted);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Connect_JobReferences_LastPerStream()
    {
        await using var server = await EngineServer.StartAsync();
        var now = DateTimeOffset.UtcNow;
        using (var call = await ConnectAsync(server, ValidHello("node-s")))
        {
            var batch = new TelemetryBatch { Node = Sample(now) };
            batch.Jobs.Add(new JobUsage { JobRef = 1, Identity = new JobIdentity { JobId = "301" }, Usage = Sample(now) });
            await call.RequestStream.WriteAsync(new AgentMessage { Telemetry = batch }, Ct);
            await WaitForAsync(server, s => s.TelemetrySamplesAccepted >= 2);
            await call.RequestStream.CompleteAsync();
            await WaitForAsync(server, s => !s.Nodes.Single().AgentConnected);
        }

        // A new stream knows none of the old one's references; a reference re-sent with another identity is re-paired.
        using var again = await ConnectAsync(server, ValidHello("node-s"));
        var orphan = new TelemetryBatch { Node = Sample(now.AddSeconds(1)) };
        orphan.Jobs.Add(new JobUsage { JobRef = 1, Usage = Sample(now.AddSeconds(1)) });
        await again.RequestStream.WriteAsync(new AgentMessage { Telemetry = orphan }, Ct);
        var repaired = new TelemetryBatch { Node = Sample(now.AddSeconds(2)) };
        repaired.Jobs.Add(new JobUsage { JobRef = 1, Identity = new JobIdentity { JobId = "302" }, Usage = Sample(now.AddSeconds(2), cpu: 3.0) });
        await again.RequestStream.WriteAsync(new AgentMessage { Telemetry = repaired }, Ct);
        var byReference = new TelemetryBatch { Node = Sample(now.AddSeconds(3)) };
        byReference.Jobs.Add(new JobUsage { JobRef = 1, Usage = Sample(now.AddSeconds(3), cpu: 4.0) });
        await again.RequestStream.WriteAsync(new AgentMessage { Telemetry = byReference }, Ct);

        var status = await WaitForAsync(server, s => s.Jobs.Any(j => j.Identity.JobId == "302" && j.Latest?.CpuCores == 4.0));
        Assert.Equal(1UL, Rejected(status, "unknown-job-ref"));
        Assert.Equal(4.0, status.Jobs.Single(j => j.Identity.JobId == "302").Latest.CpuCores);
        Assert.Equal(0.5, status.Jobs.Single(j => j.Identity.JobId == "301").Latest.CpuCores);
        await again.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Connect_DuplicateNodeName_SecondStreamRefused()
    {
        await using var server = await EngineServer.StartAsync();
        using var first = await ConnectAsync(server, ValidHello("twin"));
        using var second = new AgentGateway.AgentGatewayClient(server.Channel).Connect(cancellationToken: Ct);
        await second.RequestStream.WriteAsync(new AgentMessage { Hello = ValidHello("twin") }, Ct);
        var e = await Assert.ThrowsAsync<RpcException>(() => second.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Equal(1UL, Rejected(await StatusAsync(server), "duplicate-node-name"));
        Assert.True((await StatusAsync(server)).Nodes.Single().AgentConnected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad name")]
    [InlineData("../../x")]
    public async Task Connect_InvalidHello_RefusedWithReason(string nodeName)
    {
        await using var server = await EngineServer.StartAsync();
        using var call = new AgentGateway.AgentGatewayClient(server.Channel).Connect(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new AgentMessage { Hello = ValidHello(nodeName) }, Ct);
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("node_name", e.Status.Detail);
        Assert.Empty((await StatusAsync(server)).Nodes);
    }

    [Fact]
    public async Task Connect_TelemetryBeforeHello_Refused()
    {
        await using var server = await EngineServer.StartAsync();
        using var call = new AgentGateway.AgentGatewayClient(server.Channel).Connect(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new AgentMessage { Telemetry = new TelemetryBatch() }, Ct);
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(1UL, Rejected(await StatusAsync(server), "missing-hello"));
    }

    [Fact]
    public async Task Connect_OversizedMessage_RefusedCountedAndEarlierDataKept()
    {
        await using var server = await EngineServer.StartAsync(new() { ["Prescient:MaxMessageBytes"] = "8192" });
        using var call = await ConnectAsync(server, ValidHello("small"));
        var now = DateTimeOffset.UtcNow;
        await call.RequestStream.WriteAsync(new AgentMessage { Telemetry = new TelemetryBatch { Node = Sample(now) } }, Ct);
        await WaitForAsync(server, s => s.TelemetrySamplesAccepted == 1);

        var huge = new TelemetryBatch { Node = Sample(now.AddSeconds(1)) };
        for (var i = 0; i < 400; i++)
        {
            huge.Jobs.Add(new JobUsage { Identity = new JobIdentity { JobId = $"job-{i}", User = new string('u', 20) }, Usage = Sample(now.AddSeconds(1)) });
        }

        Assert.True(huge.CalculateSize() > 8192);
        try
        {
            await call.RequestStream.WriteAsync(new AgentMessage { Telemetry = huge }, Ct);
        }
        catch (RpcException)
        {
            // The engine may refuse the message from its length prefix and end the call before the client has
            // finished writing it; the call's status below says why.
        }

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(Ct))
            {
            }
        });
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);

        var status = await WaitForAsync(server, s => Rejected(s, "message-too-large") == 1);
        Assert.Equal(1UL, Rejected(status, "message-too-large"));
        Assert.Equal(1UL, status.TelemetrySamplesAccepted);
        Assert.Equal(0.5, status.Nodes.Single().Latest.CpuCores);
    }

    [Fact]
    public async Task Planner_JobTelemetry_SendsCommandAndDryRunResultIsRecorded()
    {
        await using var server = await EngineServer.StartAsync();
        using var call = await ConnectAsync(server, ValidHello("worker"));
        var batch = new TelemetryBatch { Node = Sample(DateTimeOffset.UtcNow) };
        batch.Jobs.Add(new JobUsage { Identity = new JobIdentity { JobId = "7" }, Usage = Sample(DateTimeOffset.UtcNow, cpu: 1, memory: 1UL << 30) });
        await call.RequestStream.WriteAsync(new AgentMessage { Telemetry = batch }, Ct);
        await WaitForAsync(server, s => s.Jobs.Count == 1);

        var plan = server.Services.GetRequiredService<PlanningService>().RunCycle();
        var action = Assert.Single(plan.Actions);
        Assert.Equal("7", action.JobId);

        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var command = call.ResponseStream.Current.Command;
        Assert.Equal(CommandKind.SetLimits, command.Kind);
        Assert.Equal(1.5, command.Limits.CpuQuotaCores, 6);
        Assert.True(command.Limits.MemoryMaxBytes > 1UL << 30);
        Assert.Contains("reactive", command.Reason);

        await call.RequestStream.WriteAsync(new AgentMessage
        {
            CommandResult = new CommandResult
            {
                CommandId = command.CommandId,
                Sequence = command.Sequence,
                Outcome = CommandResult.Types.Outcome.DryRun,
                Reason = "would write cpu.cfs_quota_us",
                Applied = command.Limits,
            },
        }, Ct);
        var status = await WaitForAsync(server, s => s.Commands.DryRun == 1 && s.Jobs.Single().Applied.CpuQuotaCores > 0);
        Assert.Equal(1UL, status.Commands.Sent);
        Assert.Equal(1UL, status.Commands.DryRun);
        var record = status.RecentCommands.Single();
        Assert.Equal(CommandResult.Types.Outcome.DryRun, record.Outcome);
        Assert.True(record.RoundTripMilliseconds > 0);
        Assert.Equal(command.Limits.CpuQuotaCores, status.Jobs.Single().Applied.CpuQuotaCores);

        // The applied (dry-run) limits now match the target: the next cycle changes nothing.
        Assert.Empty(server.Services.GetRequiredService<PlanningService>().RunCycle().Actions);

        // A result for a command that was never sent is counted, not trusted.
        await call.RequestStream.WriteAsync(new AgentMessage { CommandResult = new CommandResult { CommandId = "forged", Outcome = CommandResult.Types.Outcome.Applied } }, Ct);
        Assert.Equal(1UL, Rejected(await WaitForAsync(server, s => Rejected(s, "unknown-command") == 1), "unknown-command"));
    }

    [Fact]
    public async Task SchedulerApi_BadRequests_GetPreciseStatuses()
    {
        await using var server = await EngineServer.StartAsync();
        var client = new SchedulerApi.SchedulerApiClient(server.Channel);

        var notFound = await Assert.ThrowsAsync<RpcException>(() => client.JobEndedAsync(new JobEndedRequest { JobId = "404" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);

        var start = DateTimeOffset.UtcNow.AddHours(1);
        var badWindow = new RegisterEventRequest
        {
            Name = "backwards",
            Scope = new Scope { Kind = Scope.Types.Kind.System },
            StartTime = Timestamp.FromDateTimeOffset(start),
            EndTime = Timestamp.FromDateTimeOffset(start.AddMinutes(-5)),
        };
        badWindow.ExtraDemand.Add(new ResourceAmount { Resource = Resource.Cpu, Amount = 8 });
        var invalid = await Assert.ThrowsAsync<RpcException>(() => client.RegisterEventAsync(badWindow, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("end_time", invalid.Status.Detail);

        var nan = badWindow.Clone();
        nan.EndTime = Timestamp.FromDateTimeOffset(start.AddHours(1));
        nan.ExtraDemand[0].Amount = double.NaN;
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => client.RegisterEventAsync(nan, cancellationToken: Ct).ResponseAsync)).StatusCode);

        var forecast = await Assert.ThrowsAsync<RpcException>(() => client.GetForecastAsync(new ForecastRequest { Scope = new Scope { Kind = Scope.Types.Kind.Node, Name = "ghost" } }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, forecast.StatusCode);

        var hostile = await Assert.ThrowsAsync<RpcException>(() => client.JobStartedAsync(new JobStartedRequest { Identity = new JobIdentity { JobId = "1; rm -rf /" } }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, hostile.StatusCode);

        Assert.Equal(3UL, Rejected(await StatusAsync(server), "invalid-request"));
    }

    [Fact]
    public async Task SchedulerApi_EventLifecycle_RegisterListCancel()
    {
        await using var server = await EngineServer.StartAsync();
        var client = new SchedulerApi.SchedulerApiClient(server.Channel);
        var start = DateTimeOffset.UtcNow.AddHours(1);
        var request = new RegisterEventRequest
        {
            Name = "month-end batch",
            Scope = new Scope { Kind = Scope.Types.Kind.Group, Name = "finance" },
            StartTime = Timestamp.FromDateTimeOffset(start),
            EndTime = Timestamp.FromDateTimeOffset(start.AddHours(2)),
        };
        request.ExtraDemand.Add(new ResourceAmount { Resource = Resource.Cpu, Amount = 32 });
        var registered = await client.RegisterEventAsync(request, cancellationToken: Ct);
        Assert.False(string.IsNullOrEmpty(registered.EventId));

        var listed = await client.ListEventsAsync(new ListEventsRequest(), cancellationToken: Ct);
        Assert.Equal(registered, listed.Events.Single());

        await client.CancelEventAsync(new CancelEventRequest { EventId = registered.EventId }, cancellationToken: Ct);
        Assert.Empty((await client.ListEventsAsync(new ListEventsRequest(), cancellationToken: Ct)).Events);
        var again = await Assert.ThrowsAsync<RpcException>(() => client.CancelEventAsync(new CancelEventRequest { EventId = registered.EventId }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task GetForecast_NodeWithTelemetry_ServesHorizonsAndAscendingQuantiles()
    {
        await using var server = await EngineServer.StartAsync();
        using var call = await ConnectAsync(server, ValidHello("f1"));
        var start = DateTimeOffset.UtcNow.AddSeconds(-100);
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new AgentMessage { Telemetry = new TelemetryBatch { Node = Sample(start.AddSeconds(5 * i), cpu: 1 + (i % 3)) } }, Ct);
        }

        await WaitForAsync(server, s => s.TelemetrySamplesAccepted == 20);
        var response = await new SchedulerApi.SchedulerApiClient(server.Channel).GetForecastAsync(new ForecastRequest
        {
            Scope = new Scope { Kind = Scope.Types.Kind.Node, Name = "f1" },
            Resources = { Resource.Cpu },
        }, cancellationToken: Ct);
        var cpu = response.Resources.Single();
        Assert.Equal(20U, cpu.HistoryPoints);
        Assert.Equal([60U, 300U, 3600U], cpu.Horizons.Select(h => h.HorizonSeconds));
        foreach (var horizon in cpu.Horizons)
        {
            Assert.Equal([0.5, 0.8, 0.9, 0.95, 0.99], horizon.Quantiles.Select(q => q.Quantile));
            var values = horizon.Quantiles.Select(q => q.Value).ToArray();
            Assert.True(values.Zip(values.Skip(1)).All(p => p.First <= p.Second));
            Assert.All(values, v => Assert.True(double.IsFinite(v) && v >= 0));
        }
    }

    [Fact]
    public async Task Health_And_Reflection_AreServed()
    {
        await using var server = await EngineServer.StartAsync();
        var health = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var reflection = new ServerReflection.ServerReflectionClient(server.Channel).ServerReflectionInfo(cancellationToken: Ct);
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, Ct);
        Assert.True(await reflection.ResponseStream.MoveNext(Ct));
        var services = reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.Contains("prescient.v1.AgentGateway", services);
        Assert.Contains("prescient.v1.SchedulerApi", services);
        Assert.Contains("prescient.v1.Admin", services);
        await reflection.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task WatchPlan_StreamsCurrentThenNewPlans()
    {
        await using var server = await EngineServer.StartAsync();
        using var watch = new SchedulerApi.SchedulerApiClient(server.Channel).WatchPlan(new GetPlanRequest(), cancellationToken: Ct);
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        var first = watch.ResponseStream.Current.Cycle;
        server.Services.GetRequiredService<PlanningService>().RunCycle();
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.True(watch.ResponseStream.Current.Cycle > first);
        Assert.Equal("reactive", watch.ResponseStream.Current.SolverStatus);
    }
}
