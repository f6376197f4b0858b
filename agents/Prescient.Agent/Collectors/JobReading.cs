namespace Prescient.Agent.Collectors;

/// <summary>One job's usage at one tick.</summary>
/// <param name="Job">Where it was found.</param>
/// <param name="User">User name from /etc/passwd, "uid_&lt;n&gt;" when the uid has no entry, "" when unknown.</param>
/// <param name="Usage">Rates over the last interval.</param>
public sealed record JobReading(DiscoveredJob Job, string User, UsageReading Usage);
