using Prescient.Protos.V1;

namespace Prescient.Agent.Session;

/// <summary>
/// One stream's job references (<c>JobUsage.job_ref</c>): each job gets a number the first time it reports, its identity
/// travels with the number until a batch carrying it has been handed to the stream, then the number alone. A new
/// stream starts a new table (the engine's pairing lives as long as the stream). Used by the sending loop only.
/// </summary>
public sealed class JobReferenceTable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private uint _next;

    /// <summary>The job's reference; <paramref name="identity"/> is what to send with it (null once the engine has it).</summary>
    public uint Reference(JobIdentity identity, out JobIdentity? toSend)
    {
        if (_entries.TryGetValue(identity.JobId, out var entry))
        {
            toSend = entry.Sent && entry.Identity.Equals(identity) ? null : identity;
            if (toSend is not null)
            {
                _entries[identity.JobId] = entry with { Identity = identity, Sent = false };
            }

            return entry.Reference;
        }

        var reference = ++_next;
        _entries[identity.JobId] = new Entry(reference, identity, false);
        toSend = identity;
        return reference;
    }

    /// <summary>Records that the identities in <paramref name="batch"/> are on their way (call after trimming, before writing).</summary>
    public void MarkSent(TelemetryBatch batch)
    {
        foreach (var job in batch.Jobs)
        {
            if (job.Identity is { } identity && _entries.TryGetValue(identity.JobId, out var entry))
            {
                _entries[identity.JobId] = entry with { Sent = true };
            }
        }
    }

    /// <summary>Forgets jobs not in <paramref name="present"/> (ended jobs), so that the table stays as large as the node's jobs.</summary>
    public void Retain(IReadOnlySet<string> present)
    {
        if (_entries.Count <= present.Count)
        {
            return;
        }

        foreach (var id in _entries.Keys.Where(id => !present.Contains(id)).ToList())
        {
            _entries.Remove(id);
        }
    }

    private readonly record struct Entry(uint Reference, JobIdentity Identity, bool Sent);
}
