using Microsoft.Extensions.Logging.Abstractions;
using Prescient.Agent.Collectors;
using Prescient.Agent.Tests.Support;

namespace Prescient.Agent.Tests.Collectors;

public sealed class TelemetryCollectorTests
{
    private const string Header = "Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n";
    private readonly MemoryFileSource _files = new();
    private readonly ManualTimeProvider _time = new();
    private readonly CollectorPaths _paths = new("/proc", "/sys", "/cg", "prescient", "/etc/passwd");

    public TelemetryCollectorTests()
    {
        _files["/sys/class/net/eth0/device/vendor"] = "0x1af4";
        _files["/sys/block/vda/device/vendor"] = "0x1af4";
        _files["/sys/devices/system/cpu/online"] = "0-1";
        _files["/etc/passwd"] = "alice:x:1000:1000::/home/alice:/bin/sh\n";
        _files["/proc/meminfo"] = "MemTotal: 1000 kB\nMemAvailable: 400 kB\n";
        SetNode(busyTicks: 100, totalTicks: 1000, ethRx: 10_000, ethTx: 20_000, loBytes: 5, vdaReadSectors: 100, vdaWriteSectors: 200);
        SetJob("slurm_n1/uid_1000/job_7", cpuNanoseconds: 1_000_000_000, memoryBytes: 4096, inactiveFile: 1024);
    }

    private TelemetryCollector Create() =>
        new(_files, _paths, NodeInventory.Read(_files, _paths, 0), _time, NullLogger.Instance);

    private void SetNode(ulong busyTicks, ulong totalTicks, ulong ethRx, ulong ethTx, ulong loBytes, ulong vdaReadSectors, ulong vdaWriteSectors)
    {
        // busy in "user", the rest in "idle".
        _files["/proc/stat"] = $"cpu {busyTicks} 0 0 {totalTicks - busyTicks} 0 0 0 0 0 0\ncpu0 0 0 0 0\ncpu1 0 0 0 0\n";
        _files["/proc/net/dev"] = Header
            + $"    lo: {loBytes} 1 0 0 0 0 0 0 {loBytes} 1 0 0 0 0 0 0\n"
            + $"  eth0: {ethRx} 1 0 0 0 0 0 0 {ethTx} 1 0 0 0 0 0 0\n";
        _files["/proc/diskstats"] = $" 254 0 vda 1 0 {vdaReadSectors} 0 1 0 {vdaWriteSectors} 0 0 0 0 0 0 0 0 0 0\n 7 0 loop0 1 0 999999 0 0 0 0 0 0 0 0\n";
    }

    private void SetJob(string relative, ulong cpuNanoseconds, ulong memoryBytes, ulong inactiveFile)
    {
        _files[$"/cg/cpuacct/{relative}/cpuacct.usage"] = cpuNanoseconds + "\n";
        _files[$"/cg/memory/{relative}/memory.usage_in_bytes"] = memoryBytes + "\n";
        _files[$"/cg/memory/{relative}/memory.stat"] = $"total_inactive_file {inactiveFile}\n";
    }

    [Fact]
    public void Collect_FirstSample_PrimesOnlyNoRatesNoJobUsage()
    {
        var reading = Create().Collect();

        Assert.Equal(0, reading.Node.CpuCores);
        Assert.Equal(0, reading.Node.NetRxBytesPerSecond);
        Assert.Equal(600UL * 1024, reading.Node.MemoryBytes);
        Assert.Empty(reading.JobUsages);
        var job = Assert.Single(reading.Jobs);
        Assert.Equal("7", job.Job.JobId);
        Assert.Equal("alice", job.User);
        Assert.Equal(3072UL, job.ResidentMemoryBytes);
    }

