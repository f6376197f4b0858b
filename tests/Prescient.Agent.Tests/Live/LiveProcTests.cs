using Microsoft.Extensions.Logging.Abstractions;
using Prescient.Agent.Collectors;
using Prescient.Agent.Tests.Support;

namespace Prescient.Agent.Tests.Live;

/// <summary>The parsers against this machine's own /proc and /sys.</summary>
public sealed class LiveProcTests
{
    [Fact]
    public void Parsers_LiveProc_ParseWithoutError()
    {
        Prerequisite.Require(File.Exists("/proc/stat"), "/proc mounted");

        Assert.True(ProcStatParser.TryParse(File.ReadAllText("/proc/stat"), out var times, out var statError), statError);
        Assert.True(times.TotalTicks > 0);
        // ProcessorCount honours affinity and cgroup limits; /proc/stat lists every online CPU.
        Assert.True(times.CpuCount >= Environment.ProcessorCount, $"{times.CpuCount} CPUs in /proc/stat");
        Assert.True(MeminfoParser.TryParse(File.ReadAllText("/proc/meminfo"), out var memory, out var memError), memError);
        Assert.True(memory.TotalBytes > 0);
        Assert.True(NetDevParser.TryParse(File.ReadAllText("/proc/net/dev"), out var net, out var netError), netError);
        Assert.Contains(net, d => d.Name == "lo");
        Assert.True(DiskstatsParser.TryParse(File.ReadAllText("/proc/diskstats"), out _, out var diskError), diskError);
    }

    [Fact]
    public void Collect_LiveMachine_FiniteNonNegativeNodeUsage()
    {
        Prerequisite.Require(File.Exists("/proc/stat"), "/proc mounted");
        var inventory = NodeInventory.Read(FileSystemSource.Instance, CollectorPaths.Live, 0);
        Assert.True(inventory.CpuIds.Count >= 1);
        Assert.True(inventory.MemoryBytes > 0);
        Assert.NotEmpty(inventory.NumaNodes);

        var collector = new TelemetryCollector(FileSystemSource.Instance, CollectorPaths.Live, inventory, TimeProvider.System, NullLogger.Instance);
        collector.Collect();
        // Burn a little CPU so the busy counter moves between the two samples.
        var until = DateTime.UtcNow.AddMilliseconds(300);
        double x = 0;
        while (DateTime.UtcNow < until)
        {
            x += Math.Sqrt(x + 1);
        }

        var reading = collector.Collect();

        Assert.True(x > 0);
        Assert.True(reading.Node.CpuCores > 0 && reading.Node.CpuCores <= inventory.CpuIds.Count, $"cpu {reading.Node.CpuCores}");
        Assert.True(reading.Node.MemoryBytes > 0 && reading.Node.MemoryBytes <= inventory.MemoryBytes);
        foreach (var value in new[] { reading.Node.NetRxBytesPerSecond, reading.Node.NetTxBytesPerSecond, reading.Node.DiskReadBytesPerSecond, reading.Node.DiskWriteBytesPerSecond })
        {
            Assert.True(double.IsFinite(value) && value >= 0);
        }
    }
}
