using Prescient.Abstractions.Telemetry;

namespace Prescient.Host.State;

/// <summary>
/// The engine's live model of the cluster: nodes, jobs, their usage series, the scheduler's queue,
/// and counters of everything refused. Thread-safe: one lock guards all tables, and readers get
/// immutable snapshots. Memory is bounded by <see cref="EngineOptions.MaxSeries"/> ×
/// <see cref="EngineOptions.SamplesPerSeries"/> × <see cref="UsageRing.BytesPerSample"/> for series,
/// <see cref="EngineOptions.MaxJobs"/> job records and <see cref="EngineOptions.MaxPendingJobs"/> queue entries.
/// Input is validated here, once, so that no caller can store a sample that was not checked; a refused
/// input never alters what is already stored.
/// </summary>
public sealed partial class ClusterState
{
    private readonly Lock _lock = new();
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, NodeRecord> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ulong> _rejections = new(StringComparer.Ordinal);
    private readonly long _startUnixMilliseconds;
    private List<PendingJobInfo> _queue = [];
    private long _nextSessionId;
    private int _seriesCount;

    // Bumped under the lock whenever a node or job is added or removed or a job moves or starts reporting: the planning
    // snapshot re-collects and re-sorts its tables only then.
    private long _membership;
    private ulong _samplesAccepted;

