using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Prescient.Agent.Interop.PageCache;

/// <summary>
/// The one libc call the agent needs directly: open(2) with O_NONBLOCK, so that a path naming a FIFO
/// cannot block the agent (File.OpenHandle would wait for a writer forever). Used by both backends.
/// </summary>
internal static partial class Libc
{
    // Linux generic values (x86-64 and arm64 alike).
    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    /// <summary>Opens <paramref name="path"/> for reading without blocking; the handle owns the descriptor.</summary>
    internal static bool TryOpenRead(string path, out SafeFileHandle handle, out int errno)
    {
        var fd = Open(path, ReadOnly | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            handle = new SafeFileHandle();
            return false;
        }

        errno = 0;
        handle = new SafeFileHandle(fd, ownsHandle: true);
        return true;
    }
}
