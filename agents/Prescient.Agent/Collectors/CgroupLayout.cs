namespace Prescient.Agent.Collectors;

/// <summary>
/// Where the cgroup hierarchies are under a cgroupfs root: the v1 controller mounts
/// (&lt;root&gt;/&lt;controller&gt;) and the unified v2 root (&lt;root&gt; itself on a pure v2 host,
/// &lt;root&gt;/unified on a hybrid one).
/// </summary>
public sealed class CgroupLayout
{
    /// <summary>v1 controllers whose groups the agent reads or would write; "cpu,cpuacct" is the combined mount.</summary>
    public static readonly IReadOnlyList<string> V1Controllers = ["cpuacct", "cpu,cpuacct", "cpu", "memory", "blkio", "cpuset", "freezer", "pids"];

    private CgroupLayout(string root, string? unifiedRoot, IReadOnlyList<string> v1Controllers)
    {
        Root = root;
        UnifiedRoot = unifiedRoot;
        PresentV1Controllers = v1Controllers;
    }

    /// <summary>The cgroupfs root, e.g. /sys/fs/cgroup.</summary>
    public string Root { get; }

    /// <summary>The v2 hierarchy's root, or null when there is none.</summary>
    public string? UnifiedRoot { get; }

    /// <summary>v1 controller directories that exist under <see cref="Root"/>.</summary>
    public IReadOnlyList<string> PresentV1Controllers { get; }

    /// <summary>Detects the layout under <paramref name="root"/>.</summary>
    public static CgroupLayout Detect(IFileSource files, string root)
    {
        string? unified = null;
        if (files.Exists(Path.Combine(root, "cgroup.controllers")))
        {
            unified = root;
        }
        else if (files.Exists(Path.Combine(root, "unified", "cgroup.controllers")))
        {
            unified = Path.Combine(root, "unified");
        }

        var present = new List<string>();
        if (unified != root)
        {
            foreach (var controller in V1Controllers)
            {
                if (files.Exists(Path.Combine(root, controller)))
                {
                    present.Add(controller);
                }
            }
        }

        return new CgroupLayout(root, unified, present);
    }

    /// <summary>The v1 directory holding cpuacct files: the separate or the combined mount.</summary>
    public string? CpuacctController =>
        PresentV1Controllers.Contains("cpuacct") ? "cpuacct" : PresentV1Controllers.Contains("cpu,cpuacct") ? "cpu,cpuacct" : null;

    /// <summary>Human-readable summary for the start-up log.</summary>
    public override string ToString() =>
        $"v1 controllers [{string.Join(',', PresentV1Controllers)}], v2 root {UnifiedRoot ?? "none"}";
}
