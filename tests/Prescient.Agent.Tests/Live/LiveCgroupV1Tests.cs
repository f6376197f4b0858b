using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Prescient.Agent.Actuators.Policy;
using Prescient.Agent.Collectors;
using Prescient.Agent.Tests.Support;

namespace Prescient.Agent.Tests.Live;

/// <summary>
/// A real cgroup v1 job: groups of its own under cpuacct and memory (plain layout with a random
/// directory name, so nothing else on the machine is seen or touched), a busy child process in
/// them, and the collector must see its CPU and memory. Needs root and cgroup v1.
/// </summary>
public sealed class LiveCgroupV1Tests
{
    private const string CgroupRoot = "/sys/fs/cgroup";

    [Fact]
    public void Collect_BusyProcessInOwnV1Group_NonzeroCpuAndMemory()
    {
        Prerequisite.Require(Prerequisite.IsRoot, "root (to create cgroups)");
        Prerequisite.Require(File.Exists($"{CgroupRoot}/cpuacct/cpuacct.usage") && File.Exists($"{CgroupRoot}/memory/memory.usage_in_bytes"),
            "cgroup v1 cpuacct and memory controllers under /sys/fs/cgroup");

        var plain = $"prescient-test-{Guid.NewGuid():N}"[..28];
        const string JobId = "live-1";
        string[] groups = [$"{CgroupRoot}/cpuacct/{plain}/{JobId}", $"{CgroupRoot}/memory/{plain}/{JobId}"];
        Process? busy = null;
        try
        {
            foreach (var group in groups)
            {
                Directory.CreateDirectory(group);
            }

            // The shell joins both groups itself before allocating, so its new memory is charged to
            // the job (v1 does not move existing charges with a task), then spins.
            busy = Process.Start(new ProcessStartInfo(
                "/bin/sh",
                ["-c", "echo $$ > \"$1\"; echo $$ > \"$2\"; x=$(head -c 4000000 /dev/zero | tr '\\0' a); while :; do :; done", "sh",
                    Path.Combine(groups[0], "cgroup.procs"), Path.Combine(groups[1], "cgroup.procs")])
            { UseShellExecute = false })!;

            var paths = CollectorPaths.Live with { PlainJobDirectory = plain };
            var collector = new TelemetryCollector(FileSystemSource.Instance, paths, NodeInventory.Read(FileSystemSource.Instance, paths, 0), TimeProvider.System, NullLogger.Instance);
            var first = collector.Collect();
            var job = Assert.Single(first.Jobs);
            Assert.Equal(JobId, job.Job.JobId);
            Assert.Equal(CgroupVersion.V1, job.Job.Version);

            // Poll (bounded) until the busy loop has accumulated measurable CPU time in the group.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            JobReading? usage = null;
            while (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(250);
                usage = Assert.Single(collector.Collect().JobUsages);
                if (usage.Usage.CpuCores > 0.05 && usage.Usage.MemoryBytes > 0)
                {
                    break;
                }
            }

            Assert.NotNull(usage);
            Assert.InRange(usage.Usage.CpuCores, 0.05, Environment.ProcessorCount + 0.1);
            Assert.True(usage.Usage.MemoryBytes >= 1_000_000, $"the shell's 4 MB string is charged to the job ({usage.Usage.MemoryBytes} bytes)");
            Assert.Equal("root", usage.User);
        }
        finally
        {
            if (busy is not null)
            {
                busy.Kill();
                busy.WaitForExit(5000);
                busy.Dispose();
            }

            foreach (var group in groups)
            {
                RemoveGroup(group);
                RemoveGroup(Path.GetDirectoryName(group)!);
            }
        }
    }

    private static void RemoveGroup(string path)
    {
        // rmdir of an empty cgroup; the kernel may need a moment after the last task exits.
        for (var i = 0; i < 50 && Directory.Exists(path); i++)
        {
            try
            {
                Directory.Delete(path, recursive: false);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }
    }
}
