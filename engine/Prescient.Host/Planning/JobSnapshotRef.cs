namespace Prescient.Host.State;

/// <summary>The engine-side identity of a planned job, in snapshot order (for mapping changes back to commands).</summary>
internal readonly record struct JobSnapshotRef(string JobId, string NodeName, double MemoryUsageBytes);
