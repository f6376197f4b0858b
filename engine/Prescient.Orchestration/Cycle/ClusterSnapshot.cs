namespace Prescient.Orchestration.Cycle;

/// <summary>
/// The cycle's input, struct-of-arrays: nodes by dense index <c>n</c>, running jobs by <c>j</c>, pending jobs by
/// <c>p</c>, anticipated events by <c>e</c>; per-(x, resource) arrays are indexed <c>x * R + r</c> with
/// R = <see cref="OrchestratedResources.Count"/>, in the units of <see cref="OrchestratedResource"/>.
/// The owner fills it before each cycle (<see cref="Resize"/> then the arrays) and does not touch it while the
/// cycle runs. Jobs must be ordered by id and nodes by name, so that the same cluster gives the same indices.
/// Arrays only grow (capacity doubles), so a steady cluster refills them without allocating. Not thread-safe.
/// </summary>
public sealed class ClusterSnapshot
{
    private const int R = OrchestratedResources.Count;

    /// <summary>Unix time of the snapshot, in seconds.</summary>
    public long NowSeconds { get; set; }

    public int NodeCount { get; private set; }

    public int JobCount { get; private set; }

    public int PendingCount { get; private set; }

    public int EventCount { get; private set; }

    /// <summary>Node names (for the owner's mapping back; the cycle never reads them).</summary>
    public string[] NodeName { get; private set; } = [];

    /// <summary>Capacity per (node, resource), ≥ 0.</summary>
    public double[] NodeCapacity { get; private set; } = [];

    /// <summary>True while the node's agent stream is live and not silent.</summary>
    public bool[] NodeConnected { get; private set; } = [];

    /// <summary>
    /// True once the node's agent has told this engine process what is applied (its Hello). Until then nothing is
    /// commanded on the node: after an engine restart the agents' applied state is the truth.
    /// </summary>
    public bool[] NodeSynced { get; private set; } = [];

    /// <summary>NUMA nodes of the node (0 or 1 = no NUMA placement), at most 64.</summary>
    public int[] NodeNumaCount { get; private set; } = [];

    /// <summary>Job ids (the key of the job's series).</summary>
    public string[] JobId { get; private set; } = [];

    /// <summary>Program (job name or executable) per job, for data-access history; may be empty.</summary>
    public string[] JobProgram { get; private set; } = [];

    /// <summary>User per job, for data-access history; may be empty.</summary>
    public string[] JobUser { get; private set; } = [];

    /// <summary>Input paths the scheduler reported for the job (data-access history); may be empty.</summary>
    public IReadOnlyList<string>[] JobInputPaths { get; private set; } = [];

    /// <summary>Node index each job runs on.</summary>
    public int[] JobNode { get; private set; } = [];

    /// <summary>Priority/criticality weight per job, &gt; 0 (1 = normal).</summary>
    public double[] JobPriority { get; private set; } = [];

    /// <summary>True for a long-running service (instance-count recommendations apply).</summary>
    public bool[] JobLongRunning { get; private set; } = [];

    /// <summary>Latest observed usage per (job, resource); NaN when unknown.</summary>
    public double[] JobUsage { get; private set; } = [];

    /// <summary>Unix seconds of the job's latest usage sample (a new value is learned only when this changes).</summary>
    public long[] JobUsageSeconds { get; private set; } = [];

    /// <summary>Limit in force per (job, resource) as the agent reported it; 0 = none set.</summary>
    public double[] JobApplied { get; private set; } = [];

    /// <summary>Highest allocation allowed per (job, resource) (the job's request or a policy); +inf for none.</summary>
    public double[] JobCeiling { get; private set; } = [];

    /// <summary>NUMA nodes the job is bound to now, as a bit mask; 0 = none.</summary>
    public ulong[] JobNumaMask { get; private set; } = [];

    public string[] PendingId { get; private set; } = [];

    public string[] PendingUser { get; private set; } = [];

    public string[] PendingProgram { get; private set; } = [];

    /// <summary>Unix seconds the scheduler expects the pending job to start; 0 = unknown.</summary>
    public long[] PendingStartSeconds { get; private set; } = [];

    /// <summary>Requested resources per (pending job, resource).</summary>
    public double[] PendingRequest { get; private set; } = [];

    /// <summary>Node the scheduler will start it on when known, else -1 (system demand).</summary>
    public int[] PendingNode { get; private set; } = [];

    public IReadOnlyList<string>[] PendingInputPaths { get; private set; } = [];

    /// <summary>Node the event applies to, or -1 for the whole system.</summary>
    public int[] EventNode { get; private set; } = [];

    public long[] EventStartSeconds { get; private set; } = [];

    public long[] EventEndSeconds { get; private set; } = [];

    /// <summary>Extra demand per (event, resource) while the event lasts.</summary>
    public double[] EventExtra { get; private set; } = [];

