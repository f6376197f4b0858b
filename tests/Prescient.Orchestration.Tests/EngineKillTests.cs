using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Prescient.Protos.V1;

namespace Prescient.Orchestration.Tests;

/// <summary>
/// The engine (<c>prescient serve</c>) as a real process, planning for a fake agent over gRPC, killed with SIGKILL
/// mid-run and restarted on the same state directory: the plan it had published, the registered event, the
/// feedback loop's statistics and the model's per-job calibration must all come back.
/// </summary>
public sealed class EngineKillTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("prescient-kill-").FullName;
    private readonly int _metricsPort = FreePort();

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Engine_KilledMidRun_RestartsWithItsPlanEventsAndFeedback()
    {
        var dll = EngineDll();
        if (!File.Exists(dll))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"CI=true and the engine is not built at {dll}");
            }

            Assert.Skip($"the engine is not built at {dll}");
        }

        var port = FreePort();
        Process engine = Start(dll, port, fastCycles: true);
        Plan seen;
        string eventId;
        string feedbackBefore;
        try
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
            await WaitHealthyAsync(channel, engine);
            var scheduler = new SchedulerApi.SchedulerApiClient(channel);
            var registered = await scheduler.RegisterEventAsync(Event(), cancellationToken: Ct);
            eventId = registered.EventId;

            using var agent = new AgentGateway.AgentGatewayClient(channel).Connect(cancellationToken: Ct);
            await agent.RequestStream.WriteAsync(new AgentMessage { Hello = Hello() }, Ct);
            Assert.True(await agent.ResponseStream.MoveNext(Ct));
            var commands = 0;
            var reader = Task.Run(async () =>
            {
                while (await agent.ResponseStream.MoveNext(Ct))
                {
                    if (agent.ResponseStream.Current.BodyCase == EngineMessage.BodyOneofCase.Command)
                    {
                        Interlocked.Increment(ref commands);
                    }
                }
            }, Ct);

            // Telemetry every 200 ms for two jobs until the engine has planned commands and scored forecasts.
            var admin = new Admin.AdminClient(channel);
            var deadline = DateTime.UtcNow + Patience;
            feedbackBefore = "";
            while (true)
            {
                await agent.RequestStream.WriteAsync(new AgentMessage { Telemetry = Telemetry() }, Ct);
                await Task.Delay(200, Ct);
                var status = await admin.GetStatusAsync(new GetStatusRequest(), cancellationToken: Ct);
                feedbackBefore = status.Models.FirstOrDefault(m => m.Name == "feedback")?.Detail ?? "";
                if (Volatile.Read(ref commands) > 0 && Scored(feedbackBefore) > 0)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"no commands or scores in time: {feedbackBefore}");
                Assert.False(engine.HasExited, "the engine exited");
            }

            // Prometheus text: over HTTP/1.1 on the metrics port, and over h2c on the gRPC port.
            using (var http = new HttpClient())
            {
                var text = await http.GetStringAsync($"http://127.0.0.1:{_metricsPort}/metrics", Ct);
                Assert.Contains("prescient_cycle_duration_milliseconds_count ", text);
                Assert.Contains("prescient_solve_duration_milliseconds_bucket{le=\"+Inf\"}", text);
                Assert.Contains("prescient_forecast_error_normalized{horizon_seconds=\"1\"}", text);
                Assert.Matches(@"prescient_commands_sent_total [1-9]", text);
                Assert.Contains("prescient_commands_refused_total ", text);
                Assert.Contains("prescient_degraded_path_total", text);
            }

            using (var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact })
            {
                Assert.Contains("prescient_cycles_total", await h2c.GetStringAsync($"http://127.0.0.1:{port}/metrics", Ct));
            }

            // Wait for a snapshot to have been taken after the scores (every 5 cycles), then read the published plan and kill.
            await Task.Delay(1500, Ct);
            seen = await scheduler.GetPlanAsync(new GetPlanRequest(), cancellationToken: Ct);
            engine.Kill(entireProcessTree: true);
            await engine.WaitForExitAsync(Ct);
        }
        finally
        {
            if (!engine.HasExited)
            {
                engine.Kill(entireProcessTree: true);
            }
        }

        Assert.True(seen.Cycle > 0);

        // Restart with a cycle of an hour: what GetPlan answers is what was restored, not a new plan.
        var restarted = Start(dll, port, fastCycles: false);
        try
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
            await WaitHealthyAsync(channel, restarted);
            var plan = await new SchedulerApi.SchedulerApiClient(channel).GetPlanAsync(new GetPlanRequest(), cancellationToken: Ct);
            Assert.True(plan.Cycle >= seen.Cycle, $"restored plan of cycle {plan.Cycle}, but cycle {seen.Cycle} had been published");
            if (plan.Cycle == seen.Cycle)
            {
                Assert.Equal(seen, plan);
            }

            var events = await new SchedulerApi.SchedulerApiClient(channel).ListEventsAsync(new ListEventsRequest(), cancellationToken: Ct);
            Assert.Contains(events.Events, e => e.EventId == eventId);

            var status = await new Admin.AdminClient(channel).GetStatusAsync(new GetStatusRequest(), cancellationToken: Ct);
            var feedbackAfter = status.Models.Single(m => m.Name == "feedback").Detail;
            Assert.True(Scored(feedbackAfter) > 0, $"feedback statistics lost: before '{feedbackBefore}', after '{feedbackAfter}'");

            // Both jobs' calibration (the ensemble's weights and conformal state) was snapshotted and read back.
            var calibration = status.Models.Single(m => m.Name == "calibration").Detail;
            Assert.StartsWith("2 jobs restored at start (0 refused)", calibration, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(_stateDirectory, "planner", "calibration.bin")));
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync(Ct);
        }
    }

    /// <summary>The number of scored predictions at the shortest horizon, from the "feedback" model-health detail.</summary>
    private static long Scored(string detail)
    {
        var at = detail.IndexOf(" n ", StringComparison.Ordinal);
        if (at < 0)
        {
            return 0;
        }

        var end = detail.IndexOf(';', at);
        return long.TryParse(detail[(at + 3)..end], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    private Process Start(string dll, int port, bool fastCycles)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--state-dir");
        info.ArgumentList.Add(_stateDirectory);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["PRESCIENT__CYCLEMILLISECONDS"] = fastCycles ? "200" : "3600000";
        info.Environment["PRESCIENT__PLANNER__SNAPSHOTEVERYCYCLES"] = "5";
        info.Environment["PRESCIENT__METRICSPORT"] = _metricsPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["PRESCIENT__PLANNER__CALIBRATIONSNAPSHOTEVERYCYCLES"] = "5";
        info.Environment["PRESCIENT__ORCHESTRATOR__MODEL"] = "ensemble";
        info.Environment["PRESCIENT__ORCHESTRATOR__STEPSECONDS"] = "1";
        info.Environment["PRESCIENT__ORCHESTRATOR__HORIZONSSECONDS__0"] = "1";
        info.Environment["PRESCIENT__ORCHESTRATOR__HORIZONSSECONDS__1"] = "5";
        info.Environment["PRESCIENT__ORCHESTRATOR__HORIZONSSECONDS__2"] = "60";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitHealthyAsync(GrpcChannel channel, Process engine)
    {
        var deadline = DateTime.UtcNow + Patience;
        var admin = new Admin.AdminClient(channel);
        while (true)
        {
            Assert.False(engine.HasExited, "the engine exited at start");
            try
            {
                await admin.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: Ct);
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, Ct);
            }
        }
    }

    private static RegisterEventRequest Event()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(1);
        var request = new RegisterEventRequest
        {
            Name = "quarter-end",
            Scope = new Scope { Kind = Scope.Types.Kind.System },
            StartTime = Timestamp.FromDateTimeOffset(start),
            EndTime = Timestamp.FromDateTimeOffset(start.AddHours(2)),
        };
        request.ExtraDemand.Add(new ResourceAmount { Resource = Resource.Cpu, Amount = 2 });
        return request;
    }

    private static Hello Hello() => new()
    {
        NodeName = "kill-node",
        Capacity = new NodeCapacity { CpuCores = 16, MemoryBytes = 64UL << 30 },
        AgentVersion = "test",
        EnforcementMode = "dry-run",
        NativeLibrary = "managed-fallback",
    };

    private static TelemetryBatch Telemetry()
    {
        var now = DateTimeOffset.UtcNow;
        var batch = new TelemetryBatch { Node = Sample(now, 3, 8UL << 30) };
        batch.Jobs.Add(new JobUsage { Identity = new JobIdentity { JobId = "101", User = "alice" }, Usage = Sample(now, 1 + (now.Millisecond / 1000.0), 2UL << 30) });
        batch.Jobs.Add(new JobUsage { Identity = new JobIdentity { JobId = "102", User = "bob" }, Usage = Sample(now, 2, 4UL << 30) });
        return batch;
    }

    private static UsageSample Sample(DateTimeOffset at, double cpu, ulong memory) => new()
    {
        Time = Timestamp.FromDateTimeOffset(at),
        CpuCores = cpu,
        MemoryBytes = memory,
        ApiCallsPerSecond = -1,
        FilesRead = -1,
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string EngineDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln")))
            {
                var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
                return Path.Combine(dir.FullName, "engine", "Prescient.Cli", "bin", configuration, "net10.0", "prescient.dll");
            }
        }

        return "";
    }
}
