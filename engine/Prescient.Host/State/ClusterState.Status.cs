namespace Prescient.Host.State;

public sealed partial class ClusterState
{
    /// <summary>A consistent copy of nodes, jobs and counters, ordered by name so that output is stable.</summary>
    public ClusterStatusSnapshot Snapshot(bool includeJobs, CommandLog commands)
    {
        lock (_lock)
        {
            var now = NowUnixMilliseconds();
            var nodes = new List<NodeSnapshot>(_nodes.Count);
            var connected = 0;
            foreach (var node in _nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal))
            {
                var live = node.SessionId != 0 && !IsSilent(node, now);
                connected += live ? 1 : 0;
                nodes.Add(new NodeSnapshot(node.Name, node.Capacity, node.NumaNodes, node.Latest, live, node.LastSeenUnixMilliseconds,
                    node.AgentVersion, node.EnforcementMode, node.NativeLibrary, node.Ring.Count));
            }

            var jobs = new List<JobSnapshot>();
            if (includeJobs)
            {
                foreach (var job in _jobs.Values.OrderBy(j => j.Identity.JobId, StringComparer.Ordinal))
                {
                    jobs.Add(ToSnapshot(job));
                }
            }

            return new ClusterStatusSnapshot(_startUnixMilliseconds, nodes, jobs, connected, [.. _rejections], _samplesAccepted,
                commands.Counters(), commands.Recent(), _queue.Count);
        }
    }

    /// <summary>Jobs an agent reports, with their latest usage, for the planner; ordered by job id.</summary>
    public IReadOnlyList<JobSnapshot> AgentJobs()
    {
        lock (_lock)
        {
            var jobs = new List<JobSnapshot>();
            foreach (var job in _jobs.Values)
            {
                if (job.FromAgent && job.LatestUnixMilliseconds > 0 && _nodes.TryGetValue(job.NodeName, out var node) && node.SessionId != 0)
                {
                    jobs.Add(ToSnapshot(job));
                }
            }

            jobs.Sort((a, b) => string.CompareOrdinal(a.Identity.JobId, b.Identity.JobId));
            return jobs;
        }
    }

    /// <summary>Capacity of a node, or null when unknown.</summary>
    public NodeCapacityInfo? CapacityOf(string nodeName)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(nodeName, out var node) ? node.Capacity : null;
        }
    }

    private static JobSnapshot ToSnapshot(JobRecord job) =>
        new(job.Identity, job.NodeName, job.Latest, job.Applied, job.Source, job.Requested);
}
