using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Prescient.Agent.Collectors;

/// <summary>
/// Samples the node and its jobs once per tick and turns counters into rates against the previous
/// tick. The first call only primes the counters (its rates are 0 and it reports no job usage);
/// a job appears in <see cref="TelemetryReading.JobUsages"/> from its second sighting on. Not
/// thread-safe: one caller (the session loop) at a time.
/// </summary>
public sealed class TelemetryCollector
{
    private static readonly TimeSpan PasswdReloadInterval = TimeSpan.FromSeconds(60);

    private readonly IFileSource _files;
    private readonly CollectorPaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JobDiscovery _discovery;
    private readonly CgroupReader _reader;
    private readonly HashSet<string> _reportedProblems = new(StringComparer.Ordinal);
    private Dictionary<string, JobState> _jobs = new(StringComparer.Ordinal);
    private Dictionary<uint, string> _users = [];
    private DateTimeOffset _usersLoadedAt = DateTimeOffset.MinValue;
    private NodeState? _node;

    /// <summary>Creates a collector; <paramref name="inventory"/> says which devices count in node totals.</summary>
    public TelemetryCollector(IFileSource files, CollectorPaths paths, NodeInventory inventory, TimeProvider time, ILogger logger)
    {
        _files = files;
        _paths = paths;
        Inventory = inventory;
        _time = time;
        _logger = logger;
        _discovery = new JobDiscovery(files, paths.ProcRoot, paths.PlainJobDirectory);
        _reader = new CgroupReader(files);
        Layout = CgroupLayout.Detect(files, paths.CgroupRoot);
    }

    /// <summary>The hierarchies found under the cgroup root at construction.</summary>
    public CgroupLayout Layout { get; }

    /// <summary>The node's devices and capacity.</summary>
    public NodeInventory Inventory { get; }

    /// <summary>Takes one sample.</summary>
    public TelemetryReading Collect()
    {
        var now = _time.GetUtcNow();
        var timestamp = _time.GetTimestamp();
        var node = CollectNode(now, timestamp);

        var present = new List<PresentJob>();
        var usages = new List<JobReading>();
        var next = new Dictionary<string, JobState>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var job in _discovery.Discover(Layout))
        {
            var counters = _reader.Read(Layout, job, problems);
            var user = UserName(job.Uid, now);
            present.Add(new PresentJob(job, user, counters.ResidentMemoryBytes));
            if (_jobs.TryGetValue(job.JobId, out var before) && before.Job.RelativePath == job.RelativePath)
            {
                var seconds = _time.GetElapsedTime(before.Timestamp, timestamp).TotalSeconds;
                usages.Add(new JobReading(job, user, new UsageReading(
                    now,
                    Rate(before.Counters.CpuUsageNanoseconds, counters.CpuUsageNanoseconds, seconds) / 1e9,
                    counters.ResidentMemoryBytes ?? 0,
                    0,
                    0,
                    Rate(before.Counters.IoReadBytes, counters.IoReadBytes, seconds),
                    Rate(before.Counters.IoWriteBytes, counters.IoWriteBytes, seconds))));
            }

            next[job.JobId] = new JobState(job, counters, timestamp);
        }

        _jobs = next;
        foreach (var problem in problems)
        {
            ReportOnce(problem);
        }

