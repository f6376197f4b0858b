namespace Prescient.Agent.Collectors;

/// <summary>Where the collectors read from; the defaults are the live machine's.</summary>
/// <param name="ProcRoot">procfs mount, normally /proc.</param>
/// <param name="SysRoot">sysfs mount, normally /sys.</param>
/// <param name="CgroupRoot">cgroupfs root, normally /sys/fs/cgroup.</param>
/// <param name="PlainJobDirectory">Directory name of the plain per-job layout under each hierarchy.</param>
/// <param name="PasswdFile">User database for uid → name, normally /etc/passwd.</param>
public sealed record CollectorPaths(string ProcRoot, string SysRoot, string CgroupRoot, string PlainJobDirectory, string PasswdFile)
{
    /// <summary>The live machine with the default plain layout directory "prescient".</summary>
    public static CollectorPaths Live { get; } = new("/proc", "/sys", "/sys/fs/cgroup", "prescient", "/etc/passwd");
}