    [Fact]
    public void Collect_SecondSample_RatesFromDeltasOverElapsedTime()
    {
        var collector = Create();
        collector.Collect();
        _time.Advance(TimeSpan.FromSeconds(5));
        SetNode(busyTicks: 600, totalTicks: 2000, ethRx: 15_000, ethTx: 30_000, loBytes: 1_000_000_005, vdaReadSectors: 110, vdaWriteSectors: 220);
        SetJob("slurm_n1/uid_1000/job_7", cpuNanoseconds: 3_500_000_000, memoryBytes: 8192, inactiveFile: 0);

        var reading = collector.Collect();

        Assert.Equal(1.0, reading.Node.CpuCores, 9);              // half of all ticks busy on 2 CPUs
        Assert.Equal(1000, reading.Node.NetRxBytesPerSecond, 9);  // lo is not counted
        Assert.Equal(2000, reading.Node.NetTxBytesPerSecond, 9);
        Assert.Equal(1024, reading.Node.DiskReadBytesPerSecond, 9);   // 10 sectors / 5 s; loop0 not counted
        Assert.Equal(2048, reading.Node.DiskWriteBytesPerSecond, 9);
        var job = Assert.Single(reading.JobUsages);
        Assert.Equal(0.5, job.Usage.CpuCores, 9);
        Assert.Equal(8192UL, job.Usage.MemoryBytes);
        Assert.Equal(_time.GetUtcNow(), job.Usage.Time);
    }

    [Fact]
    public void Collect_CounterReset_NoNegativeRate()
    {
        var collector = Create();
        collector.Collect();
        _time.Advance(TimeSpan.FromSeconds(5));
        SetNode(busyTicks: 50, totalTicks: 500, ethRx: 5, ethTx: 5, loBytes: 0, vdaReadSectors: 1, vdaWriteSectors: 1);
        SetJob("slurm_n1/uid_1000/job_7", cpuNanoseconds: 10, memoryBytes: 4096, inactiveFile: 0);

        var reading = collector.Collect();

        Assert.Equal(0, reading.Node.CpuCores);
        Assert.Equal(0, reading.Node.NetRxBytesPerSecond);
        Assert.Equal(0, reading.Node.DiskReadBytesPerSecond);
        Assert.Equal(0, Assert.Single(reading.JobUsages).Usage.CpuCores);
    }

    [Fact]
    public void Collect_NewJob_ReportedFromItsSecondSighting()
    {
        var collector = Create();
        collector.Collect();
        _time.Advance(TimeSpan.FromSeconds(5));
        SetJob("slurm_n1/uid_1001/job_8", cpuNanoseconds: 0, memoryBytes: 100, inactiveFile: 0);

        var second = collector.Collect();
        Assert.Equal(["7"], second.JobUsages.Select(j => j.Job.JobId));
        Assert.Equal(["7", "8"], second.Jobs.Select(j => j.Job.JobId));
        Assert.Equal("uid_1001", second.Jobs[1].User);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(["7", "8"], collector.Collect().JobUsages.Select(j => j.Job.JobId));
    }

    [Fact]
    public void Collect_JobGone_DroppedAndReprimedIfItReturns()
    {
        var collector = Create();
        collector.Collect();
        _files.Remove("/cg/cpuacct/slurm_n1");
        _files.Remove("/cg/memory/slurm_n1");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(collector.Collect().Jobs);

        SetJob("slurm_n1/uid_1000/job_7", cpuNanoseconds: 5, memoryBytes: 10, inactiveFile: 0);
        _time.Advance(TimeSpan.FromSeconds(5));
        var back = collector.Collect();
        Assert.Single(back.Jobs);
        Assert.Empty(back.JobUsages);
    }

    [Fact]
    public void Collect_MalformedProcFiles_ZerosNotExceptions()
    {
        var collector = Create();
        _files["/proc/stat"] = "garbage";
        _files["/proc/net/dev"] = Header + "eth0: 1 2\n";
        _files["/proc/meminfo"] = "nonsense";
        collector.Collect();
        _time.Advance(TimeSpan.FromSeconds(5));

        var reading = collector.Collect();

        Assert.Equal(0, reading.Node.CpuCores);
        Assert.Equal(0UL, reading.Node.MemoryBytes);
        Assert.Equal(0, reading.Node.NetRxBytesPerSecond);
    }
}
