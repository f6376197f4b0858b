using System.Globalization;
using System.Text;
using Prescient.Agent.Actuators.Policy;
using Prescient.Agent.Interop.PageCache;

namespace Prescient.Agent.Actuators.DryRun;

/// <summary>
/// Computes, for each request, exactly what an enforcing backend would do — cgroup v1 or v2 files
/// and values, tc argument lists, bytes a prefetch would read — and changes nothing. Its
/// <see cref="ActuationPlan.Reason"/> spells that out for the engine. Stateless and thread-safe;
/// the caller keeps the per-job applied state and passes it in.
/// </summary>
public sealed class DryRunActuator
{
    /// <summary>CFS period used for every quota, in microseconds (the kernel default).</summary>
    public const long CpuPeriodMicroseconds = 100_000;

    /// <summary>HTB parent handle the per-job classes hang under.</summary>
    public const string HtbRootHandle = "1:";

    private readonly IPageCache _pageCache;

    /// <summary>Creates the actuator; prefetch plans measure residency with <paramref name="pageCache"/>.</summary>
    public DryRunActuator(IPageCache pageCache) => _pageCache = pageCache;

    /// <summary>Stable name used in Hello.enforcement_mode, logs and config.</summary>
    public string Name => "dry-run";

    /// <summary>
    /// Plans <paramref name="request"/> for <paramref name="target"/> (null when no cgroup of the job
    /// is on this node) given the limits <paramref name="current"/> in force.
    /// </summary>
    public ActuationPlan Plan(ActuationRequest request, JobTarget? target, JobLimits current, NodeTopology node)
    {
        var refusal = LimitsPolicy.Check(request, target, node);
        if (refusal is not null)
        {
            return ActuationPlan.Refuse(refusal, current);
        }

        return request.Kind switch
        {
            ActuationKind.SetLimits => PlanLimits(request.Limits, target!, current),
            ActuationKind.SetCpuset => PlanCpuset(request.Limits, target!, current),
            ActuationKind.ReserveBandwidth => PlanBandwidth(request.Limits.BandwidthBitsPerSecond, request.JobId, current, node),
            ActuationKind.Prefetch => PlanPrefetch(request.PrefetchPaths, current),
            ActuationKind.ReleaseJob => PlanRelease(target!, current, node),
            _ => ActuationPlan.Refuse($"unknown command kind {request.Kind}", current),
        };
    }

    /// <summary>The tc class minor number for a job: the numeric id modulo the HTB range, else a hash.</summary>
    public static ushort ClassMinor(string jobId)
    {
        ulong key = ulong.TryParse(jobId, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric)
            ? numeric
            : Fnv1a64(jobId);
        // 1..0xfffe: 0 is the qdisc itself and 0xffff is the default class.
        return (ushort)(key % 0xfffe + 1);
    }

    private static ActuationPlan PlanLimits(JobLimits requested, JobTarget target, JobLimits current)
    {
        var writes = new List<PlannedWrite>();
        var notes = new List<string>();
        if (target.Version == CgroupVersion.V1)
        {
            var cpu = target.V1Directory("cpu");
            var memory = target.V1Directory("memory");
            writes.Add(new(Path.Combine(cpu, "cpu.cfs_period_us"), Invariant(CpuPeriodMicroseconds)));
            writes.Add(new(Path.Combine(cpu, "cpu.cfs_quota_us"), requested.CpuQuotaCores == 0 ? "-1" : Invariant(QuotaMicroseconds(requested.CpuQuotaCores))));
            writes.Add(new(Path.Combine(cpu, "cpu.shares"), Invariant(requested.CpuWeight == 0 ? 1024 : SharesFromWeight(requested.CpuWeight))));
            writes.Add(new(Path.Combine(memory, "memory.soft_limit_in_bytes"), requested.MemoryHighBytes == 0 ? "-1" : Invariant(requested.MemoryHighBytes)));
            writes.Add(new(Path.Combine(memory, "memory.limit_in_bytes"), requested.MemoryMaxBytes == 0 ? "-1" : Invariant(requested.MemoryMaxBytes)));
            AddMissingGroupNote(notes, target, "cpu");
            AddMissingGroupNote(notes, target, "memory");
        }
        else
        {
            var dir = target.V2Directory;
            writes.Add(new(Path.Combine(dir, "cpu.max"), (requested.CpuQuotaCores == 0 ? "max" : Invariant(QuotaMicroseconds(requested.CpuQuotaCores))) + " " + Invariant(CpuPeriodMicroseconds)));
            writes.Add(new(Path.Combine(dir, "cpu.weight"), Invariant(requested.CpuWeight == 0 ? 100u : requested.CpuWeight)));
            writes.Add(new(Path.Combine(dir, "memory.high"), requested.MemoryHighBytes == 0 ? "max" : Invariant(requested.MemoryHighBytes)));
            writes.Add(new(Path.Combine(dir, "memory.max"), requested.MemoryMaxBytes == 0 ? "max" : Invariant(requested.MemoryMaxBytes)));
        }

        var resulting = current with
        {
            CpuQuotaCores = requested.CpuQuotaCores,
            CpuWeight = requested.CpuWeight,
            MemoryHighBytes = requested.MemoryHighBytes,
            MemoryMaxBytes = requested.MemoryMaxBytes,
        };
        return Done(writes, [], [], resulting, notes);
    }

