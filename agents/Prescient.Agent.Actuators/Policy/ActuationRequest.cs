namespace Prescient.Agent.Actuators.Policy;

/// <summary>One decision for one job, as the agent received it.</summary>
/// <param name="Kind">What to change.</param>
/// <param name="JobId">The job the decision is for.</param>
/// <param name="Limits">Requested values for SetLimits, SetCpuset and ReserveBandwidth.</param>
/// <param name="PrefetchPaths">Absolute file paths for Prefetch.</param>
public sealed record ActuationRequest(
    ActuationKind Kind,
    string JobId,
    JobLimits Limits,
    IReadOnlyList<string> PrefetchPaths);
