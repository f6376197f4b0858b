using System.Globalization;
using Prescient.Agent.Actuators.Policy;

namespace Prescient.Agent.Collectors;

/// <summary>
/// Finds job cgroups under every hierarchy of a <see cref="CgroupLayout"/>:
/// Slurm's <c>slurm[_&lt;node&gt;]/uid_&lt;uid&gt;/job_&lt;id&gt;</c> (v1, and v2 where Slurm uses it),
/// Slurm's v2 <c>system.slice/slurmstepd.scope/job_&lt;id&gt;</c>, and the plain
/// <c>&lt;plain-dir&gt;/&lt;job-id&gt;</c> layout (default plain-dir "prescient").
/// Stateless apart from its inputs; safe to call from one thread at a time.
/// </summary>
public sealed class JobDiscovery
{
    private readonly IFileSource _files;
    private readonly string _procRoot;
    private readonly string _plainDirectory;

    /// <summary>Creates a discovery over <paramref name="files"/>; owners are looked up under <paramref name="procRoot"/>.</summary>
    public JobDiscovery(IFileSource files, string procRoot, string plainDirectory)
    {
        _files = files;
        _procRoot = procRoot;
        _plainDirectory = plainDirectory;
    }

    /// <summary>Job ids the agent accepts: what Slurm and a directory name can hold without surprises.</summary>
    public static bool IsValidJobId(string id) =>
        id.Length is > 0 and <= 128 && id[0] != '.' && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>All jobs, ordered by job id (ordinal), each once.</summary>
    public List<DiscoveredJob> Discover(CgroupLayout layout)
    {
        var found = new SortedDictionary<string, Sighting>(StringComparer.Ordinal);
        foreach (var controller in layout.PresentV1Controllers)
        {
            Scan(Path.Combine(layout.Root, controller), controller, found);
        }

        if (layout.UnifiedRoot is not null)
        {
            Scan(layout.UnifiedRoot, null, found);
        }

        return [.. found.Values.Select(f => f.Job with { Controllers = f.Controllers })];
    }

    // controller: the v1 controller mount scanned, or null for the v2 hierarchy.
    private void Scan(string controllerRoot, string? controller, SortedDictionary<string, Sighting> found)
    {
        foreach (var top in _files.ListDirectories(controllerRoot))
        {
            if (top.StartsWith("slurm", StringComparison.Ordinal))
            {
                foreach (var uidDir in _files.ListDirectories(Path.Combine(controllerRoot, top)))
                {
                    if (!uidDir.StartsWith("uid_", StringComparison.Ordinal)
                        || !uint.TryParse(uidDir.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                    {
                        continue;
                    }

                    foreach (var jobDir in _files.ListDirectories(Path.Combine(controllerRoot, top, uidDir)))
                    {
                        AddSlurmJob(found, controller, jobDir, $"{top}/{uidDir}/{jobDir}", uid, controllerRoot);
                    }
                }
            }
            else if (top == "system.slice" && controller is null)
            {
                foreach (var jobDir in _files.ListDirectories(Path.Combine(controllerRoot, top, "slurmstepd.scope")))
                {
                    AddSlurmJob(found, controller, jobDir, $"system.slice/slurmstepd.scope/{jobDir}", null, controllerRoot);
                }
            }
            else if (top == _plainDirectory)
            {
                foreach (var jobId in _files.ListDirectories(Path.Combine(controllerRoot, top)))
                {
                    if (IsValidJobId(jobId))
                    {
                        Add(found, controller, jobId, $"{top}/{jobId}", null, "plain", controllerRoot);
                    }
                }
            }
        }
    }

    private void AddSlurmJob(SortedDictionary<string, Sighting> found, string? controller, string jobDir, string relative, uint? uid, string controllerRoot)
    {
        if (!jobDir.StartsWith("job_", StringComparison.Ordinal))
        {
            return;
        }

        var jobId = jobDir[4..];
        if (IsValidJobId(jobId))
        {
            Add(found, controller, jobId, relative, uid, "slurm", controllerRoot);
        }
    }

    private void Add(SortedDictionary<string, Sighting> found, string? controller, string jobId, string relative, uint? uid, string layout, string controllerRoot)
    {
        if (found.TryGetValue(jobId, out var known))
        {
            // The same v1 group seen under another controller: note the controller. Otherwise the
            // first sighting wins; v1 controllers are scanned before v2, so v1 wins for a job in both.
            if (controller is not null && known.Job.Version == CgroupVersion.V1 && known.Job.RelativePath == relative)
            {
                known.Controllers.Add(controller);
            }

            return;
        }

        var version = controller is null ? CgroupVersion.V2 : CgroupVersion.V1;
        var job = new DiscoveredJob(jobId, uid ?? FindOwner(Path.Combine(controllerRoot, relative)), version, relative, layout, []);
        found.Add(jobId, new Sighting(job, controller is null ? [] : [controller]));
    }

    private sealed record Sighting(DiscoveredJob Job, List<string> Controllers);

    // The real uid of the first process in the group or in one of its direct children (Slurm keeps
    // tasks in step_<n> below the job).
    private uint? FindOwner(string groupDirectory)
    {
        if (FirstProcessUid(groupDirectory) is { } uid)
        {
            return uid;
        }

        foreach (var child in _files.ListDirectories(groupDirectory))
        {
            if (FirstProcessUid(Path.Combine(groupDirectory, child)) is { } childUid)
            {
                return childUid;
            }
        }

        return null;
    }

    private uint? FirstProcessUid(string groupDirectory)
    {
        if (!_files.TryReadText(Path.Combine(groupDirectory, "cgroup.procs"), out var procs))
        {
            return null;
        }

        foreach (var pid in CgroupParsers.ParseProcs(procs))
        {
            if (_files.TryReadText(Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture), "status"), out var status)
                && ProcStatusParser.TryParseRealUid(status, out var uid))
            {
                return uid;
            }
        }

        return null;
    }
}