    private static ActuationPlan PlanCpuset(JobLimits requested, JobTarget target, JobLimits current)
    {
        var writes = new List<PlannedWrite>();
        var notes = new List<string>();
        var dir = target.Version == CgroupVersion.V1 ? target.V1Directory("cpuset") : target.V2Directory;
        AddMissingGroupNote(notes, target, "cpuset");
        // mems before cpus: the kernel checks a task's new placement against both, and memory first
        // avoids a window where CPUs move to a node whose memory the group may not use.
        if (requested.CpusetMems.Length != 0)
        {
            writes.Add(new(Path.Combine(dir, "cpuset.mems"), Canonical(requested.CpusetMems)));
        }

        if (requested.CpusetCpus.Length != 0)
        {
            writes.Add(new(Path.Combine(dir, "cpuset.cpus"), Canonical(requested.CpusetCpus)));
        }

        var resulting = current with
        {
            CpusetCpus = requested.CpusetCpus.Length != 0 ? Canonical(requested.CpusetCpus) : current.CpusetCpus,
            CpusetMems = requested.CpusetMems.Length != 0 ? Canonical(requested.CpusetMems) : current.CpusetMems,
        };
        return Done(writes, [], [], resulting, notes);
    }

    private static ActuationPlan PlanBandwidth(ulong bitsPerSecond, string jobId, JobLimits current, NodeTopology node)
    {
        var classId = ClassId(jobId);
        var command = bitsPerSecond == 0
            ? new PlannedCommand("tc", ["class", "del", "dev", node.NetworkInterface, "classid", classId])
            : new PlannedCommand("tc", ["class", "replace", "dev", node.NetworkInterface, "parent", HtbRootHandle, "classid", classId, "htb",
                "rate", Invariant(bitsPerSecond) + "bit", "ceil", Invariant(bitsPerSecond) + "bit"]);
        return Done([], [command], [], current with { BandwidthBitsPerSecond = bitsPerSecond });
    }

    private ActuationPlan PlanPrefetch(IReadOnlyList<string> paths, JobLimits current)
    {
        var plans = new List<PlannedPrefetch>(paths.Count);
        foreach (var path in paths)
        {
            plans.Add(_pageCache.TryGetResidency(path, out var residency, out var error)
                ? new PlannedPrefetch(path, residency.TotalBytes, residency.ResidentBytes, residency.IsKnown, null)
                : new PlannedPrefetch(path, 0, 0, false, error));
        }

        if (plans.TrueForAll(p => p.Error is not null))
        {
            return ActuationPlan.Refuse("no file can be prefetched: " + string.Join("; ", plans.Select(p => p.Error)), current);
        }

        return Done([], [], plans, current);
    }

