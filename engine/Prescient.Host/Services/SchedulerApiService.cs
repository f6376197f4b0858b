using Grpc.Core;
using Microsoft.Extensions.Options;
using Prescient.Abstractions.Telemetry;
using Prescient.Host.Forecasts;
using Prescient.Host.Planning;
using Prescient.Host.Scheduler;
using Prescient.Host.State;
using Prescient.Protos.V1;

namespace Prescient.Host.Services;

/// <summary>
/// The scheduler-facing API. Every request is validated first; a bad one gets INVALID_ARGUMENT naming
/// the field, an unknown job or event NOT_FOUND, a full table RESOURCE_EXHAUSTED, and nothing stored
/// changes.
/// </summary>
public sealed class SchedulerApiService(
    ClusterState state,
    EventStore events,
    StoredSeriesForecaster forecaster,
    PlanStore plans,
    IOptions<EngineOptions> options) : SchedulerApi.SchedulerApiBase
{
    /// <summary>Longest event name accepted, in characters.</summary>
    public const int MaxEventNameLength = 200;

    public override Task<JobStartedResponse> JobStarted(JobStartedRequest request, ServerCallContext context)
    {
        var identity = ProtoMapping.ToInfo(request.Identity);
        RequireIdentity(identity, "identity");
        foreach (var node in request.NodeNames)
        {
            Require(NameRules.IsValid(node), $"node_names: {NameRules.Quote(node)} is not a valid node name");
        }

        var r = request.Requested ?? new ResourceRequest();
        Require(double.IsFinite(r.CpuCores) && r.CpuCores >= 0, $"requested.cpu_cores = {r.CpuCores} must be finite and non-negative");
        Require(request.InputPaths.Count <= 10_000, "input_paths: at most 10000 paths");
        foreach (var path in request.InputPaths)
        {
            Require(path.Length is > 0 and <= 4096 && path[0] == '/' && !path.Contains('\0'), $"input_paths: {NameRules.Quote(path)} is not an absolute path");
        }

        var known = state.JobStarted(identity, request.NodeNames.ToArray(),
            new ResourceRequestInfo(r.CpuCores, r.MemoryBytes, r.NetworkBitsPerSecond, r.NodeCount, r.TimeLimitSeconds),
            ProtoMapping.ToUnixMilliseconds(request.StartTime), request.InputPaths.ToArray());
        if (known is null)
        {
            throw Failed(StatusCode.ResourceExhausted, RejectionReasons.JobLimit, $"the engine tracks at most {options.Value.MaxJobs} jobs (Prescient:MaxJobs)");
        }

        return Task.FromResult(new JobStartedResponse { KnownBefore = known.Value });
    }

    public override Task<JobEndedResponse> JobEnded(JobEndedRequest request, ServerCallContext context)
    {
        Require(NameRules.IsValid(request.JobId), $"job_id {NameRules.Quote(request.JobId)} is not a valid job id");
        if (!state.JobEnded(request.JobId))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"job {request.JobId} is not known to the engine"));
        }

        return Task.FromResult(new JobEndedResponse());
    }

    public override Task<QueueSnapshotResponse> SubmitQueueSnapshot(QueueSnapshot request, ServerCallContext context)
    {
        var pending = new List<PendingJobInfo>(request.Jobs.Count);
        for (var i = 0; i < request.Jobs.Count; i++)
        {
            var job = request.Jobs[i];
            var identity = ProtoMapping.ToInfo(job.Identity);
            RequireIdentity(identity, $"jobs[{i}].identity");
            var r = job.Requested ?? new ResourceRequest();
            Require(double.IsFinite(r.CpuCores) && r.CpuCores >= 0, $"jobs[{i}].requested.cpu_cores = {r.CpuCores} must be finite and non-negative");
            pending.Add(new PendingJobInfo(identity, new ResourceRequestInfo(r.CpuCores, r.MemoryBytes, r.NetworkBitsPerSecond, r.NodeCount, r.TimeLimitSeconds),
                ProtoMapping.ToUnixMilliseconds(job.SubmitTime), ProtoMapping.ToUnixMilliseconds(job.ExpectedStartTime), job.InputPaths.ToArray()));
        }

        if (!state.ReplaceQueue(pending))
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"the queue snapshot holds {pending.Count} jobs; at most {options.Value.MaxPendingJobs} are accepted (Prescient:MaxPendingJobs)"));
        }

        return Task.FromResult(new QueueSnapshotResponse { AcceptedJobs = (uint)pending.Count });
    }

    public override Task<AnticipatedEvent> RegisterEvent(RegisterEventRequest request, ServerCallContext context)
    {
        Require(request.Name.Length is > 0 and <= MaxEventNameLength && !request.Name.Any(char.IsControl),
            $"name must be 1-{MaxEventNameLength} printable characters");
        var (scopeKind, scopeName) = ParseScope(request.Scope, "scope");
        var start = ProtoMapping.ToUnixMilliseconds(request.StartTime);
        var end = ProtoMapping.ToUnixMilliseconds(request.EndTime);
        Require(start > 0, "start_time is missing or out of range");
        Require(end > start, "end_time must be after start_time");
        Require(request.ExtraDemand.Count is > 0 and <= ResourceKinds.Count, "extra_demand must name between 1 and 7 resources");
        var demand = new List<KeyValuePair<ResourceKind, double>>();
        foreach (var amount in request.ExtraDemand)
        {
            Require(ProtoMapping.TryToResource(amount.Resource, out var resource), $"extra_demand: resource {amount.Resource} is not a resource");
            Require(double.IsFinite(amount.Amount) && amount.Amount >= 0, $"extra_demand[{resource.Name()}] = {amount.Amount} must be finite and non-negative");
            Require(demand.All(d => d.Key != resource), $"extra_demand names {resource.Name()} twice");
            demand.Add(new(resource, amount.Amount));
        }

        var added = events.Add(request.Name, scopeKind, scopeName, start, end, demand)
            ?? throw Failed(StatusCode.ResourceExhausted, RejectionReasons.InvalidRequest, $"at most {options.Value.MaxEvents} events are kept (Prescient:MaxEvents)");
        return Task.FromResult(ToProto(added));
    }

    public override Task<ListEventsResponse> ListEvents(ListEventsRequest request, ServerCallContext context)
    {
        var response = new ListEventsResponse();
        response.Events.AddRange(events.List(request.IncludePast).Select(ToProto));
        return Task.FromResult(response);
    }

    public override Task<CancelEventResponse> CancelEvent(CancelEventRequest request, ServerCallContext context)
    {
        Require(request.EventId.Length is > 0 and <= 64, "event_id is missing or too long");
        if (!events.Cancel(request.EventId))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"event {NameRules.Quote(request.EventId)} does not exist"));
        }

        return Task.FromResult(new CancelEventResponse());
    }

    public override Task<ForecastResponse> GetForecast(ForecastRequest request, ServerCallContext context)
    {
        var (scopeKind, scopeName) = ParseScope(request.Scope, "scope");
        var resources = new List<ResourceKind>();
        foreach (var resource in request.Resources)
        {
            Require(ProtoMapping.TryToResource(resource, out var kind), $"resources: {resource} is not a resource");
            resources.Add(kind);
        }

        if (resources.Count == 0)
        {
            resources.AddRange(Enum.GetValues<ResourceKind>());
        }

        var horizons = request.HorizonsSeconds.Count > 0 ? request.HorizonsSeconds.Select(h => (int)h).ToArray() : options.Value.HorizonsSeconds;
        foreach (var h in horizons)
        {
            Require(h is > 0 and <= 30 * 86_400, $"horizons_seconds: {h} must be in 1..2592000");
        }

        var quantiles = request.Quantiles.Count > 0 ? request.Quantiles.OrderBy(q => q).ToArray() : options.Value.Quantiles;
        foreach (var q in quantiles)
        {
            Require(q is > 0 and < 1, $"quantiles: {q} must lie in (0, 1)");
        }

        var forecast = forecaster.Forecast(scopeKind, scopeName, resources, horizons, quantiles, options.Value.TelemetryIntervalSeconds);
        if (!forecast.Found)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no telemetry is stored for {scopeKind.ToString().ToLowerInvariant()} {NameRules.Quote(scopeName)}"));
        }

        var response = new ForecastResponse { Scope = request.Scope, IssuedTime = ProtoMapping.ToTimestamp(forecast.IssuedUnixMilliseconds) };
        foreach (var r in forecast.Resources)
        {
            var resource = new ResourceForecast { Resource = ProtoMapping.ToProto(r.Resource), Model = r.Model, HistoryPoints = (uint)r.HistoryPoints };
            foreach (var h in r.Horizons)
            {
                var horizon = new HorizonForecast { HorizonSeconds = (uint)h.HorizonSeconds, TargetTime = ProtoMapping.ToTimestamp(h.TargetUnixMilliseconds) };
                horizon.Quantiles.AddRange(h.Quantiles.Select(q => new QuantileValue { Quantile = q.Quantile, Value = q.Value }));
                resource.Horizons.Add(horizon);
            }

            response.Resources.Add(resource);
        }

        return Task.FromResult(response);
    }

    public override Task<Plan> GetPlan(GetPlanRequest request, ServerCallContext context)
    {
        Require(NameRules.IsValidOrEmpty(request.NodeName), $"node_name {NameRules.Quote(request.NodeName)} is not a valid node name");
        return Task.FromResult(ToProto(plans.Current, request.NodeName));
    }

    public override async Task WatchPlan(GetPlanRequest request, IServerStreamWriter<Plan> responseStream, ServerCallContext context)
    {
        Require(NameRules.IsValidOrEmpty(request.NodeName), $"node_name {NameRules.Quote(request.NodeName)} is not a valid node name");
        using var subscription = plans.Watch();
        try
        {
            await foreach (var plan in subscription.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(ToProto(plan, request.NodeName), context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher went away.
        }
    }

    internal static Plan ToProto(PlanInfo plan, string nodeFilter)
    {
        var message = new Plan
        {
            Cycle = plan.Cycle,
            SolverStatus = plan.SolverStatus,
            CycleMilliseconds = plan.CycleMilliseconds,
        };
        if (plan.CreatedUnixMilliseconds > 0)
        {
            message.CreatedTime = ProtoMapping.ToTimestamp(plan.CreatedUnixMilliseconds);
        }

        foreach (var a in plan.Actions)
        {
            if (nodeFilter.Length == 0 || a.NodeName == nodeFilter)
            {
                message.Actions.Add(new PlannedAction
                {
                    NodeName = a.NodeName,
                    JobId = a.JobId,
                    Kind = a.Kind,
                    Target = ProtoMapping.ToProto(a.Target),
                    ApplyAt = ProtoMapping.ToTimestamp(a.ApplyAtUnixMilliseconds),
                    Reason = a.Reason,
                });
            }
        }

        return message;
    }

    private static AnticipatedEvent ToProto(AnticipatedEventInfo e)
    {
        var message = new AnticipatedEvent
        {
            EventId = e.EventId,
            Name = e.Name,
            Scope = new Scope { Kind = ToProtoScope(e.ScopeKind), Name = e.ScopeName },
            StartTime = ProtoMapping.ToTimestamp(e.StartUnixMilliseconds),
            EndTime = ProtoMapping.ToTimestamp(e.EndUnixMilliseconds),
        };
        message.ExtraDemand.AddRange(e.ExtraDemand.Select(d => new ResourceAmount { Resource = ProtoMapping.ToProto(d.Key), Amount = d.Value }));
        return message;
    }

    private static Scope.Types.Kind ToProtoScope(EntityKind kind) => kind switch
    {
        EntityKind.System => Scope.Types.Kind.System,
        EntityKind.Node => Scope.Types.Kind.Node,
        EntityKind.User => Scope.Types.Kind.User,
        EntityKind.Group => Scope.Types.Kind.Group,
        EntityKind.Program => Scope.Types.Kind.Program,
        _ => Scope.Types.Kind.Job,
    };

    private static (EntityKind Kind, string Name) ParseScope(Scope? scope, string field)
    {
        Require(scope is not null, $"{field} is missing");
        Require(ProtoMapping.TryToEntity(scope!.Kind, out var kind), $"{field}.kind is unspecified");
        if (kind == EntityKind.System)
        {
            Require(scope.Name.Length == 0, $"{field}.name must be empty for KIND_SYSTEM");
        }
        else
        {
            Require(NameRules.IsValid(scope.Name), $"{field}.name {NameRules.Quote(scope.Name)} is not a valid name");
        }

        return (kind, scope.Name);
    }

    private static void RequireIdentity(JobIdentityInfo identity, string field)
    {
        if (NameRules.InvalidIdentityField(identity) is var (bad, value))
        {
            ThrowInvalid(bad == "job_id"
                ? $"{field}.job_id {NameRules.Quote(value)} is not a valid job id"
                : $"{field}.{bad} {NameRules.Quote(value)} holds invalid characters");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            ThrowInvalid(message);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowInvalid(string message) => throw new RpcException(new Status(StatusCode.InvalidArgument, message));

    private RpcException Failed(StatusCode code, string reason, string message)
    {
        state.CountRejection(reason);
        return new RpcException(new Status(code, message));
    }
}
