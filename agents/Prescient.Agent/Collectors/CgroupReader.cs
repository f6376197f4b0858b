using Prescient.Agent.Actuators.Policy;

namespace Prescient.Agent.Collectors;

/// <summary>
/// Reads a job's accounting counters. v1: cpuacct.usage, memory.usage_in_bytes and memory.stat
/// (total_inactive_file), blkio.throttle.io_service_bytes_recursive (tasks sit in step_&lt;n&gt;
/// children, so the non-recursive file would miss them). v2: cpu.stat, memory.current,
/// memory.stat (inactive_file), io.stat — all hierarchical already.
/// </summary>
public sealed class CgroupReader
{
    private readonly IFileSource _files;

    /// <summary>Creates a reader over <paramref name="files"/>.</summary>
    public CgroupReader(IFileSource files) => _files = files;

    /// <summary>
    /// Reads what exists. A malformed file is reported through <paramref name="problems"/> ("path: why")
    /// and its values are left null; nothing throws.
    /// </summary>
    public CgroupCounters Read(CgroupLayout layout, DiscoveredJob job, List<string> problems)
    {
        return job.Version == CgroupVersion.V1 ? ReadV1(layout, job, problems) : ReadV2(layout, job, problems);
    }

    private CgroupCounters ReadV1(CgroupLayout layout, DiscoveredJob job, List<string> problems)
    {
        ulong? cpu = null;
        if (layout.CpuacctController is { } cpuacct)
        {
            cpu = Single(Path.Combine(layout.Root, cpuacct, job.RelativePath, "cpuacct.usage"), problems);
        }

        var memoryDir = Path.Combine(layout.Root, "memory", job.RelativePath);
        var usage = Single(Path.Combine(memoryDir, "memory.usage_in_bytes"), problems);
        ulong? inactive = null;
        if (Keyed(Path.Combine(memoryDir, "memory.stat"), problems) is { } stat)
        {
            inactive = stat.TryGetValue("total_inactive_file", out var total) ? total
                : stat.TryGetValue("inactive_file", out var local) ? local : null;
        }

        ulong? read = null;
        ulong? write = null;
        var blkioDir = Path.Combine(layout.Root, "blkio", job.RelativePath);
        var blkioPath = Path.Combine(blkioDir, "blkio.throttle.io_service_bytes_recursive");
        if (!_files.Exists(blkioPath))
        {
            blkioPath = Path.Combine(blkioDir, "blkio.throttle.io_service_bytes");
        }

        if (_files.TryReadText(blkioPath, out var blkio))
        {
            if (CgroupParsers.TryParseBlkioServiceBytes(blkio, out var r, out var w, out var error))
            {
                read = r;
                write = w;
            }
            else
            {
                problems.Add($"{blkioPath}: {error}");
            }
        }

        return new CgroupCounters(cpu, usage, inactive, read, write);
    }

    private CgroupCounters ReadV2(CgroupLayout layout, DiscoveredJob job, List<string> problems)
    {
        var dir = Path.Combine(layout.UnifiedRoot ?? layout.Root, job.RelativePath);
        ulong? cpu = null;
        var cpuStat = Path.Combine(dir, "cpu.stat");
        if (_files.TryReadText(cpuStat, out var cpuText))
        {
            if (CgroupParsers.TryParseCpuStatUsage(cpuText, out var ns, out var error))
            {
                cpu = ns;
            }
            else
            {
                problems.Add($"{cpuStat}: {error}");
            }
        }

        var usage = Single(Path.Combine(dir, "memory.current"), problems);
        ulong? inactive = null;
        if (Keyed(Path.Combine(dir, "memory.stat"), problems) is { } stat && stat.TryGetValue("inactive_file", out var value))
        {
            inactive = value;
        }

        ulong? read = null;
        ulong? write = null;
        var ioStat = Path.Combine(dir, "io.stat");
        if (_files.TryReadText(ioStat, out var ioText))
        {
            if (CgroupParsers.TryParseIoStat(ioText, out var r, out var w, out var error))
            {
                read = r;
                write = w;
            }
            else
            {
                problems.Add($"{ioStat}: {error}");
            }
        }

        return new CgroupCounters(cpu, usage, inactive, read, write);
    }

    private ulong? Single(string path, List<string> problems)
    {
        if (!_files.TryReadText(path, out var text))
        {
            return null;
        }

        if (CgroupParsers.TryParseSingleValue(text, out var value, out var error))
        {
            return value;
        }

        problems.Add($"{path}: {error}");
        return null;
    }

    private Dictionary<string, ulong>? Keyed(string path, List<string> problems)
    {
        if (!_files.TryReadText(path, out var text))
        {
            return null;
        }

        if (CgroupParsers.TryParseKeyed(text, out var values, out var error))
        {
            return values;
        }

        problems.Add($"{path}: {error}");
        return null;
    }
}