    private static ActuationPlan PlanRelease(JobTarget target, JobLimits current, NodeTopology node)
    {
        var writes = new List<PlannedWrite>();
        var notes = new List<string>();
        var commands = new List<PlannedCommand>();
        if (current.CpuQuotaCores != 0 || current.CpuWeight != 0 || current.MemoryHighBytes != 0 || current.MemoryMaxBytes != 0)
        {
            var limits = PlanLimits(JobLimits.None, target, current);
            writes.AddRange(limits.Writes);
            AddMissingGroupNote(notes, target, "cpu");
            AddMissingGroupNote(notes, target, "memory");
        }

        if (current.CpusetCpus.Length != 0 || current.CpusetMems.Length != 0)
        {
            // Back to the whole node, which is what the job's parent group offers.
            var all = new JobLimits(0, 0, 0, 0, CpuList.Format(node.CpuIds), CpuList.Format(node.NumaNodeIds), 0);
            writes.AddRange(PlanCpuset(all, target, current).Writes);
            AddMissingGroupNote(notes, target, "cpuset");
        }

        if (current.BandwidthBitsPerSecond != 0 && node.NetworkInterface.Length != 0)
        {
            commands.AddRange(PlanBandwidth(0, target.JobId, current, node).Commands);
        }

        return Done(writes, commands, [], JobLimits.None, notes);
    }

    private static ActuationPlan Done(
        IReadOnlyList<PlannedWrite> writes,
        IReadOnlyList<PlannedCommand> commands,
        IReadOnlyList<PlannedPrefetch> prefetches,
        JobLimits resulting,
        IReadOnlyList<string>? notes = null)
    {
        var reason = new StringBuilder("dry-run, nothing changed; would ");
        var first = true;
        foreach (var write in writes)
        {
            Separator(reason, ref first).Append("write ").Append(write.Value).Append(" to ").Append(write.Path);
        }

        foreach (var command in commands)
        {
            Separator(reason, ref first).Append("run ").Append(command);
        }

        foreach (var prefetch in prefetches)
        {
            Separator(reason, ref first);
            if (prefetch.Error is not null)
            {
                reason.Append("skip ").Append(prefetch.Path).Append(" (").Append(prefetch.Error).Append(')');
            }
            else if (prefetch.ResidencyKnown)
            {
                reason.Append(CultureInfo.InvariantCulture,
                    $"read {prefetch.BytesToReadBytes} of {prefetch.TotalBytes} bytes of {prefetch.Path} ({prefetch.CachedBytes} already cached)");
            }
            else
            {
                reason.Append(CultureInfo.InvariantCulture,
                    $"read all {prefetch.TotalBytes} bytes of {prefetch.Path} (residency unknown: managed fallback)");
            }
        }

        if (first)
        {
            reason.Append("change nothing: no limit was set");
        }

        foreach (var note in notes ?? [])
        {
            reason.Append("; ").Append(note);
        }

        return new ActuationPlan(false, reason.ToString(), resulting, writes, commands, prefetches);
    }

    private static StringBuilder Separator(StringBuilder builder, ref bool first)
    {
        if (!first)
        {
            builder.Append("; ");
        }

        first = false;
        return builder;
    }

    // Slurm's task/cgroup makes job groups only in the controllers it uses (cpuset, memory, freezer,
    // cpuacct), not under "cpu": an enforcing backend would have to create the group there first.
    private static void AddMissingGroupNote(List<string> notes, JobTarget target, string controller)
    {
        if (target.Version == CgroupVersion.V1 && !target.HasV1Group(controller))
        {
            var note = $"{target.V1Directory(controller)} does not exist yet: it would be created and the job's tasks moved into it";
            if (!notes.Contains(note))
            {
                notes.Add(note);
            }
        }
    }

    // FNV-1a over UTF-16 code units: stable across runs and machines, unlike string.GetHashCode.
    private static ulong Fnv1a64(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private static string ClassId(string jobId) =>
        string.Create(CultureInfo.InvariantCulture, $"{HtbRootHandle}{ClassMinor(jobId):x}");

    private static long QuotaMicroseconds(double cores) => (long)Math.Round(cores * CpuPeriodMicroseconds, MidpointRounding.AwayFromZero);

    // The mapping systemd and Slurm use between v2 weight (default 100) and v1 shares (default 1024).
    private static ulong SharesFromWeight(uint weight) => Math.Max(2UL, weight * 1024UL / 100UL);

    private static string Canonical(string list) =>
        CpuList.TryParse(list, out var ids, out _) ? CpuList.Format(ids) : list;

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
