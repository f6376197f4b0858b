using Prescient.Host.State;
using Prescient.Protos.V1;

namespace Prescient.Host.Services;

/// <summary>
/// One agent stream's pairing of <c>JobUsage.job_ref</c> numbers with job identities, so that an agent sends a job's
/// identity once and then the reference alone (six strings less to parse per job and report: at 10,000 nodes with
/// 5 jobs each, 300,000 strings a second). An identity that comes again equal to the stored one is answered with the
/// stored object, so a reporting job allocates no identity at all. Lives and dies with the stream; used by the
/// stream's reading loop only (not thread-safe).
/// </summary>
public sealed class JobReferences
{
    /// <summary>References kept per stream; an identity sent with a reference beyond this is used but not kept.</summary>
    public const int MaxReferences = 65_536;

    private readonly Dictionary<uint, JobIdentityInfo> _identities = [];

    /// <summary>References currently paired.</summary>
    public int Count => _identities.Count;

    /// <summary>
    /// The identity of a sample: <paramref name="identity"/> (paired with <paramref name="jobRef"/> when that is not 0,
    /// the stored object reused when equal), or the identity paired earlier with <paramref name="jobRef"/>. Null, with
    /// the <see cref="RejectionReasons"/> name in <paramref name="problem"/>, when there is neither.
    /// </summary>
    public JobIdentityInfo? Resolve(uint jobRef, JobIdentity? identity, out string? problem)
    {
        problem = null;
        if (identity is null)
        {
            if (jobRef != 0 && _identities.TryGetValue(jobRef, out var known))
            {
                return known;
            }

            problem = jobRef == 0 ? RejectionReasons.InvalidRequest : RejectionReasons.UnknownJobRef;
            return null;
        }

        if (jobRef == 0)
        {
            return ProtoMapping.ToInfo(identity);
        }

        if (_identities.TryGetValue(jobRef, out var stored) && Same(stored, identity))
        {
            return stored;
        }

        var info = ProtoMapping.ToInfo(identity);
        if (stored is not null || _identities.Count < MaxReferences)
        {
            _identities[jobRef] = info;
        }

        return info;
    }

    private static bool Same(JobIdentityInfo stored, JobIdentity identity) =>
        string.Equals(stored.JobId, identity.JobId, StringComparison.Ordinal)
        && string.Equals(stored.User, identity.User, StringComparison.Ordinal)
        && string.Equals(stored.Group, identity.Group, StringComparison.Ordinal)
        && string.Equals(stored.Program, identity.Program, StringComparison.Ordinal)
        && string.Equals(stored.Partition, identity.Partition, StringComparison.Ordinal)
        && string.Equals(stored.Qos, identity.Qos, StringComparison.Ordinal);
}
