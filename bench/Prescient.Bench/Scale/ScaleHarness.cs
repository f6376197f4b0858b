using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using HdrHistogram;
using Prescient.Protos.V1;

namespace Prescient.Bench.Scale;

/// <summary>
/// <c>scale --nodes N[,N2,...] [--jobs-per-node J] [--seconds S] [--warmup S] [--load measured|restless] [--json] [--plot FILE]</c>: the
/// engine (<c>prescient serve</c>, a separate process) serving N simulated nodes over real gRPC on loopback. One
/// load process multiplexes the nodes' streams (one AgentGateway stream per node) over a few HTTP/2
/// connections; every node reports J jobs once a second with usage that moves as <see cref="ScaleLoad"/> says
/// (default: the dynamics measured on Bitbrains), so the planner keeps sending commands, which the simulated agents
/// answer at once (dry run). Measured over S seconds after a warm-up of at least <c>--warmup</c> seconds that lasts until
/// the engine keeps up (<see cref="SettleAsync"/>; how long that took after the agents connected is reported as
/// <c>settle_s</c>, the startup cost):
/// telemetry samples the engine stored per second, command round trip (engine decision → agent result, the
/// engine's own histogram), planning cycle latency (every cycle, from the published plans), and the engine's
/// resident memory.
/// </summary>
public static class ScaleHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = new List<int>();
        int jobsPerNode = 5, seconds = 30, warmup = 10, nodesPerConnection = 500;
        var json = false;
        string? plot = null;
        string? engineDll = null;
        string? engineLog = null;
        var load = ScaleLoad.Measured;
        var identityEveryReport = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--nodes":
                    sizes.AddRange(args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)));
                    break;
                case "--jobs-per-node":
                    jobsPerNode = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--seconds":
                    seconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--warmup":
                    warmup = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--engine-log":
                    engineLog = args[++i];
                    break;
                case "--nodes-per-connection":
                    nodesPerConnection = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--json":
                    json = true;
                    break;
                case "--plot":
                    plot = args[++i];
                    break;
                case "--load":
                    if (!System.Enum.TryParse(args[++i], ignoreCase: true, out load) || !System.Enum.IsDefined(load))
                    {
                        Console.Error.WriteLine($"scale: --load is 'measured' or 'restless', not '{args[i]}'");
                        return 2;
                    }

                    break;
                case "--engine":
                    engineDll = args[++i];
                    break;
                case "--identity-every-report":
                    identityEveryReport = true;
                    break;
                default:
                    Console.Error.WriteLine($"scale: unknown argument '{args[i]}'\nusage: scale --nodes N[,N...] [--jobs-per-node J] [--seconds S] [--warmup S] [--json] [--plot FILE.png] [--load measured|restless] [--nodes-per-connection N] [--identity-every-report] [--engine prescient.dll] [--engine-log FILE]");
                    return 2;
            }
        }

        if (sizes.Count == 0 || sizes.Any(n => n < 1) || jobsPerNode < 0 || seconds < 1 || warmup < 0 || nodesPerConnection < 1)
        {
            Console.Error.WriteLine("scale: --nodes N (≥ 1) is required; --jobs-per-node ≥ 0, --seconds ≥ 1, --warmup ≥ 0, --nodes-per-connection ≥ 1");
            return 2;
        }

        engineDll ??= FindEngine();
        var results = new List<ScaleResult>();
        foreach (var nodes in sizes)
        {
            Console.Error.WriteLine($"scale: {nodes} nodes × {jobsPerNode} jobs, {load.ToString().ToLowerInvariant()} load, warm-up {warmup} s, measuring {seconds} s");
            results.Add(await MeasureAsync(engineDll, nodes, jobsPerNode, load, warmup, seconds, nodesPerConnection, engineLog, identityEveryReport).ConfigureAwait(false));
            PrintTable(results[^1]);
        }

        if (plot is not null && results.Count > 1)
        {
            ScalePlot.Write(plot, results);
            Console.Error.WriteLine($"scale: plot written to {plot}");
        }

        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
            if (results.Count == 1)
            {
                results[0].Write(w);
            }
            else
            {
                w.WriteStartArray();
                foreach (var r in results)
                {
                    r.Write(w);
                }

                w.WriteEndArray();
            }

            w.Flush();
            stdout.WriteByte((byte)'\n');
        }

        return 0;
    }

    private static async Task<ScaleResult> MeasureAsync(string engineDll, int nodes, int jobsPerNode, ScaleLoad load, int warmup, int seconds, int nodesPerConnection, string? engineLog, bool identityEveryReport)
    {
        var port = FreePort();
        var state = Directory.CreateTempSubdirectory("prescient-scale-").FullName;
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { engineDll, "serve", "--port", port.ToString(CultureInfo.InvariantCulture), "--state-dir", state })
        {
            info.ArgumentList.Add(a);
        }

        var series = (nodes * (jobsPerNode + 1)) + 16;
        info.Environment["PRESCIENT__TelemetryIntervalSeconds"] = "1";
        info.Environment["PRESCIENT__SamplesPerSeries"] = "120";
        info.Environment["PRESCIENT__MaxSeries"] = series.ToString(CultureInfo.InvariantCulture);
        info.Environment["PRESCIENT__MaxJobs"] = series.ToString(CultureInfo.InvariantCulture);
        info.Environment["Kestrel__Limits__Http2__MaxStreamsPerConnection"] = "1000";
        using var engine = Process.Start(info)!;
        // The engine's log (a line per cycle, overruns, collections started) goes to --engine-log when given, appended
        // per size with a header; otherwise it is read and dropped so that the engine never blocks on a full pipe.
        using var log = engineLog is null ? null : new StreamWriter(engineLog, append: true) { AutoFlush = true };
        log?.WriteLine($"== scale: {nodes} nodes, engine pid {engine.Id}, {DateTimeOffset.UtcNow:O}");
        var logLock = new object();
        void Keep(object? sender, DataReceivedEventArgs e)
        {
            if (log is not null && e.Data is not null)
            {
                lock (logLock)
                {
                    try
                    {
                        log.WriteLine(e.Data);
                    }
                    catch (ObjectDisposedException)
                    {
                        // A line after the measurement ended (the engine being stopped): nothing left to keep it for.
                    }
                }
            }
        }

        engine.OutputDataReceived += Keep;
        engine.ErrorDataReceived += Keep;
        engine.BeginOutputReadLine();
        engine.BeginErrorReadLine();
        try
        {
            var address = new Uri($"http://127.0.0.1:{port}");
            using var control = GrpcChannel.ForAddress(address);
            var admin = new Admin.AdminClient(control);
            await WaitForEngineAsync(admin, engine).ConfigureAwait(false);

            var connections = Math.Max(1, (nodes + nodesPerConnection - 1) / nodesPerConnection);
            var channels = Enumerable.Range(0, connections).Select(_ => GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
                MaxReceiveMessageSize = 16 << 20,
            })).ToArray();
            using var stop = new CancellationTokenSource();
            var agents = new SimulatedAgent[nodes];
            for (var n = 0; n < nodes; n++)
            {
                agents[n] = new SimulatedAgent($"scale-{n:D6}", jobsPerNode, new AgentGateway.AgentGatewayClient(channels[n % connections]), load, n, identityEveryReport);
            }

            var connect = Stopwatch.StartNew();
            await Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (a, ct) => await a.ConnectAsync(stop.Token).ConfigureAwait(false)).ConfigureAwait(false);
            var connected = connect.Elapsed;
            Console.Error.WriteLine($"scale: {nodes} agents connected in {connected.TotalSeconds:0.0} s");

            var reporter = ReportLoopAsync(agents, stop.Token);
            var cycles = new LongHistogram(TimeSpan.FromMinutes(10).Ticks / 10, 3);
            var measuring = false;
            var recent = new RecentCycles();
            var cyclePoller = PollCyclesAsync(new SchedulerApi.SchedulerApiClient(control), cycles, recent, () => measuring, stop.Token);

            await Task.Delay(TimeSpan.FromSeconds(warmup)).ConfigureAwait(false);
            var steady = await SettleAsync(admin, (double)nodes * (jobsPerNode + 1), recent).ConfigureAwait(false);
            var settleSeconds = (connect.Elapsed - connected).TotalSeconds;
            Console.Error.WriteLine(steady
                ? string.Create(CultureInfo.InvariantCulture, $"scale: steady {settleSeconds:0.0} s after the agents connected")
                : string.Create(CultureInfo.InvariantCulture, $"scale: not steady {settleSeconds:0.0} s after the agents connected; measuring anyway"));
            var before = await admin.GetStatusAsync(new GetStatusRequest { ResetLatency = true }).ConfigureAwait(false);
            var (_, _, enginePauseBefore) = await EngineGcAsync(address).ConfigureAwait(false);
            var loadPauseBefore = GC.GetTotalPauseDuration();
            measuring = true;
            var window = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            var after = await admin.GetStatusAsync(new GetStatusRequest()).ConfigureAwait(false);
            var elapsed = window.Elapsed.TotalSeconds;
            measuring = false;
            var rssMegabytes = ResidentMegabytes(engine.Id);
            var loadPause = (GC.GetTotalPauseDuration() - loadPauseBefore).TotalMilliseconds;
            var (heapMegabytes, committedMegabytes, enginePause) = await EngineGcAsync(address).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await IgnoreCancellation(reporter).ConfigureAwait(false);
            await IgnoreCancellation(cyclePoller).ConfigureAwait(false);
            foreach (var a in agents)
            {
                a.Dispose();
            }

            foreach (var c in channels)
            {
                c.Dispose();
            }

            var rtt = after.CommandRoundTrip ?? new LatencySummary();
            if (after.Rejections.Count > 0)
            {
                Console.Error.WriteLine("scale: refused by the engine: " + string.Join(", ", after.Rejections.Select(r => $"{r.Reason} {r.Count}")));
            }

            return new ScaleResult(
                nodes,
                jobsPerNode,
                load.ToString().ToLowerInvariant(),
                (after.TelemetrySamplesAccepted - before.TelemetrySamplesAccepted) / elapsed,
                (double)nodes * (jobsPerNode + 1),
                rtt.Count,
                rtt.P50Milliseconds,
                rtt.P99Milliseconds,
                rtt.P999Milliseconds,
                cycles.TotalCount,
                cycles.TotalCount == 0 ? 0 : cycles.GetValueAtPercentile(50) / 1000.0,
                cycles.TotalCount == 0 ? 0 : cycles.GetValueAtPercentile(99) / 1000.0,
                rssMegabytes,
                heapMegabytes,
                committedMegabytes,
                enginePause - enginePauseBefore,
                loadPause,
                after.AgentsConnected,
                after.Rejections.Sum(r => (long)r.Count),
                settleSeconds,
                steady);
        }
        finally
        {
            if (!engine.HasExited)
            {
                engine.Kill(entireProcessTree: true);
                await engine.WaitForExitAsync().ConfigureAwait(false);
            }

            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>Report slices per second: agent n reports in slice n mod this, so reports spread over the second.</summary>
    private const int SlicesPerSecond = 50;

    /// <summary>
    /// Every agent reports once a second, each at its own phase within the second (real agents' timers are not in step):
    /// a tick every 1/<see cref="SlicesPerSecond"/> s sends the reports of the slices due by the clock (a late tick catches
    /// up, so the offered rate stays one report per agent per second).
    /// </summary>
    private static async Task ReportLoopAsync(SimulatedAgent[] agents, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / SlicesPerSecond));
        var members = Enumerable.Range(0, SlicesPerSecond).Select(k => agents.Where((_, n) => n % SlicesPerSecond == k).ToArray()).ToArray();
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            var due = (long)(clock.Elapsed.TotalSeconds * SlicesPerSecond);
            for (; sent < due; sent++)
            {
                var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
                await Parallel.ForEachAsync(members[sent % SlicesPerSecond], new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
                    async (a, token) => await a.ReportAsync(now, token).ConfigureAwait(false)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Seconds of settling after the warm-up at most; past them the window is measured anyway and marked not steady.</summary>
    private const int MaxSettleSeconds = 180;

    /// <summary>Consecutive one-second checks that must pass before the engine counts as steady.</summary>
    private const int SteadyChecks = 3;

    /// <summary>
    /// Waits until the engine keeps up with its agents, so that the measured window is the steady state and not the
    /// catch-up after 10,000 agents connect at once (the first cycles create every job's series and models and can take
    /// seconds, the telemetry queued meanwhile is then stored faster than it is offered, and the commands wait behind
    /// it): <see cref="SteadyChecks"/> one-second checks in a row in which the telemetry stored is within 5 % of the
    /// offered rate and a planning cycle was published that took under a second (the planner keeps its cadence).
    /// Returns false after <see cref="MaxSettleSeconds"/>.
    /// </summary>
    private static async Task<bool> SettleAsync(Admin.AdminClient admin, double offeredPerSecond, RecentCycles recent)
    {
        var passed = 0;
        var clock = Stopwatch.StartNew();
        var last = (await admin.GetStatusAsync(new GetStatusRequest()).ConfigureAwait(false)).TelemetrySamplesAccepted;
        var lastTime = clock.Elapsed;
        recent.TakeWindow();
        while (clock.Elapsed.TotalSeconds < MaxSettleSeconds)
        {
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            var accepted = (await admin.GetStatusAsync(new GetStatusRequest()).ConfigureAwait(false)).TelemetrySamplesAccepted;
            var now = clock.Elapsed;
            var rate = (accepted - last) / (now - lastTime).TotalSeconds;
            (last, lastTime) = (accepted, now);
            var (count, slowest) = recent.TakeWindow();
            passed = Math.Abs(rate - offeredPerSecond) <= 0.05 * offeredPerSecond && count > 0 && slowest < 1000 ? passed + 1 : 0;
            if (passed >= SteadyChecks)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The cycles published since the last <see cref="TakeWindow"/>: how many, and the slowest (ms).</summary>
    private sealed class RecentCycles
    {
        private readonly Lock _lock = new();
        private int _count;
        private double _slowest;

        public void Add(double milliseconds)
        {
            lock (_lock)
            {
                _count++;
                _slowest = Math.Max(_slowest, milliseconds);
            }
        }

        public (int Count, double Slowest) TakeWindow()
        {
            lock (_lock)
            {
                var window = (_count, _slowest);
                (_count, _slowest) = (0, 0);
                return window;
            }
        }
    }

    private static async Task PollCyclesAsync(SchedulerApi.SchedulerApiClient client, LongHistogram cycles, RecentCycles recent, Func<bool> measuring, CancellationToken ct)
    {
        ulong last = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // A node name nobody has keeps the plan's action list empty: only the cycle's number and latency travel.
                var plan = await client.GetPlanAsync(new GetPlanRequest { NodeName = "scale-harness-none" }, cancellationToken: ct).ConfigureAwait(false);
                if (plan.Cycle != last)
                {
                    last = plan.Cycle;
                    recent.Add(plan.CycleMilliseconds);
                    if (measuring())
                    {
                        cycles.RecordValue(Math.Max(0, (long)(plan.CycleMilliseconds * 1000)));
                    }
                }

                await Task.Delay(100, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException || (e is RpcException r && r.StatusCode == StatusCode.Cancelled))
            {
                return;
            }
        }
    }

    private static async Task WaitForEngineAsync(Admin.AdminClient admin, Process engine)
    {
        for (var i = 0; i < 300; i++)
        {
            if (engine.HasExited)
            {
                throw new InvalidOperationException($"the engine exited with code {engine.ExitCode} before it answered");
            }

            try
            {
                await admin.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2)).ConfigureAwait(false);
                return;
            }
            catch (RpcException)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }

        throw new TimeoutException("the engine did not answer within 30 s");
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The engine's managed heap and the collector's committed memory (MB), and its collections' pause since start (ms),
    /// from its <c>/metrics</c> (h2c on the gRPC port).
    /// </summary>
    private static async Task<(double Heap, double Committed, double PauseMilliseconds)> EngineGcAsync(Uri address)
    {
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var lines = (await http.GetStringAsync(new Uri(address, "/metrics")).ConfigureAwait(false)).Split('\n');
        double Read(string name)
        {
            var line = lines.FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            return line is null ? double.NaN : double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
        }

        return (Read("prescient_gc_heap_bytes") / (1 << 20), Read("prescient_gc_committed_bytes") / (1 << 20), Read("prescient_gc_pause_seconds_total") * 1000);
    }

    private static double ResidentMegabytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }

        return double.NaN;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindEngine()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "engine", "Prescient.Cli", "bin", "Release", "net10.0", "prescient.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("prescient.dll not found; build it first (dotnet build engine/Prescient.Cli -c Release) or pass --engine PATH");
    }

    private static void PrintTable(ScaleResult r) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nodes {r.Nodes,6} | ingest {r.IngestPerSecond,9:0} samples/s (offered {r.OfferedPerSecond:0}) | rtt p50 {r.RttP50,7:0.00} p99 {r.RttP99,7:0.00} p99.9 {r.RttP999,7:0.00} ms ({r.Commands} commands) | cycle p50 {r.CycleP50,7:0.00} p99 {r.CycleP99,7:0.00} ms ({r.Cycles} cycles) | rss {r.RssMegabytes,6:0} MB (gc heap {r.GcHeapMegabytes:0}, committed {r.GcCommittedMegabytes:0}) | gc pause engine {r.EngineGcPauseMilliseconds:0} ms, load {r.LoadGcPauseMilliseconds:0} ms | agents {r.AgentsConnected} | refused {r.Rejected} | steady after {r.SettleSeconds:0.0} s{(r.Steady ? "" : " (not steady)")}"));
}
