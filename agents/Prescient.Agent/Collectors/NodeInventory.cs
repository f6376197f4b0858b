using System.Globalization;
using Prescient.Agent.Actuators.Policy;

namespace Prescient.Agent.Collectors;

/// <summary>One NUMA node: its CPUs and memory.</summary>
public sealed record NumaNodeInfo(int Id, IReadOnlyList<int> CpuIds, ulong MemoryBytes);

/// <summary>
/// What the node offers, read once at start: CPUs, memory, physical network
/// links, NUMA topology, and which network interfaces and block devices are physical (counted in the
/// node totals; virtual ones such as lo, ifb, loop, zram would double-count or are not I/O).
/// </summary>
public sealed record NodeInventory(
    IReadOnlyList<int> CpuIds,
    ulong MemoryBytes,
    ulong NetworkBitsPerSecond,
    ulong StorageBytesPerSecond,
    IReadOnlyList<NumaNodeInfo> NumaNodes,
    IReadOnlySet<string> PhysicalInterfaces,
    IReadOnlySet<string> PhysicalDisks)
{
    /// <summary>The first physical interface (ordinal order), or "" when there is none.</summary>
    public string PrimaryInterface => PhysicalInterfaces.Order(StringComparer.Ordinal).FirstOrDefault() ?? string.Empty;

    /// <summary>Reads the inventory. <paramref name="storageBytesPerSecond"/> comes from configuration (0 = unknown).</summary>
    public static NodeInventory Read(IFileSource files, CollectorPaths paths, ulong storageBytesPerSecond)
    {
        var cpuIds = ReadCpuIds(files, paths);
        ulong memory = 0;
        if (files.TryReadText(Path.Combine(paths.ProcRoot, "meminfo"), out var meminfo) && MeminfoParser.TryParse(meminfo, out var info, out _))
        {
            memory = info.TotalBytes;
        }

        var interfaces = new SortedSet<string>(StringComparer.Ordinal);
        ulong linkBits = 0;
        var netRoot = Path.Combine(paths.SysRoot, "class", "net");
        foreach (var name in files.ListDirectories(netRoot))
        {
            // Physical interfaces have a "device" link to their bus device; lo, ifb, veth, bridges do not.
            if (!files.Exists(Path.Combine(netRoot, name, "device")))
            {
                continue;
            }

            interfaces.Add(name);
            // speed is in Mbit/s; -1 or EINVAL when the link is down or the driver does not say (virtio).
            if (files.TryReadText(Path.Combine(netRoot, name, "speed"), out var speedText)
                && long.TryParse(speedText.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var mbits) && mbits > 0)
            {
                linkBits += (ulong)mbits * 1_000_000UL;
            }
        }

        var disks = new SortedSet<string>(StringComparer.Ordinal);
        var blockRoot = Path.Combine(paths.SysRoot, "block");
        foreach (var name in files.ListDirectories(blockRoot))
        {
            if (files.Exists(Path.Combine(blockRoot, name, "device")))
            {
                disks.Add(name);
            }
        }

        return new NodeInventory(cpuIds, memory, linkBits, storageBytesPerSecond, ReadNuma(files, paths, cpuIds, memory), interfaces, disks);
    }

    private static List<int> ReadCpuIds(IFileSource files, CollectorPaths paths)
    {
        if (files.TryReadText(Path.Combine(paths.SysRoot, "devices", "system", "cpu", "online"), out var online)
            && CpuList.TryParse(online, out var ids, out _) && ids.Count > 0)
        {
            return ids;
        }

        var count = 1;
        if (files.TryReadText(Path.Combine(paths.ProcRoot, "stat"), out var stat) && ProcStatParser.TryParse(stat, out var times, out _))
        {
            count = times.CpuCount;
        }

        return [.. Enumerable.Range(0, count)];
    }

    private static List<NumaNodeInfo> ReadNuma(IFileSource files, CollectorPaths paths, List<int> cpuIds, ulong memory)
    {
        var nodes = new List<NumaNodeInfo>();
        var root = Path.Combine(paths.SysRoot, "devices", "system", "node");
        foreach (var name in files.ListDirectories(root))
        {
            if (!name.StartsWith("node", StringComparison.Ordinal)
                || !int.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                continue;
            }

            var cpus = files.TryReadText(Path.Combine(root, name, "cpulist"), out var cpulist) && CpuList.TryParse(cpulist, out var parsed, out _)
                ? parsed
                : [];
            ulong bytes = 0;
            if (files.TryReadText(Path.Combine(root, name, "meminfo"), out var nodeMeminfo))
            {
                bytes = ParseNodeMemTotal(nodeMeminfo);
            }

            nodes.Add(new NumaNodeInfo(id, cpus, bytes));
        }

        if (nodes.Count == 0)
        {
            // No NUMA sysfs (a kernel without CONFIG_NUMA): one node holding everything.
            nodes.Add(new NumaNodeInfo(0, cpuIds, memory));
        }

        nodes.Sort((a, b) => a.Id.CompareTo(b.Id));
        return nodes;
    }

    // "Node 0 MemTotal:       5990612 kB"
    internal static ulong ParseNodeMemTotal(string text)
    {
        foreach (var line in ParseText.Lines(text))
        {
            var fields = ParseText.Fields(line);
            if (fields.Length >= 4 && fields[2] == "MemTotal:" && ParseText.TryUnsigned(fields[3], out var kb))
            {
                return fields.Length >= 5 && fields[4] == "kB" ? kb * 1024 : kb;
            }
        }

        return 0;
    }
}