    public ClusterState(EngineOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _startUnixMilliseconds = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>Counts one refused input under a stable reason (see <see cref="RejectionReasons"/>).</summary>
    public void CountRejection(string reason, ulong count = 1)
    {
        lock (_lock)
        {
            _rejections[reason] = _rejections.GetValueOrDefault(reason) + count;
        }
    }

    /// <summary>
    /// Registers an agent stream for its node. Fails with <see cref="RejectionReasons.DuplicateNodeName"/>
    /// when another live stream holds the name. On success the node's capacity, topology and the applied
    /// state of its jobs are replaced by what the agent reports (the agent is the truth after a restart of
    /// either side), and the returned session id must accompany everything the stream sends.
    /// </summary>
    public AgentRegistration RegisterAgent(AgentHelloInfo hello)
    {
        lock (_lock)
        {
            var now = NowUnixMilliseconds();
            if (_nodes.TryGetValue(hello.NodeName, out var node) && node.SessionId != 0 && !IsSilent(node, now))
            {
                _rejections[RejectionReasons.DuplicateNodeName] = _rejections.GetValueOrDefault(RejectionReasons.DuplicateNodeName) + 1;
                return new AgentRegistration(0, 0, $"node name {NameRules.Quote(hello.NodeName)} is already held by a connected agent");
            }

            if (node is null)
            {
                if (_seriesCount >= _options.MaxSeries)
                {
                    _rejections[RejectionReasons.SeriesLimit] = _rejections.GetValueOrDefault(RejectionReasons.SeriesLimit) + 1;
                    return new AgentRegistration(0, 0, $"the engine stores at most {_options.MaxSeries} series (Prescient:MaxSeries)");
                }

                node = new NodeRecord(hello.NodeName, new UsageRing(_options.SamplesPerSeries));
                _nodes.Add(hello.NodeName, node);
                _membership++;
                _seriesCount++;
            }

            node.Capacity = hello.Capacity;
            node.NumaNodes = hello.NumaNodes;
            node.AgentVersion = hello.AgentVersion;
            node.EnforcementMode = hello.EnforcementMode;
            node.NativeLibrary = hello.NativeLibrary;
            node.SessionId = ++_nextSessionId;
            node.LastSeenUnixMilliseconds = now;
            node.CommandSequence = Math.Max(node.CommandSequence, hello.LastCommandSequence);

            foreach (var managed in hello.Jobs)
            {
                var job = GetOrAddJobLocked(managed.Identity, out var added);
                if (job is null)
                {
                    continue;
                }

                if (!added && job.FromAgent && job.NodeName != node.Name && _nodes.TryGetValue(job.NodeName, out var previous))
                {
                    previous.JobIds.Remove(job.Identity.JobId);
                }

                job.NodeName = node.Name;
                job.FromAgent = true;
                _membership++;
                job.Applied = managed.Applied;
                job.CgroupPath = managed.CgroupPath;
                node.JobIds.Add(managed.Identity.JobId);
            }

            return new AgentRegistration(node.SessionId, node.CommandSequence, null);
        }
    }

    /// <summary>Marks the node's agent as gone if <paramref name="sessionId"/> is still the live stream. Its jobs and limits stay (fail-static).</summary>
    public void DisconnectAgent(string nodeName, long sessionId)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(nodeName, out var node) && node.SessionId == sessionId)
            {
                node.SessionId = 0;
            }
        }
    }

    /// <summary>
    /// Stores one telemetry batch from a registered agent. Each sample is checked on its own; refused
    /// samples are counted by reason and dropped, accepted ones stored, so one bad job cannot cost the
    /// others their data.
    /// </summary>
    public IngestResult IngestTelemetry(string nodeName, long sessionId, UsageReading? nodeUsage, IReadOnlyList<(JobIdentityInfo Identity, UsageReading Usage)> jobs)
    {
        Span<IngestResult> result = stackalloc IngestResult[1];
        Store([CheckTelemetry(nodeName, sessionId, nodeUsage, jobs)], result);
        return result[0];
    }

    /// <summary>
    /// The checks of a telemetry batch that need no table (names, timestamps, values), made without the lock so that
    /// many streams can check at once; <see cref="Store"/> then takes the lock only to look up and append.
    /// </summary>
    public CheckedTelemetry CheckTelemetry(string nodeName, long sessionId, UsageReading? nodeUsage, IReadOnlyList<(JobIdentityInfo Identity, UsageReading Usage)> jobs)
    {
        var now = NowUnixMilliseconds();
        string?[]? problems = null;
        for (var i = 0; i < jobs.Count; i++)
        {
            var (identity, usage) = jobs[i];
            var problem = NameRules.InvalidIdentityField(identity) is null ? TelemetryRules.Check(usage, now, _options) : RejectionReasons.InvalidName;
            if (problem is not null)
            {
                problems ??= new string?[jobs.Count];
                problems[i] = problem;
            }
        }

        return new CheckedTelemetry(nodeName, sessionId, nodeUsage, nodeUsage is null ? null : TelemetryRules.Check(nodeUsage, now, _options), jobs, problems, now);
    }

    /// <summary>Stores checked batches in order under one acquisition of the lock; <paramref name="results"/> gets each one's counts.</summary>
    public void Store(IReadOnlyList<CheckedTelemetry> batches, Span<IngestResult> results)
    {
        lock (_lock)
        {
            for (var i = 0; i < batches.Count; i++)
            {
                results[i] = StoreLocked(batches[i]);
            }
        }
    }

    /// <summary>Records the limits an agent reports in force for a job after a command.</summary>
    public void RecordApplied(string nodeName, string jobId, LimitsInfo applied)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(jobId, out var job) && job.NodeName == nodeName)
            {
                job.Applied = applied;
            }
        }
    }

    /// <summary>Takes the next command sequence number for a node's agent; 0 when the node is unknown.</summary>
    public ulong NextCommandSequence(string nodeName)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(nodeName, out var node) ? ++node.CommandSequence : 0;
        }
    }

    /// <summary>Copies one stored series (node name or job id) of one resource, oldest first. Returns false when unknown.</summary>
    public bool TryCopySeries(EntityKind kind, string name, ResourceKind resource, List<long> unixMilliseconds, List<float> values)
    {
        lock (_lock)
        {
            UsageRing? ring = kind switch
            {
                EntityKind.Node => _nodes.GetValueOrDefault(name)?.Ring,
                EntityKind.Job => _jobs.GetValueOrDefault(name)?.Ring,
                _ => null,
            };
            if (ring is null)
            {
                return false;
            }

            for (var i = 0; i < ring.Count; i++)
            {
                unixMilliseconds.Add(ring.TimeAt(i));
                values.Add(ring.ValueAt(i, resource));
            }

            return true;
        }
    }

    /// <summary>Names of the series that make up an entity: the nodes for System/Node, the jobs for User/Group/Program/Job.</summary>
    public IReadOnlyList<(EntityKind Kind, string Name)> MembersOf(EntityKind kind, string name)
    {
        lock (_lock)
        {
            var members = new List<(EntityKind, string)>();
            switch (kind)
            {
                case EntityKind.System:
                    foreach (var node in _nodes.Keys)
                    {
                        members.Add((EntityKind.Node, node));
                    }

                    break;
                case EntityKind.Node when _nodes.ContainsKey(name):
                    members.Add((EntityKind.Node, name));
                    break;
                case EntityKind.Job when _jobs.TryGetValue(name, out var job) && job.Ring is not null:
                    members.Add((EntityKind.Job, name));
                    break;
                case EntityKind.User or EntityKind.Group or EntityKind.Program:
                    foreach (var job in _jobs.Values)
                    {
                        var key = kind switch
                        {
                            EntityKind.User => job.Identity.User,
                            EntityKind.Group => job.Identity.Group,
                            _ => job.Identity.Program,
                        };
                        if (job.Ring is not null && string.Equals(key, name, StringComparison.Ordinal))
                        {
                            members.Add((EntityKind.Job, job.Identity.JobId));
                        }
                    }

                    break;
            }

            members.Sort((a, b) => string.CompareOrdinal(a.Item2, b.Item2));
            return members;
        }
    }

    private IngestResult StoreLocked(CheckedTelemetry batch)
    {
        var (nodeName, sessionId, nodeUsage, nodeProblem, jobs, problems, now) = batch;
        if (!_nodes.TryGetValue(nodeName, out var node) || node.SessionId != sessionId)
        {
            Count(RejectionReasons.MissingHello);
            return new IngestResult(0, (nodeUsage is null ? 0 : 1) + jobs.Count);
        }

        node.LastSeenUnixMilliseconds = Math.Max(node.LastSeenUnixMilliseconds, now);
        int accepted = 0, rejected = 0;
        if (nodeUsage is not null)
        {
            if (nodeProblem is null && StoreLocked(node.Ring, nodeUsage))
            {
                node.SetLatest(nodeUsage);
                accepted++;
            }
            else
            {
                Count(nodeProblem ?? RejectionReasons.DuplicateOrOutOfOrder);
                rejected++;
            }
        }

        for (var i = 0; i < jobs.Count; i++)
        {
            var (identity, usage) = jobs[i];
            if (problems?[i] is { } problem)
            {
                Count(problem);
                rejected++;
                continue;
            }

            var job = GetOrAddJobLocked(identity, out _);
            if (job is null)
            {
                rejected++;
                continue;
            }

            if (job.Ring is null)
            {
                if (_seriesCount >= _options.MaxSeries)
                {
                    Count(RejectionReasons.SeriesLimit);
                    rejected++;
                    continue;
                }

                job.Ring = new UsageRing(_options.SamplesPerSeries);
                _seriesCount++;
            }

            MergeIdentity(job, identity);
            if (!ReferenceEquals(job.NodeName, node.Name))
            {
                if (job.NodeName != node.Name)
                {
                    if (job.NodeName.Length > 0 && _nodes.TryGetValue(job.NodeName, out var previous))
                    {
                        previous.JobIds.Remove(identity.JobId);
                    }

                    node.JobIds.Add(identity.JobId);
                    _membership++;
                }

                job.NodeName = node.Name;
            }

            if (!job.FromAgent)
            {
                job.FromAgent = true;
                node.JobIds.Add(identity.JobId);
                _membership++;
            }

            if (StoreLocked(job.Ring, usage))
            {
                job.SetLatest(usage);
                accepted++;
            }
            else
            {
                Count(RejectionReasons.DuplicateOrOutOfOrder);
                rejected++;
            }
        }

        _samplesAccepted += (ulong)accepted;
        return new IngestResult(accepted, rejected);
    }

    /// <summary>Appends a checked sample; false for a duplicate or out-of-order timestamp.</summary>
    private static bool StoreLocked(UsageRing ring, UsageReading usage)
    {
        Span<float> values = stackalloc float[ResourceKinds.Count];
        for (var r = 0; r < ResourceKinds.Count; r++)
        {
            values[r] = (float)usage.Values[r];
        }

        return ring.TryAppend(usage.UnixMilliseconds, values);
    }

    private JobRecord? GetOrAddJobLocked(JobIdentityInfo identity, out bool added)
    {
        added = false;
        if (_jobs.TryGetValue(identity.JobId, out var job))
        {
            return job;
        }

        if (_jobs.Count >= _options.MaxJobs)
        {
            Count(RejectionReasons.JobLimit);
            return null;
        }

        job = new JobRecord(identity) { StartUnixMilliseconds = NowUnixMilliseconds() };
        _jobs.Add(identity.JobId, job);
        _membership++;
        added = true;
        return job;
    }

    private static void MergeIdentity(JobRecord job, JobIdentityInfo reported)
    {
        // The scheduler's account of who owns a job wins over what an agent infers from a cgroup path;
        // agents fill in only what is still unknown.
        var known = job.Identity;
        if (!Fills(known.User, reported.User) && !Fills(known.Group, reported.Group) && !Fills(known.Program, reported.Program)
            && !Fills(known.Partition, reported.Partition) && !Fills(known.Qos, reported.Qos))
        {
            return;
        }

        job.Identity = known with
        {
            User = known.User.Length > 0 ? known.User : reported.User,
            Group = known.Group.Length > 0 ? known.Group : reported.Group,
            Program = known.Program.Length > 0 ? known.Program : reported.Program,
            Partition = known.Partition.Length > 0 ? known.Partition : reported.Partition,
            Qos = known.Qos.Length > 0 ? known.Qos : reported.Qos,
        };
    }

    private static bool Fills(string known, string reported) => known.Length == 0 && reported.Length > 0;

    private void Count(string reason) => _rejections[reason] = _rejections.GetValueOrDefault(reason) + 1;

    private bool IsSilent(NodeRecord node, long now) => now - node.LastSeenUnixMilliseconds > _options.AgentSilenceSeconds * 1000L;

    private long NowUnixMilliseconds() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}

/// <summary>Outcome of <see cref="ClusterState.RegisterAgent"/>: a session id, or an error.</summary>
public sealed record AgentRegistration(long SessionId, ulong LastCommandSequence, string? Error);

/// <summary>A telemetry batch after <see cref="ClusterState.CheckTelemetry"/>: the problem of each sample (null arrays when none) and the time it was checked.</summary>
public sealed record CheckedTelemetry(string NodeName, long SessionId, UsageReading? NodeUsage, string? NodeProblem, IReadOnlyList<(JobIdentityInfo Identity, UsageReading Usage)> Jobs, string?[]? Problems, long CheckedUnixMilliseconds);

/// <summary>How many samples of a telemetry batch were stored and how many refused.</summary>
public readonly record struct IngestResult(int Accepted, int Rejected);
