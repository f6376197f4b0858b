using Microsoft.Extensions.Logging.Abstractions;
using Prescient.Agent.Actuators.DryRun;
using Prescient.Agent.Actuators.Policy;
using Prescient.Agent.Collectors;
using Prescient.Agent.Commands;
using Prescient.Agent.Configuration;
using Prescient.Agent.Interop.PageCache;
using Prescient.Agent.Session;
using Prescient.Agent.Tests.Support;
using Prescient.Protos.V1;

namespace Prescient.Agent.Tests.Session;

/// <summary>The session loop against a fake engine over real gRPC on loopback, with fixture telemetry.</summary>
public sealed class AgentSessionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static (AgentSession Session, CommandProcessor Processor) CreateAgent(string engineUrl)
    {
        var paths = new CollectorPaths(Fixture.PathOf("proc"), Fixture.PathOf("sys"), Fixture.PathOf("cgroup-v1"), "prescient", Fixture.PathOf("passwd"));
        var inventory = NodeInventory.Read(FileSystemSource.Instance, paths, 0);
        var collector = new TelemetryCollector(FileSystemSource.Instance, paths, inventory, TimeProvider.System, NullLogger.Instance);
        var processor = new CommandProcessor(new DryRunActuator(PageCacheProbe.Create(false, out _)), collector.Layout, TimeProvider.System, 16);
        var options = new AgentOptions { EngineUrl = engineUrl, IntervalSeconds = 1, InitialBackoffSeconds = 0.05, MaxBackoffSeconds = 0.2 };
        var topology = new NodeTopology(inventory.CpuIds, [0, 1], "eth0");
        var session = new AgentSession(options, collector, processor, topology, new AgentIdentity("node-t1", "managed-fallback"), TimeProvider.System, NullLogger<AgentSession>.Instance);
        return (session, processor);
    }

    private static async Task<AgentMessage> NextAsync(FakeEngine engine, AgentMessage.BodyOneofCase body)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Patience);
        while (true)
        {
            var message = await engine.State.Received.Reader.ReadAsync(timeout.Token);
            if (message.BodyCase == body)
            {
                return message;
            }
        }
    }

    [Fact]
    public async Task Run_FakeEngine_HelloTelemetryAndDryRunCommandResult()
    {
        await using var engine = await FakeEngine.StartAsync(new Welcome { EngineVersion = "fake", TelemetryIntervalSeconds = 1, MaxMessageBytes = 1 << 20, AcceptsJobRefs = true });
        var (session, _) = CreateAgent(engine.Url);
        await session.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var hello = (await NextAsync(engine, AgentMessage.BodyOneofCase.Hello)).Hello;
            Assert.Equal("node-t1", hello.NodeName);
            Assert.Equal("dry-run", hello.EnforcementMode);
            Assert.Equal("managed-fallback", hello.NativeLibrary);
            Assert.Equal(4, hello.Capacity.CpuCores);
            Assert.Equal(2, hello.NumaNodes.Count);
            Assert.Equal(["42", "99", "train-7"], hello.Jobs.Select(j => j.Identity.JobId));
            Assert.Equal("slurm_node1/uid_1000/job_42", hello.Jobs[0].CgroupPath);
            Assert.Equal("alice", hello.Jobs[0].Identity.User);

            var telemetry = (await NextAsync(engine, AgentMessage.BodyOneofCase.Telemetry)).Telemetry;
            Assert.NotNull(telemetry.Node);
            Assert.Equal(-1, telemetry.Node.ApiCallsPerSecond);
            // Fixture counters do not move, so rates are 0, but every job seen twice is reported.
            Assert.Equal(["42", "99", "train-7"], telemetry.Jobs.Select(j => j.Identity.JobId));

            // Each job's identity travels once with its reference; then the reference alone, the node's time for the jobs'.
            Assert.Equal(3, telemetry.Jobs.Select(j => j.JobRef).Where(r => r != 0).Distinct().Count());
            var jobOf = telemetry.Jobs.ToDictionary(j => j.JobRef, j => j.Identity.JobId);
            var next = (await NextAsync(engine, AgentMessage.BodyOneofCase.Telemetry)).Telemetry;
            Assert.All(next.Jobs, j => Assert.Null(j.Identity));
            Assert.Equal(jobOf.Keys.Order(), next.Jobs.Select(j => j.JobRef).Order());
            Assert.All(next.Jobs, j => Assert.Null(j.Usage.Time));
            Assert.NotNull(next.Node.Time);

            await engine.State.Outgoing.Writer.WriteAsync(new EngineMessage
            {
                Command = new Command { CommandId = "x1", Sequence = 1, JobId = "42", Kind = CommandKind.SetLimits, Limits = new AppliedLimits { CpuQuotaCores = 2 } },
            }, TestContext.Current.CancellationToken);
            var result = (await NextAsync(engine, AgentMessage.BodyOneofCase.CommandResult)).CommandResult;
            Assert.Equal("x1", result.CommandId);
            Assert.Equal(CommandResult.Types.Outcome.DryRun, result.Outcome);
            Assert.Contains("cpu.cfs_quota_us", result.Reason, StringComparison.Ordinal);
            Assert.Equal(2, result.Applied.CpuQuotaCores);
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Run_EngineEndsStream_ReconnectsAndHelloCarriesStateAndLastSequence()
    {
        await using var engine = await FakeEngine.StartAsync(new Welcome { EngineVersion = "fake", TelemetryIntervalSeconds = 1, AcceptsJobRefs = true });
        var (session, _) = CreateAgent(engine.Url);
        await session.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await NextAsync(engine, AgentMessage.BodyOneofCase.Hello);
            await engine.State.Outgoing.Writer.WriteAsync(new EngineMessage
            {
                Command = new Command { CommandId = "x7", Sequence = 7, JobId = "42", Kind = CommandKind.SetLimits, Limits = new AppliedLimits { MemoryMaxBytes = 2UL << 30 } },
            }, TestContext.Current.CancellationToken);
            Assert.Equal(CommandResult.Types.Outcome.DryRun, (await NextAsync(engine, AgentMessage.BodyOneofCase.CommandResult)).CommandResult.Outcome);

            engine.State.EndStream.TrySetResult();
            var again = (await NextAsync(engine, AgentMessage.BodyOneofCase.Hello)).Hello;

            Assert.Equal(7UL, again.LastCommandSequence);

            // A new stream: the engine knows none of the references, so the identities travel again.
            var telemetry = (await NextAsync(engine, AgentMessage.BodyOneofCase.Telemetry)).Telemetry;
            Assert.Equal(["42", "99", "train-7"], telemetry.Jobs.Select(j => j.Identity?.JobId));
            Assert.Equal(2UL << 30, again.Jobs.Single(j => j.Identity.JobId == "42").Applied.MemoryMaxBytes);
            Assert.True(engine.State.Streams >= 2);
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Run_EngineWithoutJobReferences_EveryIdentityAndTimeEveryReport()
    {
        // An older engine's Welcome says nothing of job references: the agent sends what such an engine expects.
        await using var engine = await FakeEngine.StartAsync(new Welcome { EngineVersion = "old", TelemetryIntervalSeconds = 1 });
        var (session, _) = CreateAgent(engine.Url);
        await session.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var telemetry = (await NextAsync(engine, AgentMessage.BodyOneofCase.Telemetry)).Telemetry;
                Assert.Equal(["42", "99", "train-7"], telemetry.Jobs.Select(j => j.Identity?.JobId));
                Assert.All(telemetry.Jobs, j => Assert.Equal(0u, j.JobRef));
                Assert.All(telemetry.Jobs, j => Assert.NotNull(j.Usage.Time));
            }
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Run_SmallMaxMessageBytes_BatchTrimmedToFit()
    {
        await using var engine = await FakeEngine.StartAsync(new Welcome { EngineVersion = "fake", TelemetryIntervalSeconds = 1, MaxMessageBytes = 160 });
        var (session, _) = CreateAgent(engine.Url);
        await session.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var telemetry = (await NextAsync(engine, AgentMessage.BodyOneofCase.Telemetry)).Telemetry;
            Assert.True(new AgentMessage { Telemetry = telemetry }.CalculateSize() <= 160);
            Assert.True(telemetry.Jobs.Count < 3);
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
        }
    }
}
