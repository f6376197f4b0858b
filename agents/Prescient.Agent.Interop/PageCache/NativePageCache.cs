using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Prescient.Agent.Interop.PageCache;

/// <summary>Residency with mmap + mincore and prefetch with posix_fadvise(WILLNEED), in libprescient_native.</summary>
internal sealed class NativePageCache : IPageCache
{
    private readonly ulong _pageSizeBytes;

    internal NativePageCache(ulong pageSizeBytes) => _pageSizeBytes = pageSizeBytes;

    public string Name => "native";

    public bool CanMeasureResidency => true;

    public bool TryGetResidency(string path, out PageCacheResidency residency, out string? error)
    {
        residency = default;
        if (!TryOpen(path, out var handle, out var length, out error))
        {
            return false;
        }

        using (handle)
        {
            var rc = PrescientNative.FdPageCacheResidency(handle, out var residentPages, out _);
            if (rc != 0)
            {
                error = Describe(path, "mincore", Marshal.GetLastPInvokeError());
                return false;
            }

            // The last page is partial; never report more resident bytes than the file holds.
            var residentBytes = Math.Min(residentPages * _pageSizeBytes, (ulong)length);
            residency = new PageCacheResidency(residentBytes, (ulong)length, IsKnown: true);
            return true;
        }
    }

    public bool TryPrefetch(string path, CancellationToken cancellationToken, out string? error)
    {
        if (!TryOpen(path, out var handle, out _, out error))
        {
            return false;
        }

        using (handle)
        {
            if (PrescientNative.FdReadahead(handle, 0, 0) != 0)
            {
                error = Describe(path, "readahead", Marshal.GetLastPInvokeError());
                return false;
            }

            return true;
        }
    }

    /// <summary>
    /// Opens a regular file for reading. Anything else — a directory, FIFO, socket or device, whose
    /// "size" means nothing to the page cache and whose reads could block or never end — is refused.
    /// </summary>
    internal static bool TryOpen(string path, out SafeFileHandle handle, out long length, out string? error)
    {
        handle = null!;
        length = 0;
        if (!Path.IsPathFullyQualified(path))
        {
            error = $"'{path}' is not an absolute path";
            return false;
        }

        if (Directory.Exists(path))
        {
            error = $"'{path}' is a directory, not a regular file";
            return false;
        }

        if (!Libc.TryOpenRead(path, out var opened, out var errno))
        {
            opened.Dispose();
            error = Describe(path, "open", errno);
            return false;
        }

        try
        {
            // fstat: non-seekable handles (FIFOs, sockets) throw NotSupportedException here.
            length = RandomAccess.GetLength(opened);
        }
        catch (Exception ex) when (ex is NotSupportedException or IOException or UnauthorizedAccessException)
        {
            opened.Dispose();
            error = $"'{path}' is not a regular file ({ex.Message})";
            return false;
        }

        handle = opened;
        error = null;
        return true;
    }

    private static string Describe(string path, string operation, int errno) =>
        $"{operation} on '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
