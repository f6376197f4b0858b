namespace Prescient.Agent.Actuators.Policy;

/// <summary>What the node offers, used to validate cpusets and to restore them on release.</summary>
/// <param name="CpuIds">Online logical CPU ids.</param>
/// <param name="NumaNodeIds">NUMA node ids.</param>
/// <param name="NetworkInterface">Interface that would carry the job's tc class, or empty when none is known.</param>
public sealed record NodeTopology(IReadOnlyList<int> CpuIds, IReadOnlyList<int> NumaNodeIds, string NetworkInterface);
