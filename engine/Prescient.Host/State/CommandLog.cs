using HdrHistogram;

namespace Prescient.Host.State;

/// <summary>
/// Every command sent to agents and what became of it: counters and a round-trip histogram for the whole run,
/// every command still waiting for its result (bounded by <see cref="MaxPending"/>; the oldest is given up
/// first), and the most recent records for display (bounded by the recent capacity). Lookups are O(1).
/// Thread-safe.
/// </summary>
public sealed class CommandLog(TimeProvider time, int recentCapacity = 256, TimeSpan? pendingTimeout = null)
{
    /// <summary>Commands awaiting a result at most; past it the oldest pending one is given up (its result would count as unknown).</summary>
    public const int MaxPending = 1_000_000;

    /// <summary>
    /// A command unanswered this long is given up (counted as expired): well past any lead time plus validity, its
    /// answer is lost. Expiry also bounds the send-order queue to the commands of the last few minutes, whatever an
    /// agent does.
    /// </summary>
    public static readonly TimeSpan DefaultPendingTimeout = TimeSpan.FromMinutes(10);

    private readonly long _timeoutTicks = (long)((pendingTimeout ?? DefaultPendingTimeout).TotalSeconds * time.TimestampFrequency);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _pending = new(StringComparer.Ordinal);
    private readonly Queue<string> _pendingOrder = new();
    private readonly Dictionary<(string JobId, CommandKindInfo Kind), int> _pendingByJob = [];
    private readonly Queue<(string Id, Entry Entry)> _recent = new();
    private readonly LongHistogram _roundTripMicroseconds = new(TimeSpan.FromMinutes(10).Ticks / 10, 3);
    private ulong _sent, _applied, _refused, _dryRun, _expired;

    /// <summary>Records a command as sent now.</summary>
    public void Sent(string commandId, string nodeName, string jobId, CommandKindInfo kind, string reason)
    {
        lock (_lock)
        {
            _sent++;
            var entry = new Entry(nodeName, jobId, kind, reason, time.GetTimestamp(), time.GetUtcNow().ToUnixTimeMilliseconds());
            _pending[commandId] = entry;
            _pendingOrder.Enqueue(commandId);
            _pendingByJob[(jobId, kind)] = _pendingByJob.GetValueOrDefault((jobId, kind)) + 1;
            while (_pending.Count > MaxPending && _pendingOrder.TryDequeue(out var oldest))
            {
                if (_pending.Remove(oldest, out var dropped))
                {
                    Unpend(dropped);
                }
            }

            _recent.Enqueue((commandId, entry));
            while (_recent.Count > recentCapacity)
            {
                _recent.Dequeue();
            }

            Trim();
        }
    }

    /// <summary>
    /// Takes back a command recorded by <see cref="Sent"/> that could not be sent after all (its node's queue had
    /// closed): it is no longer pending nor counted as sent. A command is recorded before it is queued, so that an
    /// agent answering at once never finds it unknown.
    /// </summary>
    public void Withdraw(string commandId)
    {
        lock (_lock)
        {
            if (_pending.Remove(commandId, out var entry))
            {
                Unpend(entry);
                entry.Reason = "not sent: the node's queue had closed";
                _sent--;
            }
        }
    }

    /// <summary>
    /// Records an agent's answer. Returns false for an unknown command id, or one answered already, or
    /// one that comes from another node than it was sent to (the caller counts it as a rejection).
    /// </summary>
    public bool Completed(string commandId, string fromNode, CommandOutcome outcome, string reason) =>
        CompleteAndGetJob(commandId, fromNode, outcome, reason) is not null;

