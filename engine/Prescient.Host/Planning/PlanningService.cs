using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prescient.Abstractions.Telemetry;
using Prescient.Host.Agents;
using Prescient.Host.State;

namespace Prescient.Host.Planning;

/// <summary>
/// The engine's cadence loop: every <see cref="EngineOptions.CycleMilliseconds"/> it plans limits for
/// the jobs agents report, sends the commands that change something, and publishes the plan. A cycle
/// never overlaps the next (the timer ticks are skipped, not queued, while one runs).
/// </summary>
public sealed partial class PlanningService(
    ClusterState state,
    AgentSessions sessions,
    CommandLog commands,
    PlanStore plans,
    IOptions<EngineOptions> options,
    TimeProvider time,
    ILogger<PlanningService> logger) : BackgroundService
{
    /// <summary>How long after issue a command may still be applied.</summary>
    public static readonly TimeSpan CommandValidity = TimeSpan.FromSeconds(30);

    private ulong _cycle;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.CycleMilliseconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            RunCycle();
        }
    }

    /// <summary>One planning cycle; public so tests drive it without waiting for the timer.</summary>
    public PlanInfo RunCycle()
    {
        var started = Stopwatch.GetTimestamp();
        var o = options.Value;
        var actions = new List<PlannedActionInfo>();
        foreach (var job in state.AgentJobs())
        {
            var usage = job.Latest!;
            var target = ReactiveLimitPolicy.Target(usage, state.CapacityOf(job.NodeName), o.ReactiveHeadroom);
            if (!ReactiveLimitPolicy.NeedsChange(job.Applied, target, usage, o.ReactiveHysteresis)
                || commands.HasPending(job.Identity.JobId, CommandKindInfo.SetLimits))
            {
                continue;
            }

            var reason = string.Create(CultureInfo.InvariantCulture,
                $"reactive: cpu {usage.Values[(int)ResourceKind.Cpu]:0.###} cores and memory {usage.Values[(int)ResourceKind.Memory] / (1 << 20):0.#} MiB in use; headroom {o.ReactiveHeadroom:P0}");
            var sent = sessions.TrySend(job.NodeName, job.Identity.JobId, CommandKindInfo.SetLimits, target, [], TimeSpan.Zero, CommandValidity, reason);
            if (sent is not null)
            {
                actions.Add(new PlannedActionInfo(job.NodeName, job.Identity.JobId, "set-limits", target, sent.NotBeforeUnixMilliseconds, reason, sent.CommandId));
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var plan = new PlanInfo(++_cycle, time.GetUtcNow().ToUnixTimeMilliseconds(), actions, "reactive", elapsed);
        plans.Publish(plan);
        if (actions.Count > 0)
        {
            LogCycle(plan.Cycle, actions.Count, elapsed);
        }

        return plan;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cycle {Cycle}: {Actions} commands sent in {Milliseconds:0.00} ms")]
    private partial void LogCycle(ulong cycle, int actions, double milliseconds);
}
