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

    internal static bool TryOpen(string path, out SafeFileHandle handle, out long length, out string? error)
    {
        handle = null!;
        length = 0;
        if (!Path.IsPathFullyQualified(path))
        {
            error = $"'{path}' is not an absolute path";
            return false;
        }

        try
        {
            if (Directory.Exists(path))
            {
                error = $"'{path}' is a directory, not a regular file";
                return false;
            }

            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            length = RandomAccess.GetLength(handle);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"cannot open '{path}': {ex.Message}";
            return false;
        }
    }

    private static string Describe(string path, string operation, int errno) =>
        $"{operation} on '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
