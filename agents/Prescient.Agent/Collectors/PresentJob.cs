namespace Prescient.Agent.Collectors;

/// <summary>A job present at the last tick, with what the policy needs to judge limits.</summary>
/// <param name="Job">Where it was found.</param>
/// <param name="User">As in <see cref="JobReading.User"/>.</param>
/// <param name="ResidentMemoryBytes">Usage minus inactive file cache, or null when unreadable.</param>
public sealed record PresentJob(DiscoveredJob Job, string User, ulong? ResidentMemoryBytes);
