using Prescient.Abstractions.Telemetry;

namespace Prescient.Host.State;

/// <summary>
/// A record's latest usage sample kept as numbers in an array the record owns, never as the sample object: an old
/// record pointing at a new object each report made every young-generation collection scan all records for those
/// references (60,000 at 10,000 nodes). Mutated under <see cref="ClusterState"/>'s lock.
/// </summary>
internal struct LatestSample()
{
    private readonly double[] _values = new double[ResourceKinds.Count];
    private long _filesRead;

    /// <summary>The sample's time; 0 before the first.</summary>
    public long UnixMilliseconds { readonly get; private set; }

    /// <summary>Copies <paramref name="usage"/>'s numbers.</summary>
    public void Set(UsageReading usage)
    {
        usage.Values.AsSpan().CopyTo(_values);
        _filesRead = usage.FilesRead;
        UnixMilliseconds = usage.UnixMilliseconds;
    }

    /// <summary>A copy as a sample object (null before the first), for whoever asks (status).</summary>
    public readonly UsageReading? ToReading() =>
        UnixMilliseconds > 0 ? new UsageReading(UnixMilliseconds, (double[])_values.Clone(), _filesRead) : null;
}
