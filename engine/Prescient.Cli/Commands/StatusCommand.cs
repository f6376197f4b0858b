using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Prescient.Protos.V1;
using Command = System.CommandLine.Command;
using Spectre.Console;

namespace Prescient.Cli.Commands;

/// <summary><c>prescient status [--engine URL] [--json]</c>: nodes, jobs, agents and latest usage of a running engine.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var engine = new Option<string>("--engine") { Description = "Engine address", DefaultValueFactory = _ => "http://127.0.0.1:50051" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the engine", DefaultValueFactory = _ => 10 };
        var command = new Command("status", "Show the nodes, jobs and agents a running engine knows, with their latest usage.") { engine, json, timeout };
        command.SetAction(async (parse, ct) =>
        {
            if (!Uri.TryCreate(parse.GetValue(engine), UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                await Console.Error.WriteLineAsync($"prescient status: --engine '{parse.GetValue(engine)}' is not an http:// or https:// URL").ConfigureAwait(false);
                return 2;
            }

            EngineStatus status;
            try
            {
                using var channel = GrpcChannel.ForAddress(uri);
                var client = new Admin.AdminClient(channel);
                status = await client.GetStatusAsync(new GetStatusRequest { IncludeJobs = true },
                    deadline: DateTime.UtcNow.AddSeconds(parse.GetValue(timeout)), cancellationToken: ct).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                await Console.Error.WriteLineAsync($"prescient status: cannot reach the engine at {uri}: {e.Status.StatusCode} {e.Status.Detail}").ConfigureAwait(false);
                return 1;
            }

            if (parse.GetValue(json))
            {
                WriteJson(status);
            }
            else
            {
                WriteTables(status);
            }

            return 0;
        });
        return command;
    }

    private static void WriteJson(EngineStatus status)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("engine_version", status.EngineVersion);
            w.WriteString("start_time", status.StartTime?.ToDateTimeOffset().ToString("O", CultureInfo.InvariantCulture));
            w.WriteNumber("agents_connected", status.AgentsConnected);
            w.WriteNumber("telemetry_samples_accepted", status.TelemetrySamplesAccepted);
            w.WriteNumber("pending_jobs", status.PendingJobs);
            w.WriteNumber("events", status.Events);
            w.WriteNumber("last_cycle_ms", status.LastCycleMilliseconds);
            w.WriteNumber("memory_budget_bytes", status.MemoryBudgetBytes);
            w.WriteStartArray("nodes");
            foreach (var n in status.Nodes)
            {
                w.WriteStartObject();
                w.WriteString("name", n.Name);
                w.WriteStartObject("capacity");
                w.WriteNumber("cpu_cores", n.Capacity?.CpuCores ?? 0);
                w.WriteNumber("memory_bytes", n.Capacity?.MemoryBytes ?? 0);
                w.WriteNumber("network_bits_per_second", n.Capacity?.NetworkBitsPerSecond ?? 0);
                w.WriteNumber("storage_bytes_per_second", n.Capacity?.StorageBytesPerSecond ?? 0);
                w.WriteEndObject();
                WriteUsage(w, "latest", n.Latest);
                w.WriteBoolean("agent_connected", n.AgentConnected);
                w.WriteString("last_seen", n.LastSeen?.ToDateTimeOffset().ToString("O", CultureInfo.InvariantCulture));
                w.WriteString("agent_version", n.AgentVersion);
                w.WriteString("enforcement_mode", n.EnforcementMode);
                w.WriteString("native_library", n.NativeLibrary);
                w.WriteNumber("samples_stored", n.SamplesStored);
                w.WriteNumber("numa_nodes", n.NumaNodes.Count);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("jobs");
            foreach (var j in status.Jobs)
            {
                w.WriteStartObject();
                w.WriteString("job_id", j.Identity?.JobId);
                w.WriteString("user", j.Identity?.User);
                w.WriteString("group", j.Identity?.Group);
                w.WriteString("program", j.Identity?.Program);
                w.WriteString("node", j.NodeName);
                w.WriteString("source", j.Source);
                WriteUsage(w, "latest", j.Latest);
                w.WriteStartObject("applied");
                w.WriteNumber("cpu_quota_cores", j.Applied?.CpuQuotaCores ?? 0);
                w.WriteNumber("memory_high_bytes", j.Applied?.MemoryHighBytes ?? 0);
                w.WriteNumber("memory_max_bytes", j.Applied?.MemoryMaxBytes ?? 0);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("rejections");
            foreach (var r in status.Rejections)
            {
                w.WriteNumber(r.Reason, r.Count);
            }

            w.WriteEndObject();
            w.WriteStartObject("commands");
            w.WriteNumber("sent", status.Commands?.Sent ?? 0);
            w.WriteNumber("applied", status.Commands?.Applied ?? 0);
            w.WriteNumber("refused", status.Commands?.Refused ?? 0);
            w.WriteNumber("dry_run", status.Commands?.DryRun ?? 0);
            w.WriteNumber("expired", status.Commands?.Expired ?? 0);
            w.WriteEndObject();
            w.WriteStartArray("recent_commands");
            foreach (var c in status.RecentCommands)
            {
                w.WriteStartObject();
                w.WriteString("command_id", c.CommandId);
                w.WriteString("node", c.NodeName);
                w.WriteString("job_id", c.JobId);
                w.WriteString("kind", KindName(c.Kind));
                w.WriteString("outcome", OutcomeName(c.Outcome));
                w.WriteString("reason", c.Reason);
                w.WriteNumber("round_trip_ms", c.RoundTripMilliseconds);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("models");
            foreach (var m in status.Models)
            {
                w.WriteStartObject();
                w.WriteString("name", m.Name);
                w.WriteString("state", m.State);
                w.WriteString("detail", m.Detail);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }

    private static void WriteUsage(Utf8JsonWriter w, string name, UsageSample? usage)
    {
        if (usage is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        w.WriteString("time", usage.Time?.ToDateTimeOffset().ToString("O", CultureInfo.InvariantCulture));
        w.WriteNumber("cpu_cores", usage.CpuCores);
        w.WriteNumber("memory_bytes", usage.MemoryBytes);
        w.WriteNumber("net_rx_bytes_per_second", usage.NetRxBytesPerSecond);
        w.WriteNumber("net_tx_bytes_per_second", usage.NetTxBytesPerSecond);
        w.WriteNumber("disk_read_bytes_per_second", usage.DiskReadBytesPerSecond);
        w.WriteNumber("disk_write_bytes_per_second", usage.DiskWriteBytesPerSecond);
        w.WriteEndObject();
    }

    private static void WriteTables(EngineStatus status)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            // A file or pipe has no width; 80 columns would fold every row.
            console.Profile.Width = 160;
        }

        console.MarkupLine($"[bold]Prescient engine[/] {Markup.Escape(status.EngineVersion)} · agents connected: {status.AgentsConnected} · samples stored: {status.TelemetrySamplesAccepted} · last cycle {status.LastCycleMilliseconds:0.00} ms");
        var nodes = new Table().Title("Nodes").AddColumns("node", "agent", "cores", "memory", "cpu used", "mem used", "net rx/tx", "disk r/w", "mode", "native");
        foreach (var n in status.Nodes)
        {
            var u = n.Latest;
            nodes.AddRow(
                Markup.Escape(n.Name),
                n.AgentConnected ? "[green]connected[/]" : "[red]gone[/]",
                (n.Capacity?.CpuCores ?? 0).ToString("0.##", CultureInfo.InvariantCulture),
                Bytes(n.Capacity?.MemoryBytes ?? 0),
                u is null ? "-" : u.CpuCores.ToString("0.00", CultureInfo.InvariantCulture),
                u is null ? "-" : Bytes(u.MemoryBytes),
                u is null ? "-" : $"{Bytes((ulong)u.NetRxBytesPerSecond)}/s / {Bytes((ulong)u.NetTxBytesPerSecond)}/s",
                u is null ? "-" : $"{Bytes((ulong)u.DiskReadBytesPerSecond)}/s / {Bytes((ulong)u.DiskWriteBytesPerSecond)}/s",
                Markup.Escape(n.EnforcementMode),
                Markup.Escape(n.NativeLibrary));
        }

        console.Write(nodes);
        if (status.Jobs.Count > 0)
        {
            var jobs = new Table().Title("Jobs").AddColumns("job", "user", "program", "node", "cpu used", "mem used", "cpu quota", "mem high/max", "source");
            foreach (var j in status.Jobs)
            {
                var u = j.Latest;
                var a = j.Applied;
                jobs.AddRow(
                    Markup.Escape(j.Identity?.JobId ?? ""),
                    Markup.Escape(j.Identity?.User ?? ""),
                    Markup.Escape(j.Identity?.Program ?? ""),
                    Markup.Escape(j.NodeName),
                    u is null ? "-" : u.CpuCores.ToString("0.00", CultureInfo.InvariantCulture),
                    u is null ? "-" : Bytes(u.MemoryBytes),
                    a is null || a.CpuQuotaCores == 0 ? "-" : a.CpuQuotaCores.ToString("0.##", CultureInfo.InvariantCulture),
                    a is null || a.MemoryMaxBytes == 0 ? "-" : $"{Bytes(a.MemoryHighBytes)}/{Bytes(a.MemoryMaxBytes)}",
                    Markup.Escape(j.Source));
            }

            console.Write(jobs);
        }

        var c = status.Commands;
        console.MarkupLine($"Commands: sent {c?.Sent ?? 0}, applied {c?.Applied ?? 0}, dry-run {c?.DryRun ?? 0}, refused {c?.Refused ?? 0}, expired {c?.Expired ?? 0}");
        if (status.Rejections.Count > 0)
        {
            console.MarkupLine("Refused input: " + Markup.Escape(string.Join(", ", status.Rejections.Select(r => $"{r.Reason} {r.Count}"))));
        }
    }

    internal static string KindName(CommandKind kind) => kind switch
    {
        CommandKind.SetLimits => "set-limits",
        CommandKind.SetCpuset => "set-cpuset",
        CommandKind.ReserveBandwidth => "reserve-bandwidth",
        CommandKind.Prefetch => "prefetch",
        CommandKind.ReleaseJob => "release-job",
        _ => "unspecified",
    };

    internal static string OutcomeName(CommandResult.Types.Outcome outcome) => outcome switch
    {
        CommandResult.Types.Outcome.Applied => "applied",
        CommandResult.Types.Outcome.Refused => "refused",
        CommandResult.Types.Outcome.DryRun => "dry-run",
        _ => "pending",
    };

    private static string Bytes(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(unit == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
