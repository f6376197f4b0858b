namespace Prescient.Agent.Interop.PageCache;

/// <summary>
/// Page-cache inspection and prefetch for regular files. Implementations are stateless and
/// thread-safe. Failures (missing file, not a regular file, permission) come back as <c>false</c>
/// with a one-line reason; nothing throws for I/O errors on the given path.
/// </summary>
public interface IPageCache
{
    /// <summary>"native" (libprescient_native loaded) or "managed-fallback".</summary>
    string Name { get; }

    /// <summary>True when <see cref="TryGetResidency"/> reports measured residency.</summary>
    bool CanMeasureResidency { get; }

    /// <summary>Measures without reading the file or changing the cache.</summary>
    bool TryGetResidency(string path, out PageCacheResidency residency, out string? error);

    /// <summary>
    /// Starts reading the whole file into the page cache. The native backend returns at once
    /// (asynchronous kernel readahead); the managed fallback reads the file through, so it blocks
    /// for as long as the I/O takes.
    /// </summary>
    bool TryPrefetch(string path, CancellationToken cancellationToken, out string? error);
}
