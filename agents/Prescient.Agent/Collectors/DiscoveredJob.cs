using Prescient.Agent.Actuators.Policy;

namespace Prescient.Agent.Collectors;

/// <summary>A job found in cgroupfs.</summary>
/// <param name="JobId">From the directory name: job_&lt;id&gt; (Slurm) or the leaf of the plain layout.</param>
/// <param name="Uid">From uid_&lt;n&gt; in the path, or the owner of the group's first process; null if unknown.</param>
/// <param name="Version">The hierarchy it was found in; v1 wins when a job is in both.</param>
/// <param name="RelativePath">Path under each controller root (v1) or under the unified root (v2).</param>
/// <param name="Layout">"slurm" or "plain".</param>
/// <param name="Controllers">For v1: the controller mounts holding a group for the job (Slurm creates
/// none under "cpu", for example); empty for v2.</param>
public sealed record DiscoveredJob(string JobId, uint? Uid, CgroupVersion Version, string RelativePath, string Layout, IReadOnlyList<string> Controllers);
