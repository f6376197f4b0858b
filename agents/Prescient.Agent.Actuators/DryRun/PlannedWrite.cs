namespace Prescient.Agent.Actuators.DryRun;

/// <summary>A cgroupfs file and the value that would be written to it.</summary>
public sealed record PlannedWrite(string Path, string Value);
