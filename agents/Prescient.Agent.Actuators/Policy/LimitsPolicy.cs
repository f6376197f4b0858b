using System.Globalization;

namespace Prescient.Agent.Actuators.Policy;

/// <summary>
/// Decides whether a request may be carried out, before any backend looks at it. Refusals name the
/// field and value. The rule that matters most: never a hard memory limit below what the job uses
/// now, since the kernel would OOM-kill the job to meet it.
/// </summary>
public static class LimitsPolicy
{
    /// <summary>cgroup v2 cpu.weight range.</summary>
    public const uint MinCpuWeight = 1;

    /// <summary>cgroup v2 cpu.weight range.</summary>
    public const uint MaxCpuWeight = 10000;

    /// <summary>Most paths one PREFETCH may name: each is opened and measured while the command is answered.</summary>
    public const int MaxPrefetchPaths = 4096;

    /// <summary>Smallest CFS quota the kernel accepts is 1 ms per 100 ms period.</summary>
    public const double MinCpuQuotaCores = 0.01;

    /// <summary>
    /// Returns null when <paramref name="request"/> is acceptable for <paramref name="target"/>
    /// (null target: the job is not on this node), else the reason for refusing it.
    /// </summary>
    public static string? Check(ActuationRequest request, JobTarget? target, NodeTopology node)
    {
        var limits = request.Limits;
        switch (request.Kind)
        {
            case ActuationKind.SetLimits:
                if (target is null)
                {
                    return UnknownJob(request.JobId);
                }

                if (!double.IsFinite(limits.CpuQuotaCores))
                {
                    return $"cpu_quota_cores is {Format(limits.CpuQuotaCores)}, not a finite number";
                }

                if (limits.CpuQuotaCores < 0)
                {
                    return $"cpu_quota_cores is negative ({Format(limits.CpuQuotaCores)})";
                }

                if (limits.CpuQuotaCores != 0 && limits.CpuQuotaCores < MinCpuQuotaCores)
                {
                    return $"cpu_quota_cores {Format(limits.CpuQuotaCores)} is below the smallest quota {Format(MinCpuQuotaCores)}";
                }

                if (limits.CpuQuotaCores > node.CpuIds.Count && node.CpuIds.Count > 0)
                {
                    return $"cpu_quota_cores {Format(limits.CpuQuotaCores)} exceeds the node's {node.CpuIds.Count} CPUs";
                }

                if (limits.CpuWeight != 0 && (limits.CpuWeight < MinCpuWeight || limits.CpuWeight > MaxCpuWeight))
                {
                    return $"cpu_weight {limits.CpuWeight} is outside {MinCpuWeight}..{MaxCpuWeight}";
                }

                if (limits.MemoryHighBytes != 0 && limits.MemoryMaxBytes != 0 && limits.MemoryHighBytes > limits.MemoryMaxBytes)
                {
                    return $"memory_high_bytes {limits.MemoryHighBytes} is above memory_max_bytes {limits.MemoryMaxBytes}";
                }

                if (limits.MemoryMaxBytes != 0)
                {
                    if (target.ResidentMemoryBytes is not { } used)
                    {
                        return $"memory_max_bytes {limits.MemoryMaxBytes} refused: the job's current memory use is unknown, so the limit could kill it";
                    }

                    if (limits.MemoryMaxBytes < used)
                    {
                        return $"memory_max_bytes {limits.MemoryMaxBytes} is below the job's current use of {used} bytes; the kernel would kill the job";
                    }
                }

                return null;

            case ActuationKind.SetCpuset:
                if (target is null)
                {
                    return UnknownJob(request.JobId);
                }

                if (limits.CpusetCpus.Length == 0 && limits.CpusetMems.Length == 0)
                {
                    return "SET_CPUSET needs cpuset_cpus or cpuset_mems";
                }

                return CheckList("cpuset_cpus", limits.CpusetCpus, node.CpuIds, "CPU")
                    ?? CheckList("cpuset_mems", limits.CpusetMems, node.NumaNodeIds, "NUMA node");

            case ActuationKind.ReserveBandwidth:
                if (target is null)
                {
                    return UnknownJob(request.JobId);
                }

                if (node.NetworkInterface.Length == 0)
                {
                    return "no network interface is known on this node to carry a tc class (set Agent:NetworkInterface)";
                }

                return null;

            case ActuationKind.Prefetch:
                if (request.PrefetchPaths.Count == 0)
                {
                    return "PREFETCH needs at least one path";
                }

                if (request.PrefetchPaths.Count > MaxPrefetchPaths)
                {
                    return $"PREFETCH names {request.PrefetchPaths.Count} paths, more than {MaxPrefetchPaths}";
                }

                foreach (var path in request.PrefetchPaths)
                {
                    if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path))
                    {
                        return $"prefetch path '{path}' is not absolute";
                    }
                }

                return null;

            case ActuationKind.ReleaseJob:
                return target is null ? UnknownJob(request.JobId) : null;

            default:
                return $"unknown command kind {request.Kind}";
        }
    }

    private static string UnknownJob(string jobId) =>
        jobId.Length == 0 ? "the command names no job" : $"unknown job '{jobId}': no cgroup for it on this node";

    private static string? CheckList(string field, string text, IReadOnlyList<int> available, string what)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (!CpuList.TryParse(text, out var ids, out var error))
        {
            return $"{field} '{text}' is malformed: {error}";
        }

        if (ids.Count == 0)
        {
            return $"{field} '{text}' names no {what}";
        }

        if (available.Count == 0)
        {
            return null;
        }

        foreach (var id in ids)
        {
            if (!available.Contains(id))
            {
                return $"{field} '{text}' names {what} {id}, which this node does not have ({CpuList.Format(available)})";
            }
        }

        return null;
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
