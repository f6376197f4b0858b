using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Prescient.Agent.Interop.PageCache;

/// <summary>The P/Invoke surface of libprescient_native.so (agents/native/include/prescient_native.h).</summary>
internal static partial class PrescientNative
{
    internal const string LibraryName = "prescient_native";

    /// <summary>The ABI this assembly was written against (PRESCIENT_NATIVE_ABI_VERSION).</summary>
    internal const int ExpectedAbiVersion = 1;

    [LibraryImport(LibraryName, EntryPoint = "prescient_native_abi_version")]
    internal static partial int AbiVersion();

    [LibraryImport(LibraryName, EntryPoint = "prescient_page_size_bytes")]
    internal static partial ulong PageSizeBytes();

    // The C side takes the descriptor as intptr_t, so the SafeHandle marshals as is and stays
    // referenced (not closable by another thread) for the duration of the call.
    [LibraryImport(LibraryName, EntryPoint = "prescient_fd_page_cache_residency", SetLastError = true)]
    internal static partial int FdPageCacheResidency(SafeFileHandle fd, out ulong residentPages, out ulong totalPages);

    [LibraryImport(LibraryName, EntryPoint = "prescient_fd_readahead", SetLastError = true)]
    internal static partial int FdReadahead(SafeFileHandle fd, ulong offsetBytes, ulong lengthBytes);
}