    /// <summary>Sets the counts, growing the arrays when needed (allocates only then); contents are undefined afterwards until filled.</summary>
    public void Resize(int nodeCount, int jobCount, int pendingCount, int eventCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        ArgumentOutOfRangeException.ThrowIfNegative(jobCount);
        ArgumentOutOfRangeException.ThrowIfNegative(pendingCount);
        ArgumentOutOfRangeException.ThrowIfNegative(eventCount);
        if (nodeCount > NodeName.Length)
        {
            var c = Grow(NodeName.Length, nodeCount);
            NodeName = Resized(NodeName, c);
            NodeCapacity = Resized(NodeCapacity, c * R);
            NodeConnected = Resized(NodeConnected, c);
            NodeSynced = Resized(NodeSynced, c);
            NodeNumaCount = Resized(NodeNumaCount, c);
        }

        if (jobCount > JobId.Length)
        {
            var c = Grow(JobId.Length, jobCount);
            JobId = Resized(JobId, c);
            JobProgram = Resized(JobProgram, c);
            JobUser = Resized(JobUser, c);
            JobInputPaths = Resized(JobInputPaths, c);
            JobNode = Resized(JobNode, c);
            JobPriority = Resized(JobPriority, c);
            JobLongRunning = Resized(JobLongRunning, c);
            JobUsage = Resized(JobUsage, c * R);
            JobUsageSeconds = Resized(JobUsageSeconds, c);
            JobApplied = Resized(JobApplied, c * R);
            JobCeiling = Resized(JobCeiling, c * R);
            JobNumaMask = Resized(JobNumaMask, c);
        }

        if (pendingCount > PendingId.Length)
        {
            var c = Grow(PendingId.Length, pendingCount);
            PendingId = Resized(PendingId, c);
            PendingUser = Resized(PendingUser, c);
            PendingProgram = Resized(PendingProgram, c);
            PendingStartSeconds = Resized(PendingStartSeconds, c);
            PendingRequest = Resized(PendingRequest, c * R);
            PendingNode = Resized(PendingNode, c);
            PendingInputPaths = Resized(PendingInputPaths, c);
        }

        if (eventCount > EventNode.Length)
        {
            var c = Grow(EventNode.Length, eventCount);
            EventNode = Resized(EventNode, c);
            EventStartSeconds = Resized(EventStartSeconds, c);
            EventEndSeconds = Resized(EventEndSeconds, c);
            EventExtra = Resized(EventExtra, c * R);
        }

        NodeCount = nodeCount;
        JobCount = jobCount;
        PendingCount = pendingCount;
        EventCount = eventCount;
    }

    /// <summary>
    /// Checks the filled snapshot; returns null when it is usable, else what is wrong (the cycle then plans nothing
    /// and reports it). Bad numbers are refused here rather than reaching the LP.
    /// </summary>
    public string? Validate()
    {
        for (var i = 0; i < NodeCount * R; i++)
        {
            if (!(NodeCapacity[i] >= 0) || double.IsInfinity(NodeCapacity[i]))
            {
                return $"node {NodeName[i / R]}: capacity of {((OrchestratedResource)(i % R)).Name()} is {NodeCapacity[i]}";
            }
        }

        for (var n = 0; n < NodeCount; n++)
        {
            if (NodeNumaCount[n] is < 0 or > 64)
            {
                return $"node {NodeName[n]}: {NodeNumaCount[n]} NUMA nodes (0..64 allowed)";
            }
        }

        for (var j = 0; j < JobCount; j++)
        {
            if ((uint)JobNode[j] >= (uint)NodeCount)
            {
                return $"job {JobId[j]}: node index {JobNode[j]} outside [0, {NodeCount})";
            }

            if (!(JobPriority[j] > 0) || double.IsInfinity(JobPriority[j]))
            {
                return $"job {JobId[j]}: priority {JobPriority[j]} must be finite and > 0";
            }

            // Two ids at the same places in the last validated snapshot (the same string objects) are known to be in
            // order: comparing them again read both strings, a cache miss each, for every job of every cycle.
            if (j > 0 && !(j < _orderedCount && ReferenceEquals(JobId[j - 1], _orderedIds[j - 1]) && ReferenceEquals(JobId[j], _orderedIds[j]))
                && string.CompareOrdinal(JobId[j - 1], JobId[j]) >= 0)
            {
                return $"jobs must be ordered by id and unique: {JobId[j - 1]} before {JobId[j]}";
            }

            for (var r = 0; r < R; r++)
            {
                var p = j * R + r;
                if (JobApplied[p] < 0 || double.IsNaN(JobApplied[p]) || double.IsInfinity(JobApplied[p]) || double.IsNaN(JobCeiling[p]) || JobCeiling[p] < 0)
                {
                    return $"job {JobId[j]}: applied {JobApplied[p]} or ceiling {JobCeiling[p]} of {((OrchestratedResource)r).Name()} is invalid";
                }
            }
        }

        if (_orderedIds.Length < JobCount)
        {
            _orderedIds = new string[JobId.Length];
        }

        JobId.AsSpan(0, JobCount).CopyTo(_orderedIds);
        _orderedCount = JobCount;
        for (var p = 0; p < PendingCount; p++)
        {
            if (PendingNode[p] < -1 || PendingNode[p] >= NodeCount)
            {
                return $"pending job {PendingId[p]}: node index {PendingNode[p]} outside [-1, {NodeCount})";
            }
        }

        for (var e = 0; e < EventCount; e++)
        {
            if (EventNode[e] < -1 || EventNode[e] >= NodeCount || EventEndSeconds[e] < EventStartSeconds[e])
            {
                return $"event {e}: node index {EventNode[e]} or window [{EventStartSeconds[e]}, {EventEndSeconds[e]}] is invalid";
            }
        }

        return null;
    }

    private string[] _orderedIds = [];
    private int _orderedCount;

    private static int Grow(int have, int need) => Math.Max(need, Math.Max(4, have * 2));

    private static T[] Resized<T>(T[] array, int length)
    {
        var copy = new T[length];
        array.AsSpan().CopyTo(copy);
        return copy;
    }
}
