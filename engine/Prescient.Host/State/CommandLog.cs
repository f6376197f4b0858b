namespace Prescient.Host.State;

/// <summary>
/// Every command sent to agents and what became of it: counters for the whole run and the most recent
/// records (bounded, oldest dropped first). Thread-safe.
/// </summary>
public sealed class CommandLog(TimeProvider time, int recentCapacity = 256)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private ulong _sent, _applied, _refused, _dryRun;

    /// <summary>Records a command as sent now.</summary>
    public void Sent(string commandId, string nodeName, string jobId, CommandKindInfo kind, string reason)
    {
        lock (_lock)
        {
            _sent++;
            _byId[commandId] = new Entry(nodeName, jobId, kind, reason, time.GetTimestamp(), time.GetUtcNow().ToUnixTimeMilliseconds());
            _order.Enqueue(commandId);
            while (_order.Count > recentCapacity)
            {
                _byId.Remove(_order.Dequeue());
            }
        }
    }

    /// <summary>
    /// Records an agent's answer. Returns false for an unknown command id, or one answered already, or
    /// one that comes from another node than it was sent to (the caller counts it as a rejection).
    /// </summary>
    public bool Completed(string commandId, string fromNode, CommandOutcome outcome, string reason)
    {
        lock (_lock)
        {
            if (!_byId.TryGetValue(commandId, out var entry) || entry.Outcome != CommandOutcome.Pending || entry.NodeName != fromNode)
            {
                return false;
            }

            entry.Outcome = outcome;
            entry.Reason = reason.Length > 0 ? reason : entry.Reason;
            entry.RoundTripMilliseconds = time.GetElapsedTime(entry.SentTimestamp).TotalMilliseconds;
            switch (outcome)
            {
                case CommandOutcome.Applied: _applied++; break;
                case CommandOutcome.Refused: _refused++; break;
                case CommandOutcome.DryRun: _dryRun++; break;
            }

            return true;
        }
    }

    /// <summary>The job a command was sent for, or null when the id is unknown (or already dropped from the log).</summary>
    public string? JobOf(string commandId)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(commandId, out var entry) ? entry.JobId : null;
        }
    }

    public CommandCounters Counters()
    {
        lock (_lock)
        {
            return new CommandCounters(_sent, _applied, _refused, _dryRun);
        }
    }

    /// <summary>The most recent commands, oldest first.</summary>
    public IReadOnlyList<CommandRecordSnapshot> Recent()
    {
        lock (_lock)
        {
            var list = new List<CommandRecordSnapshot>(_order.Count);
            foreach (var id in _order)
            {
                var e = _byId[id];
                list.Add(new CommandRecordSnapshot(id, e.NodeName, e.JobId, e.Kind, e.Outcome, e.Reason, e.SentUnixMilliseconds, e.RoundTripMilliseconds));
            }

            return list;
        }
    }

    /// <summary>True when a command for this job and kind is still waiting for its answer.</summary>
    public bool HasPending(string jobId, CommandKindInfo kind)
    {
        lock (_lock)
        {
            foreach (var e in _byId.Values)
            {
                if (e.Outcome == CommandOutcome.Pending && e.JobId == jobId && e.Kind == kind)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class Entry(string nodeName, string jobId, CommandKindInfo kind, string reason, long sentTimestamp, long sentUnixMilliseconds)
    {
        public string NodeName { get; } = nodeName;
        public string JobId { get; } = jobId;
        public CommandKindInfo Kind { get; } = kind;
        public string Reason { get; set; } = reason;
        public long SentTimestamp { get; } = sentTimestamp;
        public long SentUnixMilliseconds { get; } = sentUnixMilliseconds;
        public CommandOutcome Outcome { get; set; }
        public double RoundTripMilliseconds { get; set; }
    }
}
