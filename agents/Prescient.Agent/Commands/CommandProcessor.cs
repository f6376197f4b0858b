using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Prescient.Agent.Actuators.DryRun;
using Prescient.Agent.Actuators.Policy;
using Prescient.Agent.Collectors;
using Prescient.Protos.V1;

namespace Prescient.Agent.Commands;

/// <summary>
/// Answers the engine's commands. Keeps the highest executed sequence number, the last
/// <c>retained</c> results (a repeated sequence gets its earlier result again, unchanged), and per
/// job the limits in force — in dry-run mode the limits that would be in force. Thread-safe: one
/// lock around each command, so results come back in sequence order.
/// </summary>
public sealed class CommandProcessor
{
    private readonly DryRunActuator _actuator;
    private readonly CgroupLayout _layout;
    private readonly TimeProvider _time;
    private readonly int _retained;
    private readonly object _gate = new();
    private readonly Dictionary<ulong, CommandResult> _results = [];
    private readonly Queue<ulong> _resultOrder = new();
    private readonly Dictionary<string, JobLimits> _applied = new(StringComparer.Ordinal);
    private ulong _lastSequence;

    /// <summary>
    /// Creates a processor that plans with <paramref name="actuator"/> against the hierarchies of
    /// <paramref name="layout"/> and keeps <paramref name="retained"/> results.
    /// </summary>
    public CommandProcessor(DryRunActuator actuator, CgroupLayout layout, TimeProvider time, int retained)
    {
        _actuator = actuator;
        _layout = layout;
        _time = time;
        _retained = retained;
    }

    /// <summary>Highest sequence number answered (0 = none); sent in Hello.</summary>
    public ulong LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _lastSequence;
            }
        }
    }

    /// <summary>The limits in force (or that would be, in dry-run) for <paramref name="jobId"/>.</summary>
    public JobLimits AppliedLimits(string jobId)
    {
        lock (_gate)
        {
            return _applied.GetValueOrDefault(jobId, JobLimits.None);
        }
    }

    /// <summary>Forgets the state of jobs that are gone: their cgroups, and so their limits, went with them.</summary>
    public void RetainJobs(IReadOnlyList<PresentJob> present)
    {
        lock (_gate)
        {
            var keep = present.Select(p => p.Job.JobId).ToHashSet(StringComparer.Ordinal);
            foreach (var jobId in _applied.Keys.Where(k => !keep.Contains(k)).ToList())
            {
                _applied.Remove(jobId);
            }
        }
    }

    /// <summary>
    /// Answers <paramref name="command"/> given the jobs present on the node and its topology.
    /// Never throws for bad input: a malformed command is answered OUTCOME_REFUSED with the reason.
    /// </summary>
    public CommandResult Handle(Command command, IReadOnlyList<PresentJob> present, NodeTopology node)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (command.Sequence == 0)
            {
                // Not recorded: sequence 0 cannot be told apart from "none executed yet".
                return Result(command, CommandResult.Types.Outcome.Refused, "sequence must be 1 or more", JobLimits.None, now);
            }

            if (command.Sequence <= _lastSequence)
            {
                if (_results.TryGetValue(command.Sequence, out var earlier))
                {
                    return earlier.Clone();
                }

                return Result(command, CommandResult.Types.Outcome.Refused,
                    string.Create(CultureInfo.InvariantCulture, $"sequence {command.Sequence} is not above the last executed {_lastSequence}, and its result is no longer retained"),
                    _applied.GetValueOrDefault(command.JobId, JobLimits.None), now);
            }

            var result = Decide(command, present, node, now);
            Record(command.Sequence, result);
            return result.Clone();
        }
    }

    private CommandResult Decide(Command command, IReadOnlyList<PresentJob> present, NodeTopology node, DateTimeOffset now)
    {
        var current = _applied.GetValueOrDefault(command.JobId, JobLimits.None);
        if (!TryTime(command.Deadline, out var deadline) || !TryTime(command.NotBefore, out var notBefore))
        {
            return Result(command, CommandResult.Types.Outcome.Refused, "not_before or deadline is not a valid timestamp", current, now);
        }

        if (deadline is { } d && d < now)
        {
            return Result(command, CommandResult.Types.Outcome.Refused,
                string.Create(CultureInfo.InvariantCulture, $"expired: the deadline {d:O} had passed when the command arrived ({now:O})"), current, now);
        }

        if (deadline is { } d2 && notBefore is { } nb && nb > d2)
        {
            return Result(command, CommandResult.Types.Outcome.Refused,
                string.Create(CultureInfo.InvariantCulture, $"not_before {nb:O} is after the deadline {d2:O}"), current, now);
        }

        if (ProtoMapping.ToKind(command.Kind) is not { } kind)
        {
            return Result(command, CommandResult.Types.Outcome.Refused, $"unknown command kind {command.Kind}", current, now);
        }

        if (command.JobId.Length != 0 && !JobDiscovery.IsValidJobId(command.JobId))
        {
            return Result(command, CommandResult.Types.Outcome.Refused, "job_id is not a valid job id", current, now);
        }

        JobTarget? target = null;
        foreach (var job in present)
        {
            if (job.Job.JobId == command.JobId)
            {
                target = TargetFor(job);
                break;
            }
        }

        var request = new ActuationRequest(kind, command.JobId, ProtoMapping.ToLimits(command.Limits), command.PrefetchPaths);
        var plan = _actuator.Plan(request, target, current, node);
        if (plan.Refused)
        {
            return Result(command, CommandResult.Types.Outcome.Refused, plan.Reason, current, now);
        }

        if (command.JobId.Length != 0 && target is not null)
        {
            _applied[command.JobId] = plan.Resulting;
        }

        var reason = notBefore is { } start && start > now
            ? string.Create(CultureInfo.InvariantCulture, $"scheduled for {start:O}; {plan.Reason}")
            : plan.Reason;
        return Result(command, CommandResult.Types.Outcome.DryRun, reason, plan.Resulting, now);
    }

    private JobTarget TargetFor(PresentJob job) =>
        new(job.Job.JobId, job.Job.Version, job.Job.RelativePath, _layout.Root, _layout.UnifiedRoot, job.ResidentMemoryBytes,
            job.Job.Version == CgroupVersion.V1 ? job.Job.Controllers : null);

    private void Record(ulong sequence, CommandResult result)
    {
        _lastSequence = sequence;
        _results[sequence] = result;
        _resultOrder.Enqueue(sequence);
        while (_resultOrder.Count > _retained)
        {
            _results.Remove(_resultOrder.Dequeue());
        }
    }

    private static bool TryTime(Timestamp? timestamp, out DateTimeOffset? time)
    {
        time = null;
        if (timestamp is null || (timestamp.Seconds == 0 && timestamp.Nanos == 0))
        {
            return true;
        }

        try
        {
            time = timestamp.ToDateTimeOffset();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static CommandResult Result(Command command, CommandResult.Types.Outcome outcome, string reason, JobLimits applied, DateTimeOffset now) => new()
    {
        CommandId = command.CommandId,
        Sequence = command.Sequence,
        Outcome = outcome,
        Reason = reason,
        Applied = ProtoMapping.ToProto(applied),
        Time = Timestamp.FromDateTimeOffset(now),
    };
}
