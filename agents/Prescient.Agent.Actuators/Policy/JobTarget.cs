namespace Prescient.Agent.Actuators.Policy;

/// <summary>Which cgroup hierarchy a job lives in.</summary>
public enum CgroupVersion
{
    /// <summary>One directory per controller under &lt;root&gt;/&lt;controller&gt;/.</summary>
    V1,

    /// <summary>One directory in the unified hierarchy.</summary>
    V2,
}

/// <summary>
/// Where a job's limits would be written and what it uses now.
/// </summary>
/// <param name="JobId">Scheduler job id.</param>
/// <param name="Version">The hierarchy the job was found in.</param>
/// <param name="RelativePath">Path of the job's group relative to the controller root, e.g. "slurm_n1/uid_0/job_7".</param>
/// <param name="CgroupRoot">The cgroupfs mount root, e.g. "/sys/fs/cgroup".</param>
/// <param name="UnifiedRoot">For V2: the unified hierarchy root (CgroupRoot itself or CgroupRoot/unified).</param>
/// <param name="ResidentMemoryBytes">Memory the job uses now (usage minus inactive file cache), or null if unknown.</param>
/// <param name="V1Controllers">For V1: the controllers that hold a group for the job (null = assume all).</param>
public sealed record JobTarget(
    string JobId,
    CgroupVersion Version,
    string RelativePath,
    string CgroupRoot,
    string? UnifiedRoot,
    ulong? ResidentMemoryBytes,
    IReadOnlyCollection<string>? V1Controllers = null)
{
    /// <summary>False when the job is known to have no group under v1 <paramref name="controller"/>.</summary>
    public bool HasV1Group(string controller) =>
        V1Controllers is null || V1Controllers.Contains(controller) || (controller is "cpu" or "cpuacct" && V1Controllers.Contains("cpu,cpuacct"));

    /// <summary>The job's group directory for a v1 controller ("cpu", "memory", "cpuset", ...).</summary>
    public string V1Directory(string controller) => Path.Combine(CgroupRoot, controller, RelativePath);

    /// <summary>The job's group directory in the unified hierarchy.</summary>
    public string V2Directory => Path.Combine(UnifiedRoot ?? CgroupRoot, RelativePath);
}