        return new TelemetryReading(node, usages, present);
    }

    private UsageReading CollectNode(DateTimeOffset now, long timestamp)
    {
        CpuTimes? cpu = null;
        if (Read("stat", out var stat))
        {
            if (ProcStatParser.TryParse(stat, out var times, out var error))
            {
                cpu = times;
            }
            else
            {
                ReportOnce($"{_paths.ProcRoot}/stat: {error}");
            }
        }

        ulong memoryUsed = 0;
        if (Read("meminfo", out var meminfo))
        {
            if (MeminfoParser.TryParse(meminfo, out var info, out var error))
            {
                memoryUsed = info.UsedBytes;
            }
            else
            {
                ReportOnce($"{_paths.ProcRoot}/meminfo: {error}");
            }
        }

        var net = ReadDevices("net/dev", NetDevParser.TryParse);
        var disks = ReadDevices("diskstats", DiskstatsParser.TryParse);
        var current = new NodeState(cpu, net, disks, timestamp);
        var previous = _node;
        _node = current;
        if (previous is null)
        {
            return new UsageReading(now, 0, memoryUsed, 0, 0, 0, 0);
        }

        var seconds = _time.GetElapsedTime(previous.Timestamp, timestamp).TotalSeconds;
        double cores = 0;
        if (previous.Cpu is { } a && cpu is { } b)
        {
            RateCalculator.TryCpuCores(a, b, out cores);
        }

        var (rx, tx) = RateCalculator.SumRates(previous.Net, net, seconds, CountedInterfaces(net));
        var (read, write) = RateCalculator.SumRates(previous.Disks, disks, seconds, CountedDisks(disks));
        return new UsageReading(now, cores, memoryUsed, rx, tx, read, write);
    }

    // Physical devices when the node has any; otherwise (containers, VMs without a bus device)
    // every interface but loopback, and every disk but loop/ram/zram, so the totals are not silently 0.
    private IReadOnlySet<string> CountedInterfaces(List<DeviceCounters> net)
    {
        if (Inventory.PhysicalInterfaces.Count > 0)
        {
            return Inventory.PhysicalInterfaces;
        }

        return net.Select(d => d.Name).Where(n => n != "lo").ToHashSet(StringComparer.Ordinal);
    }

    private IReadOnlySet<string> CountedDisks(List<DeviceCounters> disks)
    {
        if (Inventory.PhysicalDisks.Count > 0)
        {
            return Inventory.PhysicalDisks;
        }

        var whole = _files.ListDirectories(Path.Combine(_paths.SysRoot, "block"));
        return disks.Select(d => d.Name)
            .Where(n => (whole.Count == 0 || whole.Contains(n)) && !n.StartsWith("loop", StringComparison.Ordinal)
                && !n.StartsWith("ram", StringComparison.Ordinal) && !n.StartsWith("zram", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
    }

    private delegate bool DeviceParser(string text, out List<DeviceCounters> devices, out string? error);

    private List<DeviceCounters> ReadDevices(string relative, DeviceParser parser)
    {
        if (!Read(relative, out var text))
        {
            return [];
        }

        if (parser(text, out var devices, out var error))
        {
            return devices;
        }

        ReportOnce($"{_paths.ProcRoot}/{relative}: {error}");
        return [];
    }

    private bool Read(string relative, out string text)
    {
        if (_files.TryReadText(Path.Combine(_paths.ProcRoot, relative), out text))
        {
            return true;
        }

        ReportOnce($"{_paths.ProcRoot}/{relative}: cannot be read");
        return false;
    }

    private static double Rate(ulong? previous, ulong? current, double seconds) =>
        previous is { } a && current is { } b && RateCalculator.TryRate(a, b, seconds, out var rate) ? rate : 0;

    private string UserName(uint? uid, DateTimeOffset now)
    {
        if (uid is not { } id)
        {
            return string.Empty;
        }

        if (!_users.ContainsKey(id) && now - _usersLoadedAt >= PasswdReloadInterval)
        {
            _usersLoadedAt = now;
            _users = _files.TryReadText(_paths.PasswdFile, out var passwd) ? PasswdParser.Parse(passwd) : [];
        }

        return _users.TryGetValue(id, out var name) ? name : "uid_" + id.ToString(CultureInfo.InvariantCulture);
    }

    // A broken file stays broken tick after tick; say so once per distinct problem, not every 5 s.
    private void ReportOnce(string problem)
    {
        if (_reportedProblems.Count < 1000 && _reportedProblems.Add(problem))
        {
            _logger.LogWarning("Telemetry source problem (reported once): {Problem}", problem);
        }
    }

    private sealed record JobState(DiscoveredJob Job, CgroupCounters Counters, long Timestamp);

    private sealed record NodeState(CpuTimes? Cpu, List<DeviceCounters> Net, List<DeviceCounters> Disks, long Timestamp);
}
