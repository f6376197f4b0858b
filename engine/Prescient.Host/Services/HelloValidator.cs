using Prescient.Host.State;
using Prescient.Protos.V1;

namespace Prescient.Host.Services;

/// <summary>Checks an agent's Hello before anything from it is stored.</summary>
public static class HelloValidator
{
    /// <summary>Most jobs one Hello may declare.</summary>
    public const int MaxJobs = 100_000;

    /// <summary>Null when valid, else what is wrong, naming the field.</summary>
    public static string? Validate(Hello hello)
    {
        if (!NameRules.IsValid(hello.NodeName))
        {
            return $"node_name {NameRules.Quote(hello.NodeName)} must be 1-253 characters of [A-Za-z0-9._-@+]";
        }

        var c = hello.Capacity;
        if (c is null)
        {
            return "capacity is missing";
        }

        if (!double.IsFinite(c.CpuCores) || c.CpuCores < 0 || c.CpuCores > 1_000_000)
        {
            return $"capacity.cpu_cores = {c.CpuCores} must be a finite number in [0, 1e6]";
        }

        if (hello.AgentVersion.Length > 64 || hello.EnforcementMode.Length > 128 || hello.NativeLibrary.Length > 64)
        {
            return "agent_version, enforcement_mode or native_library is too long";
        }

        if (hello.NumaNodes.Count > 1024)
        {
            return $"numa_nodes has {hello.NumaNodes.Count} entries; at most 1024 are accepted";
        }

        if (hello.Jobs.Count > MaxJobs)
        {
            return $"jobs has {hello.Jobs.Count} entries; at most {MaxJobs} are accepted";
        }

        foreach (var job in hello.Jobs)
        {
            var identity = job.Identity;
            if (identity is null || !NameRules.IsValid(identity.JobId))
            {
                return $"jobs[].identity.job_id {NameRules.Quote(identity?.JobId)} is not a valid job id";
            }

            if (NameRules.InvalidIdentityField(ProtoMapping.ToInfo(identity)) is not null)
            {
                return $"job {identity.JobId}: user, group, program, partition or qos holds characters outside [A-Za-z0-9._-@+]";
            }

            if (job.Applied is { } a && (!double.IsFinite(a.CpuQuotaCores) || a.CpuQuotaCores < 0))
            {
                return $"job {identity.JobId}: applied.cpu_quota_cores = {a.CpuQuotaCores} is not a finite non-negative number";
            }

            if (job.CgroupPath.Length > 4096 || job.CgroupPath.Contains("..", StringComparison.Ordinal))
            {
                return $"job {identity.JobId}: cgroup_path is too long or climbs out of its root";
            }
        }

        return null;
    }

    /// <summary>Maps a validated Hello to the engine's type.</summary>
    public static AgentHelloInfo ToInfo(Hello hello) => new(
        hello.NodeName,
        ProtoMapping.ToInfo(hello.Capacity),
        hello.NumaNodes.Select(n => new NumaNodeInfo(n.Id, n.CpuIds.ToArray(), n.MemoryBytes)).ToArray(),
        hello.AgentVersion,
        hello.Jobs.Select(j => new ManagedJobInfo(ProtoMapping.ToInfo(j.Identity), ProtoMapping.ToInfo(j.Applied), j.CgroupPath)).ToArray(),
        hello.EnforcementMode,
        hello.NativeLibrary,
        hello.LastCommandSequence);
}
