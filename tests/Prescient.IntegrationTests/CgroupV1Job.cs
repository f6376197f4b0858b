namespace Prescient.IntegrationTests;

/// <summary>
/// A real job for the agent to find: a busy shell loop placed in its own cgroup v1 groups
/// (<c>cpuacct</c> and <c>memory</c>) under the plain per-job layout <c>&lt;plain-dir&gt;/&lt;job-id&gt;</c>.
/// Everything is removed on dispose.
/// </summary>
internal sealed class CgroupV1Job : IDisposable
{
    private static readonly string[] Controllers = ["cpuacct", "memory"];
    private readonly List<string> _created = [];
    private readonly ChildProcess _worker;

    public CgroupV1Job(string plainDirectory, string jobId)
    {
        foreach (var controller in Controllers)
        {
            var parent = Path.Combine("/sys/fs/cgroup", controller, plainDirectory);
            var group = Path.Combine(parent, jobId);
            Directory.CreateDirectory(group);
            _created.Add(group);
            _created.Add(parent);
        }

        _worker = ChildProcess.Start("/bin/sh", "-c", "while :; do :; done");
        foreach (var controller in Controllers)
        {
            File.WriteAllText(Path.Combine("/sys/fs/cgroup", controller, plainDirectory, jobId, "cgroup.procs"), _worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static bool Available =>
        Controllers.All(c => File.Exists(Path.Combine("/sys/fs/cgroup", c, "cgroup.procs")));

    public void Dispose()
    {
        _worker.Dispose();
        foreach (var directory in _created)
        {
            for (var attempt = 0; attempt < 50 && Directory.Exists(directory); attempt++)
            {
                try
                {
                    Directory.Delete(directory);
                }
                catch (IOException)
                {
                    // The killed process may still be leaving the group; cgroupfs refuses rmdir until it has.
                    Thread.Sleep(100);
                }
            }
        }
    }
}