    /// <summary>
    /// Like <see cref="Completed"/>, and also returns the job the command was for (null when refused as unknown).
    /// </summary>
    public string? CompleteAndGetJob(string commandId, string fromNode, CommandOutcome outcome, string reason)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(commandId, out var entry) || entry.NodeName != fromNode)
            {
                return null;
            }

            _pending.Remove(commandId);
            Unpend(entry);
            entry.Outcome = outcome;
            entry.Reason = reason.Length > 0 ? reason : entry.Reason;
            entry.RoundTripMilliseconds = time.GetElapsedTime(entry.SentTimestamp).TotalMilliseconds;
            _roundTripMicroseconds.RecordValue(Math.Clamp((long)(entry.RoundTripMilliseconds * 1000), 0, _roundTripMicroseconds.HighestTrackableValue));
            switch (outcome)
            {
                case CommandOutcome.Applied: _applied++; break;
                case CommandOutcome.Refused: _refused++; break;
                case CommandOutcome.DryRun: _dryRun++; break;
            }

            return entry.JobId;
        }
    }

    /// <summary>The job of a command still waiting for its result from <paramref name="fromNode"/>, or null.</summary>
    public string? PendingJob(string commandId, string fromNode)
    {
        lock (_lock)
        {
            return _pending.TryGetValue(commandId, out var entry) && entry.NodeName == fromNode ? entry.JobId : null;
        }
    }

    /// <summary>Gives up the pending commands of a node whose agent went away; their results can no longer arrive on that stream.</summary>
    public void AbandonNode(string nodeName)
    {
        lock (_lock)
        {
            List<string>? gone = null;
            foreach (var (id, entry) in _pending)
            {
                if (entry.NodeName == nodeName)
                {
                    (gone ??= []).Add(id);
                }
            }

            foreach (var id in gone ?? [])
            {
                if (_pending.Remove(id, out var entry))
                {
                    Unpend(entry);
                }
            }
        }
    }



    /// <summary>Gives up the commands unanswered for longer than the timeout (also done on every send).</summary>
    public void ExpireStale()
    {
        lock (_lock)
        {
            Trim();
        }
    }

    /// <summary>Percentiles of the command round trip (queued by the engine → result received), in milliseconds; optionally starts afresh.</summary>
    public LatencyPercentiles RoundTrip(bool reset)
    {
        lock (_lock)
        {
            var h = _roundTripMicroseconds;
            var result = h.TotalCount == 0
                ? new LatencyPercentiles(0, 0, 0, 0, 0)
                : new LatencyPercentiles(h.TotalCount, h.GetValueAtPercentile(50) / 1000.0, h.GetValueAtPercentile(99) / 1000.0, h.GetValueAtPercentile(99.9) / 1000.0, h.GetMaxValue() / 1000.0);
            if (reset)
            {
                h.Reset();
            }

            return result;
        }
    }

    public CommandCounters Counters()
    {
        lock (_lock)
        {
            return new CommandCounters(_sent, _applied, _refused, _dryRun, _expired);
        }
    }

    /// <summary>The most recent commands, oldest first.</summary>
    public IReadOnlyList<CommandRecordSnapshot> Recent()
    {
        lock (_lock)
        {
            var list = new List<CommandRecordSnapshot>(_recent.Count);
            foreach (var (id, e) in _recent)
            {
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
            return _pendingByJob.ContainsKey((jobId, kind));
        }
    }

    /// <summary>Commands sent and not yet answered.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    // Ids of answered commands stay in the send-order queue until they reach its head; trim them there, and give up
    // a head still pending past the timeout, so the queue holds only the recent and the pending.
    private void Trim()
    {
        var now = time.GetTimestamp();
        while (_pendingOrder.TryPeek(out var head))
        {
            if (_pending.TryGetValue(head, out var entry))
            {
                if (now - entry.SentTimestamp < _timeoutTicks)
                {
                    break;
                }

                _pending.Remove(head);
                Unpend(entry);
                _expired++;
            }

            _pendingOrder.Dequeue();
        }
    }

    private void Unpend(Entry entry)
    {
        var key = (entry.JobId, entry.Kind);
        var left = _pendingByJob.GetValueOrDefault(key) - 1;
        if (left > 0)
        {
            _pendingByJob[key] = left;
        }
        else
        {
            _pendingByJob.Remove(key);
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

/// <summary>Latency percentiles in milliseconds over <see cref="Count"/> samples.</summary>
public readonly record struct LatencyPercentiles(long Count, double P50Milliseconds, double P99Milliseconds, double P999Milliseconds, double MaxMilliseconds);
