namespace Prescient.Agent.Actuators.DryRun;

/// <summary>What a prefetch of one file would do.</summary>
/// <param name="Path">The file.</param>
/// <param name="TotalBytes">File size.</param>
/// <param name="CachedBytes">Bytes already in the page cache (0 when unknown).</param>
/// <param name="ResidencyKnown">False when the managed fallback could not measure residency.</param>
/// <param name="Error">Why the file cannot be prefetched, or null.</param>
public sealed record PlannedPrefetch(string Path, ulong TotalBytes, ulong CachedBytes, bool ResidencyKnown, string? Error)
{
    /// <summary>Bytes the prefetch would read.</summary>
    public ulong BytesToReadBytes => Error is not null ? 0 : TotalBytes - Math.Min(CachedBytes, TotalBytes);
}
