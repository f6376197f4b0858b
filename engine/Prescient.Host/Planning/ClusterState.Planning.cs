using Prescient.Abstractions.Telemetry;
using Prescient.Host.Scheduler;
using Prescient.Orchestration.Cycle;

// This part of ClusterState lives with the planner that owns it: it reads the tables under the state's lock and
// writes them straight into the orchestrator's struct-of-arrays snapshot, without copying records.
namespace Prescient.Host.State;

public sealed partial class ClusterState
{
    private const int PlanResources = OrchestratedResources.Count;
    private static readonly Comparison<JobRecord> ByJobId = static (a, b) => string.CompareOrdinal(a.Identity.JobId, b.Identity.JobId);
    private static readonly Comparison<NodeRecord> ByNodeName = static (a, b) => string.CompareOrdinal(a.Name, b.Name);
    private readonly List<NodeRecord> _planNodes = [];
    private readonly List<JobRecord> _planAllJobs = [];
    private readonly List<JobRecord> _planJobs = [];
    private readonly List<int> _planJobNodes = [];
    private readonly List<int> _planAllJobNodes = [];
    private readonly List<string?> _planEventScopes = [];
    private long _planMembership = -1;
    private readonly Dictionary<string, int> _planNodeIndex = new(StringComparer.Ordinal);

