namespace Prescient.Agent.Interop.PageCache;

/// <summary>
/// How much of one file is in the page cache. <see cref="IsKnown"/> is false when the backend cannot
/// measure residency (the managed fallback), in which case <see cref="ResidentBytes"/> is 0.
/// Byte counts are rounded to whole pages except that <see cref="TotalBytes"/> is the file size.
/// </summary>
public readonly record struct PageCacheResidency(ulong ResidentBytes, ulong TotalBytes, bool IsKnown)
{
    /// <summary>Bytes a full prefetch would still have to read (all of them when residency is unknown).</summary>
    public ulong MissingBytes => ResidentBytes >= TotalBytes ? 0 : TotalBytes - ResidentBytes;
}
