using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Net.Client;
using Prescient.Protos.V1;

namespace Prescient.IntegrationTests;

/// <summary>
/// The engine (<c>prescient serve</c>) and the node agent (<c>prescient-agent</c>) as real processes on
/// loopback, the agent reading this machine's /proc and a real cgroup v1 job.
/// </summary>
public sealed class EngineAgentTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("prescient-it-").FullName;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EngineAndAgent_RealTelemetryAndDryRunCommand_RoundTripThroughGetStatus()
    {
        Prerequisite.Require(Prerequisite.IsRoot, "needs root to create cgroups");
        Prerequisite.Require(CgroupV1Job.Available, "needs cgroup v1 cpuacct and memory controllers under /sys/fs/cgroup");

        var port = FreePort();
        var plainDirectory = $"prescient-it-{_suffix}";
        var node = $"it-node-{_suffix}";
        using var job = new CgroupV1Job(plainDirectory, "4242");
        using var engine = ChildProcess.StartDotnet(RepoPaths.EngineDll, "serve", "--port", port.ToString(CultureInfo.InvariantCulture), "--state-dir", _stateDirectory);
        using var agent = ChildProcess.StartDotnet(RepoPaths.AgentDll, "--engine", $"http://127.0.0.1:{port}", "--dry-run", "--interval", "1",
            "--node-name", node, "--plain-job-dir", plainDirectory);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var admin = new Admin.AdminClient(channel);

        var status = await PollAsync(admin, s =>
            s.Nodes.Any(n => n.Name == node && n.AgentConnected && n.Latest is { MemoryBytes: > 0 })
            && s.Jobs.Any(j => j.Identity.JobId == "4242" && j.Latest is { CpuCores: > 0.05 })
            && s.RecentCommands.Any(c => c.JobId == "4242" && c.Outcome == CommandResult.Types.Outcome.DryRun),
            engine, agent);

        var reported = status.Nodes.Single(n => n.Name == node);
        Assert.Equal(Environment.ProcessorCount, reported.Capacity.CpuCores, 3);
        Assert.True(reported.Capacity.MemoryBytes > 0);
        Assert.Equal("dry-run", reported.EnforcementMode);
        Assert.Contains(reported.NativeLibrary, new[] { "native", "managed-fallback" });

        var busy = status.Jobs.Single(j => j.Identity.JobId == "4242");
        Assert.Equal(node, busy.NodeName);
        Assert.InRange(busy.Latest.CpuCores, 0.05, Environment.ProcessorCount + 0.5);
        Assert.Equal("root", busy.Identity.User);

        var command = status.RecentCommands.First(c => c.JobId == "4242" && c.Outcome == CommandResult.Types.Outcome.DryRun);
        Assert.Equal(CommandKind.SetLimits, command.Kind);
        Assert.True(command.RoundTripMilliseconds > 0);
        Assert.True(status.Commands.DryRun >= 1);
        Assert.True(busy.Applied.CpuQuotaCores > 0, "the dry-run result's would-be limits are recorded as the job's applied state");

        // The operator's view of the same engine, as a separate process: one JSON document on stdout.
        var (exit, stdout, stderr) = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromSeconds(60), "status", "--engine", $"http://127.0.0.1:{port}", "--json");
        Assert.True(exit == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var nodes = document.RootElement.GetProperty("nodes");
        var mine = nodes.EnumerateArray().Single(n => n.GetProperty("name").GetString() == node);
        Assert.True(mine.GetProperty("agent_connected").GetBoolean());
        Assert.True(mine.GetProperty("latest").GetProperty("memory_bytes").GetDouble() > 0);
        Assert.True(mine.GetProperty("capacity").GetProperty("cpu_cores").GetDouble() > 0);
        Assert.Contains(document.RootElement.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("job_id").GetString() == "4242");
    }

    [Fact]
    public async Task Agent_EngineRestarts_ReconnectsAndResyncs()
    {
        var port = FreePort();
        var node = $"it-restart-{_suffix}";
        using var agent = ChildProcess.StartDotnet(RepoPaths.AgentDll, "--engine", $"http://127.0.0.1:{port}", "--dry-run", "--interval", "1",
            "--node-name", node, "--plain-job-dir", $"prescient-it-none-{_suffix}");
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var admin = new Admin.AdminClient(channel);

        // The agent starts before any engine exists: it must keep retrying, not exit.
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        Assert.False(agent.HasExited, agent.Output);

        using (var first = ChildProcess.StartDotnet(RepoPaths.EngineDll, "serve", "--port", port.ToString(CultureInfo.InvariantCulture), "--state-dir", _stateDirectory))
        {
            await PollAsync(admin, s => s.Nodes.Any(n => n.Name == node && n.AgentConnected && n.Latest is not null), first, agent);
            first.Kill();
        }

        using var second = ChildProcess.StartDotnet(RepoPaths.EngineDll, "serve", "--port", port.ToString(CultureInfo.InvariantCulture), "--state-dir", _stateDirectory);
        var status = await PollAsync(admin, s => s.Nodes.Any(n => n.Name == node && n.AgentConnected && n.Latest is not null), second, agent);
        Assert.Equal(1U, status.AgentsConnected);
    }

    [Fact]
    public async Task Serve_BadConfiguration_FailsNamingTheSetting()
    {
        var config = Path.Combine(_stateDirectory, "bad.json");
        await File.WriteAllTextAsync(config, """{ "Prescient": { "TelemetryIntervalSeconds": 0 } }""", Ct);
        var (exit, _, stderr) = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromSeconds(60), "serve", "--config", config, "--port", "0");
        Assert.Equal(2, exit);
        Assert.Contains("Prescient:TelemetryIntervalSeconds", stderr);
    }

    [Fact]
    public async Task Status_NoEngine_FailsWithClearMessage()
    {
        var (exit, stdout, stderr) = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromSeconds(60), "status", "--engine", $"http://127.0.0.1:{FreePort()}", "--json", "--timeout", "3");
        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Contains("cannot reach the engine", stderr);
    }

    private static async Task<EngineStatus> PollAsync(Admin.AdminClient admin, Func<EngineStatus, bool> done, params ChildProcess[] processes)
    {
        var deadline = DateTime.UtcNow + Patience;
        EngineStatus? last = null;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var p in processes)
            {
                Assert.False(p.HasExited, "a process exited early:\n" + p.Output);
            }

            try
            {
                last = await admin.GetStatusAsync(new GetStatusRequest { IncludeJobs = true }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: Ct);
                if (done(last))
                {
                    return last;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // The engine is still starting.
            }

            await Task.Delay(250, Ct);
        }

        Assert.Fail($"condition not met within {Patience.TotalSeconds} s; last status: {last}\n--- processes ---\n{string.Join("\n---\n", processes.Select(p => p.Output))}");
        return null!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