    /// <summary>
    /// Fills <paramref name="snapshot"/> with the planning view of the cluster: nodes by name; the jobs agents report
    /// (with a node and a usage sample) by id; the pending queue; <paramref name="events"/> that have not ended. Units
    /// are converted to the orchestrator's (cores, GiB, Gbit/s, GB/s). <paramref name="priorityOf"/> gives each job's
    /// weight. Returns the job records' identities in snapshot order through <paramref name="jobs"/> (reused list).
    /// </summary>
    /// <remarks>
    /// The lock is held only to see whether the tables' membership changed since the last cycle (and then to collect
    /// the records), to take the queue (a list never changed once published) and to resolve the events' scopes.
    /// Sorting and the copy into the snapshot run outside it, so ingest is not held up by the planner: a record's fields
    /// are references to immutable values or single words, each read once, so a sample that lands meanwhile is either
    /// in this cycle's snapshot or the next one's, as it would be a moment earlier or later (a job's four usage values may
    /// mix that sample and the one before it: each is a real reading, a report apart).
    /// </remarks>
    internal void FillPlanningSnapshot(ClusterSnapshot snapshot, IReadOnlyList<AnticipatedEventInfo> events, Func<JobIdentityInfo, double> priorityOf, List<JobSnapshotRef> jobs)
    {
        List<PendingJobInfo> queue;
        long now;
        var collected = false;
        lock (_lock)
        {
            if (_membership != _planMembership)
            {
                _planMembership = _membership;
                collected = true;
                _planNodes.Clear();
                foreach (var node in _nodes.Values)
                {
                    _planNodes.Add(node);
                }

                _planAllJobs.Clear();
                foreach (var job in _jobs.Values)
                {
                    _planAllJobs.Add(job);
                }
            }

            queue = _queue;
            now = NowUnixMilliseconds();
            _planEventScopes.Clear();
            foreach (var e in events)
            {
                if (e.EndUnixMilliseconds > now)
                {
                    _planEventScopes.Add(e.ScopeKind switch
                    {
                        EntityKind.Node => e.ScopeName,
                        EntityKind.Job when _jobs.TryGetValue(e.ScopeName, out var scoped) => scoped.NodeName,
                        _ => null,
                    });
                }
            }
        }

        if (collected)
        {
            _planNodes.Sort(ByNodeName);
            _planNodeIndex.Clear();
            for (var n = 0; n < _planNodes.Count; n++)
            {
                _planNodeIndex[_planNodes[n].Name] = n;
            }

            _planAllJobs.Sort(ByJobId);

            // A job's node changes only with a membership change (moving bumps it), so its index is looked up here, once.
            _planAllJobNodes.Clear();
            foreach (var job in _planAllJobs)
            {
                _planAllJobNodes.Add(_planNodeIndex.TryGetValue(job.NodeName, out var nodeIndex) ? nodeIndex : -1);
            }
        }

        // Which jobs are planned can change without a membership change (a first sample arrives), so the filter runs
        // every cycle.
        _planJobs.Clear();
        _planJobNodes.Clear();
        for (var a = 0; a < _planAllJobs.Count; a++)
        {
            var job = _planAllJobs[a];
            var nodeIndex = _planAllJobNodes[a];
            if (nodeIndex >= 0 && job.FromAgent && job.LatestUnixMilliseconds > 0)
            {
                _planJobs.Add(job);
                _planJobNodes.Add(nodeIndex);
            }
        }

        var eventCount = _planEventScopes.Count;
        snapshot.Resize(_planNodes.Count, _planJobs.Count, queue.Count, eventCount);
        snapshot.NowSeconds = now / 1000;
        for (var n = 0; n < _planNodes.Count; n++)
        {
            var node = _planNodes[n];
            var c = node.Capacity;
            snapshot.NodeName[n] = node.Name;
            snapshot.NodeCapacity[(n * PlanResources) + 0] = c.CpuCores;
            snapshot.NodeCapacity[(n * PlanResources) + 1] = c.MemoryBytes / OrchestratedResources.BytesPerGibibyte;
            snapshot.NodeCapacity[(n * PlanResources) + 2] = c.NetworkBitsPerSecond / OrchestratedResources.BitsPerGigabit;
            snapshot.NodeCapacity[(n * PlanResources) + 3] = c.StorageBytesPerSecond / OrchestratedResources.BytesPerGigabyte;
            snapshot.NodeConnected[n] = node.SessionId != 0 && !IsSilent(node, now);

            // A node exists here only after its agent's Hello in this process, which replaced the applied state
            // of its jobs: after an engine restart nothing is planned for a node before that.
            snapshot.NodeSynced[n] = node.LastSeenUnixMilliseconds > 0;
            snapshot.NodeNumaCount[n] = Math.Min(node.NumaNodes.Count, 64);
        }

        jobs.Clear();
        for (var j = 0; j < _planJobs.Count; j++)
        {
            var job = _planJobs[j];
            var p = j * PlanResources;
            var node = _planJobNodes[j];
            var plan = job.Plan;
            snapshot.JobId[j] = plan.JobId;
            snapshot.JobProgram[j] = plan.Program;
            snapshot.JobUser[j] = plan.User;
            snapshot.JobInputPaths[j] = job.InputPaths;
            snapshot.JobNode[j] = node;
            snapshot.JobPriority[j] = priorityOf(job.Identity);
            snapshot.JobLongRunning[j] = plan.LongRunning;

            // Each value is read once: a sample stored meanwhile changes the record between two reads.
            var memory = job.LatestMemory;
            snapshot.JobUsageSeconds[j] = job.LatestUnixMilliseconds / 1000;
            snapshot.JobUsage[p + 0] = job.LatestCpu;
            snapshot.JobUsage[p + 1] = memory / OrchestratedResources.BytesPerGibibyte;
            snapshot.JobUsage[p + 2] = job.LatestNetwork * 8 / OrchestratedResources.BitsPerGigabit;
            snapshot.JobUsage[p + 3] = job.LatestDisk / OrchestratedResources.BytesPerGigabyte;
            snapshot.JobApplied[p + 0] = plan.AppliedCpuCores;
            snapshot.JobApplied[p + 1] = plan.AppliedMemoryGibibytes;
            snapshot.JobApplied[p + 2] = plan.AppliedBandwidthGigabits;
            snapshot.JobApplied[p + 3] = 0;
            snapshot.JobCeiling[p + 0] = plan.CeilingCpuCores;
            snapshot.JobCeiling[p + 1] = plan.CeilingMemoryGibibytes;
            snapshot.JobCeiling[p + 2] = plan.CeilingNetworkGigabits;
            snapshot.JobCeiling[p + 3] = double.PositiveInfinity;
            snapshot.JobNumaMask[j] = plan.NumaMask;
            jobs.Add(new JobSnapshotRef(plan.JobId, _planNodes[node].Name, memory));
        }

        for (var p = 0; p < queue.Count; p++)
        {
            var pending = queue[p];
            var r = pending.Requested;
            snapshot.PendingId[p] = pending.Identity.JobId;
            snapshot.PendingUser[p] = pending.Identity.User;
            snapshot.PendingProgram[p] = pending.Identity.Program;
            snapshot.PendingStartSeconds[p] = pending.ExpectedStartUnixMilliseconds / 1000;
            snapshot.PendingNode[p] = -1;
            snapshot.PendingInputPaths[p] = pending.InputPaths;
            snapshot.PendingRequest[(p * PlanResources) + 0] = r.CpuCores * Math.Max(1u, r.NodeCount);
            snapshot.PendingRequest[(p * PlanResources) + 1] = r.MemoryBytes * (double)Math.Max(1u, r.NodeCount) / OrchestratedResources.BytesPerGibibyte;
            snapshot.PendingRequest[(p * PlanResources) + 2] = r.NetworkBitsPerSecond / OrchestratedResources.BitsPerGigabit;
            snapshot.PendingRequest[(p * PlanResources) + 3] = 0;
        }

        var k = 0;
        foreach (var e in events)
        {
            if (e.EndUnixMilliseconds <= now)
            {
                continue;
            }

            snapshot.EventStartSeconds[k] = e.StartUnixMilliseconds / 1000;
            snapshot.EventEndSeconds[k] = e.EndUnixMilliseconds / 1000;
            snapshot.EventNode[k] = _planEventScopes[k] is { } scope ? _planNodeIndex.GetValueOrDefault(scope, -1) : -1;
            snapshot.EventExtra.AsSpan(k * PlanResources, PlanResources).Clear();
            foreach (var (kind, extra) in e.ExtraDemand)
            {
                var cell = (k * PlanResources) + kind switch
                {
                    ResourceKind.Cpu => 0,
                    ResourceKind.Memory => 1,
                    ResourceKind.NetRx or ResourceKind.NetTx => 2,
                    ResourceKind.DiskRead or ResourceKind.DiskWrite => 3,
                    _ => -1 - (k * PlanResources),
                };
                if (cell < 0)
                {
                    continue;
                }

                snapshot.EventExtra[cell] += kind switch
                {
                    ResourceKind.Memory => extra / OrchestratedResources.BytesPerGibibyte,
                    ResourceKind.NetRx or ResourceKind.NetTx => extra * 8 / OrchestratedResources.BitsPerGigabit,
                    ResourceKind.DiskRead or ResourceKind.DiskWrite => extra / OrchestratedResources.BytesPerGigabyte,
                    _ => extra,
                };
            }

            k++;
        }
    }

    /// <summary>The NUMA topology a node's agent reported; empty when unknown.</summary>
    internal IReadOnlyList<NumaNodeInfo> NumaNodesOf(string nodeName)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(nodeName, out var node) ? node.NumaNodes : [];
        }
    }

    /// <summary>NUMA nodes named in a cpuset.mems list ("0-1,3") as a bit mask; 0 when empty or unparsable.</summary>
    internal static ulong NumaMask(string mems)
    {
        if (string.IsNullOrEmpty(mems))
        {
            return 0;
        }

        ulong mask = 0;
        foreach (var part in mems.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-');
            if (!uint.TryParse(dash < 0 ? part : part[..dash], out var first) || !uint.TryParse(dash < 0 ? part : part[(dash + 1)..], out var last) || last < first || last > 63)
            {
                return 0;
            }

            for (var i = first; i <= last; i++)
            {
                mask |= 1UL << (int)i;
            }
        }

        return mask;
    }
}
