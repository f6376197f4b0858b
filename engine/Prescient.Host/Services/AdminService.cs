using Grpc.Core;
using Microsoft.Extensions.Options;
using Prescient.Host.Planning;
using Prescient.Host.Scheduler;
using Prescient.Host.State;
using Prescient.Protos.V1;

namespace Prescient.Host.Services;

/// <summary>Operators' view of the engine (<c>Admin.GetStatus</c>).</summary>
public sealed class AdminService(
    ClusterState state,
    CommandLog commands,
    EventStore events,
    PlanStore plans,
    PlanningService planning,
    Kernels.KernelDeviceProbe kernels,
    IOptions<EngineOptions> options) : Admin.AdminBase
{
    public override Task<EngineStatus> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var snapshot = state.Snapshot(request.IncludeJobs, commands);
        var status = new EngineStatus
        {
            EngineVersion = EngineInfo.Version,
            StartTime = ProtoMapping.ToTimestamp(snapshot.StartUnixMilliseconds),
            AgentsConnected = (uint)snapshot.AgentsConnected,
            TelemetrySamplesAccepted = snapshot.TelemetrySamplesAccepted,
            PendingJobs = (ulong)snapshot.PendingJobs,
            Events = (ulong)events.Count,
            LastCycleMilliseconds = plans.Current.CycleMilliseconds,
            MemoryBudgetBytes = (ulong)options.Value.TelemetryMemoryBudgetBytes,
            Commands = new Protos.V1.CommandCounters
            {
                Sent = snapshot.Commands.Sent,
                Applied = snapshot.Commands.Applied,
                Refused = snapshot.Commands.Refused,
                DryRun = snapshot.Commands.DryRun,
                Expired = snapshot.Commands.Expired,
            },
        };

        var roundTrip = commands.RoundTrip(request.ResetLatency);
        status.CommandRoundTrip = new LatencySummary
        {
            Count = (ulong)roundTrip.Count,
            P50Milliseconds = roundTrip.P50Milliseconds,
            P99Milliseconds = roundTrip.P99Milliseconds,
            P999Milliseconds = roundTrip.P999Milliseconds,
            MaxMilliseconds = roundTrip.MaxMilliseconds,
        };

        foreach (var n in snapshot.Nodes)
        {
            var node = new NodeStatus
            {
                Name = n.Name,
                Capacity = ProtoMapping.ToProto(n.Capacity),
                AgentConnected = n.AgentConnected,
                AgentVersion = n.AgentVersion,
                EnforcementMode = n.EnforcementMode,
                NativeLibrary = n.NativeLibrary,
                SamplesStored = (ulong)n.SamplesStored,
            };
            if (n.Latest is not null)
            {
                node.Latest = ProtoMapping.ToProto(n.Latest);
            }

            if (n.LastSeenUnixMilliseconds > 0)
            {
                node.LastSeen = ProtoMapping.ToTimestamp(n.LastSeenUnixMilliseconds);
            }

            node.NumaNodes.AddRange(n.NumaNodes.Select(ProtoMapping.ToProto));
            status.Nodes.Add(node);
        }

        foreach (var j in snapshot.Jobs)
        {
            var job = new JobStatus
            {
                Identity = ProtoMapping.ToProto(j.Identity),
                NodeName = j.NodeName,
                Applied = ProtoMapping.ToProto(j.Applied),
                Source = j.Source,
            };
            if (j.Latest is not null)
            {
                job.Latest = ProtoMapping.ToProto(j.Latest);
            }

            status.Jobs.Add(job);
        }

        status.Rejections.AddRange(snapshot.Rejections.Select(r => new RejectionCounter { Reason = r.Key, Count = r.Value }));
        foreach (var c in snapshot.RecentCommands)
        {
            status.RecentCommands.Add(new CommandRecord
            {
                CommandId = c.CommandId,
                NodeName = c.NodeName,
                JobId = c.JobId,
                Kind = ProtoMapping.ToProto(c.Kind),
                Outcome = ProtoMapping.ToProto(c.Outcome),
                Reason = c.Reason,
                SentTime = ProtoMapping.ToTimestamp(c.SentUnixMilliseconds),
                RoundTripMilliseconds = c.RoundTripMilliseconds,
            });
        }

        status.Models.Add(new ModelHealth
        {
            Name = "seasonal-naive",
            State = "ready",
            Detail = "GetForecast: daily seasonal-naive over stored telemetry, persistence while under a day of history",
        });
        status.Models.Add(new ModelHealth
        {
            Name = "kernels",
            State = kernels.Ready ? "ready" : "unavailable",
            Detail = $"{kernels.Backend}: {kernels.Reason}",
        });
        foreach (var (name, state, detail) in planning.ModelHealth())
        {
            status.Models.Add(new ModelHealth { Name = name, State = state, Detail = detail });
        }
        return Task.FromResult(status);
    }
}
