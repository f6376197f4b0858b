namespace Prescient.Agent.Interop.PageCache;

/// <summary>
/// Fallback when libprescient_native is missing: residency cannot be measured without mincore, so it
/// is reported as unknown (nothing assumed cached); prefetch reads the file through once, which
/// leaves it in the page cache.
/// </summary>
internal sealed class ManagedPageCache : IPageCache
{
    private const int ReadBufferBytes = 1 << 20;

    public string Name => "managed-fallback";

    public bool CanMeasureResidency => false;

    public bool TryGetResidency(string path, out PageCacheResidency residency, out string? error)
    {
        residency = default;
        if (!NativePageCache.TryOpen(path, out var handle, out var length, out error))
        {
            return false;
        }

        handle.Dispose();
        residency = new PageCacheResidency(0, (ulong)length, IsKnown: false);
        return true;
    }

    public bool TryPrefetch(string path, CancellationToken cancellationToken, out string? error)
    {
        if (!NativePageCache.TryOpen(path, out var handle, out var length, out error))
        {
            return false;
        }

        using (handle)
        {
            // Never past the size seen at open: a file that keeps growing (or a device) must not keep us reading.
            var buffer = new byte[ReadBufferBytes];
            long offset = 0;
            try
            {
                int read;
                while (offset < length && (read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - offset)), offset)) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    offset += read;
                }
            }
            catch (IOException ex)
            {
                error = $"reading '{path}' failed at byte {offset}: {ex.Message}";
                return false;
            }

            return true;
        }
    }
}
